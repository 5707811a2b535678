"""Event pages: list, detail with register/cancel, iCalendar feeds, check-in, hours."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from alliance.models import Member
from alliance.roles import is_staff_role
from volunteers import selectors, services
from volunteers.feeds import build_calendar
from volunteers.filters import EventFilter
from volunteers.forms import CheckInForm, CorrectionForm, SummaryYearForm
from volunteers.models import CalendarToken, Event, Registration, ServiceRecord
from yichuan.home import EVENT_SECTIONS, collect

PAGE_SIZE = 20


@require_safe
def event_list(request):
    now = timezone.now()
    when = request.GET.get("when", "upcoming")
    # The request's alliance: a district's database holds every alliance's events.
    alliance = request.alliance
    qs = selectors.event_list(request.user, alliance)
    filterset = EventFilter(request.GET or None, queryset=qs, alliance=alliance)
    if filterset.is_bound:
        # A choice that does not validate is left out of the filter, and said so.
        _refused_filters(request, filterset.form)
        qs = filterset.qs
    if when == "past":
        qs = qs.past(now).order_by("-start", "-id")
    else:
        when = "upcoming"
        qs = qs.upcoming(now).order_by("start", "id")
    page = Paginator(qs.distinct(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteers/list.html", {
        "page": page, "events": page.object_list, "filter": filterset, "when": when,
    })


def _refused_filters(request, form):
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.warning(request, _("%(field)s：%(error)s 已忽略这一项。")
                             % {"field": label, "error": error})


def _visible_event(request, pk):
    """The event, if this visitor may see it in the request's alliance; else 404."""
    return get_object_or_404(Event.objects.visible_to(request.user, request.alliance), pk=pk)


@require_safe
def event_detail(request, pk):
    event = get_object_or_404(Event.objects.visible_to(request.user, request.alliance)
                              .select_related("venue").prefetch_related("organizers"), pk=pk)
    member = selectors.member_of(request.user)
    mine = None
    if member is not None:
        mine = (Registration.objects.filter(event=event, member=member,
                                            state__in=Registration.ACTIVE).first())
    seated = Registration.objects.filter(event=event, state__in=Registration.SEATED).count()
    waiting = Registration.objects.filter(event=event,
                                          state=Registration.State.WAITLISTED).count()
    return render(request, "volunteers/detail.html", {
        "event": event, "mine": mine, "seated": seated, "waiting": waiting,
        # What other apps show about this event (the suggestions raised at a salon).
        "sections": collect(EVENT_SECTIONS, request, event),
        "can_check_in": request.user.has_perm("volunteers.check_in", event),
        "member": member,
    })


@require_POST
def event_register(request, pk):
    event = _visible_event(request, pk)
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={event.get_absolute_url()}")
    try:
        registration = services.register(event_id=event.pk,
                                         member=selectors.member_of(request.user))
    except services.EventError as error:
        messages.error(request, error.message)
    else:
        if registration.state == Registration.State.WAITLISTED:
            messages.info(request, _("名额已满，您已进入候补名单（第 %(n)s 位）。")
                          % {"n": registration.position})
        else:
            messages.success(request, _("报名成功。"))
    return redirect(event)


@require_POST
@login_required
def event_cancel(request, pk):
    event = _visible_event(request, pk)
    member = selectors.member_of(request.user)
    registration = get_object_or_404(Registration, event=event, member=member,
                                     state__in=Registration.ACTIVE)
    try:
        services.cancel_registration(registration_id=registration.pk, actor=request.user)
    except services.EventError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("已取消报名。"))
    return redirect(event)


@require_safe
def public_feed(request):
    events = (Event.objects.filter(alliance=request.alliance, visibility=Event.Visibility.PUBLIC,
                                   status__in=[Event.Status.PUBLISHED, Event.Status.COMPLETED,
                                               Event.Status.CANCELLED])
              .select_related("venue").order_by("start"))
    body = build_calendar(events, request,
                          name=_("%(name)s 联盟活动") % {"name": request.alliance.short_name})
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_safe
def member_feed(request, token):
    token = get_object_or_404(CalendarToken.objects.select_related("member"), token=token)
    events = (Event.objects.filter(
        registrations__member=token.member,
        registrations__state__in=Registration.ACTIVE).exclude(status=Event.Status.DRAFT)
        .select_related("venue").distinct().order_by("start"))
    body = build_calendar(events, request, name=_("我的联盟活动"))
    return HttpResponse(body, content_type="text/calendar; charset=utf-8")


@require_POST
@login_required
def reset_feed_token(request):
    member = selectors.member_of(request.user)
    if member is None:
        raise Http404
    CalendarToken.objects.filter(member=member).delete()
    CalendarToken.objects.create(member=member)
    messages.success(request, _("已生成新的日历订阅地址，旧地址已失效。"))
    return redirect("me")


def _check_in_event(request, pk):
    if not request.user.is_authenticated:
        raise Http404
    event = get_object_or_404(Event.objects.filter(alliance=request.alliance)
                              .exclude(status=Event.Status.DRAFT), pk=pk)
    if not request.user.has_perm("volunteers.check_in", event):
        raise Http404
    return event


@login_required
def attendance(request, pk):
    event = _check_in_event(request, pk)
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Ids a browser could have sent; anything else (text, 10**30) is not a registration.
        ids = [i for i in request.POST.getlist("registration")
               if i.isascii() and i.isdigit() and len(i) <= 18]
        if request.POST.get("action") == "all":
            ids = list(Registration.objects.filter(
                event=event, state=Registration.State.REGISTERED).values_list("pk", flat=True))
        present = request.POST.get("action") != "absent"
        try:
            n = services.check_in(event_id=event.pk, registration_ids=ids, actor=request.user,
                                  hours=form.cleaned_data["hours"], present=present)
        except services.EventError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("已更新 %(n)s 人的签到。") % {"n": n})
            return redirect("volunteers:attendance", pk=event.pk)
    registrations = (Registration.objects.filter(event=event, state__in=Registration.SEATED)
                     .select_related("member").order_by("member__name", "id"))
    records = {r.member_id: r for r in ServiceRecord.objects.filter(event=event)}
    rows = [(reg, records.get(reg.member_id)) for reg in registrations]
    return render(request, "volunteers/attendance.html", {
        "event": event, "rows": rows, "form": form,
        "can_correct": request.user.has_perm("volunteers.correct_hours"),
    })


@login_required
def correct_record(request, pk):
    if not request.user.has_perm("volunteers.correct_hours"):
        raise Http404
    record = get_object_or_404(ServiceRecord.objects.select_related("member", "event")
                               .filter(member__alliance=request.alliance), pk=pk)
    form = CorrectionForm(request.POST or None, initial={"hours": record.hours})
    if request.method == "POST" and form.is_valid():
        try:
            services.correct_hours(record_id=record.pk, actor=request.user,
                                   **form.cleaned_data)
        except services.EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("时长已更正。"))
            if record.event_id:
                return redirect("volunteers:attendance", pk=record.event_id)
            return redirect("volunteers:hours_summary", member_id=record.member_id)
    return render(request, "volunteers/correct.html", {
        "record": record, "form": form, "corrections": record.corrections.all()})


@login_required
@require_safe
def hours_summary(request, member_id):
    """A printable yearly summary: the member themselves or staff."""
    member = get_object_or_404(Member, pk=member_id, alliance=request.alliance)
    own = selectors.member_of(request.user)
    if not (is_staff_role(request.user, member.alliance_id) or (own and own.pk == member.pk)):
        raise Http404
    form = SummaryYearForm(request.GET)
    year = form.cleaned_data["year"] if form.is_valid() else None
    for error in form.errors.get("year", []):
        messages.warning(request, _("%(error)s 已显示今年的记录。") % {"error": error})
    year = year or timezone.localdate().year
    records = (ServiceRecord.objects.filter(member=member, verified=True,
                                            created_at__year=year)
               .select_related("event").prefetch_related(
                   Prefetch("corrections")).order_by("created_at"))
    total = sum((r.hours for r in records), start=0)
    return render(request, "volunteers/hours_summary.html", {
        "member": member, "year": year, "records": records, "total": total,
        "printed": timezone.localtime(),
    })



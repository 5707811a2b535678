"""Event pages: list, detail with register/cancel, iCalendar feeds, check-in, hours."""

import base64
import io

import qrcode
import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from alliance.context import on_own_host
from alliance.models import Member
from alliance.roles import is_staff_role, liaison_unit_ids
from volunteers import selectors, services
from volunteers.feeds import build_calendar
from volunteers.filters import EventFilter
from volunteers.forms import (
    CancelEventForm,
    CertificateForm,
    CheckInForm,
    CorrectionDecisionForm,
    CorrectionForm,
    CorrectionRequestForm,
    EventForm,
    RevokeCertificateForm,
    SummaryYearForm,
)
from volunteers.models import (
    CalendarToken,
    Certificate,
    CorrectionRequest,
    Event,
    Registration,
    ServiceRecord,
)
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
    # One row per event: the annotation groups by it, and the unit filter names one unit.
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_organizers(page.object_list)
    return render(request, "volunteers/list.html", {
        "page": page, "events": page.object_list, "filter": filterset, "when": when,
        "can_create": request.user.has_perm("volunteers.create_event", alliance),
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
        "can_edit": request.user.has_perm("volunteers.edit_event", event),
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


@login_required
def event_new(request):
    alliance = request.alliance
    if not request.user.has_perm("volunteers.create_event", alliance):
        raise Http404
    form = EventForm(request.POST or None, alliance=alliance, actor=request.user)
    if request.method == "POST" and form.is_valid():
        publish = request.POST.get("action") == "publish"
        try:
            event = services.create_event(
                alliance=alliance, actor=request.user, publish=publish,
                organizers=form.cleaned_data["organizers"], **form.event_fields())
        except services.EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("活动已发布。") if publish
                             else _("活动已保存为草稿，发布后成员才能看到并报名。"))
            return redirect(event)
    return render(request, "volunteers/event_form.html", {"form": form, "event": None})


@login_required
def event_edit(request, pk):
    event = get_object_or_404(Event.objects.filter(alliance=request.alliance), pk=pk)
    if not request.user.has_perm("volunteers.edit_event", event):
        raise Http404
    action = request.POST.get("action", "save") if request.method == "POST" else None
    form = EventForm(request.POST if action in ("save", "publish") else None, instance=event,
                     alliance=request.alliance, actor=request.user)
    cancel_form = CancelEventForm(request.POST if action == "cancel" else None)
    try:
        if action in ("save", "publish") and form.is_valid():
            _event, promoted, told = services.update_event(
                event_id=event.pk, actor=request.user,
                organizers=form.cleaned_data["organizers"], **form.event_fields())
            if action == "publish":
                services.publish_event(event_id=event.pk, actor=request.user)
            messages.success(request, _edit_outcome(action, promoted, told))
            return redirect(event)
        if action == "cancel" and cancel_form.is_valid():
            _event, told = services.cancel_event(event_id=event.pk, actor=request.user,
                                            reason=cancel_form.cleaned_data["reason"])
            messages.success(request, _("活动已取消，已通知 %(n)s 名报名和候补人员。")
                             % {"n": told})
            return redirect(event)
        if action == "complete":
            services.complete_event(event_id=event.pk, actor=request.user)
            messages.success(request, _("活动已标记为已结束。"))
            return redirect(event)
    except services.EventError as error:
        if action == "cancel":
            cancel_form.add_error(None, error.message)
        elif form.is_bound:
            form.add_error(None, error.message)
        else:
            messages.error(request, error.message)
    return render(request, "volunteers/event_form.html", {
        "form": form, "cancel_form": cancel_form, "event": event,
        "seated": services.seats_taken(event.pk),
        "waiting": event.registrations.filter(state=Registration.State.WAITLISTED).count(),
        "ended": event.end <= timezone.now(),
        "closed": services.editing_refusal(event),
    })


def _edit_outcome(action, promoted, told):
    parts = [_("活动已发布。") if action == "publish" else _("活动已保存。")]
    if promoted:
        parts.append(_("增加的名额已按顺序分给 %(n)s 名候补人员，并已通知他们。")
                     % {"n": len(promoted)})
    if told:
        parts.append(_("时间或地点的变更已通知 %(n)s 名报名和候补人员。") % {"n": told})
    return "".join(parts)


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
    records = (ServiceRecord.objects.filter(member=member, verified=True).served()
               .filter(served_at__year=year)
               .select_related("event").prefetch_related(
                   Prefetch("corrections"),
                   Prefetch("correction_requests", to_attr="pending_requests",
                            queryset=CorrectionRequest.objects.pending()))
               .order_by("served_at", "id"))
    total = sum((r.hours for r in records), start=0)
    return render(request, "volunteers/hours_summary.html", {
        "member": member, "year": year, "records": records, "total": total,
        "printed": timezone.localtime(),
        # A member asks for corrections of their own records; staff correct them.
        "own": bool(own and own.pk == member.pk),
    })


# --- 志愿服务记录证明 and correction requests (issue 17) ------------------------------------

def qr_png(url):
    """The QR code of ``url`` as PNG bytes (the library the announcements' codes use)."""
    buffer = io.BytesIO()
    qrcode.make(url, box_size=8, border=4).save(buffer)
    return buffer.getvalue()


def _data_uri(png):
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@require_safe
def certificate_verify(request, serial):
    """The public verification page a certificate's QR code opens: masked name, hours,
    period, issuer, issue date, valid or revoked; nothing else of the person.

    Alliances apart: the QR codes carry the issuer's own host name where it has one, else
    SITE_URL, the deployment's shared address, where a visitor who scans one is signed in to
    nothing and so "in" the default alliance. There the serial alone finds the certificate, whichever alliance issued it, and the page names that
    issuer (not the request's alliance): the serial is unguessable and what is shown is what
    the issuer printed for anyone to check. On an alliance's own host name only its own
    certificates answer, like every other page there; another's is 404."""
    certificates = Certificate.objects.select_related("alliance")
    if on_own_host(request):
        certificates = certificates.filter(alliance=request.alliance)
    certificate = get_object_or_404(certificates, serial=serial)
    response = render(request, "volunteers/certificate_verify.html",
                      {"certificate": certificate, "issuer": certificate.alliance})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"  # a revocation shows at once
    return response


def _certificate_for(request, serial, perm):
    """The request's alliance's certificate, if this user has ``perm`` on it; else 404."""
    certificate = get_object_or_404(
        Certificate.objects.filter(alliance=request.alliance)
        .select_related("alliance", "member"), serial=serial)
    if not request.user.has_perm(perm, certificate):
        raise Http404
    return certificate


@login_required
@require_safe
def certificate_print(request, serial):
    """The printable 志愿服务记录证明: the member's own, or any of the alliance's for its
    staff."""
    certificate = _certificate_for(request, serial, "volunteers.print_certificate")
    url = certificate.verification_url()
    return render(request, "volunteers/certificate_print.html", {
        "certificate": certificate, "issuer": certificate.alliance, "verification_url": url,
        "qr": _data_uri(qr_png(url)),
        "can_revoke": request.user.has_perm("volunteers.revoke_certificate", certificate),
    })


@login_required
def certificate_revoke(request, serial):
    certificate = _certificate_for(request, serial, "volunteers.revoke_certificate")
    form = RevokeCertificateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.revoke_certificate(certificate_id=certificate.pk, actor=request.user,
                                        reason=form.cleaned_data["reason"])
        except services.EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("证明已撤销，核验页面将显示“已撤销”。"))
            return redirect("certificates:print", serial=certificate.serial)
    return render(request, "volunteers/certificate_revoke.html",
                  {"certificate": certificate, "form": form})


@login_required
def certificate_new(request, member_id):
    """Where a member (or staff, for a member) chooses the period and issues a certificate;
    the member's certificates so far are listed below."""
    member = get_object_or_404(Member, pk=member_id, alliance=request.alliance)
    if not request.user.has_perm("volunteers.issue_certificate", member):
        raise Http404
    today = timezone.localdate()
    form = CertificateForm(request.POST or None, initial={
        "period_start": today.replace(month=1, day=1), "period_end": today})
    if request.method == "POST" and form.is_valid():
        try:
            certificate = services.issue_certificate(member=member, actor=request.user,
                                                     **form.cleaned_data)
        except services.EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("证明已出具，可打印或保存为 PDF。"))
            return redirect("certificates:print", serial=certificate.serial)
    certificates = list(Certificate.objects.filter(member=member)[:50])
    return render(request, "volunteers/certificate_new.html", {
        "member": member, "form": form, "certificates": certificates})


@login_required
def correction_request_new(request, pk):
    """A member asks for one of their records to be corrected."""
    record = get_object_or_404(ServiceRecord.objects.select_related("event", "member")
                               .filter(member__alliance=request.alliance), pk=pk)
    # The rule itself, not user.has_perm: a superuser passes every has_perm, and nobody
    # asks on a member's behalf.
    if not rules.has_perm("volunteers.request_correction", request.user, record):
        raise Http404
    form = CorrectionRequestForm(request.POST or None, initial={"hours": record.hours})
    if request.method == "POST" and form.is_valid():
        try:
            services.request_correction(record_id=record.pk,
                                        member=selectors.member_of(request.user),
                                        **form.cleaned_data)
        except services.EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("更正申请已提交，组织方处理后会通知您。"))
            return redirect("volunteers:hours_summary", member_id=record.member_id)
    return render(request, "volunteers/correction_request_new.html", {
        "record": record, "form": form,
        "requests": record.correction_requests.select_related(None).order_by("-created_at"),
    })


def _decidable(request):
    if not request.user.is_authenticated:
        raise Http404
    if not (is_staff_role(request.user, request.alliance)
            or liaison_unit_ids(request.user, request.alliance)):
        raise Http404
    return (CorrectionRequest.objects.decidable_by(request.user, request.alliance)
            .select_related("record__member", "record__event"))


@login_required
@require_safe
def correction_request_list(request):
    """The pending correction requests this organizer decides (``?event=`` narrows them to
    one event, as the attendance page links)."""
    qs = _decidable(request).pending().order_by("created_at", "id")
    event_id = request.GET.get("event", "")
    event = None
    if event_id.isascii() and event_id.isdigit() and len(event_id) <= 18:
        event = Event.objects.filter(alliance=request.alliance, pk=event_id).first()
        qs = qs.filter(record__event_id=event_id)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "volunteers/correction_request_list.html",
                  {"page": page, "requests": page.object_list, "event": event})


@login_required
def correction_request_detail(request, pk):
    """An organizer reads a request and accepts or refuses it."""
    correction_request = get_object_or_404(_decidable(request), pk=pk)
    if not request.user.has_perm("volunteers.decide_correction", correction_request):
        raise Http404
    form = CorrectionDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide_correction(request_id=correction_request.pk, actor=request.user,
                                       **form.cleaned_data)
        except services.EventError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已处理，申请人会收到通知。"))
            return redirect("volunteers:correction_requests")
    record = correction_request.record
    return render(request, "volunteers/correction_request_detail.html", {
        "item": correction_request, "record": record, "form": form,
        "corrections": record.corrections.all(),
    })

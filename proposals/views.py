"""直通车 pages. Views parse input, ask the workflow/rules what this user may do, call one
service and turn its TransitionError into a message; nothing here decides the pipeline."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST, require_safe

from alliance.models import Unit
from alliance.roles import liaison_unit_ids
from alliance.selectors import member_users
from proposals import filters, forms, selectors, services, workflow
from proposals.models import Attachment, Category, Feedback, Suggestion
from volunteers.models import Event

PAGE_SIZE = 25
QUEUE_CACHE_SECONDS = 300

class QueuePaginator(Paginator):
    """Counts at most COUNT_CAP rows: past that the page says "10000+" and nobody pages
    that deep, so an exact COUNT over a district's million rows buys nothing."""

    COUNT_CAP = 10_000

    @cached_property
    def count(self):
        return self.object_list[: self.COUNT_CAP + 1].count()

    @property
    def capped(self):
        return self.count > self.COUNT_CAP

    def page(self, number):
        """A deferred join: the page's ids first, skipping OFFSET rows in the urgency index
        alone (an index-only scan), then the 25 rows with their category, handler and unit.
        Joining before the OFFSET made page 200 three times slower than page 1."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.object_list.filter(pk__in=ids)} if ids else {}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def _visible(request):
    """What the user may open, of the request's alliance only: another alliance's tracking
    number is 404 (DESIGN §2)."""
    return Suggestion.objects.visible_in(request.alliance, request.user)


def _queue_cache_key(request, alliance, today):
    """Where a coordinator's queue page is kept: every coordinator sees the same rows, so
    they share it, per alliance version, day (what is overdue), language and query."""
    query = hashlib.sha256(request.GET.urlencode().encode(), usedforsecurity=False)
    return (f"queue-rows:{alliance.pk}:{alliance.queue_version}:{today.isoformat()}:"
            f"{get_language()}:{query.hexdigest()[:32]}")


def _render_rows(context, rows, page_number, *, page_param="page"):
    # A member's own list is a few dozen rows: counted whole and read in one query, without
    # the deferred join the queue's deep pages need.
    own = not context["queue"] and not context.get("co_handling")
    page = (Paginator if own else QueuePaginator)(rows, PAGE_SIZE).get_page(page_number)
    if own:
        for s in page:
            s.next_step = workflow.next_step(
                s, target_number=s.merged_into.tracking_number if s.merged_into_id else "")
    return get_template("proposals/_list_rows.html").render(
        {**context, "page_obj": page, "page_param": page_param})


@login_required
@require_safe
def suggestion_list(request):
    """A member's own suggestions (and, for a unit's liaison, the 协办 list of what their
    units lead or co-handle), or the staff work queue (filtered, by urgency).

    The coordinators' queue is the busiest page at district scale, and every coordinator
    sees the same rows: its count, rows and page links are rendered once and kept under the
    alliance's queue version, which every committed change to a suggestion moves on. Names
    of categories, units and handlers changed in the admin show within QUEUE_CACHE_SECONDS.
    """
    user = request.user
    queue = user.has_perm("proposals.view_work_queue")

    def visible():
        return _visible(request).select_related("category", "handler", "lead_unit")

    today = timezone.localdate()
    context = {"queue": queue, "today": today, "querystring_base": ""}
    if not queue:
        # A member's rows show no handler or unit; each join dropped is planning saved.
        mine = (Suggestion.objects.filter(alliance=request.alliance).submitted_by(user)
                .select_related("category", "merged_into"))
        context["rows_html"] = _render_rows(context, filters.by_urgency(mine),
                                            request.GET.get("page"))
        if user.has_perm("proposals.co_handle"):
            context["co_handling_html"] = _render_rows(
                {**context, "co_handling": True},
                filters.by_urgency(visible().co_handled_by(user)), request.GET.get("co_page"),
                page_param="co_page")
        return render(request, "proposals/list.html", context)
    alliance = request.alliance
    # Built only when the rows or the form are rendered: a cached page needs neither, nor
    # the queryset (composing it is a sixth of a cached page's time).
    work = SimpleLazyObject(lambda: filters.WorkQueueFilter(
        request.GET or None, request=request, alliance=alliance,
        queryset=visible().filter(alliance=alliance)))
    params = request.GET.copy()
    params.pop("page", None)
    context.update(filter=work, filter_scope=alliance.pk if alliance else "",
                   querystring_base=(params.urlencode() + "&") if params else "")
    cache_key = None
    if alliance and user.has_perm("proposals.see_every_suggestion"):
        cache_key = _queue_cache_key(request, alliance, today)
    fragments = caches["fragments"]
    rows_html = fragments.get(cache_key) if cache_key else None
    if rows_html is None:
        rows_html = _render_rows(context, filters.by_urgency(work.qs), request.GET.get("page"))
        if cache_key:
            fragments.set(cache_key, rows_html, QUEUE_CACHE_SECONDS)
    # A SafeString from the template engine; pickling through the cache keeps it one.
    context["rows_html"] = rows_html
    return render(request, "proposals/list.html", context)


@login_required
def suggestion_new(request):
    """A member submits; staff record one on a member's behalf with its channel. Anyone
    else (a member of another alliance on this one's host) gets 404."""
    if not request.user.has_perm("proposals.submit_suggestion"):
        raise Http404
    recording = request.user.has_perm("proposals.record_on_behalf")
    alliance = request.alliance
    categories = Category.objects.filter(alliance=alliance, is_active=True)
    form_kwargs = {"categories": categories, "recording": recording}
    if recording:
        form_kwargs.update(
            submitters=member_users(alliance), channels=Suggestion.Channel.choices,
            events=Event.objects.filter(
                alliance=alliance,
                kind__in=[Event.Kind.SALON, Event.Kind.SEMINAR, Event.Kind.STUDY],
            ).exclude(status=Event.Status.DRAFT).order_by("-start"))
    if request.method == "POST":
        form = forms.SuggestionForm(request.POST, request.FILES, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    suggestion = services.submit_suggestion(
                        actor=request.user, alliance=alliance,
                        submitter=data["submitter"] if recording else request.user,
                        channel=data["channel"] if recording else Suggestion.Channel.WEB,
                        category=data["category"], title=data["title"],
                        content=data["content"], credit_publicly=data["credit_publicly"],
                        submission_token=data["form_token"],
                        source_event=data.get("source_event") if recording else None)
                    _attach(request.user, suggestion, data["attachments"])
            except services.TransitionError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("建言已提交，编号 %(n)s。") %
                                 {"n": suggestion.tracking_number})
                return redirect(suggestion)
    else:
        form = forms.SuggestionForm(**form_kwargs)
    return render(request, "proposals/form.html", {"form": form, "categories": categories})


def _attach(actor, suggestion, uploads):
    """Store the checked uploads once: a resent form finds the suggestion already has them."""
    if not uploads:
        return
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.attachments.submitted().exists():
        return
    for upload in uploads:
        Attachment.objects.create(suggestion=locked, file=upload, original_name=upload.name,
                                  content_type=upload.sniffed_mime, size=upload.size,
                                  uploaded_by=actor)


@login_required
@require_GET
def similar(request):
    """htmx: open suggestions whose titles look like the one being typed. Only those the
    person may read are named (their own; all of them for a coordinator); of the others,
    only how many there are."""
    title = request.GET.get("title", "")[: forms.TITLE_MAX]
    in_alliance = Suggestion.objects.filter(alliance=request.alliance)
    rows = filters.similar_open(in_alliance.readable_by(request.user), title)
    named = {s.pk for s in rows}
    others = sum(s.pk not in named for s in filters.similar_open(in_alliance, title))
    return render(request, "proposals/form.html#similar",
                  {"similar": rows, "similar_others": others})


# --- actions on one suggestion -------------------------------------------------------

@dataclass(frozen=True)
class Action:
    label: str
    form: Callable
    call: Callable
    style: str = "primary"


def _form_class(form_class, evidence):
    return forms.with_evidence(form_class) if evidence else form_class


def _plain(form_class):
    return lambda suggestion, data=None, files=None, *, evidence=False, **kw: _form_class(
        form_class, evidence)(data, files, **kw)


def _with_suggestion(form_class):
    return lambda suggestion, data=None, files=None, *, evidence=False, **kw: _form_class(
        form_class, evidence)(data, files, suggestion=suggestion, **kw)


def _action_form(name, suggestion, data=None, files=None):
    """The form of action ``name``, with the evidence fields where the workflow table says
    its entry takes files (asked each time: a table swapped in by a test is obeyed)."""
    return ACTIONS[name].form(suggestion, data, files, auto_id=f"id_{name}_%s",
                              evidence=workflow.current().takes_evidence(name))


def _evidence(data):
    """The checked files of an action's form as the service takes them."""
    public = data.get("evidence_public", False)
    return [services.Evidence(file=upload, content_type=upload.sniffed_mime, public=public)
            for upload in data.get("evidence") or ()]


ACTIONS = {
    "accept": Action(
        _("受理并交办"), _with_suggestion(forms.AcceptForm),
        lambda actor, s, d: services.accept_suggestion(
            actor=actor, suggestion=s, category=d["category"], handler=d["handler"],
            lead_unit=d["lead_unit"], co_units=list(d["co_units"]), note=d["note"])),
    "decline": Action(
        _("不予受理"), _plain(forms.ReasonForm),
        lambda actor, s, d: services.decline_suggestion(actor=actor, suggestion=s,
                                                        reason=d["text"]), "outline-danger"),
    "merge": Action(
        _("合并重复建言"), _with_suggestion(forms.MergeForm),
        lambda actor, s, d: services.merge_suggestion(actor=actor, suggestion=s,
                                                      into=d["into"], note=d["text"]),
        "outline-secondary"),
    "withdraw": Action(
        _("撤回建言"), _plain(forms.OptionalReasonForm),
        lambda actor, s, d: services.withdraw_suggestion(actor=actor, suggestion=s,
                                                         reason=d["text"]), "outline-danger"),
    "reply": Action(
        _("正式答复"), _plain(forms.TextForm),
        lambda actor, s, d: services.reply_suggestion(actor=actor, suggestion=s,
                                                      text=d["text"])),
    "conclude_not_implemented": Action(
        _("认定暂不落实"), _plain(forms.NotImplementedForm),
        lambda actor, s, d: services.conclude_not_implemented(
            actor=actor, suggestion=s, grade=d["grade"], reason=d["text"]),
        "outline-secondary"),
    "record_progress": Action(
        _("记录推进"), _plain(forms.ProgressForm),
        lambda actor, s, d: services.record_progress(
            actor=actor, suggestion=s, text=d["text"], public=d["is_public"],
            unit=_speaking_for(actor, s), evidence=_evidence(d))),
    "record_implementation": Action(
        _("记录落实"), _plain(forms.ImplementForm),
        lambda actor, s, d: services.record_implementation(
            actor=actor, suggestion=s, text=d["text"], grade=d["grade"],
            evidence=_evidence(d))),
    "give_feedback": Action(
        _("评价办理结果"), _plain(forms.FeedbackForm),
        lambda actor, s, d: services.give_feedback(actor=actor, suggestion=s,
                                                   rating=d["rating"], comment=d["comment"])),
    "close": Action(
        _("办结"), _plain(forms.ReasonForm),
        lambda actor, s, d: services.close_suggestion(actor=actor, suggestion=s,
                                                      note=d["text"])),
    "extend_deadline": Action(
        _("延长期限"), _plain(forms.ExtendForm),
        lambda actor, s, d: services.extend_deadline(
            actor=actor, suggestion=s, days=d["working_days"], reason=d["text"]),
        "outline-secondary"),
    "mark_golden": Action(
        _("评为金点子"), _plain(forms.GoldenForm),
        lambda actor, s, d: services.mark_golden(actor=actor, suggestion=s,
                                                 summary=d["summary"]), "outline-warning"),
}


def _speaking_for(actor, suggestion):
    """The unit a liaison reports for; None when the handler records progress."""
    if suggestion.handler_id == actor.pk:
        return None
    units = sorted(workflow.co_handling_unit_ids(suggestion)
                   & liaison_unit_ids(actor, suggestion.alliance_id))
    return Unit.objects.filter(pk__in=units[:1]).first()


def _allowed_actions(user, suggestion):
    return [name for name in workflow.allowed_actions(user, suggestion) if name in ACTIONS]


def _detail_suggestion(request, tracking_number):
    """The suggestion a detail page or an action is about, or 404. Its alliance is the
    request's (``_visible`` filters on it), so it is not joined again."""
    suggestion = _get_by_number(
        _visible(request).select_related("category", "submitter", "handler", "lead_unit"),
        tracking_number)
    suggestion.alliance = request.alliance
    return suggestion


def _render_detail(request, suggestion, bound=None, status=200):
    user = request.user
    readable = user.has_perm("proposals.read_suggestion", suggestion)
    internal = user.has_perm("proposals.see_internal_updates", suggestion)
    updates = suggestion.updates.select_related("author")
    if not internal:
        updates = updates.filter(is_public=True)
    updates = list(updates)
    # The files it came with and each entry's evidence in one query; a follower sees none.
    files = (suggestion.attachments.all() if internal else suggestion.attachments.public()
             ) if readable else ()
    submitted, evidence = [], {}
    for file in files:
        if file.entry_id is None:
            submitted.append(file)
        else:
            evidence.setdefault(file.entry_id, []).append(file)
    for update in updates:
        update.shown_evidence = evidence.get(update.pk, [])
    actions = []
    for name in _allowed_actions(user, suggestion):
        spec = ACTIONS[name]
        form = bound[1] if bound and bound[0] == name else _action_form(name, suggestion)
        actions.append({"name": name, "label": spec.label, "form": form, "style": spec.style,
                        "open": bool(bound and bound[0] == name)})
    today = timezone.localdate()
    field, due = workflow.current_deadline(suggestion)
    merged_into = suggestion.merged_into if suggestion.merged_into_id else None
    context = {
        "s": suggestion,
        "readable": readable,
        "updates": updates,
        "feedbacks": list(Feedback.objects.filter(suggestion=suggestion)) if readable else [],
        "attachments": submitted,
        "assignments": list(suggestion.assignments.select_related("unit")) if internal else [],
        "actions": actions,
        "four_haves": workflow.four_haves(suggestion),
        "next_step": workflow.next_step(
            suggestion, target_number=merged_into.tracking_number if merged_into else ""),
        "merged_into": merged_into,
        "due": due,
        "due_label": Suggestion._meta.get_field(field).verbose_name if field else "",
        "overdue": bool(due and due < today and suggestion.is_open),
        "show_people": internal,
        "similar": (selectors.similar_open(suggestion) if "merge" in
                    {a["name"] for a in actions} else []),
    }
    return render(request, "proposals/detail.html", context, status=status)


def _get_by_number(queryset, tracking_number):
    """The suggestion with that number, or 404. The URL's slug converter has already
    refused what no number contains (a NUL byte, %00, which PostgreSQL cannot compare)."""
    return get_object_or_404(queryset, tracking_number=tracking_number)


@login_required
@require_safe
def suggestion_detail(request, tracking_number):
    suggestion = _detail_suggestion(request, tracking_number)
    return _render_detail(request, suggestion)


@login_required
@require_POST
def suggestion_action(request, tracking_number, action):
    suggestion = _detail_suggestion(request, tracking_number)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    if action not in _allowed_actions(request.user, suggestion):
        messages.error(request, _("当前状态下您不能执行这项操作。"))
        return redirect(suggestion)
    form = _action_form(action, suggestion, request.POST, request.FILES)
    if not form.is_valid():
        return _render_detail(request, suggestion, bound=(action, form), status=400)
    try:
        spec.call(request.user, suggestion, form.cleaned_data)
    except services.TransitionError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已%(action)s。") % {"action": spec.label})
    return redirect(suggestion)


@login_required
@require_safe
def attachment_download(request, tracking_number, pk):
    # Read access, not mere visibility: a member following the suggestion theirs was
    # merged into sees its state and public timeline, never its files. Evidence on the
    # timeline also follows the entries' rule: internal files only for those who see
    # internal entries.
    suggestion = _get_by_number(
        Suggestion.objects.filter(alliance=request.alliance).readable_by(request.user),
        tracking_number)
    attachment = get_object_or_404(Attachment.objects.select_related("entry"),
                                   suggestion=suggestion, pk=pk)
    attachment.suggestion = suggestion
    if not request.user.has_perm("proposals.see_attachment", attachment):
        raise Http404  # internal evidence, for a reader who sees no internal entries
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # Offered as what its bytes are: 材料.html detected as image/png is 材料.png. A row
    # without a detected type is sent as bytes nothing opens (never guessed from its name).
    from proposals.filenames import download_name

    content_type = attachment.content_type or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True,
                            filename=download_name(attachment.original_name, content_type),
                            content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def golden(request):
    """The public 金点子 showcase: no personal data unless the submitter agreed."""
    ideas = (Suggestion.objects.filter(alliance=request.alliance).golden().select_related("category", "submitter")
             .order_by("-closed_at", "-pk"))
    page = Paginator(ideas, 12).get_page(request.GET.get("page"))
    return render(request, "proposals/golden.html", {"page_obj": page})



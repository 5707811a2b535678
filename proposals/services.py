"""Every change of a suggestion's state is one call of ``transition``: inside one
transaction it re-reads the row with select_for_update, finds the workflow row for this
action (proposals.workflow) and checks the actor, returns early when the change is already
done, and otherwise carries the row out: the next state, the deadlines it starts and stops,
the 有 it fulfils, the timeline entry and the notifications. It raises TransitionError with
a Chinese message and changes nothing when the row does not allow it.

The functions below keep only what is particular to their action (its input and its own
invariants) and hand the rest to ``transition``."""

import logging
from dataclasses import dataclass

from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.roles import is_handler, is_member, is_staff_role
from alliance.selectors import person_name
from notifications.services import notify

from . import deadlines, reminders, selectors, workflow
from .filenames import SUFFIXES
from .models import (
    Assignment,
    Attachment,
    Feedback,
    Suggestion,
    SuggestionUpdate,
    TrackingSequence,
)

S = Suggestion.State
K = SuggestionUpdate.Kind
logger = logging.getLogger(__name__)
CLOSE_BATCH = 1000  # expired feedback windows closed per commit


class TransitionError(Exception):
    """A refused change; ``str(error)`` is the message shown to the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


@dataclass(frozen=True)
class Evidence:
    """A file for a timeline entry (佐证材料). ``content_type`` is the type its bytes were
    detected as (forms.sniff_attachment), never the one its name or the browser claims."""

    file: File
    content_type: str
    public: bool = False


def _check_evidence(row, evidence):
    """Refuse, before anything is written, evidence the row does not take or files the
    portal does not store (the form has refused them already; a caller may not have)."""
    if not evidence:
        return
    if not row.evidence:
        raise TransitionError(_("这一步不能附佐证材料。"))
    longest = Attachment._meta.get_field("original_name").max_length
    for item in evidence:
        name = item.file.name or ""
        if item.content_type not in SUFFIXES or not name or len(name) > longest:
            raise TransitionError(_("佐证材料“%(name)s”不是允许的文件。")
                                  % {"name": name[:40]})


def _store_evidence(update, evidence, author):
    """The files on ``update``: internal whenever the entry itself is internal."""
    for item in evidence:
        Attachment.objects.create(
            suggestion_id=update.suggestion_id, entry=update, file=item.file,
            original_name=item.file.name, content_type=item.content_type,
            size=item.file.size, is_public=item.public and update.is_public,
            uploaded_by=author)


def _lock(suggestion_id):
    try:
        return (Suggestion.objects.select_for_update(of=("self",))
                .select_related("category").get(pk=suggestion_id))
    except Suggestion.DoesNotExist:
        raise TransitionError(_("建言不存在。")) from None


def _id(suggestion):
    return suggestion if isinstance(suggestion, int) else suggestion.pk


def _require_text(text, message):
    if not (text or "").strip():
        raise TransitionError(message)
    return text.strip()


def _refuse_permission(suggestion):
    raise TransitionError(_("您无权对建言 %(number)s 执行此操作。")
                          % {"number": suggestion.tracking_number})


def _row_for(actor, s, action, given):
    """The row that lets ``actor`` take ``action`` now; None when it is already done."""
    row = workflow.transition(s, action, given)
    roles = {workflow.SYSTEM} if actor == workflow.SYSTEM else workflow.actor_roles(actor, s)
    if row is None:
        here = workflow.standing(s)
        if given is None and here is not None and here.action == action and here.actors & roles:
            return None  # done already (a resent form, a second scan): nothing to do
        raise TransitionError(
            _("建言 %(number)s 当前状态为“%(state)s”，不能执行此操作。")
            % {"number": s.tracking_number, "state": s.get_state_display()})
    if not row.actors & roles:
        _refuse_permission(s)
    return row


def apply_row(row, s, now):
    """Set on ``s`` what the row says (state, deadlines, stamps, flags) and return the
    fields to save. Pure: no lock, no entry, no notification (``transition`` adds those;
    the test factories use it alone to reach a state as the table would)."""
    fields = ["state", "updated_at"]
    s.state = row.next_state
    today = timezone.localdate(now)
    for name in row.stops:
        setattr(s, name, None)
        fields.append(name)
    if row.starts:
        days = getattr(s.category, workflow.DEADLINE_DAYS[row.starts])
        setattr(s, row.starts, deadlines.add_working_days(today, days))
        fields.append(row.starts)
        if row.starts == "feedback_due" and s.feedback_asked_at is None:
            s.feedback_asked_at = now
            fields.append(workflow.FEEDBACK_ASKED)
    for name in row.stamps:
        setattr(s, name, now)
        fields.append(name)
    for have in row.fulfils:
        stamp = workflow.HAVE_STAMPS[have]
        if getattr(s, stamp) is None:
            setattr(s, stamp, now)
            fields.append(stamp)
    for name, value in row.sets:
        setattr(s, name, value)
        fields.append(name)
    return fields


def transition(*, actor, suggestion, action, given=None, text="", public=None, entry=None,
               unit=None, change=None, tell_body=None, tell=True, evidence=()):
    """Carry out the workflow row for ``action`` on ``suggestion`` (an instance or an id).

    ``given`` is the action's input that the row's guards read; ``change(s)`` makes the
    changes particular to the action on the locked row (before the row's own) and returns
    the fields it changed; ``text`` and ``public`` are the timeline entry's, ``entry`` its
    kind when not the row's (either may be a function of the locked row); ``evidence``
    the files (``Evidence``) the entry carries, where the row takes them, written in the
    same transaction as the entry. Returns the suggestion, unchanged if the change was
    done already.
    """
    with transaction.atomic():
        s = _lock(_id(suggestion))
        row = _row_for(actor, s, action, given)
        if row is None:
            return s
        _check_evidence(row, evidence)
        author = None if actor == workflow.SYSTEM else actor
        now = timezone.now()
        fields = list(change(s) or ()) if change else []
        fields += apply_row(row, s, now)
        s.save(update_fields=list(dict.fromkeys(fields)))
        public = row.public if public is None else public
        text = text(s) if callable(text) else text
        entry = entry(s) if callable(entry) else entry
        update = SuggestionUpdate.objects.create(
            suggestion=s, kind=entry or row.entry, author=author, text=text,
            is_public=public, unit=unit, created_at=now)
        _store_evidence(update, evidence, author)
        if tell:
            _tell(row, s, author, update, tell_body if tell_body is not None else text)
        if row.starts == "feedback_due":
            reminders.request_feedback(suggestion=s)
    return s


def _tell(row, s, actor, update, body):
    """The row's notifications, through the one recipients selector."""
    told = set()
    for tell in row.tells:
        if tell.audience in (workflow.SUBMITTER, workflow.SUBMITTERS) and not update.is_public:
            continue
        for user in selectors.recipients([s], tell.audience)[s.pk]:
            if user is None or user.pk in told or (actor is not None and user.pk == actor.pk):
                continue
            told.add(user.pk)
            notify(recipient=user, kind=f"suggestion_{tell.event}",
                   key=f"suggestion:{s.pk}:{tell.event}:{update.pk}:{user.pk}",
                   subject=f"[{s.tracking_number}] {tell.subject}", body=body,
                   url=s.get_absolute_url(), target=s)


# --- the actions ----------------------------------------------------------------------------


def submit_suggestion(*, actor, alliance, category, title, content, submitter=None,
                      channel=Suggestion.Channel.WEB, credit_publicly=False,
                      submission_token=None, source_event=None):
    """A member submits, or staff record one on a member's behalf (代录). A repeated
    ``submission_token`` (double click, resent form) returns the suggestion it created."""
    submitter = submitter or actor
    staff = is_staff_role(actor, alliance)
    if submitter.pk != actor.pk and not staff:
        raise TransitionError(_("只有工作人员可以代录建言。"))
    if not is_member(submitter, alliance) and not (staff and submitter.pk == actor.pk):
        raise TransitionError(_("只有本联盟的成员可以提交建言。"))
    if submitter.pk == actor.pk and channel != Suggestion.Channel.WEB and not staff:
        channel = Suggestion.Channel.WEB
    if source_event is not None and (not staff or source_event.alliance_id != alliance.pk):
        raise TransitionError(_("只有工作人员可以为本联盟的活动登记提出场合。"))
    title = _require_text(title, _("请填写标题。"))
    content = _require_text(content, _("请填写建言内容。"))
    if submission_token:
        existing = Suggestion.objects.filter(submission_token=submission_token,
                                             submitter=submitter).first()
        if existing is not None:
            return existing
    row = workflow.current().row_into("submit")
    now = timezone.now()
    try:
        with transaction.atomic():
            number = TrackingSequence.next_number(timezone.localtime(now).year)
            suggestion = Suggestion(
                alliance=alliance, tracking_number=number, submission_token=submission_token,
                title=title, content=content, category=category, channel=channel,
                submitter=submitter, recorded_by=actor if actor.pk != submitter.pk else None,
                credit_publicly=credit_publicly, submitted_at=now, source_event=source_event,
                lead_unit=category.default_lead_unit,
            )
            apply_row(row, suggestion, now)  # its state and the deadline the row starts
            suggestion.save()
            text = "" if actor.pk == submitter.pk else _("由 %(name)s 代录（%(channel)s）") % {
                "name": person_name(actor), "channel": suggestion.get_channel_display()}
            update = SuggestionUpdate.objects.create(
                suggestion=suggestion, kind=row.entry, author=actor, text=text,
                is_public=row.public, created_at=now)
            _tell(row, suggestion, actor, update, title)
    except IntegrityError:
        if submission_token:
            existing = Suggestion.objects.filter(submission_token=submission_token,
                                                 submitter=submitter).first()
            if existing is not None:
                return existing
        raise
    return suggestion


def withdraw_suggestion(*, actor, suggestion, reason=""):
    return transition(actor=actor, suggestion=suggestion, action="withdraw", text=reason)


def decline_suggestion(*, actor, suggestion, reason):
    reason = _require_text(reason, _("不予受理须说明理由。"))
    return transition(actor=actor, suggestion=suggestion, action="decline", text=reason)


def merge_suggestion(*, actor, suggestion, into, note=""):
    target_id = _id(into)
    if target_id == _id(suggestion):
        raise TransitionError(_("不能合并到自身。"))
    with transaction.atomic():
        # Lock both rows in id order so two merges never deadlock.
        rows = {r.pk: r for r in Suggestion.objects.select_for_update()
                .filter(pk__in=[_id(suggestion), target_id]).order_by("pk")}
        target = rows.get(target_id)
        if target is None or _id(suggestion) not in rows:
            raise TransitionError(_("建言不存在。"))
        if target.alliance_id != rows[_id(suggestion)].alliance_id:
            raise TransitionError(_("只能合并到本联盟的建言。"))
        if target.state in workflow.current().ended_without_work:
            raise TransitionError(_("只能合并到仍在办理或已办结的建言。"))
        followed = _("已合并至 %(number)s，请关注该建言的办理进展。") % {
            "number": target.tracking_number}

        def point_at_target(s):
            s.merged_into = target
            return ["merged_into"]

        s = transition(actor=actor, suggestion=suggestion, action="merge",
                       text=note or followed, change=point_at_target, tell_body=followed)
        if s.merged_into_id == target.pk:
            SuggestionUpdate.objects.create(
                suggestion=target, kind=K.MERGED, author=actor, is_public=False,
                text=_("合并了重复建言 %(number)s") % {"number": s.tracking_number})
    return s


def accept_suggestion(*, actor, suggestion, handler, lead_unit=None, co_units=(),
                      category=None, note=""):
    if handler is None:
        raise TransitionError(_("请指定一名承办人。"))

    def assign(s):
        # On the locked row (``suggestion`` may be its id): its alliance's people and units.
        if not is_handler(handler, s.alliance_id):
            raise TransitionError(_("请指定一名承办人。"))
        if any(x is not None and x.alliance_id != s.alliance_id
               for x in (category, lead_unit, *co_units)):
            raise TransitionError(_("类别和单位须属于本联盟。"))
        if category is not None:
            s.category = category
        s.handler = handler
        s.lead_unit = lead_unit or s.lead_unit or s.category.default_lead_unit
        units = [u for u in co_units if u.pk != s.lead_unit_id]
        Assignment.objects.bulk_create([Assignment(suggestion=s, unit=u) for u in units],
                                       ignore_conflicts=True)
        if units:
            SuggestionUpdate.objects.create(
                suggestion=s, kind=K.CO_HANDLING, author=actor, is_public=False,
                text="、".join(u.name for u in units))
        s._co_unit_ids = None
        return ["category", "handler", "lead_unit"]

    return transition(actor=actor, suggestion=suggestion, action="accept", text=note,
                      change=assign)


def reply_suggestion(*, actor, suggestion, text):
    text = _require_text(text, _("请填写答复内容。"))
    return transition(actor=actor, suggestion=suggestion, action="reply", text=text)


def conclude_not_implemented(*, actor, suggestion, grade, reason):
    if grade not in (Suggestion.Grade.C, Suggestion.Grade.D):
        raise TransitionError(_("暂不落实只能评定为 C 列入计划 或 D 留作参考。"))
    reason = _require_text(reason, _("请说明暂不落实的理由。"))

    def grade_it(s):
        s.outcome_grade = grade
        return ["outcome_grade"]

    label = Suggestion.Grade(grade).label
    return transition(actor=actor, suggestion=suggestion, action="conclude_not_implemented",
                      text=_("%(grade)s：%(reason)s") % {"grade": label, "reason": reason},
                      change=grade_it)


def record_progress(*, actor, suggestion, text, public=True, unit=None, unit_done=False,
                    evidence=()):
    """A progress update (有推进), by the handler or a liaison for their unit, with evidence
    files if any (internal with the entry when the entry is internal)."""
    text = _require_text(text, _("请填写推进情况。"))

    def for_unit(s):
        if unit is not None:
            if unit.pk not in workflow.co_handling_unit_ids(s):
                raise TransitionError(_("该单位不是此建言的承办或协办单位。"))
            if unit_done:
                Assignment.objects.filter(suggestion=s, unit=unit).update(done=True)
        return []

    def kind(s):  # a liaison's report for their unit is the unit's part (协办)
        return K.CO_HANDLING if unit is not None and s.handler_id != actor.pk else None

    return transition(actor=actor, suggestion=suggestion, action="record_progress", text=text,
                      public=public, unit=unit, change=for_unit, entry=kind, evidence=evidence)


def record_implementation(*, actor, suggestion, text, grade=Suggestion.Grade.A, evidence=()):
    """Implementation (有落实) with its grade (A/B) and the evidence files (签收单, photos)."""
    text = _require_text(text, _("请填写落实情况及依据。"))
    if grade not in (Suggestion.Grade.A, Suggestion.Grade.B):
        raise TransitionError(_("已落实的建言评定为 A 已解决/采纳 或 B 正在解决。"))

    def grade_it(s):
        s.outcome_grade = grade
        return ["outcome_grade"]

    return transition(actor=actor, suggestion=suggestion, action="record_implementation",
                      text=text, change=grade_it, evidence=evidence)


def give_feedback(*, actor, suggestion, rating, comment=""):
    """The submitter's 满意 / 基本满意 / 不满意; the table's three rows say what follows."""
    if rating not in Feedback.Rating.values:
        raise TransitionError(_("请选择满意、基本满意或不满意。"))
    comment = (comment or "").strip()
    label = Feedback.Rating(rating).label

    def record(s):
        Feedback.objects.create(suggestion=s, author=actor, rating=rating, comment=comment)
        return []

    return transition(actor=actor, suggestion=suggestion, action="give_feedback",
                      given={"rating": rating}, change=record,
                      text=f"{label}" + (f"：{comment}" if comment else ""))


def close_suggestion(*, actor, suggestion, note):
    """A coordinator closes after the second 不满意, with a note."""
    note = _require_text(note, _("办结须填写说明。"))
    return transition(actor=actor, suggestion=suggestion, action="close", text=note)


def auto_close_no_response(*, suggestion_id, today=None):
    """The feedback window ran out: close as "no response". The row's guard checks the
    window itself, so a caller with any selection (the admin action) closes only those."""
    return transition(actor=workflow.SYSTEM, suggestion=suggestion_id,
                      action="auto_close_no_response",
                      given={"today": today or timezone.localdate()},
                      text=_("反馈期限已过，建言人未反馈，按未反馈办结。"))


def extend_deadline(*, actor, suggestion, days, reason):
    """Move the deadline the suggestion is watching by ``days`` working days, with a reason
    on the timeline (internal)."""
    reason = _require_text(reason, _("延期须说明理由。"))
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise TransitionError(_("延期天数须在 1 到 60 个工作日之间。"))
    moved = {}

    def move(s):
        field, old = workflow.current_deadline(s)
        if not field:
            raise TransitionError(_("建言 %(number)s 当前没有可延长的期限。")
                                  % {"number": s.tracking_number})
        old = old or timezone.localdate()
        moved.update(old=old, new=deadlines.add_working_days(old, days))
        setattr(s, field, moved["new"])
        return [field]

    return transition(actor=actor, suggestion=suggestion, action="extend_deadline",
                      change=move, tell_body=reason,
                      text=lambda s: _("期限由 %(old)s 延至 %(new)s：%(reason)s")
                      % {**moved, "reason": reason})


def mark_golden(*, actor, suggestion, summary, golden=True):
    summary = (summary or "").strip()
    if golden and not summary:
        raise TransitionError(_("金点子须填写公开简介。"))

    def set_golden(s):
        s.is_golden = golden
        if golden:
            s.golden_summary = summary
        return ["is_golden", "golden_summary"]

    return transition(actor=actor, suggestion=suggestion, action="mark_golden",
                      text=_("评为金点子") if golden else _("取消金点子"), change=set_golden,
                      tell_body=summary, tell=golden)


def close_expired_feedback(*, today=None):
    """Close each suggestion whose feedback window ran out, as "no response" (the feedback
    scan's last step). One commit per batch rather than per suggestion; each close is still
    its own savepoint, so a refused one changes nothing and the others go on."""
    today = today or timezone.localdate()
    due = reminders.awaiting_feedback().filter(feedback_due__lt=today)
    closed = 0
    last_pk = 0
    while True:
        ids = list(due.filter(pk__gt=last_pk).order_by("pk")
                   .values_list("pk", flat=True)[:CLOSE_BATCH])
        if not ids:
            break
        last_pk = ids[-1]
        with transaction.atomic():
            for suggestion_id in ids:
                try:
                    with transaction.atomic():
                        auto_close_no_response(suggestion_id=suggestion_id, today=today)
                except TransitionError as exc:  # changed since the query: nothing to do
                    logger.info(
                        "auto-close of suggestion %s refused: %s", suggestion_id, exc)
                    continue
                closed += 1
        if len(ids) < CLOSE_BATCH:
            break
    return closed


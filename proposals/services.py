"""Every change of a suggestion's state is one function here: inside one transaction it
re-reads the row with select_for_update, asks proposals.workflow whether this actor may take
this action now, writes the change, the timeline entry and the notifications — or raises
TransitionError with a Chinese message and changes nothing."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notify

from . import deadlines, workflow
from .models import Assignment, Feedback, Suggestion, SuggestionUpdate, TrackingSequence

S = Suggestion.State
K = SuggestionUpdate.Kind


class TransitionError(Exception):
    """A refused change; ``str(error)`` is the message shown to the user."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


def _today():
    return timezone.localdate()


def _lock(suggestion_id):
    try:
        return Suggestion.objects.select_for_update().get(pk=suggestion_id)
    except Suggestion.DoesNotExist:
        raise TransitionError(_("建言不存在。")) from None


def _id(suggestion):
    return suggestion if isinstance(suggestion, int) else suggestion.pk


def _check(actor, suggestion, action):
    if workflow.transition(suggestion, action) is None:
        raise TransitionError(
            _("建言 %(number)s 当前状态为“%(state)s”，不能执行此操作。")
            % {"number": suggestion.tracking_number, "state": suggestion.get_state_display()}
        )
    if actor != workflow.SYSTEM and workflow.may(actor, suggestion, action) is None:
        raise TransitionError(_("您无权对建言 %(number)s 执行此操作。")
                              % {"number": suggestion.tracking_number})


def _log(suggestion, kind, author, text="", *, public=True, unit=None):
    return SuggestionUpdate.objects.create(
        suggestion=suggestion, kind=kind, author=author, text=text, is_public=public,
        unit=unit,
    )


def _notify(recipient, suggestion, event, subject, body="", *, actor=None):
    if recipient is None or (actor is not None and recipient.pk == getattr(actor, "pk", None)):
        return
    notify(
        recipient=recipient, kind=f"suggestion_{event}",
        key=f"suggestion:{suggestion.pk}:{event}:{suggestion.updates.count()}:{recipient.pk}",
        subject=f"[{suggestion.tracking_number}] {subject}", body=body,
        url=f"/suggestions/{suggestion.tracking_number}/", target=suggestion,
    )


def _coordinators(alliance_id=None):
    from django.contrib.auth import get_user_model

    return list(get_user_model().objects.filter(
        groups__name__in=["coordinator"], is_active=True).distinct())


def _require_text(text, message):
    if not (text or "").strip():
        raise TransitionError(message)
    return text.strip()


def submit_suggestion(*, actor, alliance, category, title, content, submitter=None,
                      channel=Suggestion.Channel.WEB, credit_publicly=False,
                      submission_token=None, source_event=None):
    """A member submits, or staff record one on a member's behalf (代录). A repeated
    ``submission_token`` (double click, resent form) returns the suggestion it created."""
    from alliance.roles import is_staff_role

    submitter = submitter or actor
    if submitter.pk != actor.pk and not is_staff_role(actor):
        raise TransitionError(_("只有工作人员可以代录建言。"))
    if submitter.pk == actor.pk and channel != Suggestion.Channel.WEB and not is_staff_role(actor):
        channel = Suggestion.Channel.WEB
    if source_event is not None and (not is_staff_role(actor)
                                     or source_event.alliance_id != alliance.pk):
        raise TransitionError(_("只有工作人员可以为本联盟的活动登记提出场合。"))
    title = _require_text(title, _("请填写标题。"))
    content = _require_text(content, _("请填写建言内容。"))
    if submission_token:
        existing = Suggestion.objects.filter(submission_token=submission_token,
                                                   submitter=submitter).first()
        if existing is not None:
            return existing
    now = timezone.now()
    try:
        with transaction.atomic():
            number = TrackingSequence.next_number(timezone.localtime(now).year)
            suggestion = Suggestion.objects.create(
                alliance=alliance, tracking_number=number, submission_token=submission_token,
                title=title, content=content, category=category, channel=channel,
                submitter=submitter, recorded_by=actor if actor.pk != submitter.pk else None,
                credit_publicly=credit_publicly, submitted_at=now, source_event=source_event,
                accept_due=deadlines.add_working_days(timezone.localdate(now),
                                                      category.accept_days),
                lead_unit=category.default_lead_unit,
            )
            text = "" if actor.pk == submitter.pk else _("由 %(name)s 代录（%(channel)s）") % {
                "name": actor.get_full_name() or actor.username,
                "channel": suggestion.get_channel_display()}
            _log(suggestion, K.SUBMITTED, actor, text)
            for coordinator in _coordinators():
                _notify(coordinator, suggestion, "submitted", _("新建言待受理"), title,
                        actor=actor)
    except IntegrityError:
        if submission_token:
            existing = Suggestion.objects.filter(submission_token=submission_token,
                                                   submitter=submitter).first()
            if existing is not None:
                return existing
        raise
    return suggestion


@transaction.atomic
def withdraw_suggestion(*, actor, suggestion, reason=""):
    s = _lock(_id(suggestion))
    _check(actor, s, "withdraw")
    s.state = S.WITHDRAWN
    s.closed_at = timezone.now()
    s.save(update_fields=["state", "closed_at", "updated_at"])
    _log(s, K.WITHDRAWN, actor, reason)
    return s


@transaction.atomic
def decline_suggestion(*, actor, suggestion, reason):
    reason = _require_text(reason, _("不予受理须说明理由。"))
    s = _lock(_id(suggestion))
    _check(actor, s, "decline")
    now = timezone.now()
    s.state = S.DECLINED
    s.replied_at = now
    s.closed_at = now
    s.save(update_fields=["state", "replied_at", "closed_at", "updated_at"])
    _log(s, K.DECLINED, actor, reason)
    _notify(s.submitter, s, "declined", _("您的建言不予受理"), reason, actor=actor)
    return s


@transaction.atomic
def merge_suggestion(*, actor, suggestion, into, note=""):
    target_id = _id(into)
    if target_id == _id(suggestion):
        raise TransitionError(_("不能合并到自身。"))
    # Lock both rows in id order so two merges never deadlock.
    rows = {r.pk: r for r in Suggestion.objects.select_for_update()
            .filter(pk__in=[_id(suggestion), target_id]).order_by("pk")}
    s, target = rows.get(_id(suggestion)), rows.get(target_id)
    if s is None or target is None:
        raise TransitionError(_("建言不存在。"))
    _check(actor, s, "merge")
    if target.state in Suggestion.CLOSED_WITHOUT_WORK:
        raise TransitionError(_("只能合并到仍在办理或已办结的建言。"))
    s.state = S.MERGED
    s.merged_into = target
    s.closed_at = timezone.now()
    s.save(update_fields=["state", "merged_into", "closed_at", "updated_at"])
    _log(s, K.MERGED, actor, note or _("已合并至 %(number)s") % {"number": target.tracking_number})
    _log(target, K.MERGED, actor, _("合并了重复建言 %(number)s") % {"number": s.tracking_number},
         public=False)
    _notify(s.submitter, s, "merged", _("您的建言已合并办理"),
            _("请关注 %(number)s 的办理进展。") % {"number": target.tracking_number}, actor=actor)
    return s


@transaction.atomic
def accept_suggestion(*, actor, suggestion, handler, lead_unit=None, co_units=(),
                      category=None, note=""):
    from alliance.roles import is_handler

    if handler is None or not is_handler(handler):
        raise TransitionError(_("请指定一名承办人。"))
    s = _lock(_id(suggestion))
    _check(actor, s, "accept")
    now = timezone.now()
    if category is not None:
        s.category = category
    s.state = S.ACCEPTED
    s.handler = handler
    s.lead_unit = lead_unit or s.lead_unit or s.category.default_lead_unit
    s.accepted_at = now
    s.reply_due = deadlines.add_working_days(timezone.localdate(now), s.category.reply_days)
    s.save(update_fields=["state", "handler", "lead_unit", "category", "accepted_at",
                          "reply_due", "updated_at"])
    units = [u for u in co_units if u.pk != s.lead_unit_id]
    Assignment.objects.bulk_create([Assignment(suggestion=s, unit=u) for u in units],
                                   ignore_conflicts=True)
    _log(s, K.ACCEPTED, actor, note)
    if units:
        _log(s, K.CO_HANDLING, actor, "、".join(str(u) for u in units), public=False)
    _notify(s.submitter, s, "accepted", _("您的建言已受理"), actor=actor)
    _notify(handler, s, "assigned", _("新建言请您承办"), s.title, actor=actor)
    return s


@transaction.atomic
def reply_suggestion(*, actor, suggestion, text):
    text = _require_text(text, _("请填写答复内容。"))
    s = _lock(_id(suggestion))
    _check(actor, s, "reply")
    now = timezone.now()
    s.state = S.REPLIED
    s.replied_at = now
    s.progress_due = deadlines.add_working_days(timezone.localdate(now), s.category.progress_days)
    s.save(update_fields=["state", "replied_at", "progress_due", "updated_at"])
    _log(s, K.REPLIED, actor, text)
    _notify(s.submitter, s, "replied", _("您的建言已答复"), text, actor=actor)
    return s


def _ask_feedback(s, now):
    from notifications.scans import request_feedback

    s.feedback_due = deadlines.add_working_days(timezone.localdate(now), s.category.feedback_days)
    s.progress_due = None
    request_feedback(suggestion=s)


@transaction.atomic
def conclude_not_implemented(*, actor, suggestion, grade, reason):
    if grade not in (Suggestion.Grade.C, Suggestion.Grade.D):
        raise TransitionError(_("暂不落实只能评定为 C 列入计划 或 D 留作参考。"))
    reason = _require_text(reason, _("请说明暂不落实的理由。"))
    s = _lock(_id(suggestion))
    _check(actor, s, "conclude_not_implemented")
    s.not_implemented = True
    s.outcome_grade = grade
    _ask_feedback(s, timezone.now())
    s.save(update_fields=["not_implemented", "outcome_grade", "feedback_due", "progress_due",
                          "updated_at"])
    _log(s, K.NOTE, actor, _("暂不落实（%(grade)s）：%(reason)s")
         % {"grade": s.get_outcome_grade_display(), "reason": reason})
    return s


@transaction.atomic
def record_progress(*, actor, suggestion, text, public=True, unit=None, unit_done=False):
    text = _require_text(text, _("请填写推进情况。"))
    s = _lock(_id(suggestion))
    _check(actor, s, "record_progress")
    if unit is not None:
        units = workflow.co_handling_unit_ids(s)
        if unit.pk not in units:
            raise TransitionError(_("该单位不是此建言的承办或协办单位。"))
        if unit_done:
            Assignment.objects.filter(suggestion=s, unit=unit).update(done=True)
    s.state = S.IN_PROGRESS
    s.progress_due = deadlines.add_working_days(_today(), s.category.progress_days)
    s.save(update_fields=["state", "progress_due", "updated_at"])
    _log(s, K.CO_HANDLING if unit is not None and s.handler_id != actor.pk else K.PROGRESS,
         actor, text, public=public, unit=unit)
    if public:
        _notify(s.submitter, s, "progress", _("您的建言有新进展"), text, actor=actor)
    if s.handler_id != actor.pk:
        _notify(s.handler, s, "co_handling", _("协办单位报送了进展"), text, actor=actor)
    return s


@transaction.atomic
def record_implementation(*, actor, suggestion, text, grade=Suggestion.Grade.A):
    text = _require_text(text, _("请填写落实情况及依据。"))
    if grade not in (Suggestion.Grade.A, Suggestion.Grade.B):
        raise TransitionError(_("已落实的建言评定为 A 已解决/采纳 或 B 正在解决。"))
    s = _lock(_id(suggestion))
    _check(actor, s, "record_implementation")
    now = timezone.now()
    s.state = S.IMPLEMENTED
    s.implemented_at = now
    s.outcome_grade = grade
    _ask_feedback(s, now)
    s.save(update_fields=["state", "implemented_at", "outcome_grade", "feedback_due",
                          "progress_due", "updated_at"])
    _log(s, K.IMPLEMENTED, actor, text)
    return s


@transaction.atomic
def give_feedback(*, actor, suggestion, rating, comment=""):
    if rating not in Feedback.Rating.values:
        raise TransitionError(_("请选择满意、基本满意或不满意。"))
    s = _lock(_id(suggestion))
    _check(actor, s, "give_feedback")
    now = timezone.now()
    Feedback.objects.create(suggestion=s, author=actor, rating=rating, comment=comment)
    label = Feedback.Rating(rating).label
    _log(s, K.FEEDBACK, actor, f"{label}" + (f"：{comment}" if comment else ""))
    fields = ["updated_at"]
    if rating == Feedback.Rating.DISSATISFIED and s.reopened_count == 0:
        # 二次办理: back to the handler once.
        s.state = S.IN_PROGRESS
        s.reopened_count = 1
        s.not_implemented = False
        s.outcome_grade = ""
        s.feedback_due = None
        s.implemented_at = None
        s.progress_due = deadlines.add_working_days(timezone.localdate(now),
                                                    s.category.progress_days)
        fields += ["state", "reopened_count", "not_implemented", "outcome_grade",
                   "feedback_due", "implemented_at", "progress_due"]
        _log(s, K.REOPENED, None, _("建言人不满意，转入二次办理。"))
        _notify(s.handler, s, "reopened", _("建言人不满意，请二次办理"), comment, actor=actor)
    elif rating == Feedback.Rating.DISSATISFIED:
        s.awaiting_coordinator = True
        fields.append("awaiting_coordinator")
        _log(s, K.NOTE, None, _("二次办理后仍不满意，转统战办协调员办结。"), public=False)
        for coordinator in _coordinators():
            _notify(coordinator, s, "needs_coordinator", _("二次办理后仍不满意，请办结"),
                    comment, actor=actor)
    else:
        s.state = S.CLOSED
        s.closed_at = now
        fields += ["state", "closed_at"]
        _log(s, K.CLOSED, None, _("建言人已反馈，办结。"))
        _notify(s.handler, s, "feedback", _("建言人已反馈：%(rating)s") % {"rating": label},
                comment, actor=actor)
    s.save(update_fields=fields)
    return s


@transaction.atomic
def close_suggestion(*, actor, suggestion, note):
    """A coordinator closes after the second 不满意, with a note."""
    note = _require_text(note, _("办结须填写说明。"))
    s = _lock(_id(suggestion))
    _check(actor, s, "close")
    s.state = S.CLOSED
    s.closed_at = timezone.now()
    s.awaiting_coordinator = False
    s.save(update_fields=["state", "closed_at", "awaiting_coordinator", "updated_at"])
    _log(s, K.CLOSED, actor, note)
    _notify(s.submitter, s, "closed", _("您的建言已办结"), note, actor=actor)
    return s


@transaction.atomic
def auto_close_no_response(*, suggestion_id):
    """The feedback window ran out: close as "no response" (called by the reminder scan)."""
    s = _lock(suggestion_id)
    if s.state == S.CLOSED:
        return s
    _check(workflow.SYSTEM, s, "auto_close_no_response")
    s.state = S.CLOSED
    s.closed_at = timezone.now()
    s.closed_no_response = True
    s.save(update_fields=["state", "closed_at", "closed_no_response", "updated_at"])
    _log(s, K.CLOSED, None, _("反馈期限已过，建言人未反馈，按未反馈办结。"))
    return s


DUE_FIELDS = {S.SUBMITTED: "accept_due", S.ACCEPTED: "reply_due", S.REPLIED: "progress_due",
              S.IN_PROGRESS: "progress_due", S.IMPLEMENTED: "feedback_due"}


@transaction.atomic
def extend_deadline(*, actor, suggestion, days, reason):
    """Move the deadline the current state watches by ``days`` working days, with a reason
    on the timeline (internal)."""
    reason = _require_text(reason, _("延期须说明理由。"))
    if not isinstance(days, int) or not 1 <= days <= 60:
        raise TransitionError(_("延期天数须在 1 到 60 个工作日之间。"))
    s = _lock(_id(suggestion))
    _check(actor, s, "extend_deadline")
    field = DUE_FIELDS[s.state]
    old = getattr(s, field) or _today()
    new = deadlines.add_working_days(old, days)
    setattr(s, field, new)
    s.save(update_fields=[field, "updated_at"])
    _log(s, K.EXTENDED, actor, _("期限由 %(old)s 延至 %(new)s：%(reason)s")
         % {"old": old, "new": new, "reason": reason}, public=False)
    if s.handler_id:
        _notify(s.handler, s, "extended", _("办理期限已延长"), reason, actor=actor)
    return s


@transaction.atomic
def mark_golden(*, actor, suggestion, summary, golden=True):
    summary = (summary or "").strip()
    if golden and not summary:
        raise TransitionError(_("金点子须填写公开简介。"))
    s = _lock(_id(suggestion))
    _check(actor, s, "mark_golden")
    s.is_golden = golden
    s.golden_summary = summary if golden else s.golden_summary
    s.save(update_fields=["is_golden", "golden_summary", "updated_at"])
    _log(s, K.NOTE, actor, _("评为金点子") if golden else _("取消金点子"))
    if golden:
        _notify(s.submitter, s, "golden", _("您的建言被评为金点子"), summary, actor=actor)
    return s

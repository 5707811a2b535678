"""The pipeline's reminders (DESIGN §5), scanned by Celery beat (proposals.tasks).

Each scan asks the workflow table which suggestions are watching the deadline it chases
(``workflow.watching``: the same answer as the ``next_due`` column and the queue's overdue
filter), selects only those due now with filters that match the partial indexes on the open
states, and lets notifications.reminders write one notification per (kind, suggestion, due
date, recipient). Who is told is proposals.selectors.recipients.

Suggestion reminders are sent on working days only (proposals.deadlines), so a deadline
that passes on a Friday is chased on the next working day, not over the weekend.
"""

from datetime import timedelta

from django.db import models
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance
from alliance.selectors import coordinators_by_alliance
from notifications import kinds
from notifications.models import Delivery
from notifications.reminders import remind, write
from notifications.services import notify_from_template

from . import deadlines, selectors, workflow
from .models import Suggestion


@kinds.register
class Reminder(models.TextChoices):
    ACCEPT_OVERDUE = "accept_overdue", _("受理超期提醒")
    REPLY_DUE_SOON = "reply_due_soon", _("答复即将到期提醒")
    REPLY_OVERDUE = "reply_overdue", _("答复超期催办")
    REPLY_SUPERVISION = "reply_supervision", _("答复超期督办")
    PROGRESS_OVERDUE = "progress_overdue", _("进展更新超期提醒")
    FEEDBACK_REQUEST = "feedback_request", _("请评价办理结果")
    FEEDBACK_REMINDER = "feedback_reminder", _("评价即将截止提醒")
    WEEKLY_DIGEST = "weekly_digest", _("每周工作摘要")


SUPERVISION_AFTER = 5  # working days overdue before a 督办 notice

# What the scans and the reminder texts read of a suggestion and its people; at a
# district's scale, loading whole rows (and whole user rows twice) was a third of a scan.
_SCAN_FIELDS = (
    "alliance_id", "tracking_number", "title", "state", "not_implemented", "accept_due",
    "reply_due", "progress_due", "feedback_due",
    *(f"{person}__{field}" for person in ("handler", "submitter")
      for field in ("username", "first_name", "last_name", "email", "is_active")),
)


def today():
    return timezone.localdate()


def working_days_before(day, n):
    """The date ``n`` working days before ``day``."""
    while n > 0:
        day -= timedelta(days=1)
        if deadlines.is_working_day(day):
            n -= 1
    return day


def watching(field):
    """Suggestions whose current deadline is ``field``, with what the texts need."""
    return (Suggestion.objects.select_related("handler", "submitter").only(*_SCAN_FIELDS)
            .filter(state__in=workflow.current().states_watching(field))
            .filter(workflow.current().watching(field)))


def _url(suggestion):
    return suggestion.get_absolute_url()


def _context(due_field):
    def context(suggestion):
        return {"suggestion": suggestion, "due": getattr(suggestion, due_field)}
    return context


def _to(*audiences):
    """recipients_for: the people of each audience (proposals.selectors.recipients)."""
    staff = {}  # each alliance's coordinators, asked for once per scan

    def recipients_for(objs):
        result = {obj.pk: [] for obj in objs}
        for audience in audiences:
            for pk, users in selectors.recipients(objs, audience, staff=staff).items():
                result[pk].extend(users)
        return result
    return recipients_for


def _key(kind, due_field):
    return lambda s, u: f"{kind}:{s.pk}:{getattr(s, due_field)}:{u.pk}"


def _scan(field, condition, kind, *audiences):
    return remind(watching(field).filter(condition), kind=kind,
                  recipients_for=_to(*audiences), key=_key(kind, field),
                  context=_context(field), url=_url)


def accept_overdue():
    """Submitted and not accepted after accept_due → coordinators."""
    day = today()
    if not deadlines.is_working_day(day):
        return 0
    return _scan("accept_due", Q(accept_due__lt=day), Reminder.ACCEPT_OVERDUE,
                 workflow.COORDINATORS)


def reply_due_soon():
    """Reply due on the next working day → handler."""
    day = today()
    if not deadlines.is_working_day(day):
        return 0
    return _scan("reply_due", Q(reply_due__gt=day,
                                reply_due__lte=deadlines.add_working_days(day, 1)),
                 Reminder.REPLY_DUE_SOON, workflow.HANDLER)


def reply_overdue():
    """Reply deadline passed → handler and coordinators (催办)."""
    day = today()
    if not deadlines.is_working_day(day):
        return 0
    return _scan("reply_due", Q(reply_due__lt=day), Reminder.REPLY_OVERDUE,
                 workflow.HANDLER, workflow.COORDINATORS)


def reply_supervision():
    """Reply 5 working days overdue → a 督办 notice to coordinators."""
    day = today()
    if not deadlines.is_working_day(day):
        return 0
    return _scan("reply_due", Q(reply_due__lte=working_days_before(day, SUPERVISION_AFTER)),
                 Reminder.REPLY_SUPERVISION, workflow.COORDINATORS)


def progress_overdue():
    """A progress update overdue → handler."""
    day = today()
    if not deadlines.is_working_day(day):
        return 0
    return _scan("progress_due", Q(progress_due__lt=day), Reminder.PROGRESS_OVERDUE,
                 workflow.HANDLER)


def awaiting_feedback():
    """Suggestions whose feedback window is open (the table's places watching it)."""
    return watching("feedback_due").filter(feedback_due__isnull=False)


def feedback_request_key(suggestion, user):
    return f"{Reminder.FEEDBACK_REQUEST}:{suggestion.pk}:{suggestion.feedback_due}:{user.pk}"


def request_feedback(*, suggestion):
    """The feedback request, written by the transition that starts the feedback window; the
    feedback scan is the safety net and, with the same key, never sends it a second time."""
    return notify_from_template(
        recipient=suggestion.submitter, kind=Reminder.FEEDBACK_REQUEST,
        key=feedback_request_key(suggestion, suggestion.submitter),
        context=_context("feedback_due")(suggestion), url=_url(suggestion), target=suggestion,
    )


def feedback():
    """The feedback window: the request (at once) and one reminder on the last working day
    before the window ends. Closing what ran out is the pipeline's own service
    (``services.close_expired_feedback``), which the same beat task calls after this."""
    day = today()
    open_window = awaiting_feedback()
    counts = {
        "requested": remind(
            open_window.filter(feedback_due__gte=day), kind=Reminder.FEEDBACK_REQUEST,
            recipients_for=_to(workflow.SUBMITTER), key=feedback_request_key,
            context=_context("feedback_due"), url=_url),
        "reminded": 0,
    }
    if deadlines.is_working_day(day):
        counts["reminded"] = remind(
            open_window.filter(feedback_due__gt=day,
                               feedback_due__lte=deadlines.add_working_days(day, 1)),
            kind=Reminder.FEEDBACK_REMINDER, recipients_for=_to(workflow.SUBMITTER),
            key=_key(Reminder.FEEDBACK_REMINDER, "feedback_due"),
            context=_context("feedback_due"), url=_url)
    return counts


# --- the weekly digest --------------------------------------------------------------------


def digest_figures(day, alliance):
    """What the alliance's coordinators should look at this week (one aggregate and one
    count), of that alliance alone."""
    flow = workflow.current()
    reply = flow.watching("reply_due")
    figures = Suggestion.objects.filter(alliance=alliance).aggregate(
        awaiting_acceptance=Count("pk", filter=flow.watching("accept_due")),
        accept_overdue=Count("pk", filter=flow.watching("accept_due") & Q(accept_due__lt=day)),
        reply_overdue=Count("pk", filter=reply & Q(reply_due__lt=day)),
        supervision=Count("pk", filter=reply & Q(
            reply_due__lte=working_days_before(day, SUPERVISION_AFTER))),
        progress_overdue=Count("pk", filter=flow.watching("progress_due")
                               & Q(progress_due__lt=day)),
        awaiting_feedback=Count("pk", filter=flow.watching("feedback_due")),
        submitted_last_week=Count("pk", filter=Q(
            submitted_at__gte=timezone.now() - timedelta(days=7))),
    )
    figures["failed_deliveries"] = Delivery.objects.failed_for(alliance).count()
    return figures


def weekly_digest():
    """Monday morning (crontab): one digest per coordinator per alliance per ISO week, with
    that alliance's figures (a coordinator of two gets two)."""
    day = today()
    year, week, _weekday = day.isocalendar()
    alliances = list(Alliance.objects.order_by("pk"))
    staff = coordinators_by_alliance([a.pk for a in alliances])
    written = 0
    for alliance in alliances:
        if not staff[alliance.pk]:
            continue
        figures = digest_figures(day, alliance)
        week_key = f"{year}W{week:02d}:{alliance.pk}"
        written += write(
            [(week_key, user) for user in staff[alliance.pk]], kind=Reminder.WEEKLY_DIGEST,
            key=lambda w, u: f"{Reminder.WEEKLY_DIGEST}:{w}:{u.pk}",
            context=lambda w, a=alliance, f=figures: {"figures": f, "year": year,
                                                     "week": week, "alliance": a},
            url=lambda w: "/dashboard/", target=lambda w: None,
        )
    return written

"""The reminder scans Celery beat runs every few minutes (one periodic task each).

Each scan selects only the items due now, with filters that match partial indexes on the
open states, walks them in primary-key batches, and writes one notification per
(kind, object, due date, recipient): the dedup key is unique in the database, so re-runs,
two beat processes and redelivered tasks write nothing twice, and a changed deadline makes
a new key. Keys already written are found with one query per batch, so a re-run costs a
few queries per batch of due items and nothing per closed suggestion.

Suggestion reminders are sent on working days only (proposals.deadlines), so a deadline
that passes on a Friday is chased on the next working day, not over the weekend.
"""

import logging
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from alliance.roles import Role
from notifications.kinds import Kind
from notifications.services import (
    existing_keys,
    notify_from_template,
    notify_many,
    preferences_for,
)

logger = logging.getLogger(__name__)

BATCH = 1000  # due items per query; with their recipients, one INSERT each
EVENT_ENDED_LOOKBACK = timedelta(days=7)


def today():
    return timezone.localdate()


def _deadlines():
    from proposals import deadlines

    return deadlines


def working_days_before(day, n):
    """The date ``n`` working days before ``day``."""
    is_working_day = _deadlines().is_working_day
    while n > 0:
        day -= timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def coordinators():
    """Active users in the coordinator group (one query)."""
    return list(get_user_model().objects.filter(is_active=True, groups__name=Role.COORDINATOR)
                .distinct().order_by("pk"))


def _remind(queryset, *, kind, recipients_for, key, context, url, target=lambda obj: obj):
    """Notify the recipients of every due object in ``queryset``, once per key.

    ``recipients_for(objs)`` maps a batch to ``{obj.pk: [users]}`` with a bounded number of
    queries; ``key(obj, user)`` is the dedup key. Returns how many notifications were new.
    """
    written = 0
    last_pk = 0
    while True:
        objs = list(queryset.filter(pk__gt=last_pk).order_by("pk")[:BATCH])
        if not objs:
            break
        last_pk = objs[-1].pk
        recipients = recipients_for(objs)
        pairs = [(obj, user) for obj in objs for user in recipients.get(obj.pk, ()) if user]
        written += _write(pairs, kind=kind, key=key, context=context, url=url, target=target)
        if len(objs) < BATCH:
            break
    if written:
        logger.info("scan %s: %s new notifications", kind, written)
    return written


def _write(pairs, *, kind, key, context, url, target):
    """Write the (object, user) notifications whose key is new: one query finds the keys
    already written, one loads the recipients' preferences, and notify_many writes the
    rest with two INSERTs and one message to the broker."""
    keyed = {}  # a handler who is also a coordinator is reminded once
    for obj, user in pairs:
        keyed.setdefault(key(obj, user)[:200], (obj, user))
    done = existing_keys(list(keyed))
    todo = [(k, obj, user) for k, (obj, user) in keyed.items() if k not in done]
    preferences = preferences_for([user.pk for _k, _obj, user in todo])
    contexts = {}  # one per object, shared by its recipients (notify_many renders it once)
    items = []
    for k, obj, user in todo:
        if id(obj) not in contexts:
            contexts[id(obj)] = context(obj)
        items.append({"recipient": user, "kind": kind, "key": k, "context": contexts[id(obj)],
                      "url": url(obj), "target": target(obj),
                      "preference": preferences[user.pk]})
    return notify_many(items)


# --- the 直通车 pipeline ------------------------------------------------------------------


# What the scans and the reminder texts read of a suggestion and its people; at a
# district's scale, loading whole rows (and whole user rows twice) was a third of a scan.
_SCAN_FIELDS = (
    "alliance_id", "tracking_number", "title", "state", "not_implemented", "accept_due",
    "reply_due", "progress_due", "feedback_due",
    *(f"{person}__{field}" for person in ("handler", "submitter")
      for field in ("username", "first_name", "last_name", "email", "is_active")),
)


def _suggestions():
    from proposals.models import Suggestion

    return Suggestion, (Suggestion.objects.select_related("handler", "submitter")
                        .only(*_SCAN_FIELDS))


def _suggestion_url(suggestion):
    return f"/suggestions/{suggestion.tracking_number}/"


def _suggestion_context(due_field):
    def context(suggestion):
        return {"suggestion": suggestion, "due": getattr(suggestion, due_field)}
    return context


def _to(*names, staff=None):
    """recipients_for: the users in the named FK fields of each suggestion (+ ``staff``)."""
    def recipients_for(objs):
        return {obj.pk: [*(getattr(obj, n) for n in names), *(staff or [])] for obj in objs}
    return recipients_for


def accept_overdue():
    """Submitted and not accepted after accept_due → coordinators."""
    day = today()
    if not _deadlines().is_working_day(day):
        return 0
    Suggestion, suggestions = _suggestions()
    due = suggestions.filter(state=Suggestion.State.SUBMITTED, accept_due__lt=day)
    return _remind(
        due, kind=Kind.ACCEPT_OVERDUE, recipients_for=_to(staff=coordinators()),
        key=lambda s, u: f"{Kind.ACCEPT_OVERDUE}:{s.pk}:{s.accept_due}:{u.pk}",
        context=_suggestion_context("accept_due"), url=_suggestion_url,
    )


def reply_due_soon():
    """Accepted, reply due on the next working day → handler."""
    day = today()
    deadlines = _deadlines()
    if not deadlines.is_working_day(day):
        return 0
    Suggestion, suggestions = _suggestions()
    due = suggestions.filter(state=Suggestion.State.ACCEPTED, reply_due__gt=day,
                             reply_due__lte=deadlines.add_working_days(day, 1))
    return _remind(
        due, kind=Kind.REPLY_DUE_SOON, recipients_for=_to("handler"),
        key=lambda s, u: f"{Kind.REPLY_DUE_SOON}:{s.pk}:{s.reply_due}:{u.pk}",
        context=_suggestion_context("reply_due"), url=_suggestion_url,
    )


def reply_overdue():
    """Accepted, reply_due passed → handler and coordinators (催办)."""
    day = today()
    if not _deadlines().is_working_day(day):
        return 0
    Suggestion, suggestions = _suggestions()
    due = suggestions.filter(state=Suggestion.State.ACCEPTED, reply_due__lt=day)
    return _remind(
        due, kind=Kind.REPLY_OVERDUE, recipients_for=_to("handler", staff=coordinators()),
        key=lambda s, u: f"{Kind.REPLY_OVERDUE}:{s.pk}:{s.reply_due}:{u.pk}",
        context=_suggestion_context("reply_due"), url=_suggestion_url,
    )


def reply_supervision():
    """Accepted, reply 5 working days overdue → a 督办 notice to coordinators."""
    day = today()
    if not _deadlines().is_working_day(day):
        return 0
    Suggestion, suggestions = _suggestions()
    due = suggestions.filter(state=Suggestion.State.ACCEPTED,
                             reply_due__lte=working_days_before(day, 5))
    return _remind(
        due, kind=Kind.REPLY_SUPERVISION, recipients_for=_to(staff=coordinators()),
        key=lambda s, u: f"{Kind.REPLY_SUPERVISION}:{s.pk}:{s.reply_due}:{u.pk}",
        context=_suggestion_context("reply_due"), url=_suggestion_url,
    )


def progress_overdue():
    """Replied or in progress (and to be implemented), progress_due passed → handler."""
    day = today()
    if not _deadlines().is_working_day(day):
        return 0
    Suggestion, suggestions = _suggestions()
    due = suggestions.filter(
        state__in=[Suggestion.State.REPLIED, Suggestion.State.IN_PROGRESS],
        not_implemented=False, progress_due__lt=day,
    )
    return _remind(
        due, kind=Kind.PROGRESS_OVERDUE, recipients_for=_to("handler"),
        key=lambda s, u: f"{Kind.PROGRESS_OVERDUE}:{s.pk}:{s.progress_due}:{u.pk}",
        context=_suggestion_context("progress_due"), url=_suggestion_url,
    )


def _awaiting_feedback():
    """Suggestions whose feedback window is open: implemented, or concluded as not to be
    implemented now (they skip straight to the submitter's feedback)."""
    from django.db.models import Q

    Suggestion, suggestions = _suggestions()
    return suggestions.filter(
        Q(state=Suggestion.State.IMPLEMENTED)
        | Q(state=Suggestion.State.REPLIED, not_implemented=True),
        feedback_due__isnull=False,
    )


def feedback_request_key(suggestion, user):
    return f"{Kind.FEEDBACK_REQUEST}:{suggestion.pk}:{suggestion.feedback_due}:{user.pk}"


def request_feedback(*, suggestion):
    """The feedback request, written at once by the pipeline inside record_implementation
    (or conclude_not_implemented); the feedback scan is the safety net and, with the same
    key, never sends it a second time."""
    return notify_from_template(
        recipient=suggestion.submitter, kind=Kind.FEEDBACK_REQUEST,
        key=feedback_request_key(suggestion, suggestion.submitter),
        context=_suggestion_context("feedback_due")(suggestion),
        url=_suggestion_url(suggestion), target=suggestion,
    )


def feedback():
    """The feedback window: the request (at once), one reminder on the last working day
    before the window ends, then auto-close as "no response"."""
    day = today()
    deadlines = _deadlines()
    open_window = _awaiting_feedback()
    counts = {
        "requested": _remind(
            open_window.filter(feedback_due__gte=day),
            kind=Kind.FEEDBACK_REQUEST, recipients_for=_to("submitter"),
            key=feedback_request_key,
            context=_suggestion_context("feedback_due"), url=_suggestion_url,
        ),
        "reminded": 0,
        "closed": 0,
    }
    if not deadlines.is_working_day(day):
        return counts
    counts["reminded"] = _remind(
        open_window.filter(feedback_due__gt=day,
                           feedback_due__lte=deadlines.add_working_days(day, 1)),
        kind=Kind.FEEDBACK_REMINDER, recipients_for=_to("submitter"),
        key=lambda s, u: f"{Kind.FEEDBACK_REMINDER}:{s.pk}:{s.feedback_due}:{u.pk}",
        context=_suggestion_context("feedback_due"), url=_suggestion_url,
    )
    counts["closed"] = auto_close(open_window.filter(feedback_due__lt=day))
    return counts


def auto_close(queryset):
    """Close each suggestion whose window ran out through the pipeline's own service."""
    from proposals.services import TransitionError, auto_close_no_response

    closed = 0
    last_pk = 0
    while True:
        ids = list(queryset.filter(pk__gt=last_pk).order_by("pk")
                   .values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        last_pk = ids[-1]
        # One commit per batch rather than per suggestion; each close is still its own
        # savepoint, so a refused one changes nothing and the others go on.
        with transaction.atomic():
            for suggestion_id in ids:
                try:
                    auto_close_no_response(suggestion_id=suggestion_id)
                except TransitionError as exc:  # changed since the query: nothing to do
                    logger.info("auto-close of suggestion %s refused: %s", suggestion_id, exc)
                    continue
                closed += 1
        if len(ids) < BATCH:
            break
    return closed


# --- events -------------------------------------------------------------------------------


def _event_url(event):
    return f"/events/{event.pk}/"


def event_tomorrow():
    """A published event starts within 24 hours → each registered member."""
    from volunteers.models import Event, Registration

    now = timezone.now()
    due = Registration.objects.select_related("event", "member__user").filter(
        state=Registration.State.REGISTERED, member__user__isnull=False,
        event__status=Event.Status.PUBLISHED,
        event__start__gt=now, event__start__lte=now + timedelta(hours=24),
    )
    return _remind(
        due, kind=Kind.EVENT_TOMORROW,
        recipients_for=lambda regs: {r.pk: [r.member.user] for r in regs},
        key=lambda r, u: f"{Kind.EVENT_TOMORROW}:{r.event_id}:{r.event.start:%Y%m%d%H%M}:{u.pk}",
        context=lambda r: {"event": r.event}, url=lambda r: _event_url(r.event),
        target=lambda r: r.event,
    )


def _organizer_liaisons(events):
    """{event.pk: [users]}: the liaisons and leads of each event's organizing units."""
    from alliance.models import Membership
    from volunteers.models import Event

    through = Event.organizers.through
    units_of = {}
    for event_id, unit_id in through.objects.filter(
            event_id__in=[e.pk for e in events]).values_list("event_id", "unit_id"):
        units_of.setdefault(event_id, set()).add(unit_id)
    users_of_unit = {}
    for membership in (Membership.objects.select_related("member__user")
                       .filter(unit_id__in=set().union(*units_of.values()),
                               role__in=[Membership.Role.LIAISON, Membership.Role.LEAD],
                               member__user__isnull=False, member__user__is_active=True)):
        users_of_unit.setdefault(membership.unit_id, {})[membership.member.user.pk] = (
            membership.member.user)
    result = {}
    for event in events:
        users = {}
        for unit_id in units_of.get(event.pk, ()):
            users.update(users_of_unit.get(unit_id, {}))
        result[event.pk] = list(users.values())
    return result


def event_ended():
    """A published event ended (in the last week) → its organizers' liaisons are asked to
    confirm attendance."""
    from volunteers.models import Event

    now = timezone.now()
    due = Event.objects.filter(status=Event.Status.PUBLISHED, end__lte=now,
                               end__gt=now - EVENT_ENDED_LOOKBACK)
    return _remind(
        due, kind=Kind.EVENT_CONFIRM_ATTENDANCE, recipients_for=_organizer_liaisons,
        key=lambda e, u: f"{Kind.EVENT_CONFIRM_ATTENDANCE}:{e.pk}:{e.end:%Y%m%d%H%M}:{u.pk}",
        context=lambda e: {"event": e}, url=_event_url,
    )


# --- the weekly digest --------------------------------------------------------------------


def digest_figures(day):
    """What a coordinator should look at this week (a handful of COUNT queries)."""
    from django.db.models import Count, Q

    from notifications.models import Delivery

    Suggestion, suggestions = _suggestions()
    State = Suggestion.State
    figures = Suggestion.objects.aggregate(
        awaiting_acceptance=Count("pk", filter=Q(state=State.SUBMITTED)),
        accept_overdue=Count("pk", filter=Q(state=State.SUBMITTED, accept_due__lt=day)),
        reply_overdue=Count("pk", filter=Q(state=State.ACCEPTED, reply_due__lt=day)),
        supervision=Count("pk", filter=Q(state=State.ACCEPTED,
                                         reply_due__lte=working_days_before(day, 5))),
        progress_overdue=Count("pk", filter=Q(state__in=[State.REPLIED, State.IN_PROGRESS],
                                              not_implemented=False, progress_due__lt=day)),
        awaiting_feedback=Count("pk", filter=Q(state=State.IMPLEMENTED)),
        submitted_last_week=Count("pk", filter=Q(
            submitted_at__gte=timezone.now() - timedelta(days=7))),
    )
    figures["failed_deliveries"] = Delivery.objects.filter(state=Delivery.State.FAILED).count()
    return figures


def weekly_digest():
    """Monday morning (crontab): one digest per coordinator per ISO week."""
    day = today()
    year, week, _weekday = day.isocalendar()
    staff = coordinators()
    if not staff:
        return 0
    figures = digest_figures(day)
    week_key = f"{year}W{week:02d}"
    return _write(
        [(week_key, user) for user in staff], kind=Kind.WEEKLY_DIGEST,
        key=lambda w, u: f"{Kind.WEEKLY_DIGEST}:{w}:{u.pk}",
        context=lambda w: {"figures": figures, "year": year, "week": week},
        url=lambda w: "/dashboard/", target=lambda w: None,
    )

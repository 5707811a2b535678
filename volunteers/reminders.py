"""The events' reminders (DESIGN §5, 5): the day before, to each registered member; after
the end, to the organizing units' liaisons, asking them to confirm attendance (to the
alliance's coordinators where a unit has no liaison with an account)."""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.selectors import coordinators_by_alliance, liaisons_or_coordinators, unit_liaisons
from notifications import kinds
from notifications.reminders import remind

from .models import Event, Registration


@kinds.register
class Reminder(models.TextChoices):
    EVENT_TOMORROW = "event_tomorrow", _("活动开始提醒")
    EVENT_CONFIRM_ATTENDANCE = "event_confirm_attendance", _("活动签到确认提醒")


EVENT_ENDED_LOOKBACK = timedelta(days=7)


def _event_url(event):
    return event.get_absolute_url()


def event_tomorrow():
    """A published event starts within 24 hours → each registered member."""
    now = timezone.now()
    due = Registration.objects.select_related("event", "member__user").filter(
        state=Registration.State.REGISTERED, member__user__isnull=False,
        event__status=Event.Status.PUBLISHED,
        event__start__gt=now, event__start__lte=now + timedelta(hours=24),
    )
    kind = Reminder.EVENT_TOMORROW
    return remind(
        due, kind=kind, recipients_for=lambda regs: {r.pk: [r.member.user] for r in regs},
        key=lambda r, u: f"{kind}:{r.event_id}:{r.event.start:%Y%m%d%H%M}:{u.pk}",
        context=lambda r: {"event": r.event}, url=lambda r: _event_url(r.event),
        target=lambda r: r.event,
    )


def organizer_liaisons(events):
    """{event.pk: [users]}: the liaisons and leads of each event's organizing units, or the
    coordinators for a unit that has none with an account."""
    through = Event.organizers.through
    units_of = {e.pk: set() for e in events}
    for event_id, unit_id in through.objects.filter(
            event_id__in=list(units_of)).values_list("event_id", "unit_id"):
        units_of[event_id].add(unit_id)
    by_unit = unit_liaisons(set().union(*units_of.values()))
    alliance_of = {e.pk: e.alliance_id for e in events}
    staff = coordinators_by_alliance(set(alliance_of.values()))
    return {pk: liaisons_or_coordinators(sorted(units), alliance=alliance_of[pk],
                                         coordinators_list=staff[alliance_of[pk]],
                                         liaisons=by_unit)
            if units else staff[alliance_of[pk]]
            for pk, units in units_of.items()}


def event_ended():
    """A published event ended (in the last week) → its organizers' liaisons are asked to
    confirm attendance."""
    now = timezone.now()
    due = Event.objects.filter(status=Event.Status.PUBLISHED, end__lte=now,
                               end__gt=now - EVENT_ENDED_LOOKBACK)
    kind = Reminder.EVENT_CONFIRM_ATTENDANCE
    return remind(
        due, kind=kind, recipients_for=organizer_liaisons,
        key=lambda e, u: f"{kind}:{e.pk}:{e.end:%Y%m%d%H%M}:{u.pk}",
        context=lambda e: {"event": e}, url=_event_url,
    )

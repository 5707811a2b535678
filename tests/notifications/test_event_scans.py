"""Event reminders with a frozen clock: 24 hours before → registered members; after the end
→ the organizing units' liaisons confirm attendance. Once each, however often the scan runs."""

import datetime
import zoneinfo

import pytest
import time_machine

from notifications import scans
from notifications.models import Notification
from tests.factories import MemberFactory, MembershipFactory, UnitFactory

volunteers_models = pytest.importorskip("volunteers.models")
if not hasattr(volunteers_models, "Event"):
    pytest.skip("volunteers.models.Event has not landed yet", allow_module_level=True)

from tests.notifications.builders import make_event, register  # noqa: E402

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0):
    return time_machine.travel(datetime.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI),
                               tick=False)


def moment(day, hour):
    return datetime.datetime(2026, 12, day, hour, 0, tzinfo=SHANGHAI)


def test_event_in_24_hours_reminds_registered_members_once():
    event = make_event(start=moment(15, 10), end=moment(15, 12))
    going = MemberFactory()
    cancelled = MemberFactory()
    register(event, going)
    register(event, cancelled, state="cancelled")
    with at(14, 9):
        assert scans.event_tomorrow() == 0  # 25 hours ahead
    with at(14, 10, 30):
        assert scans.event_tomorrow() == 1
        assert [scans.event_tomorrow() for _ in range(3)] == [0, 0, 0]
    notification = Notification.objects.get(kind="event_tomorrow")
    assert notification.recipient == going.user
    assert event.title in notification.subject


def test_moved_event_reminds_again():
    event = make_event(start=moment(15, 10), end=moment(15, 12))
    register(event, MemberFactory())
    with at(14, 10, 30):
        scans.event_tomorrow()
    type(event).objects.filter(pk=event.pk).update(start=moment(16, 10), end=moment(16, 12))
    with at(15, 10, 30):
        assert scans.event_tomorrow() == 1


def test_ended_event_asks_the_organizers_liaisons_to_confirm_attendance():
    unit = UnitFactory()
    liaison = MembershipFactory(unit=unit, role="liaison").member.user
    MembershipFactory(unit=unit, role="member")  # a plain member is not asked
    event = make_event(start=moment(15, 10), end=moment(15, 12), organizers=[unit])
    with at(15, 11):
        assert scans.event_ended() == 0
    with at(15, 12, 30):
        assert scans.event_ended() == 1
        assert [scans.event_ended() for _ in range(3)] == [0, 0, 0]
    assert Notification.objects.get(kind="event_confirm_attendance").recipient == liaison
    assert event.pk


def test_event_reminder_says_where():
    event = make_event(start=moment(15, 10), end=moment(15, 12))
    type(event).objects.filter(pk=event.pk).update(location="宜川路街道党群服务中心")
    register(event, MemberFactory())
    with at(14, 10, 30):
        scans.event_tomorrow()
    assert "地点：宜川路街道党群服务中心" in Notification.objects.get(kind="event_tomorrow").body


def test_cancelled_or_completed_events_are_not_chased():
    unit = UnitFactory()
    MembershipFactory(unit=unit, role="liaison")
    for status in ["cancelled", "completed", "draft"]:
        event = make_event(start=moment(15, 10), end=moment(15, 12), organizers=[unit],
                           status=status)
        register(event, MemberFactory())
    with at(15, 9, 30):
        assert scans.event_tomorrow() == 0
    with at(15, 12, 30):
        assert scans.event_ended() == 0

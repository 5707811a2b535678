"""Event reminders with a frozen clock: 24 hours before → registered members; after the end
→ the organizing units' liaisons confirm attendance (the coordinators, for a unit without
one). Once each, however often the scan runs."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command

from notifications.models import Notification
from tests.factories import (
    AllianceFactory,
    EventFactory,
    MemberFactory,
    MembershipFactory,
    RegistrationFactory,
    UnitFactory,
    UserFactory,
)
from volunteers import reminders

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour, minute=0):
    return time_machine.travel(datetime.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI),
                               tick=False)


def moment(day, hour):
    return datetime.datetime(2026, 12, day, hour, 0, tzinfo=SHANGHAI)


def test_event_in_24_hours_reminds_registered_members_once():
    event = EventFactory(start=moment(15, 10), end=moment(15, 12))
    going = MemberFactory()
    cancelled = MemberFactory()
    RegistrationFactory(event=event, member=going)
    RegistrationFactory(event=event, member=cancelled, state="cancelled")
    with at(14, 9):
        assert reminders.event_tomorrow() == 0  # 25 hours ahead
    with at(14, 10, 30):
        assert reminders.event_tomorrow() == 1
        assert [reminders.event_tomorrow() for _ in range(3)] == [0, 0, 0]
    notification = Notification.objects.get(kind="event_tomorrow")
    assert notification.recipient == going.user
    assert event.title in notification.subject


def test_moved_event_reminds_again():
    event = EventFactory(start=moment(15, 10), end=moment(15, 12))
    RegistrationFactory(event=event)
    with at(14, 10, 30):
        reminders.event_tomorrow()
    type(event).objects.filter(pk=event.pk).update(start=moment(16, 10), end=moment(16, 12))
    with at(15, 10, 30):
        assert reminders.event_tomorrow() == 1


def test_ended_event_asks_the_organizers_liaisons_to_confirm_attendance():
    unit = UnitFactory()
    liaison = MembershipFactory(unit=unit, role="liaison").member.user
    MembershipFactory(unit=unit, role="member")  # a plain member is not asked
    event = EventFactory(start=moment(15, 10), end=moment(15, 12), organizers=[unit])
    with at(15, 11):
        assert reminders.event_ended() == 0
    with at(15, 12, 30):
        assert reminders.event_ended() == 1
        assert [reminders.event_ended() for _ in range(3)] == [0, 0, 0]
    assert Notification.objects.get(kind="event_confirm_attendance").recipient == liaison
    assert event.pk


def test_event_reminder_says_where():
    event = EventFactory(start=moment(15, 10), end=moment(15, 12))
    type(event).objects.filter(pk=event.pk).update(location="宜川路街道党群服务中心")
    RegistrationFactory(event=event)
    with at(14, 10, 30):
        reminders.event_tomorrow()
    assert "地点：宜川路街道党群服务中心" in Notification.objects.get(kind="event_tomorrow").body


def test_cancelled_or_completed_events_are_not_chased():
    unit = UnitFactory()
    MembershipFactory(unit=unit, role="liaison")
    for status in ["cancelled", "completed", "draft"]:
        event = EventFactory(start=moment(15, 10), end=moment(15, 12), organizers=[unit],
                             status=status)
        RegistrationFactory(event=event)
    with at(15, 9, 30):
        assert reminders.event_tomorrow() == 0
    with at(15, 12, 30):
        assert reminders.event_ended() == 0


def test_attendance_request_goes_to_coordinators_when_a_unit_has_no_liaison():
    coordinator = UserFactory(username="coord-event", roles=["coordinator"])
    admin = UserFactory(username="admin-event", roles=["admin"])
    superuser = UserFactory(username="root-event", is_superuser=True)
    UserFactory(username="coord-inactive", roles=["coordinator"], is_active=False)
    UserFactory(username="handler-event", roles=["handler"])  # not a coordinator
    with_liaison, without = UnitFactory(), UnitFactory()
    liaison = MembershipFactory(unit=with_liaison, role="liaison").member.user
    MembershipFactory(unit=without, role="member")  # a plain member is no liaison
    departed = MembershipFactory(unit=without, role="liaison").member.user
    type(departed).objects.filter(pk=departed.pk).update(is_active=False)
    alone = EventFactory(start=moment(15, 10), end=moment(15, 12), organizers=[without])
    shared = EventFactory(start=moment(15, 10), end=moment(15, 12),
                          organizers=[with_liaison, without])
    covered = EventFactory(start=moment(15, 10), end=moment(15, 12), organizers=[with_liaison])
    staff = {coordinator, admin, superuser}
    with at(15, 12, 30):
        assert reminders.event_ended() == 3 + 4 + 1
        assert [reminders.event_ended() for _ in range(3)] == [0, 0, 0]

    def asked(event):
        return {n.recipient for n in Notification.objects.filter(
            kind="event_confirm_attendance", target_id=event.pk)}

    assert asked(alone) == staff
    assert asked(shared) == staff | {liaison}
    assert asked(covered) == {liaison}


def test_attendance_request_falls_back_to_the_coordinators_of_the_event_s_own_alliance():
    home = AllianceFactory()
    other = AllianceFactory(slug="other-alliance", name="另一联盟", short_name="另一")
    ours = UserFactory(username="coord-home", roles=["coordinator"], roles__alliance=home)
    theirs = UserFactory(username="coord-other", roles=["coordinator"], roles__alliance=other)
    UserFactory(username="handler-home", roles=["handler"], roles__alliance=home)
    without = UnitFactory(alliance=home)
    elsewhere = UnitFactory(alliance=other)
    their_liaison = MembershipFactory(unit=elsewhere, role="liaison",
                                      member__alliance=other).member.user
    event = EventFactory(alliance=home, start=moment(15, 10), end=moment(15, 12),
                         organizers=[without])
    their_event = EventFactory(alliance=other, start=moment(15, 10), end=moment(15, 12),
                               organizers=[elsewhere])
    with at(15, 12, 30):
        assert reminders.event_ended() == 2
    assert _asked(event) == {ours}
    assert _asked(their_event) == {their_liaison}
    assert theirs not in _asked(event) | _asked(their_event)


def test_an_event_without_an_organizing_unit_asks_its_alliance_s_coordinators():
    home = AllianceFactory()
    other = AllianceFactory(slug="other-alliance", name="另一联盟", short_name="另一")
    ours = UserFactory(username="coord-home", roles=["coordinator"], roles__alliance=home)
    UserFactory(username="coord-other", roles=["coordinator"], roles__alliance=other)
    event = EventFactory(alliance=home, start=moment(15, 10), end=moment(15, 12))
    with at(15, 12, 30):
        assert reminders.event_ended() == 1
        assert reminders.event_ended() == 0
    assert _asked(event) == {ours}


def test_someone_asked_for_several_of_an_event_s_units_is_told_once():
    home = AllianceFactory()
    coordinator = UserFactory(username="coord-home", roles=["coordinator"],
                              roles__alliance=home)
    first, second, bare = (UnitFactory(alliance=home) for _ in range(3))
    both = MembershipFactory(unit=first, role="liaison", member__alliance=home).member
    MembershipFactory(unit=second, role="lead", member=both)
    # the coordinator speaks for the second unit and stands in for the third (no liaison)
    MembershipFactory(unit=second, role="liaison",
                      member=MemberFactory(alliance=home, user=coordinator))
    event = EventFactory(alliance=home, start=moment(15, 10), end=moment(15, 12),
                         organizers=[first, second, bare])
    with at(15, 12, 30):
        assert reminders.event_ended() == 2
    assert sorted(n.recipient.username for n in Notification.objects.filter(
        kind="event_confirm_attendance", target_id=event.pk)) == sorted(
        [both.user.username, coordinator.username])


def test_a_moved_end_asks_again_under_a_new_key():
    unit = UnitFactory()
    liaison = MembershipFactory(unit=unit, role="liaison").member.user
    event = EventFactory(start=moment(15, 10), end=moment(15, 12), organizers=[unit])
    with at(15, 12, 30):
        assert reminders.event_ended() == 1
    type(event).objects.filter(pk=event.pk).update(end=moment(15, 14))
    with at(15, 14, 30):
        assert reminders.event_ended() == 1
    assert [n.recipient for n in Notification.objects.filter(
        kind="event_confirm_attendance")] == [liaison, liaison]


def _asked(event):
    return {n.recipient for n in Notification.objects.filter(
        kind="event_confirm_attendance", target_id=event.pk)}


def test_in_the_demo_every_ended_event_asks_someone(settings):
    settings.DEBUG = True
    call_command("load_demo", stdout=io.StringIO())
    settings.DEBUG = False
    Event = reminders.Event
    published = Event.objects.filter(status=Event.Status.PUBLISHED)
    published.update(start=moment(15, 9), end=moment(15, 11))
    liaison = get_user_model().objects.get(username="liaison")
    coordinator = get_user_model().objects.get(username="coordinator")
    spoken_for = set(liaison.member.memberships.filter(
        role__in=["liaison", "lead"]).values_list("unit_id", flat=True))
    with at(15, 12):
        reminders.event_ended()
    events = list(published.prefetch_related("organizers"))
    theirs = [e for e in events if {u.pk for u in e.organizers.all()} <= spoken_for]
    assert len(events) > 20 and theirs  # the liaison's unit organizes some, others the rest
    for event in events:
        assert _asked(event) & {liaison, coordinator} == (
            {liaison} if event in theirs else {coordinator}), event.title

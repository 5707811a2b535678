import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from tests.concurrency import run_together
from tests.factories import EventFactory, MemberFactory
from volunteers import services
from volunteers.models import Event, HoursCorrection, Registration, ServiceRecord

pytestmark = pytest.mark.django_db


def test_register_takes_a_seat_until_full_then_waitlists_in_order(event):
    event.capacity = 2
    event.save()
    regs = [services.register(event_id=event.pk, member=MemberFactory()) for _ in range(4)]
    assert [r.state for r in regs] == ["registered", "registered", "waitlisted", "waitlisted"]
    assert [r.position for r in regs] == [None, None, 1, 2]


def test_cancelling_a_seat_promotes_the_first_waiting_member_and_notifies_them(event):
    event.capacity = 1
    event.save()
    first = services.register(event_id=event.pk, member=MemberFactory())
    second = services.register(event_id=event.pk, member=MemberFactory())
    third = services.register(event_id=event.pk, member=MemberFactory())
    promoted = services.cancel_registration(registration_id=first.pk)
    assert promoted.pk == second.pk
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.state == "registered" and third.state == "waitlisted"
    note = Notification.objects.get(recipient=second.member.user)
    assert note.kind == "event_promoted" and event.title in note.subject
    assert not Notification.objects.filter(recipient=third.member.user).exists()


def test_cancelling_a_waitlisted_registration_promotes_nobody(event):
    event.capacity = 1
    event.save()
    services.register(event_id=event.pk, member=MemberFactory())
    waiting = services.register(event_id=event.pk, member=MemberFactory())
    assert services.cancel_registration(registration_id=waiting.pk) is None
    assert Registration.objects.filter(event=event, state="registered").count() == 1


def test_registering_twice_is_refused(event):
    member = MemberFactory()
    services.register(event_id=event.pk, member=member)
    with pytest.raises(services.EventError, match="重复报名"):
        services.register(event_id=event.pk, member=member)


def test_registering_again_after_cancelling_is_allowed(event):
    member = MemberFactory()
    reg = services.register(event_id=event.pk, member=member)
    services.cancel_registration(registration_id=reg.pk)
    again = services.register(event_id=event.pk, member=member)
    assert again.state == "registered"


def test_registering_after_the_deadline_is_refused(event):
    with pytest.raises(services.EventError, match="报名已截止"):
        services.register(event_id=event.pk, member=MemberFactory(),
                          now=event.signup_deadline + datetime.timedelta(minutes=1))


def test_registering_for_a_cancelled_event_is_refused(event):
    event.status = Event.Status.CANCELLED
    event.save()
    with pytest.raises(services.EventError, match="已取消"):
        services.register(event_id=event.pk, member=MemberFactory())


def test_registering_for_a_draft_is_refused(event):
    event.status = Event.Status.DRAFT
    event.save()
    with pytest.raises(services.EventError, match="不接受报名"):
        services.register(event_id=event.pk, member=MemberFactory())


def test_registering_anonymously_for_a_members_only_event_is_refused(event):
    event.visibility = Event.Visibility.MEMBERS
    event.save()
    with pytest.raises(services.EventError, match="仅限联盟成员"):
        services.register(event_id=event.pk, member=None)
    assert not Registration.objects.exists()


def test_registering_without_a_member_is_refused(event):
    with pytest.raises(services.EventError, match="请先登录"):
        services.register(event_id=event.pk, member=None)


def test_check_in_credits_the_event_length_as_verified_hours(event, coordinator):
    reg = services.register(event_id=event.pk, member=MemberFactory())
    services.check_in(event_id=event.pk, registration_ids=[reg.pk], actor=coordinator)
    reg.refresh_from_db()
    assert reg.state == "attended"
    record = ServiceRecord.objects.get(member=reg.member, event=event)
    assert record.hours == Decimal("2.0") and record.verified


def test_check_in_with_an_entered_figure_and_no_double_credit(event, coordinator):
    reg = services.register(event_id=event.pk, member=MemberFactory())
    services.check_in(event_id=event.pk, registration_ids=[reg.pk], actor=coordinator,
                      hours=Decimal("1.5"))
    services.check_in(event_id=event.pk, registration_ids=[reg.pk], actor=coordinator,
                      hours=Decimal("1.5"))
    assert list(ServiceRecord.objects.filter(event=event).values_list("hours", flat=True)) == [
        Decimal("1.5")]


def test_marking_absent_removes_credited_hours(event, coordinator):
    reg = services.register(event_id=event.pk, member=MemberFactory())
    services.check_in(event_id=event.pk, registration_ids=[reg.pk], actor=coordinator)
    services.check_in(event_id=event.pk, registration_ids=[reg.pk], actor=coordinator,
                      present=False)
    reg.refresh_from_db()
    assert reg.state == "no_show"
    assert not ServiceRecord.objects.filter(event=event).exists()


def test_check_in_refuses_a_cancelled_event(event, coordinator):
    reg = services.register(event_id=event.pk, member=MemberFactory())
    Event.objects.filter(pk=event.pk).update(status="cancelled")
    with pytest.raises(services.EventError):
        services.check_in(event_id=event.pk, registration_ids=[reg.pk], actor=coordinator)


def test_correcting_hours_keeps_old_figure_and_reason(event, coordinator):
    record = ServiceRecord.objects.create(member=MemberFactory(), event=event,
                                          hours=Decimal("2"), verified=True)
    services.correct_hours(record_id=record.pk, hours=Decimal("3.5"), reason="延时服务",
                           actor=coordinator)
    record.refresh_from_db()
    assert record.hours == Decimal("3.5")
    correction = HoursCorrection.objects.get(record=record)
    assert (correction.old_hours, correction.new_hours, correction.reason) == (
        Decimal("2.0"), Decimal("3.5"), "延时服务")
    note = Notification.objects.get(recipient=record.member.user, kind="hours_corrected")
    assert "延时服务" in note.body and "3.5" in note.body


def test_correcting_hours_without_a_reason_is_refused(event, coordinator):
    record = ServiceRecord.objects.create(member=MemberFactory(), event=event,
                                          hours=Decimal("2"), verified=True)
    with pytest.raises(services.EventError, match="原因"):
        services.correct_hours(record_id=record.pk, hours=Decimal("1"), reason="  ",
                               actor=coordinator)
    record.refresh_from_db()
    assert record.hours == Decimal("2.0") and not record.corrections.exists()


def test_cancelling_after_the_start_is_refused(event):
    reg = services.register(event_id=event.pk, member=MemberFactory())
    with pytest.raises(services.EventError, match="已开始"):
        services.cancel_registration(registration_id=reg.pk,
                                     now=event.start + datetime.timedelta(minutes=1))


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_signups_for_ten_seats_leave_ten_registered_and_forty_waiting():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; row locks need PostgreSQL (set DATABASE_URL)")
    event = EventFactory(capacity=10, start=timezone.now() + datetime.timedelta(days=2))
    members = [MemberFactory() for _ in range(50)]
    results = run_together(*(lambda m=m: services.register(event_id=event.pk, member=m)
                             for m in members))
    assert not [r for r in results if isinstance(r, Exception)]
    regs = Registration.objects.filter(event=event)
    assert regs.filter(state="registered").count() == 10
    waiting = regs.filter(state="waitlisted")
    assert waiting.count() == 40
    assert sorted(waiting.values_list("position", flat=True)) == list(range(1, 41))

    first_in_line = waiting.get(position=1).pk
    first_seat = regs.filter(state="registered").first()
    services.cancel_registration(registration_id=first_seat.pk)
    assert regs.filter(state="registered").count() == 10
    assert regs.filter(state="waitlisted").count() == 39
    assert Registration.objects.get(pk=first_in_line).state == "registered"
    assert Notification.objects.filter(kind="event_promoted").count() == 1


def test_event_validation_rejects_end_before_start_and_a_late_deadline(event):
    from django.core.exceptions import ValidationError

    event.end = event.start - datetime.timedelta(hours=1)
    event.signup_deadline = event.start + datetime.timedelta(hours=1)
    with pytest.raises(ValidationError) as info:
        event.full_clean()
    assert set(info.value.message_dict) == {"end", "signup_deadline"}

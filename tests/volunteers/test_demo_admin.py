import pytest
from django.urls import reverse

from alliance import demo as alliance_demo
from tests.factories import EventFactory
from volunteers import demo
from volunteers.admin import RosterResource
from volunteers.models import Event, Registration, ServiceRecord

pytestmark = pytest.mark.django_db


def test_demo_has_past_and_upcoming_events_of_every_kind_with_hours_and_is_idempotent():
    alliance_demo.load()
    demo.load()
    events = Event.objects.all()
    assert set(events.values_list("kind", flat=True)) == set(Event.Kind.values)
    assert events.filter(status="completed").exists() and events.filter(
        status="published").exists()
    teams = set(events.values_list("organizers__kind", flat=True))
    assert teams == {"volunteer_team", "branch"}
    assert Registration.objects.filter(state="attended").exists()
    assert ServiceRecord.objects.filter(verified=True).exists()
    n = events.count()
    demo.load()
    assert Event.objects.count() == n


def test_roster_exports_to_excel_with_names_and_states(member_user):
    from volunteers import services

    event = EventFactory(title="导出活动")
    services.register(event_id=event.pk, member=member_user.member)
    dataset = RosterResource().export()
    assert dataset.headers[:3] == ["活动", "姓名", "状态"]
    assert dataset[0][:3] == ("导出活动", member_user.member.name, "已报名")
    assert dataset.export("xlsx")[:2] == b"PK"


def test_admin_lists_events_registrations_and_records(client, admin_user, member_user):
    from volunteers import services

    event = EventFactory()
    services.register(event_id=event.pk, member=member_user.member)
    client.force_login(admin_user)
    for name in ["event", "registration", "servicerecord"]:
        assert client.get(reverse(f"admin:volunteers_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:volunteers_event_change", args=[event.pk])
                      ).status_code == 200
    assert client.get(reverse("admin:volunteers_registration_export")).status_code == 200


def test_the_demo_has_a_full_event_with_a_waiting_list_numbered_from_one():
    from django.utils import timezone

    alliance_demo.load()
    demo.load()
    waiting = Registration.objects.filter(state="waitlisted")
    event = waiting.first().event
    assert event.status == "published" and event.start > timezone.now()
    assert sorted(waiting.filter(event=event).values_list("position", flat=True)) == [1, 2, 3]
    assert event.registrations.filter(state="registered").count() == event.capacity

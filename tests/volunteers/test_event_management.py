"""Staff run events in the portal (/events/new/, /events/<id>/edit/) and in the admin,
through the same services: capacity, the waiting list in order, and who is told."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from notifications.models import Notification
from tests.factories import (
    AllianceFactory,
    EventFactory,
    MemberFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
    VenueFactory,
)
from tests.visible import shown
from volunteers import services
from volunteers.models import Event, Registration

pytestmark = pytest.mark.django_db


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def _form_data(event=None, **changes):
    start = timezone.now() + datetime.timedelta(days=5)
    data = {
        "title": "端午节包粽子联谊", "kind": "festival", "location": "宜川路 100 号",
        "start": _local(start), "end": _local(start + datetime.timedelta(hours=2)),
        "signup_deadline": _local(start - datetime.timedelta(days=1)),
        "capacity": "20", "visibility": "public", "description": "欢迎成员带家属参加。",
    }
    if event is not None:
        data.update(title=event.title, kind=event.kind, location=event.location,
                    start=_local(event.start), end=_local(event.end),
                    signup_deadline=_local(event.signup_deadline),
                    capacity=str(event.capacity), visibility=event.visibility,
                    description=event.description)
        data["organizers"] = [str(u.pk) for u in event.organizers.all()]
    data.update(changes)
    return data


def _full_event(capacity=1, waiting=3):
    """A published event with ``capacity`` seats taken and ``waiting`` people in line."""
    unit = UnitFactory()
    event = EventFactory(capacity=capacity, organizers=[unit])
    seated = [services.register(event_id=event.pk, member=MemberFactory())
              for _ in range(capacity)]
    line = [services.register(event_id=event.pk, member=MemberFactory())
            for _ in range(waiting)]
    assert [r.state for r in line] == ["waitlisted"] * waiting
    return event, seated, line


def _liaison_of(unit, username):
    return MembershipFactory(unit=unit, role="liaison", member__alliance=unit.alliance,
                             member__user__username=username,
                             member__user__roles=["member"]).member.user


# --- the portal's event form --------------------------------------------------------------

def test_coordinator_creates_and_publishes_an_event_members_then_see(client, coordinator):
    unit = UnitFactory()
    venue = VenueFactory()
    client.force_login(coordinator)
    response = client.post(reverse("volunteers:new"), _form_data(
        organizers=[str(unit.pk)], venue=str(venue.pk), action="publish"))
    event = Event.objects.get(title="端午节包粽子联谊")
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.status == "published" and list(event.organizers.all()) == [unit]
    assert event.alliance_id == unit.alliance_id
    client.logout()
    assert "端午节包粽子联谊" in shown(client.get(reverse("volunteers:list")))


def test_a_draft_is_hidden_from_members_until_published(client, coordinator, member_user):
    unit = UnitFactory()
    client.force_login(coordinator)
    client.post(reverse("volunteers:new"), _form_data(organizers=[str(unit.pk)],
                                                      action="save"))
    event = Event.objects.get(title="端午节包粽子联谊")
    assert event.status == "draft"
    client.force_login(member_user)
    assert client.get(event.get_absolute_url()).status_code == 404
    client.force_login(coordinator)
    client.post(reverse("volunteers:edit", args=[event.pk]),
                _form_data(event, action="publish"))
    event.refresh_from_db()
    assert event.status == "published"
    client.force_login(member_user)
    assert client.get(event.get_absolute_url()).status_code == 200


def test_bad_input_is_refused_beside_the_field_and_kept(client, coordinator):
    unit = UnitFactory()
    client.force_login(coordinator)
    data = _form_data(organizers=[str(unit.pk)], title="", capacity="0", action="publish")
    data["signup_deadline"] = _local(timezone.now() + datetime.timedelta(days=9))
    response = client.post(reverse("volunteers:new"), data)
    assert response.status_code == 200
    text = shown(response)
    assert "请填写活动标题。" in text
    assert "名额至少为 1 人。" in text
    assert "报名截止时间不能晚于活动开始时间。" in text
    assert "宜川路 100 号" in response.content.decode()  # what was typed stays
    assert not Event.objects.exists()


def test_a_liaison_creates_for_their_unit_and_not_for_another(client):
    unit, other = UnitFactory(), UnitFactory()
    liaison = _liaison_of(unit, "liaison-events")
    client.force_login(liaison)
    refused = client.post(reverse("volunteers:new"),
                          _form_data(organizers=[str(other.pk)], action="publish"))
    assert "主办单位须包含您担任联络员的单位。" in shown(refused)
    assert not Event.objects.exists()
    client.post(reverse("volunteers:new"), _form_data(organizers=[str(unit.pk)],
                                                      action="save"))
    draft = Event.objects.get()
    # their own draft is theirs to see and edit
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(reverse("volunteers:edit", args=[draft.pk])).status_code == 200


def test_a_liaison_edits_their_units_event_and_gets_404_for_another(client):
    unit, other = UnitFactory(), UnitFactory()
    liaison = _liaison_of(unit, "liaison-edit")
    theirs = EventFactory(organizers=[unit], title="本单位活动")
    not_theirs = EventFactory(organizers=[other], title="别的单位的活动")
    client.force_login(liaison)
    page = client.get(theirs.get_absolute_url())
    assert "编辑活动" in shown(page)
    assert "编辑活动" not in shown(client.get(not_theirs.get_absolute_url()))
    client.post(reverse("volunteers:edit", args=[theirs.pk]),
                _form_data(theirs, title="本单位活动（改期）", action="save"))
    theirs.refresh_from_db()
    assert theirs.title == "本单位活动（改期）"
    assert client.get(reverse("volunteers:edit", args=[not_theirs.pk])).status_code == 404
    response = client.post(reverse("volunteers:edit", args=[not_theirs.pk]),
                           _form_data(not_theirs, title="篡改", action="save"))
    assert response.status_code == 404
    not_theirs.refresh_from_db()
    assert not_theirs.title == "别的单位的活动"


@pytest.mark.parametrize("who", ["anonymous", "member", "handler"])
def test_those_who_may_not_run_events_get_nothing(client, who, member_user, handler_user):
    event = EventFactory(organizers=[UnitFactory()])
    users = {"member": member_user, "handler": handler_user}
    if who != "anonymous":
        client.force_login(users[who])
    for url in (reverse("volunteers:new"), reverse("volunteers:edit", args=[event.pk])):
        response = client.get(url)
        assert response.status_code == (302 if who == "anonymous" else 404)
        response = client.post(url, _form_data(organizers=[], action="publish"))
        assert response.status_code == (302 if who == "anonymous" else 404)
    assert Event.objects.count() == 1
    assert "发布活动" not in shown(client.get(reverse("volunteers:list")))


def test_another_alliances_coordinator_runs_only_their_own_events(client):
    event = EventFactory(organizers=[UnitFactory()])
    other = AllianceFactory(slug="other-a", name="别的联盟", short_name="别的")
    theirs = UnitFactory(alliance=other)
    client.force_login(UserFactory(roles=["coordinator"], roles__alliance=other))
    assert client.get(reverse("volunteers:edit", args=[event.pk])).status_code == 404
    # a unit of another alliance is no choice on their form
    refused = client.post(reverse("volunteers:new"), _form_data(
        organizers=[str(event.organizers.get().pk)], action="publish"))
    assert refused.status_code == 200 and Event.objects.count() == 1
    client.post(reverse("volunteers:new"), _form_data(organizers=[str(theirs.pk)],
                                                      action="publish"))
    assert Event.objects.get(organizers=theirs).alliance == other


def test_raising_a_full_events_capacity_by_two_seats_the_first_two_waiting(client, coordinator):
    event, _seated, line = _full_event(capacity=1, waiting=3)
    client.force_login(coordinator)
    response = client.post(reverse("volunteers:edit", args=[event.pk]),
                           _form_data(event, capacity="3", action="save"), follow=True)
    assert "增加的名额已按顺序分给 2 名候补人员" in shown(response)
    states = {r.pk: (r.state, r.position)
              for r in Registration.objects.filter(pk__in=[r.pk for r in line])}
    assert states[line[0].pk] == ("registered", None)
    assert states[line[1].pk] == ("registered", None)
    assert states[line[2].pk] == ("waitlisted", 1)  # the line moved up
    told = Notification.objects.filter(kind="event_promoted")
    assert sorted(told.values_list("recipient_id", flat=True)) == sorted(
        [line[0].member.user_id, line[1].member.user_id])
    assert "活动名额增加" in told.first().body


def test_a_capacity_below_the_seats_taken_is_refused_with_a_message(client, coordinator):
    event, _seated, _line = _full_event(capacity=2, waiting=0)
    client.force_login(coordinator)
    response = client.post(reverse("volunteers:edit", args=[event.pk]),
                           _form_data(event, capacity="1", action="save"))
    assert "已有 2 人报名，名额不能少于 2；" in shown(response)
    event.refresh_from_db()
    assert event.capacity == 2
    with pytest.raises(services.EventError, match="名额不能少于"):
        services.update_event(event_id=event.pk, actor=coordinator, capacity=1)


def test_moving_an_event_tells_everyone_registered_or_waiting_once(client, coordinator):
    event, seated, line = _full_event(capacity=1, waiting=1)
    client.force_login(coordinator)
    later = event.start + datetime.timedelta(days=1)
    data = _form_data(event, start=_local(later),
                      end=_local(later + datetime.timedelta(hours=2)), action="save")
    response = client.post(reverse("volunteers:edit", args=[event.pk]), data, follow=True)
    assert "时间或地点的变更已通知 2 名报名和候补人员" in shown(response)
    moved = Notification.objects.filter(kind="event_moved")
    assert sorted(moved.values_list("recipient_id", flat=True)) == sorted(
        [seated[0].member.user_id, line[0].member.user_id])
    assert timezone.localtime(later).strftime("%Y-%m-%d %H:%M") in moved.first().body
    # saving again without a change tells nobody again
    client.post(reverse("volunteers:edit", args=[event.pk]), data)
    client.post(reverse("volunteers:edit", args=[event.pk]),
                {**data, "description": "只改了介绍"})
    assert Notification.objects.filter(kind="event_moved").count() == 2


def test_cancelling_an_event_needs_a_reason_and_tells_everyone(client, coordinator):
    event, seated, line = _full_event(capacity=1, waiting=1)
    client.force_login(coordinator)
    url = reverse("volunteers:edit", args=[event.pk])
    refused = client.post(url, {"action": "cancel", "reason": ""})
    assert "请填写取消原因。" in shown(refused)
    event.refresh_from_db()
    assert event.status == "published"
    client.post(url, {"action": "cancel", "reason": "台风预警，改期另行通知"})
    event.refresh_from_db()
    assert event.status == "cancelled"
    told = Notification.objects.filter(kind="event_cancelled")
    assert told.count() == 2
    assert "台风预警，改期另行通知" in told.first().body
    assert "已取消或已结束的活动不能再修改。" in shown(client.get(url))


def test_completing_an_event_after_its_end(client, coordinator):
    event = EventFactory(organizers=[UnitFactory()],
                         start=timezone.now() - datetime.timedelta(hours=3),
                         signup_deadline=timezone.now() - datetime.timedelta(days=1))
    client.force_login(coordinator)
    client.post(reverse("volunteers:edit", args=[event.pk]), {"action": "complete"})
    event.refresh_from_db()
    assert event.status == "completed"


def test_the_edit_page_makes_a_bounded_number_of_queries(client, coordinator,
                                                         django_assert_max_num_queries):
    event, _seated, _line = _full_event(capacity=3, waiting=5)
    for _ in range(20):
        UnitFactory()
    client.force_login(coordinator)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("volunteers:edit", args=[event.pk])).status_code == 200


# --- the waiting list: live positions, and only what is true is told ----------------------

def test_positions_shown_are_live_after_those_ahead_leave(client):
    event, seated, line = _full_event(capacity=1, waiting=3)
    services.cancel_registration(registration_id=line[0].pk)
    services.cancel_registration(registration_id=seated[0].pk)  # line[1] takes the seat
    last = Registration.objects.get(pk=line[2].pk)
    assert (last.state, last.position) == ("waitlisted", 1)
    client.force_login(line[2].member.user)
    assert "候补第 1 位" in shown(client.get(event.get_absolute_url()))


def test_a_promotion_cancelled_before_it_was_sent_is_not_told():
    event, seated, line = _full_event(capacity=1, waiting=2)
    services.cancel_registration(registration_id=seated[0].pk)  # line[0] promoted
    promoted = Notification.objects.get(kind="event_promoted")
    assert promoted.recipient_id == line[0].member.user_id
    assert promoted.deliveries.filter(state="pending").exists()
    services.cancel_registration(registration_id=line[0].pk)  # gives the seat up at once
    assert not Notification.objects.filter(pk=promoted.pk).exists()
    # the next in line is told, and that notice stands
    assert list(Notification.objects.filter(kind="event_promoted")
                .values_list("recipient_id", flat=True)) == [line[1].member.user_id]


def test_a_promotion_already_sent_stays_in_the_inbox():
    event, seated, line = _full_event(capacity=1, waiting=1)
    services.cancel_registration(registration_id=seated[0].pk)
    promoted = Notification.objects.get(kind="event_promoted")
    promoted.deliveries.update(state="sent", sent_at=timezone.now())
    services.cancel_registration(registration_id=line[0].pk)
    assert Notification.objects.filter(pk=promoted.pk).exists()


# --- the admin calls the same services ----------------------------------------------------

def _admin_change(client, event, **changes):
    data = {
        "organizers": [str(u.pk) for u in event.organizers.all()],
        "title": event.title, "kind": event.kind, "location": event.location,
        "venue": "", "start_0": timezone.localtime(event.start).strftime("%Y-%m-%d"),
        "start_1": timezone.localtime(event.start).strftime("%H:%M:%S"),
        "end_0": timezone.localtime(event.end).strftime("%Y-%m-%d"),
        "end_1": timezone.localtime(event.end).strftime("%H:%M:%S"),
        "signup_deadline_0": timezone.localtime(event.signup_deadline).strftime("%Y-%m-%d"),
        "signup_deadline_1": timezone.localtime(event.signup_deadline).strftime("%H:%M:%S"),
        "capacity": str(event.capacity), "visibility": event.visibility,
        "description": event.description,
        "registrations-TOTAL_FORMS": "0", "registrations-INITIAL_FORMS": "0",
        "registrations-MIN_NUM_FORMS": "0", "registrations-MAX_NUM_FORMS": "1000",
    }
    data.update(changes)
    return client.post(reverse("admin:volunteers_event_change", args=[event.pk]), data)


def test_the_admin_raising_capacity_promotes_in_order(client, admin_user):
    event, _seated, line = _full_event(capacity=1, waiting=3)
    client.force_login(admin_user)
    response = _admin_change(client, event, capacity="3")
    assert response.status_code == 302, shown(response)
    assert [Registration.objects.get(pk=r.pk).state for r in line] == [
        "registered", "registered", "waitlisted"]
    assert Notification.objects.filter(kind="event_promoted").count() == 2
    # a newcomer now joins the end of the line, not ahead of it
    newcomer = services.register(event_id=event.pk, member=MemberFactory())
    assert (newcomer.state, newcomer.position) == ("waitlisted", 2)


def test_the_admin_refuses_a_capacity_below_the_seats_taken(client, admin_user):
    event, _seated, _line = _full_event(capacity=2, waiting=0)
    client.force_login(admin_user)
    response = _admin_change(client, event, capacity="0")
    assert response.status_code == 200
    assert "名额至少为 1 人。" in shown(response)
    response = _admin_change(client, event, capacity="1")
    assert "已有 2 人报名，名额不能少于 2；" in shown(response)
    event.refresh_from_db()
    assert event.capacity == 2


def test_the_admin_cancel_action_tells_everyone(client, admin_user):
    event, _seated, _line = _full_event(capacity=1, waiting=1)
    client.force_login(admin_user)
    url = reverse("admin:volunteers_event_changelist")
    refused = client.post(url, {"action": "cancel", "_selected_action": [str(event.pk)]},
                          follow=True)
    assert "取消活动须填写原因" in shown(refused)
    event.refresh_from_db()
    assert event.status == "published"
    client.post(url, {"action": "cancel", "_selected_action": [str(event.pk)],
                      "reason": "场地临时维修"})
    event.refresh_from_db()
    assert event.status == "cancelled"
    told = Notification.objects.filter(kind="event_cancelled")
    assert told.count() == 2 and "场地临时维修" in told.first().body


# --- coordinators in the admin ------------------------------------------------------------

def test_a_coordinator_runs_their_alliances_data_in_the_admin_without_the_staff_flag(client):
    mine = AllianceFactory()
    other = AllianceFactory(slug="other-admin", name="别的联盟", short_name="别的")
    coordinator = UserFactory(username="coord-admin", roles=["coordinator"],
                              roles__alliance=mine, is_staff=False)
    UnitFactory(alliance=mine, name="本联盟单位")
    UnitFactory(alliance=other, name="别的联盟单位")
    EventFactory(alliance=other, title="别的联盟活动")
    client.force_login(coordinator)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    text = shown(index)
    for model in ("单位", "成员", "阵地", "活动", "建言类别"):
        assert model in text, model
    units = shown(client.get(reverse("admin:alliance_unit_changelist")))
    assert "本联盟单位" in units and "别的联盟单位" not in units
    assert "别的联盟活动" not in shown(client.get(reverse("admin:volunteers_event_changelist")))
    assert client.get(reverse("admin:alliance_unit_add")).status_code == 200
    # what is not the alliance's data stays closed
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert client.get(reverse("admin:alliance_staffrole_changelist")).status_code == 403


def test_a_member_is_still_sent_to_the_admin_login(client, member_user):
    client.force_login(member_user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_coordinator_signs_in_to_the_admin_with_its_own_form(client):
    from tests.factories import PASSWORD

    UserFactory(username="coord-login", roles=["coordinator"], is_staff=False)
    response = client.post(reverse("admin:login"), {"username": "coord-login",
                                                    "password": PASSWORD,
                                                    "next": reverse("admin:index")})
    assert response.status_code == 302, shown(response)
    member = MemberFactory(user__username="member-login").user
    response = client.post(reverse("admin:login"), {"username": member.username,
                                                    "password": PASSWORD})
    assert response.status_code == 200


def test_leaving_a_cancelled_event_promotes_nobody():
    event, seated, line = _full_event(capacity=1, waiting=1)
    services.cancel_event(event_id=event.pk, actor=None, reason="场地维修")
    services.cancel_registration(registration_id=seated[0].pk)
    assert Registration.objects.get(pk=line[0].pk).state == "waitlisted"
    assert not Notification.objects.filter(kind="event_promoted").exists()


def test_an_event_is_completed_only_once_it_has_ended(client, coordinator):
    event = EventFactory(organizers=[UnitFactory()])
    client.force_login(coordinator)
    response = client.post(reverse("volunteers:edit", args=[event.pk]), {"action": "complete"})
    assert "活动尚未结束" in shown(response)
    event.refresh_from_db()
    assert event.status == "published"


def test_the_admin_keeps_a_cancelled_events_organizers(client, admin_user):
    unit, other = UnitFactory(), UnitFactory()
    event = EventFactory(organizers=[unit], cancelled=True)
    client.force_login(admin_user)
    _admin_change(client, event, organizers=[str(other.pk)], title="改了")
    event.refresh_from_db()
    assert list(event.organizers.all()) == [unit] and event.title != "改了"


def test_a_coordinator_cannot_link_an_account_to_a_member_in_the_admin(client):
    coordinator = UserFactory(username="coord-link", roles=["coordinator"])
    member = MemberFactory(user=None)
    stranger = UserFactory(username="someone-else")
    client.force_login(coordinator)
    page = client.get(reverse("admin:alliance_member_change", args=[member.pk]))
    assert page.status_code == 200
    assert 'name="user"' not in page.content.decode()
    client.post(reverse("admin:alliance_member_change", args=[member.pk]), {
        "name": member.name, "identity": member.identity, "phone": member.phone,
        "email": member.email, "user": str(stranger.pk), "is_active": "on",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0", "memberships-MAX_NUM_FORMS": "1000"})
    member.refresh_from_db()
    assert member.user_id is None


def test_a_promotion_read_in_the_inbox_stays_there_but_is_not_mailed_after_it_is_given_up():
    event, seated, line = _full_event(capacity=1, waiting=1)
    services.cancel_registration(registration_id=seated[0].pk)
    promoted = Notification.objects.get(kind="event_promoted")
    promoted.read_at = timezone.now()
    promoted.save()
    services.cancel_registration(registration_id=line[0].pk)
    assert Notification.objects.filter(pk=promoted.pk).exists()
    assert set(promoted.deliveries.values_list("state", flat=True)) == {"skipped"}


def test_the_header_links_a_coordinator_to_the_admin_and_not_a_member(client, member_user):
    coordinator = UserFactory(username="coord-header", roles=["coordinator"], is_staff=False)
    client.force_login(coordinator)
    assert "管理后台" in shown(client.get("/events/"))
    client.force_login(member_user)
    assert "管理后台" not in shown(client.get("/events/"))

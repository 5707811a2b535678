import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from tests.factories import (
    AllianceFactory,
    EventFactory,
    MemberFactory,
    MembershipFactory,
    UnitFactory,
)
from tests.visible import body_text
from volunteers import services
from volunteers.models import CalendarToken, Registration, ServiceRecord

pytestmark = pytest.mark.django_db


def test_list_shows_public_events_and_hides_members_only_from_anonymous(client):
    EventFactory(title="公开的活动")
    EventFactory(title="内部学习会", members_only=True)
    EventFactory(title="草稿活动", draft=True)
    html = client.get(reverse("volunteers:list")).content.decode()
    assert "公开的活动" in html
    assert "内部学习会" not in html and "草稿活动" not in html


def test_list_shows_members_only_events_to_a_logged_in_member(client, member_user):
    EventFactory(title="内部学习会", members_only=True)
    client.force_login(member_user)
    assert "内部学习会" in client.get(reverse("volunteers:list")).content.decode()


def test_list_filters_by_kind_unit_and_month_and_splits_past(client):
    unit = UnitFactory()
    soon = timezone.now() + datetime.timedelta(days=2)
    EventFactory(salon=True, title="沙龙甲", organizers=[unit], start=soon)
    EventFactory(title="学习乙", kind="study", start=soon)
    EventFactory(title="往期丙", start=timezone.now() - datetime.timedelta(days=40))
    url = reverse("volunteers:list")
    assert "学习乙" not in client.get(url, {"kind": "salon"}).content.decode()
    by_unit = client.get(url, {"unit": unit.pk}).content.decode()
    assert "沙龙甲" in by_unit and "学习乙" not in by_unit
    month = client.get(url, {"month": timezone.localtime(soon).strftime("%Y-%m")}).content.decode()
    assert "沙龙甲" in month and "往期丙" not in month
    past = client.get(url, {"when": "past"}).content.decode()
    assert "往期丙" in past and "沙龙甲" not in past


def _count_queries(client, url, django_assert_max_num_queries, n):
    with django_assert_max_num_queries(n) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_makes_the_same_number_of_queries_for_1_and_50_events(
        client, django_assert_max_num_queries, monkeypatch):
    from volunteers import views

    monkeypatch.setattr(views, "PAGE_SIZE", 50)
    unit = UnitFactory()
    EventFactory(organizers=[unit])
    url = reverse("volunteers:list")
    one = _count_queries(client, url, django_assert_max_num_queries, 12)
    for _ in range(49):
        EventFactory(organizers=[unit])
    fifty = client.get(url)
    assert fifty.content.decode().count('class="list-group-item list-group-item-action"') == 50
    with_more = _count_queries(client, url, django_assert_max_num_queries, 12)
    assert one == with_more


def test_members_only_event_is_404_for_anonymous_and_visible_to_members(client, member_user):
    event = EventFactory(members_only=True)
    assert client.get(event.get_absolute_url()).status_code == 404
    client.force_login(member_user)
    assert client.get(event.get_absolute_url()).status_code == 200


def test_register_and_cancel_through_the_page(client, member_user, event):
    client.force_login(member_user)
    client.post(reverse("volunteers:register", args=[event.pk]))
    reg = Registration.objects.get(event=event, member=member_user.member)
    assert reg.state == "registered"
    response = client.post(reverse("volunteers:register", args=[event.pk]), follow=True)
    assert "请勿重复报名" in response.content.decode()
    client.post(reverse("volunteers:cancel", args=[event.pk]))
    reg.refresh_from_db()
    assert reg.state == "cancelled"


def test_anonymous_register_is_sent_to_login(client, event):
    response = client.post(reverse("volunteers:register", args=[event.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Registration.objects.exists()


def test_register_get_is_not_allowed(client, member_user, event):
    client.force_login(member_user)
    assert client.get(reverse("volunteers:register", args=[event.pk])).status_code == 405


def test_public_feed_parses_and_carries_shanghai_times(client):
    start = timezone.make_aware(datetime.datetime(2030, 5, 1, 1, 30), datetime.UTC)
    EventFactory(title="端午联谊", start=start, signup_deadline=start)
    EventFactory(title="内部会", members_only=True, start=start, signup_deadline=start)
    EventFactory(title="草稿", draft=True, start=start, signup_deadline=start)
    response = client.get(reverse("volunteers:feed"))
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["端午联谊"]
    dtstart = events[0]["DTSTART"]
    assert dtstart.params["TZID"] == "Asia/Shanghai"
    assert dtstart.dt.replace(tzinfo=None) == datetime.datetime(2030, 5, 1, 9, 30)


def test_private_feed_lists_my_events_by_token_and_a_wrong_token_is_404(client):
    member = MemberFactory()
    mine = EventFactory(title="我报名的活动", members_only=True)
    EventFactory(title="别人的活动")
    services.register(event_id=mine.pk, member=member)
    token = CalendarToken.objects.create(member=member)
    cal = Calendar.from_ical(client.get(reverse("volunteers:member_feed",
                                                args=[token.token])).content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["我报名的活动"]
    assert client.get(reverse("volunteers:member_feed", args=["nope"])).status_code == 404


def _roster(event, n):
    regs = []
    for _ in range(n):
        regs.append(services.register(event_id=event.pk, member=MemberFactory()))
    return regs


def test_attendance_page_is_404_for_members_and_other_liaisons(client, member_user, event,
                                                               liaison):
    url = reverse("volunteers:attendance", args=[event.pk])
    assert client.get(url).status_code in (302, 404)
    client.force_login(member_user)
    assert client.get(url).status_code == 404
    client.force_login(liaison)
    assert client.get(url).status_code == 404


def test_organizing_units_liaison_checks_everyone_in_with_all_present(client, liaison):
    event = EventFactory(organizers=[liaison.liaison_unit])
    regs = _roster(event, 3)
    client.force_login(liaison)
    url = reverse("volunteers:attendance", args=[event.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"action": "all", "hours": "3"})
    assert set(Registration.objects.filter(pk__in=[r.pk for r in regs])
               .values_list("state", flat=True)) == {"attended"}
    assert list(ServiceRecord.objects.filter(event=event).values_list("hours", flat=True)) == [
        Decimal("3.0")] * 3


def test_attendance_rejects_bad_hours_beside_the_field(client, coordinator, event):
    _roster(event, 1)
    client.force_login(coordinator)
    url = reverse("volunteers:attendance", args=[event.pk])
    response = client.post(url, {"action": "all", "hours": "99"})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not ServiceRecord.objects.exists()


def test_attendance_page_makes_the_same_number_of_queries_for_1_and_50_rows(
        client, coordinator, django_assert_max_num_queries):
    event = EventFactory(capacity=60)
    _roster(event, 1)
    client.force_login(coordinator)
    url = reverse("volunteers:attendance", args=[event.pk])
    one = _count_queries(client, url, django_assert_max_num_queries, 15)
    _roster(event, 49)
    services.check_in(event_id=event.pk, actor=coordinator, registration_ids=list(
        Registration.objects.filter(event=event).values_list("pk", flat=True)))
    fifty = _count_queries(client, url, django_assert_max_num_queries, 15)
    assert one == fifty


def test_correction_needs_a_reason_and_only_staff_may_correct(client, coordinator, member_user,
                                                             event):
    record = ServiceRecord.objects.create(member=member_user.member, event=event,
                                          hours=Decimal("2"), verified=True)
    url = reverse("volunteers:correct", args=[record.pk])
    client.force_login(member_user)
    assert client.get(url).status_code == 404
    client.force_login(coordinator)
    response = client.post(url, {"hours": "4", "reason": ""})
    assert response.status_code == 200 and 'value="4"' in response.content.decode()
    client.post(url, {"hours": "4", "reason": "补录准备工作"})
    record.refresh_from_db()
    assert record.hours == Decimal("4.0")


def test_hours_summary_is_for_the_member_and_staff_only(client, member_user,
                                                        other_member_user, coordinator, event):
    record = ServiceRecord.objects.create(member=member_user.member, event=event,
                                          hours=Decimal("2.5"), verified=True)
    services.correct_hours(record_id=record.pk, hours=Decimal("3"), reason="补录",
                           actor=coordinator)
    url = reverse("volunteers:hours_summary", args=[member_user.member.pk])
    client.force_login(other_member_user)
    assert client.get(url).status_code == 404
    client.force_login(member_user)
    html = client.get(url).content.decode()
    assert 'data-testid="year-total">3.0<' in html and "补录" in html
    assert "onclick" not in html and "volunteers/print.js" in html
    client.force_login(coordinator)
    assert client.get(url).status_code == 200


def test_me_shows_my_registrations_and_hours(client, member_user, event):
    services.register(event_id=event.pk, member=member_user.member)
    ServiceRecord.objects.create(member=member_user.member, event=event, hours=Decimal("2"),
                                 verified=True)
    client.force_login(member_user)
    html = client.get(reverse("me")).content.decode()
    assert event.title in html and "2.0 小时" in html


def test_unit_page_shows_team_hour_totals_without_names(client):
    unit = UnitFactory(kind="volunteer_team")
    membership = MembershipFactory(unit=unit)
    event = EventFactory(organizers=[unit])
    ServiceRecord.objects.create(member=membership.member, event=event, hours=Decimal("4"),
                                 verified=True)
    html = client.get(unit.get_absolute_url()).content.decode()
    assert 'data-testid="unit-hours"' in html and "4.0" in html
    assert membership.member.name not in html


def test_home_lists_upcoming_public_events_only(client):
    EventFactory(title="公开活动甲")
    EventFactory(title="内部活动乙", members_only=True)
    html = client.get("/").content.decode()
    assert "公开活动甲" in html and "内部活动乙" not in html


def test_full_event_puts_the_member_on_the_waiting_list_with_a_message(client, member_user):
    event = EventFactory(capacity=1)
    services.register(event_id=event.pk, member=MemberFactory())
    client.force_login(member_user)
    response = client.post(reverse("volunteers:register", args=[event.pk]), follow=True)
    assert "候补名单（第 1 位）" in response.content.decode()
    assert Registration.objects.get(member=member_user.member).state == "waitlisted"


def test_detail_offers_check_in_to_the_organizing_liaison_only(client, liaison, member_user):
    event = EventFactory(organizers=[liaison.liaison_unit])
    client.force_login(member_user)
    assert 'data-testid="attendance-link"' not in client.get(
        event.get_absolute_url()).content.decode()
    client.force_login(liaison)
    assert 'data-testid="attendance-link"' in client.get(
        event.get_absolute_url()).content.decode()


def test_list_shows_the_portal_alliance_only_with_its_units(client):
    home = UnitFactory(name="中远侨联")
    other = AllianceFactory(slug="district-02", name="另一个联盟", short_name="另一个")
    away = UnitFactory(alliance=other, name="外联盟单位", slug="away")
    EventFactory(title="本联盟活动", organizers=[home])
    EventFactory(title="别的联盟活动", alliance=other, organizers=[away])
    html = client.get("/events/").content.decode()
    assert "本联盟活动" in html and "别的联盟活动" not in html
    assert "中远侨联" in html and "外联盟单位" not in html


def test_list_names_each_events_own_organizers_in_the_units_order(client):
    # Read per page rather than prefetched: each row names its own units in the units'
    # order, an inactive organizer too, as the unit names itself (its short name if any).
    second = UnitFactory(name="上海市第二人民医院", order=2)  # created first, listed second
    first = UnitFactory(name="宜川路街道侨联", short_name="侨联", order=1)
    retired = UnitFactory(name="已停用的志愿队", is_active=False)
    soon = timezone.now() + datetime.timedelta(days=2)
    EventFactory(title="联办义诊", organizers=[second, first], start=soon)
    EventFactory(title="老队员聚会", organizers=[retired], start=soon + datetime.timedelta(hours=3))
    EventFactory(title="无主办活动", start=soon + datetime.timedelta(hours=6))
    text = body_text(client.get("/events/"))

    def row(title):
        return text[text.index(title):].split("已报", 1)[0]

    assert "侨联、上海市第二人民医院" in row("联办义诊")
    assert "已停用的志愿队" in row("老队员聚会") and "侨联" not in row("老队员聚会")
    assert "侨联" not in row("无主办活动") and "已停用的志愿队" not in row("无主办活动")
    assert "宜川路街道侨联" not in text

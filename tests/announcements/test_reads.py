import pytest
from django.utils import timezone

from announcements import selectors, services
from announcements.models import Announcement, AnnouncementRead
from notifications.models import Notification
from tests.factories import AnnouncementFactory, MemberFactory, MembershipFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    """Hand-counted: A has a1 a2 a3 s, B has s b1 b2, C has c1 c2; l belongs to no unit;
    x (inactive) and y (no account) are in A but cannot read. a1, s and l have read."""
    units = {name: UnitFactory(name=f"单位{name}", order=i) for i, name in enumerate("ABC")}
    people = {}

    def person(name, *unit_names, **kwargs):
        member = MemberFactory(name=name, **kwargs)
        for unit_name in unit_names:
            MembershipFactory(member=member, unit=units[unit_name])
        people[name] = member
        return member

    for name in ("a1", "a2", "a3"):
        person(name, "A")
    person("s", "A", "B")
    person("b1", "B")
    person("b2", "B")
    person("c1", "C")
    person("c2", "C")
    person("l")
    person("x", "A", is_active=False)
    person("y", "A", user=None)
    return units, people


def read_by(announcement, people, *names):
    for name in names:
        services.mark_read(user=people[name].user, announcement=announcement)


def test_read_rates_per_unit_match_the_hand_count(district, coordinator):
    units, people = district
    a = AnnouncementFactory(members_only=True, alliance=units["A"].alliance)
    read_by(a, people, "a1", "s", "l", "x")
    services.mark_read(user=coordinator, announcement=a)  # not an audience member

    rows = {r["unit_name"]: (r["total"], r["read"], r["rate"])
            for r in selectors.read_rate_by_unit(a)}
    assert rows == {"单位A": (4, 2, 50.0), "单位B": (3, 1, 33.3), "单位C": (2, 0, 0.0),
                    None: (1, 1, 100.0)}
    assert selectors.read_totals(a) == {"total": 9, "read": 3, "rate": 33.3}
    assert sorted(m.name for m in selectors.unread_members(a)) == [
        "a2", "a3", "b1", "b2", "c1", "c2"]


def test_unit_announcement_counts_only_the_chosen_units(district):
    units, people = district
    a = AnnouncementFactory(audience=Announcement.Audience.UNITS, units=[units["A"], units["C"]],
                            alliance=units["A"].alliance)
    read_by(a, people, "a1", "s", "b1")
    rows = {r["unit_name"]: (r["total"], r["read"]) for r in selectors.read_rate_by_unit(a)}
    assert rows == {"单位A": (4, 2), "单位C": (2, 0)}
    assert selectors.read_totals(a)["total"] == 6


def test_a_visit_marks_read_once(client, member_user):
    a = AnnouncementFactory(members_only=True)
    client.force_login(member_user)
    client.get(a.get_absolute_url())
    client.get(a.get_absolute_url())
    assert AnnouncementRead.objects.filter(announcement=a, user=member_user).count() == 1
    assert services.mark_read(user=member_user, announcement=a) is False


def test_public_announcements_are_not_tracked(client, member_user):
    a = AnnouncementFactory()
    client.force_login(member_user)
    client.get(a.get_absolute_url())
    assert not AnnouncementRead.objects.exists()


def test_reads_page_is_for_coordinators_only(client, member_user, handler_user, coordinator):
    a = AnnouncementFactory(members_only=True)
    url = f"/announcements/{a.pk}/reads/"
    assert client.get(url).status_code == 302  # to the login page
    for user in (member_user, handler_user):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(f"{url}remind/").status_code == 404
    client.force_login(coordinator)
    assert client.get(url).status_code == 200
    public = AnnouncementFactory()
    assert client.get(f"/announcements/{public.pk}/reads/").status_code == 404


def test_reads_page_makes_a_fixed_number_of_queries(client, district, coordinator,
                                                    django_assert_max_num_queries):
    units, people = district
    a = AnnouncementFactory(members_only=True, alliance=units["A"].alliance)
    client.force_login(coordinator)
    client.get(f"/announcements/{a.pk}/reads/")  # warm the session and roles
    with django_assert_max_num_queries(20) as few:
        response = client.get(f"/announcements/{a.pk}/reads/")
    assert "已读 0 / 9 人" in response.text
    for i in range(30):
        MembershipFactory(unit=units["B" if i % 2 else "C"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(f"/announcements/{a.pk}/reads/")
    assert "已读 0 / 39 人" in response.text


def test_reminder_goes_to_unread_members_once_a_day(district, coordinator, time_machine):
    units, people = district
    a = AnnouncementFactory(members_only=True, alliance=units["A"].alliance)
    read_by(a, people, "a1", "s", "l")
    assert services.remind_unread(actor=coordinator, announcement=a) == 6
    assert services.remind_unread(actor=coordinator, announcement=a) == 0
    recipients = set(Notification.objects.filter(kind="announcement_unread")
                     .values_list("recipient__member__name", flat=True))
    assert recipients == {"a2", "a3", "b1", "b2", "c1", "c2"}
    time_machine.move_to(timezone.now() + timezone.timedelta(days=1))
    read_by(a, people, "a2")
    assert services.remind_unread(actor=coordinator, announcement=a) == 5


def test_reminder_is_refused_to_non_coordinators_and_for_public_ones(member_user, coordinator):
    a = AnnouncementFactory(members_only=True)
    with pytest.raises(services.AnnouncementError):
        services.remind_unread(actor=member_user, announcement=a)
    with pytest.raises(services.AnnouncementError):
        services.remind_unread(actor=coordinator, announcement=AnnouncementFactory())
    assert not Notification.objects.exists()


def test_remind_button_reports_how_many_were_sent(client, coordinator, member_user):
    a = AnnouncementFactory(members_only=True, alliance=member_user.member.alliance)
    client.force_login(coordinator)
    response = client.post(f"/announcements/{a.pk}/reads/remind/", follow=True)
    assert "已向 1 位未读成员发送提醒" in response.text
    response = client.post(f"/announcements/{a.pk}/reads/remind/", follow=True)
    assert "今天已经提醒过" in response.text


def test_me_lists_unread_members_only_announcements_until_opened(client, member_user):
    a = AnnouncementFactory(members_only=True, title="请阅读的成员通知")
    AnnouncementFactory(title="公开的公告不在此列")
    client.force_login(member_user)
    text = client.get("/me/").text
    assert "请阅读的成员通知" in text and "公开的公告不在此列" not in text
    client.get(a.get_absolute_url())
    assert "请阅读的成员通知" not in client.get("/me/").text

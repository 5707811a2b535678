import feedparser
import pytest
from django.utils import timezone

from announcements.models import Announcement
from tests.factories import AnnouncementFactory, MembershipFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_public_announcement_opens_for_anyone(client):
    a = AnnouncementFactory(title="垃圾分类宣传月")
    response = client.get(a.get_absolute_url())
    assert response.status_code == 200
    assert "垃圾分类宣传月" in response.text


def test_members_only_announcement_is_404_for_anonymous_and_non_members(client):
    a = AnnouncementFactory(members_only=True, title="成员内部通知")
    assert client.get(a.get_absolute_url()).status_code == 404
    client.force_login(UserFactory(username="outsider"))
    assert client.get(a.get_absolute_url()).status_code == 404
    assert client.get(f"{a.get_absolute_url()}print/").status_code == 404
    assert "成员内部通知" not in client.get("/announcements/").text


def test_members_only_announcement_opens_for_a_member(client, member_user):
    a = AnnouncementFactory(members_only=True, title="成员内部通知")
    client.force_login(member_user)
    assert client.get(a.get_absolute_url()).status_code == 200
    assert "成员内部通知" in client.get("/announcements/").text


def test_unit_announcement_is_404_for_members_of_other_units(client):
    unit, other = UnitFactory(), UnitFactory()
    inside = MembershipFactory(unit=unit).member.user
    outside = MembershipFactory(unit=other).member.user
    a = AnnouncementFactory(audience=Announcement.Audience.UNITS, units=[unit], title="分会通知")
    client.force_login(outside)
    assert client.get(a.get_absolute_url()).status_code == 404
    assert "分会通知" not in client.get("/announcements/").text
    client.force_login(inside)
    assert client.get(a.get_absolute_url()).status_code == 200
    assert "分会通知" in client.get("/announcements/").text


def test_scheduled_announcement_is_hidden_until_its_publish_time(client, coordinator, time_machine):
    a = AnnouncementFactory(title="下周发布", publish_at=timezone.now() + timezone.timedelta(days=2))
    assert client.get(a.get_absolute_url()).status_code == 404
    assert "下周发布" not in client.get("/announcements/").text
    assert "下周发布" not in client.get("/announcements/feed/").text
    client.force_login(coordinator)
    assert client.get(a.get_absolute_url()).status_code == 200  # coordinators preview it
    client.logout()
    time_machine.move_to(timezone.now() + timezone.timedelta(days=3))
    assert client.get(a.get_absolute_url()).status_code == 200


def test_feed_parses_and_lists_only_public_announcements(client):
    AnnouncementFactory(title="公开的政策宣传", kind=Announcement.Kind.POLICY)
    AnnouncementFactory(title="成员专属", members_only=True)
    AnnouncementFactory(title="单位专属", audience=Announcement.Audience.UNITS,
                        units=[UnitFactory()])
    for url in ("/announcements/feed/", "/announcements/feed/rss/"):
        parsed = feedparser.parse(client.get(url).content)
        assert not parsed.bozo, parsed.bozo_exception
        titles = [entry.title for entry in parsed.entries]
        assert titles == ["公开的政策宣传"]
        assert parsed.entries[0].link.endswith(
            Announcement.objects.get(title="公开的政策宣传").get_absolute_url())
    assert feedparser.parse(client.get("/announcements/feed/").content).version == "atom10"


def test_list_filters_by_kind_and_keyword(client):
    AnnouncementFactory(title="端午活动动态", kind=Announcement.Kind.NEWS)
    AnnouncementFactory(title="侨法宣传月", kind=Announcement.Kind.POLICY)
    text = client.get("/announcements/", {"kind": "news"}).text
    assert "端午活动动态" in text and "侨法宣传月" not in text
    text = client.get("/announcements/", {"q": "侨法"}).text
    assert "侨法宣传月" in text and "端午活动动态" not in text


def test_list_is_paginated_and_pinned_first(client):
    for i in range(20):
        AnnouncementFactory(title=f"普通公告{i:02d}")
    AnnouncementFactory(title="置顶公告", pinned_notice=True,
                        publish_at=timezone.now() - timezone.timedelta(days=30))
    first = client.get("/announcements/")
    assert first.context["announcements"][0].title == "置顶公告"
    assert len(first.context["announcements"]) == 15
    assert len(client.get("/announcements/", {"page": 2}).context["announcements"]) == 6


def test_list_makes_a_fixed_number_of_queries(client, member_user, django_assert_max_num_queries):
    client.force_login(member_user)
    for i in range(3):
        AnnouncementFactory(members_only=True, title=f"a{i}")
    with django_assert_max_num_queries(12) as few:
        client.get("/announcements/")
    for i in range(25):
        AnnouncementFactory(members_only=True, title=f"b{i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/announcements/")


def test_home_shows_latest_public_announcements_only(client):
    AnnouncementFactory(title="首页公开公告")
    AnnouncementFactory(title="首页成员公告", members_only=True)
    text = client.get("/").text
    assert "首页公开公告" in text and "首页成员公告" not in text

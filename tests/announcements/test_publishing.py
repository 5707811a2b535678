import pytest

from announcements import services
from announcements.models import Announcement
from tests.factories import AllianceFactory, AnnouncementFactory, UnitFactory

pytestmark = pytest.mark.django_db


def test_coordinator_publishes_through_the_portal_form(client, coordinator):
    alliance = AllianceFactory()
    client.force_login(coordinator)
    response = client.post("/announcements/new/", {
        "title": "关于召开汇智沙龙的通知", "kind": "notice", "audience": "members",
        "body": "请**准时**参加 <script>x</script>",
    })
    a = Announcement.objects.get()
    assert response.status_code == 302 and response["Location"] == a.get_absolute_url()
    assert a.author == coordinator and a.alliance == alliance
    assert "<strong>准时</strong>" in a.body_html and "<script" not in a.body_html


def test_portal_form_keeps_input_and_shows_the_error_beside_the_field(client, coordinator):
    AllianceFactory()
    client.force_login(coordinator)
    response = client.post("/announcements/new/", {
        "title": "分会通知", "kind": "notice", "audience": "units", "body": "x",
    })
    assert response.status_code == 200
    assert "请至少选择一个单位" in response.text
    assert 'value="分会通知"' in response.text
    assert not Announcement.objects.exists()


def test_portal_form_is_404_for_members(client, member_user):
    client.force_login(member_user)
    assert client.get("/announcements/new/").status_code == 404
    assert client.post("/announcements/new/", {"title": "x"}).status_code == 404


def test_publishing_is_refused_to_non_coordinators(member_user):
    with pytest.raises(services.AnnouncementError):
        services.publish_announcement(actor=member_user, alliance=AllianceFactory(), title="x",
                                      body="", kind="notice", audience="public")


def test_publishing_for_units_keeps_the_units(coordinator):
    unit = UnitFactory()
    a = services.publish_announcement(actor=coordinator, alliance=unit.alliance, title="x",
                                      body="", kind="news", audience="units", units=[unit])
    assert list(a.units.all()) == [unit]


def test_admin_lists_and_previews_announcements_for_a_coordinator(client, coordinator):
    a = AnnouncementFactory(body="**要点** <img src=x onerror=alert(1)>")
    client.force_login(coordinator)
    assert client.get("/admin/announcements/announcement/").status_code == 200
    response = client.get(f"/admin/announcements/announcement/{a.pk}/change/")
    assert response.status_code == 200
    assert "<strong>要点</strong>" in response.text and "onerror" not in response.text.split(
        'class="announcement-preview"')[1].split("</div>")[0]


def test_admin_live_preview_renders_sanitized_markdown(client, coordinator, member_user):
    url = "/admin/announcements/announcement/preview/"
    hostile = "**要点** <script>alert(1)</script> [x](javascript:alert(1))"
    client.force_login(coordinator)
    response = client.post(url, {"body": hostile})
    assert response.status_code == 200
    assert "<strong>要点</strong>" in response.text
    assert "<script" not in response.text and "javascript:" not in response.text
    assert client.get(url).status_code == 405
    client.force_login(member_user)
    assert client.post(url, {"body": hostile}).status_code in (302, 403)


def test_admin_form_carries_the_preview_button(client, coordinator):
    client.force_login(coordinator)
    text = client.get("/admin/announcements/announcement/add/").text
    assert "announcements/admin_preview.js" in text
    assert 'data-preview-url="/admin/announcements/announcement/preview/"' in text

import pytest
from django.urls import reverse

from notifications.models import Delivery, Notification, Preference
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify(user, key, url="/suggestions/ZTC-2026-00001/"):
    return notify(recipient=user, kind="reply_overdue", key=key, subject=f"通知{key}",
                  body="正文", url=url)


def test_unread_count_shows_in_the_navigation_with_one_query(client, member_user,
                                                             django_assert_num_queries):
    _notify(member_user, "a")
    _notify(member_user, "b")
    client.force_login(member_user)
    response = client.get(reverse("notifications:inbox"))
    assert b'data-testid="unread-count">2<' in response.content
    from notifications.context_processors import unread

    class Request:
        user = member_user

    context = unread(Request())
    with django_assert_num_queries(1):
        assert str(context["unread_notifications"]) == "2"


def test_badge_stops_counting_at_99(client, member_user):
    for n in range(101):
        _notify(member_user, f"k{n}")
    client.force_login(member_user)
    response = client.get(reverse("notifications:inbox"))
    assert b'data-testid="unread-count">99+<' in response.content
    keep = Notification.objects.filter(recipient=member_user).order_by("pk").values("pk")[:99]
    Notification.objects.filter(recipient=member_user).exclude(pk__in=keep).update(
        read_at="2026-01-01T00:00:00Z")
    response = client.get(reverse("notifications:inbox"))
    assert b'data-testid="unread-count">99<' in response.content


def test_no_badge_when_everything_is_read(client, member_user):
    _notify(member_user, "a")
    Notification.objects.update(read_at="2026-01-01T00:00:00Z")
    client.force_login(member_user)
    assert b'data-testid="unread-count"' not in client.get(reverse("notifications:inbox")).content


def test_inbox_lists_only_my_notifications(client, member_user, other_member_user):
    _notify(member_user, "mine")
    _notify(other_member_user, "theirs")
    client.force_login(member_user)
    content = client.get(reverse("notifications:inbox")).content.decode()
    assert "通知mine" in content
    assert "通知theirs" not in content


def test_inbox_needs_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_me_page_shows_the_inbox_section(client, member_user):
    _notify(member_user, "hello")
    client.force_login(member_user)
    content = client.get(reverse("me")).content.decode()
    assert 'data-testid="me-inbox"' in content
    assert "通知hello" in content
    assert 'data-testid="failed-deliveries"' not in content


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(client, member_user):
    notification = _notify(member_user, "a")
    client.force_login(member_user)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == "/suggestions/ZTC-2026-00001/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_opening_never_redirects_off_site(client, member_user):
    notification = _notify(member_user, "a", url="https://evil.example/")
    client.force_login(member_user)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:inbox")


def test_someone_elses_notification_is_404_and_stays_unread(client, member_user,
                                                           other_member_user):
    notification = _notify(other_member_user, "a")
    client.force_login(member_user)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_open_refuses_get(client, member_user):
    notification = _notify(member_user, "a")
    client.force_login(member_user)
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 405


def test_mark_all_read_touches_only_mine(client, member_user, other_member_user):
    _notify(member_user, "a")
    _notify(member_user, "b")
    theirs = _notify(other_member_user, "c")
    client.force_login(member_user)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.for_user(member_user).unread().exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_preferences_turn_email_off_for_one_kind(client, member_user):
    client.force_login(member_user)
    response = client.get(reverse("notifications:preferences"))
    assert response.status_code == 200
    response = client.post(reverse("notifications:preferences"), {
        "language": "en", "email_kinds": ["accept_overdue", "other"],
    })
    assert response.status_code == 302
    preference = Preference.objects.get(user=member_user)
    assert preference.language == "en"
    assert "reply_overdue" in preference.email_muted
    assert "accept_overdue" not in preference.email_muted
    muted = _notify(member_user, "x")
    assert Notification.objects.filter(pk=muted.pk).exists()  # the inbox always
    assert not muted.deliveries.exists()


def test_preferences_reject_an_unknown_language_and_keep_the_input(client, member_user):
    client.force_login(member_user)
    response = client.post(reverse("notifications:preferences"), {
        "language": "xx", "email_kinds": ["accept_overdue"],
    })
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not Preference.objects.filter(user=member_user).exists()


def test_failed_deliveries_are_visible_to_coordinators_only(client, member_user, coordinator):
    notification = _notify(member_user, "a")
    notification.deliveries.update(state=Delivery.State.FAILED, attempts=6,
                                   last_error="SMTP 550 mailbox unavailable")
    client.force_login(member_user)
    assert client.get(reverse("notifications:failed")).status_code == 404
    client.force_login(coordinator)
    assert 'data-testid="failed-deliveries"' in client.get(reverse("me")).content.decode()
    content = client.get(reverse("notifications:failed")).content.decode()
    assert "SMTP 550 mailbox unavailable" in content


def test_coordinator_can_retry_a_failed_delivery(client, member_user, coordinator):
    notification = _notify(member_user, "a")
    row = notification.deliveries.get()
    notification.deliveries.update(state=Delivery.State.FAILED, attempts=6)
    client.force_login(member_user)
    assert client.post(reverse("notifications:failed"), {"delivery": [row.pk]}).status_code == 404
    client.force_login(coordinator)
    client.post(reverse("notifications:failed"), {"delivery": [row.pk]})
    row.refresh_from_db()
    assert (row.state, row.attempts) == (Delivery.State.PENDING, 0)


def test_member_cannot_retry_by_posting(client, member_user):
    other = UserFactory()
    notification = _notify(other, "a")
    notification.deliveries.update(state=Delivery.State.FAILED)
    client.force_login(member_user)
    client.post(reverse("notifications:failed"), {"delivery": [notification.deliveries.get().pk]})
    assert notification.deliveries.get().state == Delivery.State.FAILED

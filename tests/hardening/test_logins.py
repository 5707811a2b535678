"""Login hardening: lockout on both logins, audit trail, session rotation, staff idle timeout."""

import datetime

import pytest
import time_machine
from django.contrib.sessions.models import Session

from audit.models import AuditEntry
from tests.factories import PASSWORD, AllianceFactory, MemberFactory, UserFactory
from tests.visible import body_text

pytestmark = pytest.mark.django_db

LOGINS = {
    "allauth": ("/accounts/login/", "login"),
    "admin": ("/admin/login/?next=/admin/", "username"),
}


def attempt(client, which, username, password, ip="203.0.113.7"):
    url, field = LOGINS[which]
    return client.post(url, {field: username, "password": password}, REMOTE_ADDR=ip)


def assert_refused(response, client):
    """Refused with a lockout message: django-axes' page (429), or allauth's rate limit,
    which answers first on its own login form within its short window."""
    html = response.content.decode()
    assert "_auth_user_id" not in client.session
    assert (response.status_code == 429 and "暂时锁定" in html) or (
        response.status_code == 200 and "登录失败次数过多" in html), response.status_code


@pytest.mark.parametrize("which", ["allauth", "admin"])
def test_twenty_wrong_passwords_lock_account_and_address_for_the_cooloff(client, which):
    user = UserFactory(username="zhao", roles=["coordinator"], is_staff=True)
    for _ in range(20):
        attempt(client, which, "zhao", "wrong-password")
    # the right password is refused while locked, from the same address…
    assert_refused(attempt(client, which, "zhao", PASSWORD), client)
    # …and the account is locked from another address too
    assert_refused(attempt(client, which, "zhao", PASSWORD, ip="198.51.100.9"), client)
    # and the address is locked for another account
    UserFactory(username="qian")
    assert_refused(attempt(client, which, "qian", PASSWORD), client)
    assert AuditEntry.objects.filter(kind="locked_out").exists()
    assert AuditEntry.objects.filter(kind="login_failed", username="zhao").count() >= 5

    # after the finite cool-off the right password works again
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=1),
                             tick=False):
        response = attempt(client, which, "zhao", PASSWORD, ip="198.51.100.10")
        assert response.status_code == 302
    assert user.pk == int(client.session["_auth_user_id"])


def test_a_few_wrong_passwords_do_not_lock(client):
    UserFactory(username="sun")
    for _ in range(3):
        assert attempt(client, "allauth", "sun", "nope").status_code == 200
    assert attempt(client, "allauth", "sun", PASSWORD).status_code == 302


def test_successful_login_is_audited_and_rotates_the_session_key(client):
    UserFactory(username="li")
    client.get("/")
    client.cookies  # noqa: B018 - an anonymous session may or may not exist
    before = client.session.session_key
    attempt(client, "allauth", "li", PASSWORD)
    assert client.session.session_key != before
    entry = AuditEntry.objects.get(kind="login")
    assert entry.username == "li" and entry.ip_address == "203.0.113.7"


def test_logout_ends_the_session_on_the_server(client):
    UserFactory(username="zhou")
    attempt(client, "allauth", "zhou", PASSWORD)
    key = client.session.session_key
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert AuditEntry.objects.filter(kind="logout", username="zhou").exists()


def test_staff_are_logged_out_after_idle_timeout(client, settings):
    settings.STAFF_IDLE_TIMEOUT = 600
    UserFactory(username="wu", roles=["handler"])
    attempt(client, "allauth", "wu", PASSWORD)
    assert client.get("/me/").status_code == 200
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=11)
    with time_machine.travel(later, tick=False):
        response = client.get("/me/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_staff_activity_is_written_once_a_minute_and_keeps_the_session_alive(client,
                                                                            settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.STAFF_IDLE_TIMEOUT = 600
    UserFactory(username="qian", roles=["coordinator"])
    start = datetime.datetime.now(datetime.UTC)
    with time_machine.travel(start, tick=False):
        attempt(client, "allauth", "qian", PASSWORD)
    for minutes in (0.5, 5, 9.5, 15, 19):  # never 10 minutes idle
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False), \
                CaptureQueriesContext(connection) as ctx:
            assert client.get("/me/").status_code == 200
        writes = [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE \"django_session")]
        assert len(writes) == (0 if minutes == 0.5 else 1), minutes


def test_members_are_not_subject_to_the_staff_idle_timeout(client, settings):
    settings.STAFF_IDLE_TIMEOUT = 600
    UserFactory(username="zheng", roles=["member"])
    attempt(client, "allauth", "zheng", PASSWORD)
    client.get("/me/")
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=30)
    with time_machine.travel(later, tick=False):
        assert client.get("/me/").status_code == 200


def test_audit_log_is_for_coordinators_only(client, coordinator, member_user):
    AuditEntry.objects.create(kind="login_failed", user=member_user,
                              username="<script>x</script>")
    elsewhere = MemberFactory(alliance=AllianceFactory(slug="changfeng", short_name="长风"),
                              user__username="changfeng-member").user
    AuditEntry.objects.create(kind="login_failed", user=elsewhere, username="changfeng-member")
    AuditEntry.objects.create(kind="login_failed", username="nobody-known")
    client.force_login(member_user)
    assert client.get("/audit/").status_code == 404
    client.force_login(coordinator)
    response = client.get("/audit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    # The sign-ins of another alliance's people, and of names nobody holds, are not theirs.
    assert "changfeng-member" not in body_text(response)
    assert "nobody-known" not in body_text(response)


def test_audit_log_query_count_is_bounded(client, coordinator, django_assert_max_num_queries):
    AuditEntry.objects.bulk_create([AuditEntry(kind="login", username=f"u{i}") for i in range(120)])
    client.force_login(coordinator)
    # session, user, groups, unread count, count + page of entries, and slack of one
    with django_assert_max_num_queries(9):
        assert client.get("/audit/?page=2").status_code == 200

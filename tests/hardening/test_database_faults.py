"""The PostgreSQL connection dies under the portal: the request it kills fails whole (nothing
half-written), and the next request on the same process succeeds without a restart,
writing exactly one row — nothing lost, nothing doubled.

Requests go through Django's WSGIHandler in this thread, as a sync worker serves them: the
request_started/request_finished signals run close_old_connections, which the test client
switches off. The connection is made persistent (CONN_MAX_AGE, as in production) so that a
dead one would otherwise be reused. A second, plain psycopg2 connection kills the portal's
backend with pg_terminate_backend and counts the rows."""

import time
import uuid

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.db.models.signals import post_save
from django.test import Client, RequestFactory

from proposals.models import Suggestion
from tests.factories import CategoryFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="kills a PostgreSQL backend: run with DATABASE_URL=postgres://… (CI does)")

CSRF = "f" * 32


@pytest.fixture
def persistent():
    """The portal's connection kept between requests, as production's CONN_MAX_AGE does."""
    saved = {key: connection.settings_dict[key]
             for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 60
    yield connection.settings_dict
    connection.close()
    connection.settings_dict.update(saved)


@pytest.fixture
def portal():
    """A member's browser: session cookie, CSRF cookie and header, and a coordinator who is
    notified of each new suggestion."""
    member = MemberFactory(user__username="fault-member")
    category = CategoryFactory(alliance=member.alliance)
    UserFactory(username="fault-coord", roles=["coordinator"], is_staff=True)
    browser = Client()
    browser.force_login(member.user)
    cookie = (f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
              f"; {settings.CSRF_COOKIE_NAME}={CSRF}")
    handler = WSGIHandler()
    factory = RequestFactory(HTTP_COOKIE=cookie, HTTP_X_CSRFTOKEN=CSRF)

    def request(method, path, data=None):
        environ = getattr(factory, method)(path, data or {}).environ
        status = []
        response = handler(environ, lambda s, headers, exc_info=None: status.append(s))
        try:
            b"".join(response)
        finally:
            response.close()  # fires request_finished, like a WSGI server
        return int(status[0].split()[0])

    def submit(token):
        return request("post", "/suggestions/new/", {
            "title": "加装楼道扶手", "content": "老人上下楼不便。", "category": category.pk,
            "form_token": token})

    request.submit = submit
    return request


def _backend_pid():
    return connection.connection.get_backend_pid() if connection.connection else None


def _terminate(side, pid):
    """Kill the backend and wait until PostgreSQL has let it go."""
    with side.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cursor.fetchone()[0] is True
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    raise AssertionError(f"backend {pid} still alive")


def _rows(side):
    """How many suggestions, timeline entries and notifications are committed."""
    with side.cursor() as cursor:
        counts = []
        for table in ("proposals_suggestion", "proposals_suggestionupdate",
                      "notifications_notification"):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608  # nosec B608
            counts.append(cursor.fetchone()[0])
    return tuple(counts)


def test_production_settings_check_a_persistent_connection_before_using_it():
    # production.py keeps connections for CONN_MAX_AGE seconds and inherits this from base.
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


@needs_postgresql
def test_connection_killed_mid_request_writes_nothing_and_the_next_request_recovers(
        portal, side, persistent):
    assert portal("get", "/suggestions/new/") == 200
    pid = _backend_pid()
    assert pid is not None, "the connection should outlive the request (CONN_MAX_AGE)"

    def kill_after_insert(sender, instance, created, **kwargs):
        # The suggestion row is written, its timeline entry and notification are not yet.
        if created:
            _terminate(side, _backend_pid())

    token = uuid.uuid4().hex
    post_save.connect(kill_after_insert, sender=Suggestion, dispatch_uid="fault")
    try:
        assert portal.submit(token) == 500
    finally:
        post_save.disconnect(sender=Suggestion, dispatch_uid="fault")
    assert _rows(side) == (0, 0, 0)
    # The failed rollback or request_finished dropped the dead connection: it is not
    # handed to the next request.
    assert _backend_pid() != pid

    # The member sends the same form again: it goes through, once.
    assert portal.submit(token) == 302
    assert _backend_pid() not in (None, pid)
    assert _rows(side) == (1, 1, 1)
    assert portal.submit(token) == 302
    assert _rows(side) == (1, 1, 1)


@needs_postgresql
@pytest.mark.parametrize("health_checks", [True, False])
def test_idle_persistent_connection_killed_between_requests(portal, side, persistent,
                                                            health_checks):
    persistent["CONN_HEALTH_CHECKS"] = health_checks
    assert portal("get", "/suggestions/new/") == 200
    pid = _backend_pid()
    assert pid is not None
    _terminate(side, pid)  # a database restart, failover or idle timeout

    token = uuid.uuid4().hex
    if health_checks:
        # the first query of the request finds the connection dead and opens a new one
        assert portal.submit(token) == 302
    else:
        # without the check the request runs on the dead connection and fails whole;
        # only the request after it gets a new connection
        assert portal.submit(token) == 500
        assert _rows(side) == (0, 0, 0)
        assert portal.submit(token) == 302
    assert _backend_pid() not in (None, pid)
    assert _rows(side) == (1, 1, 1)
    # and the new connection is kept for the requests after it
    new_pid = _backend_pid()
    assert portal("get", "/suggestions/") == 200
    assert _backend_pid() == new_pid

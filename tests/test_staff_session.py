"""继续 in the staff idle-timeout warning (yichuan/session.py): a CSRF-checked POST that counts
as activity, and the page's knowledge of how long the session has left."""

import datetime

import pytest
import time_machine
from django.test import Client

from tests.factories import PASSWORD, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db

KEEPALIVE = "/session/keepalive/"


def signed_in(username, *, csrf=False):
    client = Client(enforce_csrf_checks=csrf)
    assert client.login(username=username, password=PASSWORD)
    return client


def test_continue_keeps_an_idle_staff_session_alive(settings):
    settings.STAFF_IDLE_TIMEOUT = 600
    UserFactory(username="qian", roles=["coordinator"])
    start = datetime.datetime.now(datetime.UTC)
    with time_machine.travel(start, tick=False):
        client = signed_in("qian")
    with time_machine.travel(start + datetime.timedelta(minutes=9), tick=False):
        response = client.post(KEEPALIVE)
    assert response.status_code == 200
    assert response.json() == {"idle_seconds_left": 600}
    # 18 minutes after the login, 9 after 继续: still signed in.
    with time_machine.travel(start + datetime.timedelta(minutes=18), tick=False):
        assert client.get("/me/").status_code == 200


def test_without_continue_the_idle_staff_session_ends(settings):
    settings.STAFF_IDLE_TIMEOUT = 600
    UserFactory(username="sun", roles=["handler"])
    start = datetime.datetime.now(datetime.UTC)
    with time_machine.travel(start, tick=False):
        client = signed_in("sun")
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        response = client.post(KEEPALIVE)
    # Too late: the middleware signed them out first, and 继续 cannot bring them back.
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_page_tells_staff_how_long_is_left_and_when_it_warns(settings):
    settings.STAFF_IDLE_TIMEOUT = 1800
    UserFactory(username="li", roles=["coordinator"])
    start = datetime.datetime.now(datetime.UTC)
    with time_machine.travel(start, tick=False):
        client = signed_in("li")
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        page = client.get("/suggestions/new/").content.decode()
    # Within the minute's resolution the stamp stays at the login: 30 seconds are gone.
    assert 'data-idle-left="1770"' in page
    assert 'data-idle-warning="300"' in page
    assert 'data-testid="idle-warning"' in page
    assert 'src="/static/js/session.js"' in page


def test_members_keep_drafts_but_have_no_idle_warning():
    MemberFactory(user__username="zhao")
    page = signed_in("zhao").get("/suggestions/new/").content.decode()
    assert 'src="/static/js/session.js"' in page
    assert "data-idle-left" not in page and 'data-testid="idle-warning"' not in page
    response = signed_in("zhao").post(KEEPALIVE)
    assert response.status_code == 200 and response.json() == {"idle_seconds_left": None}


def test_visitors_get_no_session_script(client):
    assert "session.js" not in client.get("/").content.decode()


def test_continue_needs_the_csrf_token_and_a_post():
    UserFactory(username="zhou", roles=["coordinator"])
    client = signed_in("zhou", csrf=True)
    assert client.post(KEEPALIVE).status_code == 403
    assert client.get(KEEPALIVE).status_code == 405
    client.get("/me/")
    token = client.cookies["csrftoken"].value
    assert client.post(KEEPALIVE, headers={"X-CSRFToken": token}).status_code == 200


def test_a_short_timeout_stamps_activity_finely(settings):
    """Tests run the timeout in seconds: activity must not wait for the minute."""
    settings.STAFF_IDLE_TIMEOUT = 20
    UserFactory(username="wang", roles=["coordinator"])
    start = datetime.datetime.now(datetime.UTC)
    with time_machine.travel(start, tick=False):
        client = signed_in("wang")
    for seconds in (15, 30, 45):  # never 20 seconds without a request
        with time_machine.travel(start + datetime.timedelta(seconds=seconds), tick=False):
            assert client.get("/me/").status_code == 200, seconds


def test_the_page_gives_its_get_address_the_stamping_interval_and_both_plural_texts(settings):
    settings.STAFF_IDLE_TIMEOUT = 1800
    UserFactory(username="he", roles=["coordinator"])
    client = signed_in("he")
    page = client.get("/suggestions/new/?from=home").content.decode()
    assert 'data-page-url="/suggestions/new/?from=home"' in page
    assert 'data-idle-stamp-every="60"' in page  # min(60 s, timeout / 10), as the server stamps
    assert "data-text-one=" in page and "data-text-other=" in page
    client.cookies["django_language"] = "en"
    page = client.get("/suggestions/new/").content.decode()
    assert "logged out in {minutes} minute." in page and "logged out in {minutes} minutes." in page
    # A page rendered by a POST (a refused form) names no address of its own: the script
    # takes the page the form was sent from.
    assert "data-page-url" not in client.post("/suggestions/new/", {}).content.decode()

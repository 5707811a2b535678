"""长辈模式 (DESIGN §8): a button in every page's header turns it on and off; a visitor's
browser remembers it, a member's profile carries it to every browser they sign in on."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from alliance.models import Member
from tests.factories import PASSWORD, MemberFactory, UserFactory
from tests.visible import shown

pytestmark = pytest.mark.django_db

SWITCH = re.compile(r'<form[^>]*data-testid="senior-switch".*?</form>', re.S)


def html_class(response):
    return re.search(r"<html([^>]*)>", response.content.decode()).group(1)


def is_senior(response):
    return 'class="senior"' in html_class(response)


def switch_button(response):
    form = SWITCH.search(response.content.decode()).group(0)
    return re.search(r"<button[^>]*>", form).group(0)


def press(client, on, next_url="/events/"):
    return client.post("/senior-mode/", {"senior_mode": "on" if on else "off", "next": next_url})


def sign_in(client, user):
    response = client.post("/accounts/login/", {"login": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_every_page_header_has_the_switch_as_a_button_in_a_form_with_csrf(client):
    for url in ("/", "/events/", "/alliance/buildings/", "/accounts/login/"):
        response = client.get(url)
        form = SWITCH.search(response.content.decode()).group(0)
        assert 'method="post"' in form and 'action="/senior-mode/"' in form
        assert "csrfmiddlewaretoken" in form
        assert 'aria-pressed="false"' in switch_button(response)
        assert "长辈模式" in shown(response)
        assert not is_senior(response)


def test_a_visitor_turns_it_on_and_it_stays_on_across_pages_then_off(client):
    response = press(client, on=True)
    assert response.status_code == 302 and response["Location"] == "/events/"
    assert client.cookies["senior_mode"].value == "on"
    for url in ("/events/", "/", "/announcements/"):
        page = client.get(url)
        assert is_senior(page), url
        assert 'aria-pressed="true"' in switch_button(page)
        assert 'value="off"' in switch_button(page)  # the next press turns it off
    press(client, on=False)
    assert not is_senior(client.get("/"))


def test_pressing_twice_leaves_it_as_asked(client):
    press(client, on=True)
    press(client, on=True)
    assert is_senior(client.get("/"))


def test_the_switch_goes_back_only_to_this_portal(client):
    response = client.post("/senior-mode/", {"senior_mode": "on", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_the_switch_answers_post_only(client):
    assert client.get("/senior-mode/").status_code == 405
    assert not is_senior(client.get("/"))


def test_a_member_who_turned_it_on_has_it_on_a_fresh_browser_after_signing_in_again():
    member = MemberFactory()
    phone = Client()
    sign_in(phone, member.user)
    press(phone, on=True)
    member.refresh_from_db()
    assert member.senior_mode is True
    phone.post("/accounts/logout/")

    fresh = Client()  # no cookie of the old browser
    assert not is_senior(fresh.get("/"))
    sign_in(fresh, member.user)
    assert is_senior(fresh.get("/me/"))
    assert is_senior(fresh.get("/events/"))
    # the browser now remembers it too: signing out keeps the page as the member reads it
    fresh.post("/accounts/logout/")
    assert is_senior(fresh.get("/"))


def test_a_member_who_turned_it_off_has_it_off_on_the_next_sign_in():
    member = MemberFactory(senior_mode=True)
    client = Client()
    sign_in(client, member.user)
    assert is_senior(client.get("/"))
    press(client, on=False)
    member.refresh_from_db()
    assert member.senior_mode is False
    client.post("/accounts/logout/")
    fresh = Client()
    sign_in(fresh, member.user)
    assert not is_senior(fresh.get("/"))


def test_turned_on_before_signing_in_stays_on_and_the_profile_learns_it():
    member = MemberFactory()
    client = Client()
    press(client, on=True)
    sign_in(client, member.user)
    assert is_senior(client.get("/"))
    assert Member.objects.get(pk=member.pk).senior_mode is True


def test_staff_without_a_member_record_keep_it_in_the_browser(coordinator):
    client = Client()
    sign_in(client, coordinator)
    press(client, on=True, next_url="/dashboard/")
    assert is_senior(client.get("/dashboard/"))
    assert client.cookies["senior_mode"].value == "on"
    assert not Member.objects.filter(user=coordinator).exists()


def test_the_mode_costs_a_page_no_query():
    member = MemberFactory()
    client = Client()
    sign_in(client, member.user)
    client.get("/me/")  # the session's first writes are behind us

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/me/").status_code == 200
        return len(captured)

    off = queries()
    press(client, on=True)
    client.get("/me/")
    on = queries()
    assert on == off


def test_another_members_choice_is_not_mine():
    MemberFactory(senior_mode=True)
    mine = MemberFactory()
    client = Client()
    sign_in(client, mine.user)
    assert not is_senior(client.get("/"))


def test_a_cookie_left_on_a_shared_phone_does_not_change_the_next_members_profile():
    first = MemberFactory(senior_mode=True)
    second = MemberFactory()
    phone = Client()
    sign_in(phone, first.user)
    assert is_senior(phone.get("/"))  # the browser's cookie follows first's profile
    phone.post("/accounts/logout/")
    assert phone.cookies["senior_mode"].value == "on"
    sign_in(phone, second.user)
    assert not is_senior(phone.get("/"))
    assert Member.objects.get(pk=second.pk).senior_mode is False


def test_an_account_without_a_profile_is_not_made_one():
    user = UserFactory(roles=["handler"])
    client = Client()
    sign_in(client, user)
    press(client, on=True)
    assert not Member.objects.filter(user=user).exists()
    assert is_senior(client.get("/"))

"""Every suggestion URL walked for every kind of visitor: who gets the page, who gets 404."""

import pytest
from django.urls import reverse

from tests.factories import SuggestionFactory, UserFactory
from tests.proposals import pages

pytestmark = pytest.mark.django_db

LOGIN = "login"


@pytest.fixture
def world(member_user, other_member_user, handler_user, liaison, coordinator, admin_user):
    s = SuggestionFactory(accepted=True, submitter=member_user, handler=handler_user,
                          lead_unit=liaison.liaison_unit)
    a = pages.attachment(s)
    stranger_s = SuggestionFactory(submitter=other_member_user, title="另一条建言")
    stranger_a = pages.attachment(stranger_s, name="别人的.pdf")
    return {
        "s": s, "a": a, "stranger_s": stranger_s, "stranger_a": stranger_a,
        "users": {
            "anonymous": None, "member": member_user, "other_member": other_member_user,
            "handler": handler_user, "other_handler": UserFactory(roles=["handler"]),
            "liaison": liaison, "coordinator": coordinator, "admin": admin_user,
        },
    }


SEES_IT = {"member", "handler", "liaison", "coordinator", "admin"}
EVERYONE_SIGNED_IN = {"member", "other_member", "handler", "other_handler", "liaison",
                      "coordinator", "admin"}
VISITORS = ["anonymous", "member", "other_member", "handler", "other_handler", "liaison",
            "coordinator", "admin"]


def _expect(who, allowed):
    if who == "anonymous":
        return LOGIN
    return 200 if who in allowed else 404


def _status(client, user, url, method="get"):
    if user is not None:
        client.force_login(user)
    response = getattr(client, method)(url)
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("who", VISITORS)
def test_list_and_form_need_sign_in_only(client, world, who):
    user = world["users"][who]
    expected = LOGIN if who == "anonymous" else 200
    assert _status(client, user, reverse("proposals:list")) == expected
    assert _status(client, user, reverse("proposals:new")) == expected


@pytest.mark.parametrize("who", VISITORS)
def test_golden_showcase_is_open_to_all(client, world, who):
    assert _status(client, world["users"][who], reverse("proposals:golden")) == 200


@pytest.mark.parametrize("who", VISITORS)
def test_detail_only_for_those_who_may_see_it(client, world, who):
    url = world["s"].get_absolute_url()
    assert _status(client, world["users"][who], url) == _expect(who, SEES_IT)


@pytest.mark.parametrize("who", VISITORS)
def test_attachment_only_for_those_who_may_see_it(client, world, who):
    url = reverse("proposals:attachment", args=[world["s"].tracking_number, world["a"].pk])
    status = _status(client, world["users"][who], url)
    assert status == _expect(who, SEES_IT)


@pytest.mark.parametrize("who", VISITORS)
def test_action_endpoint_hides_what_one_may_not_see(client, world, who):
    url = reverse("proposals:action", args=[world["s"].tracking_number, "reply"])
    status = _status(client, world["users"][who], url, method="post")
    if who == "anonymous":
        assert status == LOGIN
    elif who in SEES_IT:
        assert status in (302, 400)  # refused with a message or a form error, never data
    else:
        assert status == 404


@pytest.mark.parametrize("who", ["member", "handler", "liaison"])
def test_others_suggestion_is_404_even_for_staff_who_do_not_handle_it(client, world, who):
    user = world["users"][who]
    assert _status(client, user, world["stranger_s"].get_absolute_url()) == 404
    url = reverse("proposals:attachment",
                  args=[world["stranger_s"].tracking_number, world["stranger_a"].pk])
    assert _status(client, user, url) == 404


def test_attachment_of_another_suggestion_under_a_visible_one_is_404(client, world):
    client.force_login(world["users"]["member"])
    url = reverse("proposals:attachment",
                  args=[world["s"].tracking_number, world["stranger_a"].pk])
    assert client.get(url).status_code == 404


def test_attachment_is_served_as_a_download(client, world):
    client.force_login(world["users"]["member"])
    url = reverse("proposals:attachment", args=[world["s"].tracking_number, world["a"].pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == pages.PDF


def test_unknown_tracking_number_and_unknown_action_are_404(client, world):
    client.force_login(world["users"]["coordinator"])
    assert client.get("/suggestions/ZTC-2026-99999/").status_code == 404
    url = reverse("proposals:action", args=[world["s"].tracking_number, "explode"])
    assert client.post(url).status_code == 404


def test_member_may_not_take_a_staff_action_on_own_suggestion(client, world):
    s = world["s"]
    client.force_login(world["users"]["member"])
    response = client.post(reverse("proposals:action", args=[s.tracking_number, "reply"]),
                           {"text": "我自己答复"})
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.state == "accepted"
    assert not s.updates.filter(kind="replied").exists()


def test_action_endpoints_refuse_get(client, world):
    client.force_login(world["users"]["coordinator"])
    url = reverse("proposals:action", args=[world["s"].tracking_number, "reply"])
    assert client.get(url).status_code == 405

"""Issue 17, "fallbacks and wording": no invitation to a closed registration, and account
mail that names the portal and links to ``SITE_URL`` whatever host the request came on."""

import re

import pytest
from django.core import mail

from notifications.delivery import deliver_due
from notifications.services import notify
from tests.factories import PASSWORD, UserFactory
from tests.visible import shown

pytestmark = pytest.mark.django_db


def test_the_login_page_offers_no_sign_up(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = shown(response)
    assert "注册" not in page
    assert "联系所在单位的联络员或统战办" in page
    assert 'href="/accounts/signup/"' not in response.content.decode()


def test_the_closed_sign_up_page_says_whom_to_ask(client):
    response = client.get("/accounts/signup/")
    page = shown(response)
    assert "不开放注册" in page and "统战办" in page
    assert 'href="/accounts/signup/"' not in response.content.decode()


PORTAL = "https://tongxin.yichuan.example"
OTHER_HOST = "elsewhere.yichuan.example"  # allowed, but not the portal's address


@pytest.fixture
def portal(settings):
    settings.SITE_URL = PORTAL
    settings.ALLOWED_HOSTS = ["tongxin.yichuan.example", OTHER_HOST]
    return settings


def _links(message):
    return re.findall(r"https?://\S+", message.body)


def _assert_names_the_portal(message, settings):
    text = message.subject + message.body
    assert message.subject.startswith(f"[{settings.PORTAL_SHORT_NAME}] ")
    assert settings.PORTAL_NAME in message.body.splitlines()[0]  # the greeting
    for stray in ("127.0.0.1", "localhost", "example.com", "Hello from", OTHER_HOST):
        assert stray not in text, stray
    assert _links(message) and all(link.startswith(f"{PORTAL}/") for link in _links(message))


def test_the_reset_mail_names_the_portal_and_links_to_site_url_whatever_the_host(client,
                                                                                  portal):
    UserFactory(username="li", email="li@example.cn")
    response = client.post("/accounts/password/reset/", {"email": "li@example.cn"},
                           HTTP_HOST=OTHER_HOST)
    assert response.status_code == 302
    deliver_due()
    [message] = mail.outbox
    _assert_names_the_portal(message, portal)
    assert "重置密码" in message.subject
    [link] = [link for link in _links(message) if "/accounts/password/reset/key/" in link]
    # the link works on the portal
    response = client.get(link.removeprefix(PORTAL), HTTP_HOST="tongxin.yichuan.example")
    assert response.status_code == 302 and "set-password" in response["Location"]


def test_allauth_s_security_notice_names_the_portal_not_the_request_s_host(client, portal):
    user = UserFactory(username="li", email="li@example.cn")
    client.force_login(user)
    response = client.post("/accounts/password/change/", {
        "oldpassword": PASSWORD, "password1": "Tong-xin-2026-long", "password2":
        "Tong-xin-2026-long"}, HTTP_HOST=OTHER_HOST)
    assert response.status_code == 302
    deliver_due()
    [message] = mail.outbox
    text = message.subject + message.body
    assert message.subject.startswith(f"[{portal.PORTAL_SHORT_NAME}] ")
    assert portal.PORTAL_NAME in message.body.splitlines()[0]
    assert f"{PORTAL}/" in message.body
    for stray in ("example.com", "Hello from", OTHER_HOST):
        assert stray not in text, stray


def test_every_notification_mail_names_the_portal(portal):
    user = UserFactory(username="li", email="li@example.cn")
    notify(recipient=user, kind="reply_overdue", key="wording-1", subject="答复超期提醒",
           body="建言 ZTC-2026-00001 答复已超期。", url="/suggestions/ZTC-2026-00001/")
    deliver_due()
    [message] = mail.outbox
    assert message.subject == f"[{portal.PORTAL_SHORT_NAME}] 答复超期提醒"
    assert f"{PORTAL}/suggestions/ZTC-2026-00001/" in message.body
    assert message.body.endswith(f"{portal.PORTAL_NAME} {PORTAL}/")

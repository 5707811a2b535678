"""Issue 17, "fallbacks and wording": no invitation to a closed registration, and account
mail that names the portal and links to ``SITE_URL`` whatever host the request came on."""

import re

import pytest
from django.core import mail

from notifications.delivery import deliver_due
from tests.factories import UserFactory
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

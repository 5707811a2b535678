import datetime
import time

import pytest

from tests.e2e.conftest import click_and_wait, login, logout
from tests.factories import PASSWORD, UserFactory
from tests.hardening.test_mfa import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def current_code(secret):
    """A code that stays valid for the next few seconds (the server accepts one step
    either side, so waiting out the last seconds of a step is enough)."""
    if int(time.time()) % 30 > 25:
        time.sleep(6)
    return totp_code(secret, datetime.datetime.now(datetime.UTC))


def test_coordinator_enrols_an_authenticator_app_and_signs_in_with_a_code(page):
    UserFactory(username="coordinator", roles=["coordinator"], is_staff=True)
    csp_errors = []
    page.on("console", lambda message: csp_errors.append(message.text)
            if "Content Security Policy" in message.text else None)

    login(page, "coordinator", PASSWORD)
    click_and_wait(page, "[data-testid=two-factor-link]")
    assert page.get_by_role("heading", name="两步验证", exact=True).is_visible()
    click_and_wait(page, "[data-testid=activate-totp]")
    # allauth confirms the password before a second factor is added
    page.fill("input[name=password]", PASSWORD)
    click_and_wait(page, "main form button[type=submit]")

    qr = page.locator("[data-testid=totp-qr]")
    assert qr.is_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    secret = page.locator("[data-testid=totp-secret]").input_value()
    page.fill("[data-testid=mfa-code]", current_code(secret))
    click_and_wait(page, "main form button[type=submit]")
    assert "/accounts/2fa/recovery-codes/" in page.url
    assert len(page.locator("[data-testid=recovery-codes]").inner_text().split()) == 10
    assert csp_errors == []

    logout(page)
    login(page, "coordinator", PASSWORD)
    assert "/accounts/2fa/authenticate/" in page.url
    page.fill("[data-testid=mfa-code]", current_code(secret))
    click_and_wait(page, "main form button[type=submit]")
    assert page.url.endswith("/me/")

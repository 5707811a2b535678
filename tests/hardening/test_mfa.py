"""Two-step verification (allauth.mfa) for staff: enrolment, the code step at login,
recovery codes, the Django admin login, and members not being offered it."""

import datetime
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

from audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 11, 30, 2, 0, 5, tzinfo=datetime.UTC)
IP = "203.0.113.20"


def totp_code(secret, when):
    """The code an authenticator app shows at ``when`` (RFC 6238, 30-second steps)."""
    return format_hotp_value(hotp_value(secret, int(when.timestamp()) // 30))


def password_login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"login": username, "password": password},
                       REMOTE_ADDR=IP)


def enter_code(client, code):
    return client.post("/accounts/2fa/authenticate/", {"code": code}, REMOTE_ADDR=IP)


def signed_in_as(client):
    return client.session.get("_auth_user_id")


def enrolled(user):
    """``user`` with an authenticator app and recovery codes, as enrolment leaves them."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    return secret, codes


@pytest.fixture
def frozen():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staff(db):
    return UserFactory(username="zhang", roles=["coordinator"], is_staff=True)


def test_staff_enrols_an_authenticator_app_and_is_asked_for_the_code_at_login(
        client, staff, frozen):
    assert password_login(client, "zhang").status_code == 302
    assert 'data-testid="two-factor-link"' in client.get("/me/").content.decode()
    assert client.get("/accounts/2fa/").status_code == 200

    # allauth asks for the password again before a second factor is added
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")
    client.post(response["Location"], {"password": PASSWORD}, REMOTE_ADDR=IP)
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    html = page.content.decode()
    # the QR code is inline (no external request) and the page's CSP lets it show
    assert 'src="data:image/svg+xml;base64,' in html
    csp = page["Content-Security-Policy"]
    assert re.search(r"img-src [^;]*data:", csp)
    # no script without the CSP nonce
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert " src=" in tag or "nonce=" in tag, tag

    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.content.decode()
    assert not Authenticator.objects.filter(user=staff).exists()

    done = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret, T0)})
    assert done.status_code == 302 and done["Location"] == "/accounts/2fa/recovery-codes/"
    assert set(Authenticator.objects.filter(user=staff).values_list("type", flat=True)) == {
        Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    codes_page = client.get("/accounts/2fa/recovery-codes/").content.decode()
    codes = Authenticator.objects.get(user=staff, type="recovery_codes").wrap().get_unused_codes()
    assert len(codes) == 10 and all(code in codes_page for code in codes)

    client.post("/accounts/logout/")
    later = T0 + datetime.timedelta(minutes=2)
    frozen.move_to(later)

    # the password alone does not sign in: it leads to the code step
    response = password_login(client, "zhang")
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert signed_in_as(client) is None
    step = client.get("/accounts/2fa/authenticate/")
    assert step.status_code == 200 and "动态验证码" in step.content.decode()
    assert client.get("/me/").status_code == 302

    refused = enter_code(client, "123456" if totp_code(secret, later) != "123456" else "654321")
    assert refused.status_code == 200
    assert "验证码不正确" in refused.content.decode()
    assert signed_in_as(client) is None
    assert AuditEntry.objects.filter(kind="login_failed", user=staff,
                                     path="/accounts/2fa/authenticate/").exists()

    accepted = enter_code(client, totp_code(secret, later))
    assert accepted.status_code == 302 and accepted["Location"] == "/me/"
    assert int(signed_in_as(client)) == staff.pk
    assert client.get("/me/").status_code == 200
    assert AuditEntry.objects.filter(kind="login", user=staff).count() == 2


def test_staff_without_a_second_factor_sign_in_with_the_password_alone(client, staff):
    response = password_login(client, "zhang")
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert int(signed_in_as(client)) == staff.pk


def test_a_recovery_code_signs_in_once(client, staff, frozen):
    _, codes = enrolled(staff)
    password_login(client, "zhang")
    response = enter_code(client, codes[0])
    assert response.status_code == 302 and int(signed_in_as(client)) == staff.pk
    client.post("/accounts/logout/")

    password_login(client, "zhang")
    again = enter_code(client, codes[0])
    assert again.status_code == 200 and signed_in_as(client) is None
    assert "验证码不正确" in again.content.decode()
    # another, unused code still works
    enter_code(client, codes[1])
    assert int(signed_in_as(client)) == staff.pk
    recovery = Authenticator.objects.get(user=staff, type="recovery_codes").wrap()
    assert len(recovery.get_unused_codes()) == 8


def test_a_used_authenticator_code_cannot_be_replayed(client, staff, frozen):
    secret, _ = enrolled(staff)
    password_login(client, "zhang")
    enter_code(client, totp_code(secret, T0))
    assert int(signed_in_as(client)) == staff.pk
    client.post("/accounts/logout/")

    password_login(client, "zhang")
    assert enter_code(client, totp_code(secret, T0)).status_code == 200
    assert signed_in_as(client) is None


def test_guessing_codes_is_rate_limited(client, staff, frozen):
    secret, _ = enrolled(staff)
    password_login(client, "zhang")
    right = totp_code(secret, T0)
    wrong = "111111" if right != "111111" else "222222"
    for _ in range(5):
        enter_code(client, wrong)
    # past allauth's limit even the right code is refused for a while
    assert enter_code(client, right).status_code == 200
    assert signed_in_as(client) is None
    frozen.move_to(T0 + datetime.timedelta(minutes=6))
    enter_code(client, totp_code(secret, T0 + datetime.timedelta(minutes=6)))
    assert int(signed_in_as(client)) == staff.pk


def test_admin_login_refuses_an_account_with_a_second_factor(client, staff):
    enrolled(staff)
    response = client.post("/admin/login/?next=/admin/",
                           {"username": "zhang", "password": PASSWORD}, REMOTE_ADDR=IP)
    assert response.status_code == 200
    assert "已启用两步验证" in response.content.decode()
    assert signed_in_as(client) is None
    assert client.get("/admin/").status_code == 302


def test_admin_is_reached_through_the_portal_login_and_its_code_step(client, staff, frozen):
    secret, _ = enrolled(staff)
    password_login(client, "zhang")
    assert client.get("/admin/").status_code == 302
    enter_code(client, totp_code(secret, T0))
    assert client.get("/admin/").status_code == 200


def test_admin_login_still_works_for_staff_without_a_second_factor(client, staff):
    response = client.post("/admin/login/?next=/admin/",
                           {"username": "zhang", "password": PASSWORD}, REMOTE_ADDR=IP)
    assert response.status_code == 302 and int(signed_in_as(client)) == staff.pk


@pytest.mark.parametrize("role", ["handler", "coordinator", "admin"])
def test_every_staff_role_is_offered_two_step_verification(client, role):
    user = UserFactory(roles=[role])
    client.force_login(user)
    assert 'data-testid="two-factor-link"' in client.get("/me/").content.decode()
    assert client.get("/accounts/2fa/").status_code == 200


def test_members_are_not_offered_two_step_verification(client, member_user, liaison):
    for user in (member_user, liaison):
        client.force_login(user)
        assert 'data-testid="two-factor-link"' not in client.get("/me/").content.decode()
        for url in ("/accounts/2fa/", "/accounts/2fa/totp/activate/",
                    "/accounts/2fa/recovery-codes/generate/", "/accounts/2fa/recovery-codes/",
                    "/accounts/2fa/totp/deactivate/"):
            assert client.get(url).status_code == 404, url
        assert client.post("/accounts/2fa/totp/activate/", {"code": "123456"}).status_code == 404
        assert not Authenticator.objects.filter(user=user).exists()


def test_an_enrolled_user_who_lost_the_staff_role_can_still_turn_it_off(client, staff, frozen):
    enrolled(staff)
    staff.groups.clear()
    staff.is_staff = False
    staff.save()
    client.force_login(staff)
    assert client.get("/accounts/2fa/").status_code == 200


def test_the_pages_send_anonymous_visitors_to_the_login(client):
    for url in ("/accounts/2fa/", "/accounts/2fa/totp/activate/",
                "/accounts/2fa/recovery-codes/generate/"):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    # the code step exists only in the middle of a login
    response = client.get("/accounts/2fa/authenticate/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")

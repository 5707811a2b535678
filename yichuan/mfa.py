"""Two-step verification (django-allauth's MFA) for the portal's staff.

Staff (handlers, coordinators, admins and Django admin users) may enrol an authenticator app
(TOTP) and recovery codes at /accounts/2fa/; once enrolled, allauth's login asks for a code
after the password. It is optional, and it is not offered to members: the enrolment pages
answer 404 to a member, as any page a user may not see does. Someone who is already
enrolled keeps the pages (to renew codes or turn it off) even after losing a staff role.

The Django admin has a password-only login form of its own. It keeps working for accounts
without a second factor (django-axes locks it out like the portal login), but refuses an
enrolled account, which must sign in through the portal login and its code step first.
"""

from functools import wraps

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base import views as base_views
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes import views as recovery_code_views
from allauth.mfa.totp import views as totp_views
from allauth.mfa.utils import is_mfa_enabled
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alliance.roles import is_staff_anywhere
from yichuan.admin import may_use_admin

# The authenticators that make allauth ask for a code at login (recovery codes alone do not).
SECOND_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def has_second_factor(user):
    return bool(user and user.is_authenticated) and is_mfa_enabled(user, SECOND_FACTORS)


def offers_two_factor(user):
    """May ``user`` manage two-step verification: staff, or anyone already enrolled."""
    if not (user and user.is_authenticated):
        return False
    return user.is_staff or is_staff_anywhere(user) or is_mfa_enabled(user)


def staff_only(view):
    """Answer 404 to a signed-in user who is not offered two-step verification; anonymous
    visitors go on to allauth's own view, which sends them to the login page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not offers_two_factor(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


# The pages where one starts using it; the others need an existing authenticator anyway.
index = staff_only(base_views.index)
activate_totp = staff_only(totp_views.activate_totp)
generate_recovery_codes = staff_only(recovery_code_views.generate_recovery_codes)


class PortalMFAAdapter(DefaultMFAAdapter):
    """allauth's MFA with the portal's wording."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _("验证码不正确，请重新输入。"),
        "cannot_delete_authenticator": _("无法停用两步验证。"),
        "cannot_generate_recovery_codes": _("请先启用身份验证器应用，再生成恢复码。"),
        "unverified_email": _("请先验证邮箱地址，再启用两步验证。"),
        "add_email_blocked": _("已启用两步验证的账号不能添加未验证的邮箱地址。"),
    }


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's own login, refused to accounts with a second factor: it asks for no code."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "second_factor_required": _(
            "该账号已启用两步验证，请先在门户登录页（%(login_url)s）登录并输入动态验证码，"
            "再进入管理后台。"
        ),
    }

    def confirm_login_allowed(self, user):
        # AdminAuthenticationForm asks for is_staff; the site lets coordinators in too.
        AuthenticationForm.confirm_login_allowed(self, user)
        if not may_use_admin(user):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                  params={"username": self.username_field.verbose_name})
        if has_second_factor(user):
            raise ValidationError(
                self.error_messages["second_factor_required"],
                code="second_factor_required",
                params={"login_url": f"{reverse('account_login')}?next={reverse('admin:index')}"},
            )

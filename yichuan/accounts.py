"""Account policy for django-allauth: members' accounts are made by staff, not by sign-up."""

import rules
from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.auth_backends import AuthenticationBackend
from axes.backends import AxesStandaloneBackend
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class ClosedSignupAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False

    def clean_email(self, email):
        # allauth's add-address form takes up to 320 characters (Django's EmailField) but
        # stores at most 254: a longer address would fail the INSERT on PostgreSQL.
        if len(email) > account_settings.EMAIL_MAX_LENGTH:
            raise ValidationError(_("邮箱地址不能超过 %(n)s 个字符。"),
                                  params={"n": account_settings.EMAIL_MAX_LENGTH},
                                  code="max_length")
        return super().clean_email(email)


def login_username(request, credentials):
    """The account name a login attempt is for, for django-axes: allauth passes ``username``
    or ``email`` in the credentials, the admin posts ``username``."""
    credentials = credentials or {}
    for key in ("username", "email"):
        if credentials.get(key):
            return credentials[key]
    data = getattr(request, "POST", {}) or {}
    return data.get("login") or data.get("username") or ""


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every web login. A call to ``authenticate`` without a
    request (management commands, ``Client.login`` in tests) is not a web login and has no
    address to lock, so it is passed on to the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class RulesFirst:
    """Model permissions (the admin's) only for permissions that are not rules.

    A permission the portal defines as a rule (``rules.add_perm``) is answered by the rules
    backend alone: when the rule says no, asking a model backend too would load the user's
    and their groups' permission rows (two queries) on every page a member opens, only to
    find no such row."""

    def has_perm(self, user_obj, perm, obj=None):
        if rules.perm_exists(perm):
            return False
        return super().has_perm(user_obj, perm, obj)


class ModelPermissionBackend(RulesFirst, ModelBackend):
    """Django's username and password login (the admin's form) and model permissions."""


class AllauthBackend(RulesFirst, AuthenticationBackend):
    """allauth's login, which is also a model backend."""

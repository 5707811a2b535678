"""Logins, failures and lockouts are written to the audit trail as they are reported by
Django's auth signals, django-axes and allauth's MFA. Only recording happens here, no
business logic."""

import logging

from allauth.mfa.signals import authentication_failed as second_factor_failed
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import AuditEntry
from audit.services import record

logger = logging.getLogger("yichuan.audit")


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    record(kind=AuditEntry.Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        record(kind=AuditEntry.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username") or credentials.get("email") or ""
    logger.warning("login failed for %r from %s", username,
                   request.META.get("REMOTE_ADDR") if request else "?")
    record(kind=AuditEntry.Kind.LOGIN_FAILED, request=request, username=username)


@receiver(second_factor_failed)
def on_second_factor_failed(sender, request, user, **kwargs):
    """A wrong two-step verification code (at login, or when confirming an action); the
    path tells it apart from a wrong password."""
    logger.warning("wrong second-factor code for %r from %s", user.get_username(),
                   request.META.get("REMOTE_ADDR") if request else "?")
    record(kind=AuditEntry.Kind.LOGIN_FAILED, request=request, user=user)


@receiver(user_locked_out)
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs):
    logger.warning("locked out %r from %s", username, ip_address)
    record(kind=AuditEntry.Kind.LOCKED_OUT, request=request, username=username or "")

"""Account policy for django-allauth: members' accounts are made by staff, not by sign-up.

- **One lockout per account** (django-axes): a login is counted under its account's name,
  case-folded, however it was typed (``ALICE``, ``Alice``, her e-mail address).
- **Client addresses behind the proxy**: ``client_ip`` believes ``X-Forwarded-For`` only
  from the addresses in ``settings.TRUSTED_PROXIES``; django-axes and allauth's rate limits
  both count that address.
- **Account mail goes through the notifications outbox** (DESIGN.md §5): the adapter's
  ``send_mail`` writes a notification whose delivery the worker sends on the
  ``account_email`` channel (``AccountMailChannel``); a request never waits on SMTP. The
  links of a password reset or an address verification are made by the worker when it sends,
  so no row, inbox entry or admin page ever holds one.
- **The portal's name and ``SITE_URL`` in every mail**: the templates are given the portal
  (``settings.PORTAL_NAME``) where allauth would give the site of the request's host, and
  every link is made from ``settings.SITE_URL``: a forged Host header cannot point a reset
  link elsewhere, and a mail never names the address it was asked from.
- **Unique, verified addresses**: a member cannot add an address another account uses; mail
  goes only to a verified address or the one staff recorded on the account, never to one
  the person made their primary address without verifying it; a reset sends at most one link.
"""

import ipaddress
import logging
import unicodedata
import uuid
from functools import cache
from types import SimpleNamespace
from urllib.parse import quote, urlsplit

import rules
from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.auth_backends import AuthenticationBackend
from allauth.account.forms import AddEmailForm as AllauthAddEmailForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import filter_users_by_email, user_pk_to_url_str
from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alliance.rules import MODEL_PERMISSIONS
from notifications.channels import Channel, PermanentError, message_id
from yichuan.links import portal_url

logger = logging.getLogger(__name__)


# --- who is signing in: one lockout counter per account ----------------------------------

def login_username(request, credentials):
    """The account a login attempt is for, for django-axes (``AXES_USERNAME_CALLABLE``):
    allauth passes ``username`` or ``email`` in the credentials, the admin posts
    ``username``. Every spelling of one account gives the same key (``account_key``), so
    the lockout counts them together and a success clears them together."""
    credentials = credentials or {}
    name = ""
    for key in ("username", "email"):
        if credentials.get(key):
            name = credentials[key]
            break
    else:
        data = getattr(request, "POST", {}) or {}
        name = data.get("login") or data.get("username") or ""
    return account_key(name, request)


def account_key(name, request=None):
    """The lockout key of a typed account name: the account's username, case-folded; an
    e-mail address counts as the account it belongs to. A name no account answers to is
    its own key, case-folded, so guessing at it is limited all the same."""
    name = unicodedata.normalize("NFKC", str(name or "")).strip()
    if "@" not in name:
        # usernames are compared without case at login (allauth), so the folded name is
        # the account's, whichever account it is: no query needed
        return name.casefold()
    memo = getattr(request, "_account_keys", None)
    if memo is None:
        memo = {}
        if request is not None:
            request._account_keys = memo  # axes asks several times per login
    if name not in memo:
        user = _account_by_address(name)
        memo[name] = (user.get_username() if user is not None else name).casefold()
    return memo[name]


def _account_by_address(name):
    User = get_user_model()
    # members' accounts made from their records take the address as username
    by_name = list(User._default_manager.filter(
        **{f"{User.USERNAME_FIELD}__iexact": name})[:2])
    if len(by_name) == 1:
        return by_name[0]
    users = filter_users_by_email(name, prefer_verified=True)
    return users[0] if len(users) == 1 else None


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every web login. A call to ``authenticate`` without a
    request (management commands, ``Client.login`` in tests) is not a web login and has no
    address to lock, so it is passed on to the next backend instead of raising."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


# --- where a request comes from: the trusted proxy ---------------------------------------

def client_ip(request):
    """The client's address: ``REMOTE_ADDR``, unless that is one of ``TRUSTED_PROXIES``;
    then ``X-Forwarded-For`` is read from the right, past the trusted proxies, and the first
    address that is not one of them is the client. What stands left of it was written by
    the client and is not believed; an entry that is not an address ends the walk at the
    last proxy. Used by django-axes (``AXES_CLIENT_IP_CALLABLE``) and allauth's rate limits
    (the adapter's ``get_client_ip``)."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    proxies = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    client = remote
    if proxies and _is_proxy(remote, proxies):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = _address(hop)
            if address is None:
                break
            client = address
            if not _is_proxy(address, proxies):
                break
    return str(client)


@cache
def _networks(entries):
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def _is_proxy(address, proxies):
    return any(address in network for network in proxies if network.version == address.version)


def _address(text):
    """An address from a header entry ("203.0.113.5", "203.0.113.5:4711", "[2001:db8::1]:443"),
    or None."""
    text = text.strip()
    if text.startswith("["):
        text = text[1:].partition("]")[0]
    elif text.count(":") == 1:
        text = text.partition(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


# --- which addresses may receive mail -----------------------------------------------------

def unverified_primary_ids(users):
    """The ids of ``users`` whose ``email`` must receive nothing: an address they made
    their primary one themselves (allauth) without verifying it — issue #19's member who
    made a coordinator's address theirs. An address staff recorded has no allauth row, or
    allauth's own unverified copy of it that is never primary; a verified one is verified.
    One query for any number of users."""
    emails = {user.pk: user.email.lower() for user in users if user.email}
    if not emails:
        return set()
    rows = EmailAddress.objects.filter(
        user_id__in=list(emails), primary=True, verified=False).values_list("user_id", "email")
    return {user_id for user_id, email in rows if email.lower() == emails[user_id]}


def has_trusted_email(user):
    """Whether ``user.email`` may receive mail: verified, or recorded by staff."""
    return bool(user.email) and user.pk not in unverified_primary_ids([user])


def email_taken(email, user):
    """Whether an account other than ``user`` uses ``email``: as its address of record or
    as a verified address. Others' unverified claims do not count, so nobody can block an
    address by claiming it first."""
    User = get_user_model()
    return (User._default_manager.filter(email__iexact=email).exclude(pk=user.pk).exists()
            or EmailAddress.objects.filter(email__iexact=email, verified=True)
            .exclude(user_id=user.pk).exists())


def record_verified_email(user):
    """Staff recorded ``user.email`` (an account they created): file it as the account's
    verified primary address, so it receives mail and a member cannot make an unverified
    address primary instead. An address another account has verified already stays
    unverified here (addresses are unique). Returns the EmailAddress, or None."""
    if not user.email:
        return None
    email = user.email.lower()
    if EmailAddress.objects.filter(email__iexact=email, verified=True).exclude(
            user_id=user.pk).exists():
        logger.warning("account %s: %s is another account's verified address; left unverified",
                       user.pk, email)
        return None
    EmailAddress.objects.filter(user_id=user.pk, primary=True).exclude(email=email).update(
        primary=False)
    address, _created = EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True})
    return address


def reset_accounts(email):
    """The account a password reset for ``email`` goes to, as a list of at most one: the
    account that verified the address, else the one account staff recorded it on. Accounts
    that merely claimed it get nothing; if staff recorded it on several, none does (and the
    log says so), rather than mailing links to all of them."""
    verified = list(EmailAddress.objects.filter(
        email__iexact=email, verified=True, user__is_active=True).select_related("user")[:2])
    if len(verified) == 1:
        return [verified[0].user]
    User = get_user_model()
    recorded = list(User._default_manager.filter(email__iexact=email, is_active=True))
    blocked = unverified_primary_ids(recorded)
    recorded = [user for user in recorded if user.pk not in blocked]
    if len(verified) > 1 or len(recorded) > 1:
        logger.warning("password reset: %s accounts share one address; no link sent",
                       max(len(verified), len(recorded)))
        return []
    return recorded


class AddEmailForm(AllauthAddEmailForm):
    """allauth's "add an address" form, refusing an address another account uses."""

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        if email_taken(email, self.user):
            raise ValidationError(_("该邮箱地址已被其他账号使用，请换一个。"), code="email_taken")
        return super().clean_email()


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's "forgot password" form, sending at most one link (``reset_accounts``).
    Whether the address is known or not, the page that follows says the same."""

    def clean_email(self):
        email = super().clean_email()
        self.users = reset_accounts(email.lower())
        return email


# --- account mail through the outbox -------------------------------------------------------

ACCOUNT_MAIL_CHANNEL = "account_email"
RESET_MAIL = "account/email/password_reset_key"
CONFIRMATION_MAILS = {"account/email/email_confirmation",
                      "account/email/email_confirmation_signup"}
# Mails whose link the worker makes when it sends; the inbox entry tells only that it went.
LINK_MAILS = {RESET_MAIL, *CONFIRMATION_MAILS}
INBOX_TEXT = {
    RESET_MAIL: _("有人（可能是您本人）申请重置密码。重置链接已发往 %(email)s，只在邮件中提供。"
                  "如果不是您本人操作，请忽略，密码不会改变。"),
    "confirmation": _("验证邮箱地址 %(email)s 的链接已发往该地址，只在邮件中提供。"),
}


def queue_account_mail(template_prefix, email, context):
    """Write one account mail (allauth's ``template_prefix``) for ``email`` to the outbox.

    Sent only to an account's own address: for a verification, the address being verified;
    otherwise a verified address of the account, or the one staff recorded. Mail for an
    address without an account (allauth's "unknown account" and "already exists" notices)
    is not sent at all. Returns the notification, or None."""
    user = context.get("user")
    if user is None or user.pk is None:
        logger.info("account mail %s for an address without an account: not sent",
                    template_prefix)
        return None
    address = EmailAddress.objects.filter(user_id=user.pk, email__iexact=email).first()
    if template_prefix in CONFIRMATION_MAILS:
        if address is None or address.verified:
            return None
        target = address
    elif address is not None and address.verified:
        target = address
    elif email.lower() == (user.email or "").lower() and has_trusted_email(user):
        target = None  # the address staff recorded: the channel sends to user.email
    else:
        logger.info("account mail %s for account %s: the address is not verified; not sent",
                    template_prefix, user.pk)
        return None

    from notifications.services import notify, preference_of

    preference = preference_of(user)
    context = mail_context({"email": email, **context})
    with translation.override(preference.language):
        subject = _subject(template_prefix, context)
        if template_prefix in LINK_MAILS:
            text = INBOX_TEXT.get(template_prefix, INBOX_TEXT["confirmation"])
            body = gettext(text) % {"email": email}
        else:
            body = render_to_string(f"{template_prefix}_message.txt", context).strip()
    return notify(recipient=user, kind=template_prefix[:50],
                  key=f"account:{uuid.uuid4().hex}", subject=subject, body=body,
                  target=target, channels=(ACCOUNT_MAIL_CHANNEL,), preference=preference)


def mail_context(context):
    """An account mail's template context: the portal's name and address, and the portal as
    the ``current_site`` allauth's templates name (allauth would pass the request's host)."""
    return {**context, "portal_name": settings.PORTAL_NAME, "site_url": portal_url("/"),
            "current_site": SimpleNamespace(name=settings.PORTAL_NAME,
                                            domain=urlsplit(settings.SITE_URL).netloc)}


def subject_line(subject):
    """A subject with the portal's prefix (``ACCOUNT_EMAIL_SUBJECT_PREFIX``)."""
    return f"{account_settings.EMAIL_SUBJECT_PREFIX or ''}{subject}"


def _subject(template_prefix, context):
    subject = render_to_string(f"{template_prefix}_subject.txt", context)
    return subject_line(" ".join(subject.splitlines()).strip())


class AccountMailChannel(Channel):
    """The ``account_email`` delivery channel (``settings.NOTIFICATION_CHANNELS``): sends an
    account mail to the address it was written for, checked again at send time, with the
    reset or verification link made now. A failure is retried by the delivery protocol
    (notifications/delivery.py) like any other mail."""

    name = ACCOUNT_MAIL_CHANNEL

    def send(self, delivery):
        notification = delivery.notification
        if notification.kind in CONFIRMATION_MAILS:
            address = notification.target
            if not isinstance(address, EmailAddress) or address.verified:
                logger.info("delivery %s: the address was removed or verified meanwhile; "
                            "nothing to send", delivery.pk)
                return
        to, address = self.address_of(notification)
        subject, body = notification.subject, notification.body
        if notification.kind in LINK_MAILS:
            subject, body = self.render_link_mail(notification, to, address)
        message = EmailMessage(subject=subject, body=body, to=[to],
                               headers={"Message-ID": message_id(delivery)})
        message.send(fail_silently=False)

    @staticmethod
    def address_of(notification):
        """(address to send to, its EmailAddress or None), or PermanentError."""
        user = notification.recipient
        if notification.target_id is not None:
            address = notification.target
            if not isinstance(address, EmailAddress) or address.user_id != user.pk:
                raise PermanentError("the address this mail was for was removed")
            if notification.kind not in CONFIRMATION_MAILS and not address.verified:
                raise PermanentError("the address is no longer verified")
            return address.email, address
        if not has_trusted_email(user):
            raise PermanentError("the account has no verified address")
        return user.email, None

    @staticmethod
    def render_link_mail(notification, to, address):
        from notifications.services import preference_of

        user = notification.recipient
        adapter = get_adapter()
        context = mail_context({"user": user, "email": to, "username": user.get_username()})
        if notification.kind == RESET_MAIL:
            token = account_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
            context["password_reset_url"] = adapter.get_reset_password_from_key_url(
                f"{user_pk_to_url_str(user)}-{token}")
        else:
            confirmation = EmailConfirmationHMAC(address)
            context.update(key=confirmation.key, activate_url=(
                adapter.get_email_confirmation_url(None, confirmation)))
        with translation.override(preference_of(user).language):
            subject = _subject(notification.kind, context)
            body = render_to_string(f"{notification.kind}_message.txt", context).strip()
        return subject, body


# --- the adapter ------------------------------------------------------------------------

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

    def get_client_ip(self, request):
        """allauth's rate limits count the client behind the trusted proxy (``client_ip``)."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def send_notification_mail(self, template_prefix, user, context=None, email=None):
        # allauth's security notices (password changed, address removed, …) name no
        # account in their context: the outbox needs it.
        return super().send_notification_mail(template_prefix, user,
                                              {**(context or {}), "user": user}, email)

    def send_mail(self, template_prefix, email, context):
        """Into the outbox, never SMTP in the request (``queue_account_mail``)."""
        queue_account_mail(template_prefix, email, context)

    def format_email_subject(self, subject):
        # allauth falls back on the request's site when the prefix is unset: never here
        return subject_line(subject)

    # The links in mail are made on SITE_URL, not on the host the request came on.

    def get_reset_password_from_key_url(self, key):
        path = reverse("account_reset_password_from_key",
                       kwargs={"uidb36": "UID", "key": "KEY"}).replace("UID-KEY", quote(key))
        return portal_url(path)

    def get_email_confirmation_url(self, request, emailconfirmation):
        return portal_url(reverse("account_confirm_email", args=[emailconfirmation.key]))


class RulesFirst:
    """Model permissions (the admin's) only for permissions that are not rules.

    A permission the portal defines as a rule (``rules.add_perm``) is answered by the rules
    backend alone: when the rule says no, asking a model backend too would load the user's
    and their groups' permission rows (two queries) on every page a member opens, only to
    find no such row. The model permissions the rules give coordinators for the admin
    (alliance.rules.MODEL_PERMISSIONS) stay model permissions too: asked only in the admin."""

    def has_perm(self, user_obj, perm, obj=None):
        if rules.perm_exists(perm) and perm not in MODEL_PERMISSIONS:
            return False
        return super().has_perm(user_obj, perm, obj)


class ModelPermissionBackend(RulesFirst, ModelBackend):
    """Django's username and password login (the admin's form) and model permissions."""


class AllauthBackend(RulesFirst, AuthenticationBackend):
    """allauth's login, which is also a model backend."""

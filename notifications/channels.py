"""Delivery channels. A channel turns one Delivery into a message on the outside: email now;
an SMS or WeCom channel is a class here (or anywhere) registered in
settings.NOTIFICATION_CHANNELS — the scans and services never name a channel's internals.

A channel's ``send`` returns normally when the message was handed over, raises
``PermanentError`` when retrying cannot help (no address, rejected recipient) and any other
exception for a failure worth retrying.
"""

from functools import cache

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils.module_loading import import_string

from yichuan.links import portal_url


class PermanentError(Exception):
    """Retrying will not help: the delivery is marked failed at once."""


class Channel:
    name = ""

    def send(self, delivery):
        raise NotImplementedError


class EmailChannel(Channel):
    """Email through Django's mailer (SMTP from EMAIL_URL; console in development)."""

    name = "email"

    def send(self, delivery):
        notification = delivery.notification
        address = notification.recipient.email
        if not address:
            raise PermanentError("recipient has no email address")
        body = notification.body
        if notification.url:
            body = f"{body}\n\n{portal_url(notification.url)}"
        # Every mail names the portal: in its subject and in a signature with its address.
        body = f"{body}\n\n-- \n{settings.PORTAL_NAME} {portal_url('/')}"
        message = EmailMessage(
            subject=f"{settings.EMAIL_SUBJECT_PREFIX}{notification.subject}",
            body=body,
            to=[address],
            # A stable Message-ID: if a send is ever repeated after a crash (see delivery.py),
            # mail systems that deduplicate on Message-ID drop the second copy.
            headers={"Message-ID": message_id(delivery)},
        )
        message.send(fail_silently=False)


def message_id(delivery):
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "yichuan.example"
    return f"<notification.{delivery.notification_id}.{delivery.channel}@{domain}>"


@cache
def _load(path):
    return import_string(path)()


def channel_for(name):
    try:
        path = settings.NOTIFICATION_CHANNELS[name]
    except KeyError:
        raise PermanentError(f"no channel named {name!r} is configured") from None
    return _load(path)

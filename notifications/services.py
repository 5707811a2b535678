"""Writing notifications. Call ``notify`` inside the transaction of the change it reports:
the rows commit or roll back with it, and delivery is enqueued only after commit.

A web request never waits on the broker: the rows are the outbox, the enqueue after commit
is a hint with a short timeout, and the periodic ``deliver_due`` task delivers whatever the
hint missed (broker down, worker lost).
"""

import functools
import logging
import time

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from notifications.models import Delivery, Notification, Preference

logger = logging.getLogger(__name__)

DEFAULT_CHANNELS = (Delivery.Channel.EMAIL,)


def notify(*, recipient, kind, key, subject, body="", url="", target=None, channels=None,
           preference=None):
    """Write one notification (inbox entry) and its pending deliveries.

    ``key`` identifies the (kind, object, due date) it is about; a second call with the same
    key writes nothing and returns None. Returns the new Notification otherwise.
    ``preference`` may be passed by callers that loaded it already (the scans, in bulk).
    """
    if recipient is None:
        return None
    channels = DEFAULT_CHANNELS if channels is None else channels
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                dedup_key=key[:200],
                target_type=ContentType.objects.get_for_model(target) if target else None,
                target_id=target.pk if target else None,
                subject=str(subject)[:200],
                body=str(body),
                url=url,
            )
    except IntegrityError:
        return None
    if preference is None:
        preference = preference_of(recipient)
    blocked = _unverified([recipient]) if Delivery.Channel.EMAIL in channels else set()
    wanted = [c for c in channels if _wants(recipient, kind, c, preference, blocked)]
    Delivery.objects.bulk_create(
        [Delivery(notification=notification, channel=c) for c in wanted]
    )
    if wanted:
        transaction.on_commit(lambda: enqueue_delivery(notification.pk))
    return notification


def withdraw(*, key):
    """Take back a notification that stopped being true before anyone was told: called in
    the transaction of the change that made it untrue. Its deliveries are locked first, so a
    worker either claimed one before (and it stays: it was true when it left) or skips it
    (delivery.py claims with skip_locked). Unsent, it leaves the inbox; read there already,
    it stays in the inbox but is not also mailed. Returns whether it was withdrawn."""
    notification = (Notification.objects.select_for_update()
                    .filter(dedup_key=key[:200]).first())
    if notification is None:
        return False
    deliveries = list(Delivery.objects.select_for_update().filter(notification=notification))
    if any(d.state in (Delivery.State.SENDING, Delivery.State.SENT) for d in deliveries):
        return False
    if notification.read_at is None:
        notification.delete()
    else:
        Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
            state=Delivery.State.SKIPPED)
    return True


def notify_from_template(*, recipient, kind, key, context, url="", target=None, channels=None,
                         preference=None):
    """Render ``notifications/messages/<kind>.txt`` in the recipient's language, then notify.

    The template's first line is the subject, the rest the body.
    """
    if recipient is None:
        return None
    if preference is None:
        preference = preference_of(recipient)
    subject, body = render_message(kind, {**context, "recipient": recipient, "url": url},
                                   language=preference.language)
    return notify(recipient=recipient, kind=kind, key=key, subject=subject, body=body,
                  url=url, target=target, channels=channels, preference=preference)


def notify_many(items, *, channels=None):
    """Write many notifications at once, for the scans: ``items`` are dicts of
    ``notify_from_template``'s arguments (recipient, kind, key, context, url, target,
    preference), their keys not written yet (``existing_keys``).

    One INSERT for the notifications, one for their deliveries, one message to the broker
    after commit. Should another process write one of the keys in between, the batch is
    rolled back and written one at a time, where the unique key skips the duplicate.
    Returns how many notifications were written.
    """
    channels = DEFAULT_CHANNELS if channels is None else channels
    rows, wanted, rendered = [], [], {}
    # Per batch, not per item: a batch has thousands of items but few kinds, target types
    # and recipients.
    type_ids, channels_of = {}, {}
    # One query for the batch: whose address must get no e-mail.
    blocked = _unverified({item["recipient"].pk: item["recipient"] for item in items}
                          .values()) if Delivery.Channel.EMAIL in channels else set()
    for item in items:
        recipient, kind, preference = item["recipient"], item["kind"], item["preference"]
        # Coordinators reminded of the same suggestion read the same words: render once
        # per suggestion and language unless the message names its recipient.
        same_words = None if _names_recipient(kind) else (
            kind, id(item["context"]), item["url"], preference.language)
        if same_words is None or same_words not in rendered:
            text = render_message(
                kind, {**item["context"], "recipient": recipient, "url": item["url"]},
                language=preference.language)
            if same_words is None:
                subject, body = text
            else:
                rendered[same_words] = text
        if same_words is not None:
            subject, body = rendered[same_words]
        target = item["target"]
        target_type = type(target) if target else None
        if target_type not in type_ids:
            type_ids[target_type] = _content_type_id(target_type) if target_type else None
        # Ids rather than instances: the related-object setters cost more than the row.
        rows.append(Notification(
            recipient_id=recipient.pk, kind=kind, dedup_key=item["key"][:200],
            target_type_id=type_ids[target_type], target_id=target.pk if target else None,
            subject=str(subject)[:200], body=str(body), url=item["url"]))
        wants = (recipient.pk, kind, id(preference))
        if wants not in channels_of:
            channels_of[wants] = [c for c in channels
                                  if _wants(recipient, kind, c, preference, blocked)]
        wanted.append(channels_of[wants])
    if not rows:
        return 0
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows)
            Delivery.objects.bulk_create([
                Delivery(notification_id=notification.pk, channel=channel)
                for notification, chosen in zip(created, wanted, strict=True)
                for channel in chosen])
    except IntegrityError:
        logger.info("a key of the batch was written meanwhile: writing one at a time")
        return sum(notify_from_template(channels=channels, **item) is not None
                   for item in items)
    ids = [n.pk for n, chosen in zip(created, wanted, strict=True) if chosen]
    if ids:
        transaction.on_commit(lambda: enqueue_deliveries(ids))
    return len(created)


def _content_type_id(model):
    return ContentType.objects.get_for_model(model).pk


@functools.cache
def _names_recipient(kind):
    """Whether the message template of ``kind`` uses its recipient."""
    source = get_template(f"notifications/messages/{kind}.txt").template.source
    return "recipient" in source


def render_message(kind, context, *, language=None):
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        text = render_to_string(f"notifications/messages/{kind}.txt", context)
    lines = [line.rstrip() for line in text.strip().splitlines()]
    subject = lines[0].strip() if lines else ""
    body = "\n".join(lines[1:]).strip()
    return subject, body


def preference_of(user):
    """The user's preference, or an unsaved default one (nothing muted, portal language)."""
    try:
        return user.notification_preference
    except Preference.DoesNotExist:
        return Preference(user=user)


def preferences_for(user_ids):
    """{user_id: Preference} for many users in one query (defaults for those without)."""
    user_ids = set(user_ids)  # a scan's batch names each of a few hundred users many times
    found = {p.user_id: p for p in Preference.objects.filter(user_id__in=user_ids)}
    return {uid: found.get(uid) or Preference(user_id=uid) for uid in user_ids}


def existing_keys(keys):
    """The keys among ``keys`` that were already written (one query)."""
    keys = [k[:200] for k in keys]
    if not keys:
        return set()
    return set(Notification.objects.filter(dedup_key__in=keys)
               .values_list("dedup_key", flat=True))


def _wants(recipient, kind, channel, preference, blocked=frozenset()):
    """Whether the recipient accepts ``kind`` on ``channel`` (the inbox is always on).
    ``blocked``: the ids of recipients whose address must get no e-mail (``_unverified``)."""
    if channel == Delivery.Channel.EMAIL and (not recipient.email or recipient.pk in blocked):
        return False
    return preference.wants(kind, channel)


def _unverified(recipients):
    """The ids of ``recipients`` whose address must get no e-mail: one they made their
    primary address without verifying it (a verified address, or the one staff recorded, is
    used). One query; the rule is the accounts' (yichuan.accounts)."""
    from yichuan.accounts import unverified_primary_ids

    return unverified_primary_ids(recipients)


def update_preference(*, user, language, email_kinds):
    """Save the language and which kinds the user wants by email (the rest are muted)."""
    from notifications.kinds import preference_choices

    all_kinds = [value for value, _label in preference_choices()]
    muted = [k for k in all_kinds if k not in set(email_kinds)]
    preference, _created = Preference.objects.update_or_create(
        user=user, defaults={"language": language, "email_muted": muted},
    )
    return preference


def mark_read(*, user, notification_id):
    """Mark one of the user's notifications read; another user's id changes nothing."""
    return (Notification.objects.for_user(user).unread().filter(pk=notification_id)
            .update(read_at=timezone.now()))


def mark_all_read(*, user):
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


def retry_failed(*, delivery_ids):
    """Coordinators' retry of failed deliveries (ids, or a queryset of those they may see):
    back to pending, attempts from zero."""
    return Delivery.objects.filter(pk__in=delivery_ids, state=Delivery.State.FAILED).update(
        state=Delivery.State.PENDING, attempts=0, next_attempt_at=None, last_error="",
    )


# --- enqueue after commit --------------------------------------------------------------------

_broker_down_until = 0.0

# How long a publish may wait on the broker: about a second in all, refused, dead or hung.
# These override the worker's transport options (settings.broker_transport_options) for the
# publish only. A hung broker (stopped, overloaded, a half-open connection) accepts the TCP
# connection, the kernel does that, and then never answers: only the socket timeout ends
# the wait, and with the worker's 5 s, retried on timeout, for each round trip of a publish,
# a submission took 20 s. So: socket_connect_timeout for a dead host, socket_timeout for a
# hung one, no retry of any kind (retry_on_timeout, max_retries, retry=False below).
# Why bound it rather than publish from a thread: the rows are already the outbox and the
# sweep their delivery, so the publish is only a hint, and a thread per request waiting on a
# hung broker would pile up; bounded, a request pays one second at most, once per process
# per NOTIFICATION_BROKER_BACKOFF. /healthz checks the broker with the same bounds.
PUBLISH_TIMEOUT = 1.0
PUBLISH_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": PUBLISH_TIMEOUT,
    "socket_timeout": PUBLISH_TIMEOUT,
    "retry_on_timeout": False,
    "max_retries": 0,
}


def enqueue_delivery(notification_id):
    """Hand one notification's deliveries to a worker (after the commit that wrote it)."""
    from notifications import tasks

    _publish(tasks.deliver_notification, notification_id, what=f"notification {notification_id}")


def enqueue_deliveries(notification_ids):
    """Hand a batch of notifications (a scan's) to a worker with one message."""
    from notifications import tasks

    _publish(tasks.deliver_notifications, list(notification_ids),
             what=f"{len(notification_ids)} notifications")


def _publish(task, argument, *, what):
    """Publish once, within PUBLISH_TIMEOUT; the periodic delivery task catches what this
    misses.

    After one failed publish the process stops trying for a while, so a request that writes
    many notifications while the broker is down pays the publish timeout once at most.
    """
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        logger.info("broker marked down: %s left for the sweep", what)
        return
    started = time.monotonic()
    try:
        # A connection of its own per publish: the shared producer pool is not safe across
        # the threads of a threaded server (runserver, the test live server), where a publish
        # on Redis was seen to stall the request.
        with task.app.connection_for_write(
                connect_timeout=PUBLISH_TIMEOUT,
                transport_options=PUBLISH_TRANSPORT_OPTIONS) as connection:
            task.apply_async(args=[argument], retry=False, connection=connection)
    except Exception as exc:  # broker down: the periodic sweep delivers it later
        _broker_down_until = time.monotonic() + settings.NOTIFICATION_BROKER_BACKOFF
        logger.warning("could not enqueue delivery of %s after %.2fs: %s",
                       what, time.monotonic() - started, exc)

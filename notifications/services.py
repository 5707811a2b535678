"""Writing notifications. Call ``notify`` inside the transaction of the change it reports:
the rows commit or roll back with it, and delivery is enqueued only after commit."""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from notifications.models import Delivery, Notification


def notify(*, recipient, kind, key, subject, body="", url="", target=None, channels=None):
    """Write one notification (inbox entry) and its pending deliveries.

    ``key`` identifies the (kind, object, due date) it is about; a second call with the same
    key writes nothing and returns None. Returns the new Notification otherwise.
    """
    if recipient is None:
        return None
    channels = [Delivery.Channel.EMAIL] if channels is None else channels
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                dedup_key=key[:200],
                target_type=ContentType.objects.get_for_model(target) if target else None,
                target_id=target.pk if target else None,
                subject=subject[:200],
                body=body,
                url=url,
            )
    except IntegrityError:
        return None
    wanted = [c for c in channels if _wants(recipient, kind, c)]
    Delivery.objects.bulk_create(
        [Delivery(notification=notification, channel=c) for c in wanted]
    )
    if wanted:
        transaction.on_commit(lambda: enqueue_delivery(notification.pk))
    return notification


def _wants(recipient, kind, channel):
    """Whether the recipient accepts ``kind`` on ``channel`` (the inbox is always on)."""
    if channel == Delivery.Channel.EMAIL and not recipient.email:
        return False
    return True


def enqueue_delivery(notification_id):
    """Hand the delivery to a worker; the periodic delivery task catches what this misses."""
    from notifications import tasks

    tasks.enqueue(notification_id)

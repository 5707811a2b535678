"""Delivery tasks (thin: they call services with ids)."""

import logging

logger = logging.getLogger(__name__)


def enqueue(notification_id):
    """Publish a delivery task; never lets a broker outage reach the web request."""
    try:
        deliver_notification.apply_async(args=[notification_id], retry=False)
    except Exception as exc:  # broker down: the periodic sweep delivers it later
        logger.warning("could not enqueue delivery of notification %s: %s", notification_id, exc)


from celery import shared_task  # noqa: E402


@shared_task(acks_late=True)
def deliver_notification(notification_id):
    from notifications.delivery import deliver

    deliver(notification_id)

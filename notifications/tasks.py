"""Celery tasks: thin wrappers that call the delivery services. The reminder scans are the
tasks of the apps that own them (proposals.tasks, volunteers.tasks).

Every task here is idempotent (claims and unique dedup keys live in the database), so they
are acknowledged late: a worker lost mid-task leaves the message to be redelivered, and a
redelivery sends nothing twice. Deadlines live in the database, never in a countdown/ETA.
"""

from celery import shared_task

from notifications import delivery


@shared_task(acks_late=True, ignore_result=True)
def deliver_notification(notification_id):
    return delivery.deliver(notification_id)


@shared_task(acks_late=True, ignore_result=True)
def deliver_notifications(notification_ids):
    """A scan's batch: one message for up to a few hundred notifications."""
    return sum(delivery.deliver(pk) for pk in notification_ids)


@shared_task(acks_late=True, ignore_result=True)
def deliver_due():
    """Every minute: whatever the after-commit enqueue missed, retries that are due, and rows
    a dead worker left in ``sending``."""
    return {str(k): v for k, v in delivery.deliver_due().items()}

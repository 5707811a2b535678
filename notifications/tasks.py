"""Celery tasks: thin wrappers that call the delivery and scan services.

Every task here is idempotent (claims and unique dedup keys live in the database), so they
are acknowledged late: a worker lost mid-task leaves the message to be redelivered, and a
redelivery sends nothing twice. Deadlines live in the database, never in a countdown/ETA.
"""

from celery import shared_task

from notifications import delivery, scans


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


@shared_task(acks_late=True, ignore_result=True)
def scan_accept_overdue():
    return scans.accept_overdue()


@shared_task(acks_late=True, ignore_result=True)
def scan_reply_due_soon():
    return scans.reply_due_soon()


@shared_task(acks_late=True, ignore_result=True)
def scan_reply_overdue():
    return scans.reply_overdue()


@shared_task(acks_late=True, ignore_result=True)
def scan_reply_supervision():
    return scans.reply_supervision()


@shared_task(acks_late=True, ignore_result=True)
def scan_progress_overdue():
    return scans.progress_overdue()


@shared_task(acks_late=True, ignore_result=True)
def scan_feedback():
    return scans.feedback()


@shared_task(acks_late=True, ignore_result=True)
def scan_event_tomorrow():
    return scans.event_tomorrow()


@shared_task(acks_late=True, ignore_result=True)
def scan_event_ended():
    return scans.event_ended()


@shared_task(acks_late=True, ignore_result=True)
def weekly_digest():
    return scans.weekly_digest()

"""Celery tasks of the pipeline: thin wrappers that call its reminder scans and services.

Every task is idempotent (unique dedup keys and the workflow's own checks live in the
database), so they are acknowledged late: a redelivery sends nothing twice."""

from celery import shared_task

from proposals import reminders, services


@shared_task(acks_late=True, ignore_result=True)
def scan_accept_overdue():
    return reminders.accept_overdue()


@shared_task(acks_late=True, ignore_result=True)
def scan_reply_due_soon():
    return reminders.reply_due_soon()


@shared_task(acks_late=True, ignore_result=True)
def scan_reply_overdue():
    return reminders.reply_overdue()


@shared_task(acks_late=True, ignore_result=True)
def scan_reply_supervision():
    return reminders.reply_supervision()


@shared_task(acks_late=True, ignore_result=True)
def scan_progress_overdue():
    return reminders.progress_overdue()


@shared_task(acks_late=True, ignore_result=True)
def scan_feedback():
    """The request, the reminder, then auto-close of the windows that ran out."""
    return {**reminders.feedback(), "closed": services.close_expired_feedback()}


@shared_task(acks_late=True, ignore_result=True)
def weekly_digest():
    return reminders.weekly_digest()

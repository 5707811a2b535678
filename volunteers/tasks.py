"""Celery tasks of events: thin wrappers around their reminder scans (idempotent, acked
late: a redelivery sends nothing twice)."""

from celery import shared_task

from volunteers import reminders


@shared_task(acks_late=True, ignore_result=True)
def scan_event_tomorrow():
    return reminders.event_tomorrow()


@shared_task(acks_late=True, ignore_result=True)
def scan_event_ended():
    return reminders.event_ended()

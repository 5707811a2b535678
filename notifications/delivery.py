"""Delivering pending notifications over their channels."""

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from notifications.models import Delivery


def deliver(notification_id):
    """Send every pending delivery of one notification; a sent one is never sent again."""
    with transaction.atomic():
        deliveries = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .select_related("notification__recipient")
            .filter(notification_id=notification_id, state=Delivery.State.PENDING)
        )
        for delivery in deliveries:
            notification = delivery.notification
            send_mail(notification.subject, notification.body, None,
                      [notification.recipient.email])
            delivery.state = Delivery.State.SENT
            delivery.sent_at = timezone.now()
            delivery.attempts += 1
            delivery.save(update_fields=["state", "sent_at", "attempts"])

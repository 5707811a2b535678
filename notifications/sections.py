"""The inbox section of /me/ (and, for coordinators, deliveries that failed)."""

from notifications.models import Delivery, Notification
from yichuan.home import me_section


@me_section
def inbox(request):
    user = request.user
    latest = list(Notification.objects.for_user(user)
                  .only("id", "subject", "url", "created_at", "read_at")[:5])
    section = {
        "template": "notifications/_me_inbox.html",
        "latest": latest,
        "failed_count": None,
    }
    if user.has_perm("notifications.view_failed_deliveries"):
        section["failed_count"] = Delivery.objects.failed_for(request.alliance).count()
    return section

from django.utils.functional import SimpleLazyObject

from notifications.models import Notification


def unread(request):
    """The unread count for the navigation badge: one COUNT on a partial index, run only
    when a template actually shows it for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(
        lambda: Notification.objects.for_user(user).unread().count())}

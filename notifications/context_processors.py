from django.utils.functional import SimpleLazyObject

from notifications.models import Notification
from yichuan.prepared import PreparedQuery

# The badge counts this far and then says "99+": a coordinator of a busy district can have
# thousands unread, and counting them all on every page would grow with the backlog.
UNREAD_BADGE_LIMIT = 99


def unread(request):
    """The unread count for the navigation badge: at most 100 ids read from a
    partial index, run only when a template actually shows it for a signed-in user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: _badge(user))}


# The ids of at most 100 rows, from the partial index: cheaper to build than a COUNT over a
# sliced subquery, for the same answer. Every signed-in page runs it: composed once.
_UNREAD_IDS = PreparedQuery(
    lambda recipient: Notification.objects.for_user(recipient).unread().order_by()
    .values_list("pk", flat=True)[: UNREAD_BADGE_LIMIT + 1],
    recipient=-7_004_001)


def _badge(user):
    count = len(_UNREAD_IDS.rows(recipient=user.pk))
    return f"{UNREAD_BADGE_LIMIT}+" if count > UNREAD_BADGE_LIMIT else count

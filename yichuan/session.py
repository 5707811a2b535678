"""The staff session's 继续 (DESIGN §8: nothing typed is lost, not even when a staff session
times out). The page warns a few minutes before the idle timeout of
yichuan.middleware.StaffIdleTimeoutMiddleware; 继续, or typing in a form, posts here."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from yichuan.middleware import StaffIdleTimeoutMiddleware


@require_POST
@login_required
@never_cache
def keepalive(request):
    """Counts as activity; answers how many seconds the session now has (null for those
    without an idle timeout). A POST with the CSRF token, so another site cannot keep a
    session open."""
    if getattr(request, "staff_idle", None) is None:
        return JsonResponse({"idle_seconds_left": None})
    state = StaffIdleTimeoutMiddleware.stamp(request)
    return JsonResponse({"idle_seconds_left": state["left"]})

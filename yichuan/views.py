"""Project-level views: health check, the member area entry and the 长辈模式 switch."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from yichuan import senior_mode

logger = logging.getLogger(__name__)


@require_safe
def healthz(request):
    """Each part's status as JSON, e.g. {"database": "ok", "broker": "unavailable",
    "cache": "ok"}; 200 while the database answers, 503 when it does not (the portal works
    without the broker and the cache, slower or with deliveries left to the sweep).

    Each check is bounded, so a hung part cannot hold the probe: the broker about a second
    (the publish's bounds), the cache its socket timeout (settings.cache_from_url).
    """
    status = {"database": "ok", "broker": "ok", "cache": "ok"}
    code = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure is reported, not raised
        logger.warning("healthz: database unavailable: %s", exc)
        status["database"] = "unavailable"
        code = 503
    status["broker"] = _broker_status()
    status["cache"] = _cache_status()
    return JsonResponse(status, status=code)


def _broker_status():
    """Open a fresh connection (not the publisher pool) so the answer is current."""
    from kombu import Connection

    from notifications.services import PUBLISH_TIMEOUT, PUBLISH_TRANSPORT_OPTIONS

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=PUBLISH_TIMEOUT,
                        transport_options={**settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                                           **PUBLISH_TRANSPORT_OPTIONS}) as conn:
            conn.ensure_connection(max_retries=0, timeout=PUBLISH_TIMEOUT)
    except Exception as exc:  # broker down must not break the page
        logger.warning("healthz: broker unavailable: %s", exc)
        return "unavailable"
    return "ok"


def _cache_status():
    """The shared cache's answer to a ping (a fail-soft cache never raises: it is asked);
    a per-process cache is always there."""
    from django.core.cache import cache

    ping = getattr(cache, "ping", None)
    if ping is None:
        return "ok"
    try:
        up = ping()
    except Exception as exc:  # a cache down must not break the page
        logger.warning("healthz: cache unavailable: %s", exc)
        up = False
    return "ok" if up else "unavailable"


@login_required
@require_safe
def me(request):
    """The member area: each app contributes a section (suggestions, events, hours, inbox)."""
    from yichuan.home import ME_SECTIONS, collect

    return render(request, "me.html", {"sections": collect(ME_SECTIONS, request)})


@require_POST
def switch_senior_mode(request):
    """The header's 长辈模式 button: a form that works without JavaScript. It says which way
    (``senior_mode=on|off``), so pressing twice leaves the page as the person asked."""
    response = redirect(senior_mode.safe_next(request))
    senior_mode.choose(request, response, on=request.POST.get("senior_mode") == senior_mode.ON)
    return response

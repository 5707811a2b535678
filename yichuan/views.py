"""Project-level views: health check and the member area entry."""

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@require_safe
def healthz(request):
    """Database and broker status as JSON; 200 when the database answers."""
    status = {"database": "ok", "broker": "ok"}
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
    return JsonResponse(status, status=code)


def _broker_status():
    """Open a fresh connection (not the publisher pool) so the answer is current."""
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=1,
                        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS) as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
    except Exception as exc:  # broker down must not break the page
        logger.warning("healthz: broker unavailable: %s", exc)
        return "unavailable"
    return "ok"


@login_required
@require_safe
def me(request):
    """The member area: each app contributes a section (suggestions, events, hours, inbox)."""
    from yichuan.home import ME_SECTIONS, collect

    return render(request, "me.html", {"sections": collect(ME_SECTIONS, request)})

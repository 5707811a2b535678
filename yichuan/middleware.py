import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth import logout
from django.core.exceptions import FieldError, ValidationError
from django.db import DataError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from alliance.roles import is_staff_anywhere

logger = logging.getLogger(__name__)


class StaffIdleTimeoutMiddleware:
    """Logs staff out on the server after STAFF_IDLE_TIMEOUT seconds without a request.

    It also tells the page how long the session has left (``request.staff_idle``), so the
    page can warn a few minutes before and offer 继续 (static/js/session.js, which pings
    yichuan.session.keepalive)."""

    session_key = "_last_seen"
    resolution = 60
    # The page warns this long before the timeout (at most a third of it).
    warning = 5 * 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (user.is_staff or is_staff_anywhere(user)):
            timeout = settings.STAFF_IDLE_TIMEOUT
            now = int(time.time())
            last_seen = request.session.get(self.session_key)
            if last_seen is not None and now - last_seen > timeout:
                logout(request)
                messages.info(request, _("您已长时间未操作，为安全起见已自动退出，请重新登录。"))
            else:
                # A minute's resolution is plenty for a half-hour timeout, and spares busy
                # staff pages an UPDATE of the session row on every request (a short
                # timeout, as in tests, gets a finer one).
                if last_seen is None or now - last_seen >= self.stamp_every(timeout):
                    request.session[self.session_key] = last_seen = now
                request.staff_idle = self.idle_state(last_seen, now)
        return self.get_response(request)

    @classmethod
    def stamp_every(cls, timeout):
        """How often a request stamps activity; the page pings no more often when typing."""
        return min(cls.resolution, timeout // 10)

    @classmethod
    def idle_state(cls, last_seen, now):
        timeout = settings.STAFF_IDLE_TIMEOUT
        return {"timeout": timeout, "left": max(0, timeout - (now - last_seen)),
                "warning": min(cls.warning, timeout // 3),
                "stamp_every": cls.stamp_every(timeout)}

    @classmethod
    def stamp(cls, request):
        """Counts as activity now (the 继续 of the warning); returns the new state."""
        now = int(time.time())
        request.session[cls.session_key] = now
        return cls.idle_state(now, now)


def stamp_activity_at_login(sender, request, user, **kwargs):
    """Logging in is activity: the idle clock starts with the session, not at the first
    page after it (which then has no session to write)."""
    if request is not None and hasattr(request, "session"):
        request.session[StaffIdleTimeoutMiddleware.session_key] = int(time.time())


class DefaultLanguageMiddleware:
    """The portal speaks zh-hans unless the visitor chose another language with the switcher
    (the language cookie); a browser's Accept-Language alone does not switch it, since most
    of the English catalogue is still to be written and a half-English page helps no one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META["HTTP_ACCEPT_LANGUAGE"] = settings.LANGUAGE_CODE
        return self.get_response(request)


class AdminBadQueryMiddleware:
    """A Django admin page that fails on its own query string answers with a message, not a
    500. The admin parses filters, date drill-downs and add-page prefills from the URL and
    lets some bad values through to the database or the form (a year past a C int, text for
    an inet column on PostgreSQL, an unknown filter on import-export's export page, a date
    that is not one in ``?start=``, which the split date-time widget then calls methods on:
    AttributeError). Only GET requests with a query string under /admin/:
    the page is shown again without it, and the error is logged with its traceback, so a
    real bug still shows in the logs."""

    ERRORS = (OverflowError, ValueError, TypeError, AttributeError, ValidationError,
              DataError, FieldError, IncorrectLookupParameters)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if (request.method not in ("GET", "HEAD") or not request.GET
                or not isinstance(exception, self.ERRORS)
                or not request.path.startswith(reverse("admin:index"))):
            return None
        logger.warning("admin query refused: %s?%s", request.path,
                       request.META.get("QUERY_STRING", "")[:200], exc_info=exception)
        messages.error(request, _("网址中的筛选或预填条件无效，已忽略。"))
        return redirect(request.path)

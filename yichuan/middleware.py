import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

from alliance.roles import is_staff_role


class StaffIdleTimeoutMiddleware:
    """Logs staff out on the server after STAFF_IDLE_TIMEOUT seconds without a request."""

    session_key = "_last_seen"
    resolution = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and (user.is_staff or is_staff_role(user)):
            now = int(time.time())
            last_seen = request.session.get(self.session_key)
            if last_seen is not None and now - last_seen > settings.STAFF_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("您已长时间未操作，为安全起见已自动退出，请重新登录。"))
            elif last_seen is None or now - last_seen >= self.resolution:
                # A minute's resolution is plenty for a half-hour timeout, and spares busy
                # staff pages an UPDATE of the session row on every request.
                request.session[self.session_key] = now
        return self.get_response(request)


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

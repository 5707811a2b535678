"""长辈模式 (DESIGN §8): large text, high contrast and large targets, chosen with the switch
in every page's header and remembered where the person is known.

- A visitor's choice lives in a cookie (the browser remembers it).
- A member's lives on their profile (``Member.senior_mode``) and follows them to every
  browser they sign in on. It is read once, when they sign in, into the session, so a page
  costs no query for it; the switch writes profile, session and cookie together.
- Staff without a Member record keep the cookie.

A member who presses the switch on the sign-in page's browser, just before signing in, keeps
the choice (and their profile learns it). A cookie this browser kept from someone else (a
shared phone) is not a choice of theirs: otherwise the profile wins, and the cookie is brought
in line with it.
"""

from django.utils.http import url_has_allowed_host_and_scheme

COOKIE_NAME = "senior_mode"
COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie (RFC 6265bis)
SESSION_KEY = "senior_mode"
# Set when a visitor presses the switch; a sign-in in the same session adopts the choice.
PRESSED_KEY = "senior_mode_pressed"
ON = "on"


def _cookie_says_on(request):
    return request.COOKIES.get(COOKIE_NAME) == ON


def is_on(request):
    """Whether this request's pages are drawn in 长辈模式."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if getattr(user, "is_authenticated", False) and session is not None and SESSION_KEY in session:
        return bool(session[SESSION_KEY])
    return _cookie_says_on(request)


def remember_at_login(sender, request, user, **kwargs):
    """Signing in brings the member's choice into the session (the one query for it); one
    they made with the switch in this session just before signing in is kept and written to
    the profile."""
    from alliance.models import Member

    if request is None or not hasattr(request, "session"):
        return
    pressed = request.session.pop(PRESSED_KEY, None)
    profile_on = Member.objects.filter(user=user).values_list("senior_mode", flat=True).first()
    if profile_on is None:  # staff without a Member record: the cookie decides
        return
    if pressed is not None and pressed != profile_on:
        Member.objects.filter(user=user).update(senior_mode=pressed)
        profile_on = pressed
    request.session[SESSION_KEY] = profile_on


def choose(request, response, *, on):
    """The switch: the choice goes to the cookie, and for a signed-in member to the profile
    and the session."""
    from alliance.models import Member

    user = request.user
    if user.is_authenticated:
        if Member.objects.filter(user=user).update(senior_mode=on):
            request.session[SESSION_KEY] = on
        else:
            request.session.pop(SESSION_KEY, None)
    else:
        request.session[PRESSED_KEY] = on
    set_cookie(request, response, on=on)


def set_cookie(request, response, *, on):
    response.set_cookie(COOKIE_NAME, ON if on else "off", max_age=COOKIE_MAX_AGE,
                        secure=request.is_secure(), httponly=True, samesite="Lax")


def safe_next(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return "/"


class SeniorModeMiddleware:
    """Puts ``request.senior_mode`` on the request; when a member's profile brought the mode
    with their sign-in, the browser's cookie is brought in line, so the page stays as they
    chose it after they sign out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.senior_mode = is_on(request)
        response = self.get_response(request)
        if COOKIE_NAME in getattr(response, "cookies", {}):
            return response  # the switch set it
        if request.senior_mode != _cookie_says_on(request) and (
                request.senior_mode or COOKIE_NAME in request.COOKIES):
            set_cookie(request, response, on=request.senior_mode)
        return response


def context(request):
    """Template context: ``senior_mode`` for the <html> class and the switch's state."""
    return {"senior_mode": getattr(request, "senior_mode", False)}

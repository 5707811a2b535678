"""The alliance of a request, resolved once per request in one place (DESIGN §2):

1. the host's, where a host name is mapped to an alliance (Alliance.host);
2. else the signed-in person's: the one they chose in the switcher (staff of several), or
   their own (alliance.roles.Facts.home_alliance_id);
3. else settings.PORTAL_ALLIANCE_SLUG (else the first alliance, so a fresh install renders).

``request.alliance`` is that Alliance (NO_ALLIANCE while a deployment has none), resolved when
first asked; every role answer of the request without an object of its own is given for
it. A single-alliance deployment needs no configuration.
"""

from django.conf import settings
from django.db.models import Q
from django.utils.functional import SimpleLazyObject

from alliance import roles
from alliance.models import Alliance
from yichuan.prepared import PreparedQuery

SESSION_KEY = "portal_alliance"

# A deployment before its first alliance is made: an alliance of nothing, so every list
# filtered by it is empty and every page still renders (pk 0 names no row).
NO_ALLIANCE = Alliance(pk=0, name="", short_name="", slug="")


def default_alliance_id():
    return (Alliance.objects.filter(slug=settings.PORTAL_ALLIANCE_SLUG)
            .values_list("pk", flat=True).first()
            or Alliance.objects.order_by("pk").values_list("pk", flat=True).first())


def _host(request):
    try:
        return request.get_host().split(":")[0].lower()
    except Exception:  # DisallowedHost: CommonMiddleware answers it; here it maps nothing.
        return ""


def on_own_host(request):
    """Whether the request came in on its alliance's own host name (Alliance.host)."""
    return bool(request.alliance.host) and request.alliance.host == _host(request)


# Every request that shows its alliance runs this: composed by the ORM once per process.
_CANDIDATES = PreparedQuery(
    lambda host, slug, chosen: Alliance.objects.filter(Q(host=host) | Q(slug=slug) | Q(pk=chosen)),
    host="\x01host", slug="\x01slug", chosen=-7_004_002)


def resolve(request):
    """The request's alliance, in one query: every candidate (at most three rows) is
    fetched at once and the first by rank wins; NO_ALLIANCE when there is none at all."""
    user = getattr(request, "user", None)
    chosen = None
    if getattr(user, "is_authenticated", False):
        allowed = roles.alliance_ids_of(user)
        picked = request.session.get(SESSION_KEY)
        if isinstance(picked, int) and (allowed is None or picked in allowed):
            chosen = picked
        else:
            chosen = roles.facts(user).home_alliance_id()
    host = _host(request)

    def rank(alliance):
        return (0 if host and alliance.host == host else 1 if alliance.pk == chosen else 2,
                alliance.pk)

    # None compares with NULL: no host, or nobody chosen, matches no row.
    candidates = _CANDIDATES.objects(host=host or None, slug=settings.PORTAL_ALLIANCE_SLUG,
                                     chosen=chosen)
    found = min(candidates, key=rank, default=None)
    return found or Alliance.objects.order_by("pk").first() or NO_ALLIANCE


class AllianceMiddleware:
    """Puts the request's alliance on the request, lazily (a response that never asks, a
    redirect or /healthz, makes no query for it), and makes it the alliance every role
    answer of the request is given for (alliance.roles.WORKING_ALLIANCE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.alliance = SimpleLazyObject(lambda: resolve(request))
        token = roles.WORKING_ALLIANCE.set(request.alliance)
        try:
            return self.get_response(request)
        finally:
            roles.WORKING_ALLIANCE.reset(token)


def switcher(request):
    """Template context: the alliances a signed-in person may switch between (staff who hold
    roles in several; admins everywhere), computed only when a template asks."""

    def choices():
        user = getattr(request, "user", None)
        if not getattr(user, "is_authenticated", False):
            return []
        allowed = roles.alliance_ids_of(user)
        if allowed is not None and len(allowed) < 2:
            return []
        if on_own_host(request):
            return []  # an alliance's own host shows that alliance whatever one chooses
        found = Alliance.objects.order_by("pk").only("pk", "short_name")
        return list(found if allowed is None else found.filter(pk__in=allowed))

    return {"alliance_choices": choices}

"""Every URL pattern of the portal × every kind of visitor × GET and POST, against the table
in tests/hardening/permission_matrix.py. Patterns are read from the URLconf, so a new view
without a row fails here; every POST carries ``state``, ``handler`` and ``is_staff`` fields
that must change nothing.

The rows are built once for the module (tests/hardening/matrix_world.py) inside a
transaction; each case runs in a savepoint of its own that is rolled back after it, so a
POST never leaks into the next case.
"""

import re
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLResolver, get_resolver, resolve

from proposals.models import Suggestion
from tests.hardening import permission_matrix as matrix

pytestmark = pytest.mark.django_db

EXTRA_FIELDS = {"state": "closed", "is_staff": "on"}  # and handler=<the handler's id>
WATCHED = ("suggestion", "submitted_suggestion", "others_suggestion")


# --- the URLconf ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Pattern:
    route: str
    name: str
    callback: object
    shadowed: bool


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        else:
            name = f"{namespace}:{p.name or ''}" if namespace else (p.name or "")
            yield prefix + str(p.pattern), name, p.callback


def url_patterns():
    """Every pattern of the project in resolution order; a later one with the route of an
    earlier one can never answer and is marked shadowed."""
    seen, found = set(), []
    for route, name, callback in _walk(get_resolver().url_patterns):
        found.append(Pattern(route, name, callback, route in seen))
        seen.add(route)
    return found


# --- the Django admin's model pages, matched by rule ------------------------------------

ADMIN_PAGE_ROUTES = {
    "": "changelist", "add/": "add", "<path:object_id>/change/": "change",
    "<path:object_id>/history/": "history", "<path:object_id>/delete/": "delete",
    "<path:object_id>/": "object", "import/": "import", "process_import/": "process_import",
    "export/": "export", "preview/": "preview", "<id>/password/": "password",
}


def registered_admin_models():
    return {m._meta.label_lower for m in admin.site._registry}


def admin_model_page(route):
    """(model label, page) for a model admin's route, (label, None) for an unknown page of
    a registered model, None for any other route."""
    parts = route.split("/", 3)
    if len(parts) < 4 or parts[0] != "admin":
        return None
    label = f"{parts[1]}.{parts[2]}"
    if label not in registered_admin_models():
        return None
    return label, ADMIN_PAGE_ROUTES.get(parts[3])


def admin_expected(label, page):
    superuser = matrix.ADMIN_MODELS[label].get(page, matrix.ADMIN_PAGES[page])
    if (label, page) in matrix.COORDINATOR_NOT_FOUND:
        coordinator = (302, 302)
    elif (label, page) in matrix.COORDINATOR_PAGES:
        coordinator = matrix.COORDINATOR_PAGES[label, page]
    elif label in matrix.COORDINATOR_MODELS:
        coordinator = superuser
    elif page == "object":
        coordinator = superuser  # the bare address only redirects to change/
    else:  # no permission: 403, after a refused method's 405
        coordinator = tuple(405 if status == 405 else 403 for status in superuser)
    return tuple(zip(*[(matrix.ADMIN_LOGIN,) * 2] * 5, coordinator, superuser, strict=True))


# --- the cases ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    route: str
    role: str
    method: str
    expected: object  # None: no row in the table
    args: tuple = ()
    variant: str = ""
    data: tuple = ()
    changes: tuple = ()
    admin_model: str = ""

    def __str__(self):
        variant = f" [{self.variant}]" if self.variant else ""
        return f"{self.method} /{self.route}{variant} as {self.role}"


def build_cases():
    rows = {}
    for row in matrix.ROWS:
        rows.setdefault(row.route, []).append(row)
    cases = []
    for pattern in url_patterns():
        if pattern.shadowed:
            continue
        admin_page = admin_model_page(pattern.route)
        if admin_page and admin_page[0] in matrix.ADMIN_MODELS and admin_page[1]:
            get, post = admin_expected(*admin_page)
            for i, role in enumerate(matrix.ROLES):
                for method, expected in (("GET", get[i]), ("POST", post[i])):
                    cases.append(Case(pattern.route, role, method, expected,
                                      admin_model=admin_page[0]))
            continue
        if pattern.route not in rows or admin_page:
            cases.append(Case(pattern.route, "anyone", "GET", None))
            continue
        for row in rows[pattern.route]:
            for i, role in enumerate(matrix.ROLES):
                changes = tuple(row.changes.get(role, {}).items())
                for method, expected in (("GET", row.get[i]), ("POST", row.post[i])):
                    cases.append(Case(
                        row.route, role, method, expected, args=tuple(row.args.items()),
                        variant=row.variant, data=tuple(row.data.items()),
                        changes=changes if method == "POST" else ()))
    return cases


CASES = build_cases()


def first_row(case):
    return apps.get_model(case.admin_model).objects.order_by("pk").first()


def url_for(case, world, admin_row=first_row):
    """The case's address in ``world``; an admin model page names ``admin_row(case)``."""
    if case.admin_model:
        obj = admin_row(case)
        assert obj is not None, f"the matrix world has no {case.admin_model} row"
        kwargs = {"object_id": obj.pk, "id": obj.pk}
    else:
        kwargs = {arg: value[1:] if value.startswith("=") else world.values[value]
                  for arg, value in case.args}

    def value(match):
        return str(kwargs[match.group(1)])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, case.route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", value, path)
    return "/" + path.replace("^", "").replace("$", "")


# --- fixtures -------------------------------------------------------------------------------

@pytest.fixture
def _media_root(settings, world):
    """The world's uploads stay where they were written (overrides the suite's own)."""
    settings.MEDIA_ROOT = world.media


@pytest.fixture(scope="module")
def matrix_client():
    # One client for the module: a new one loads the middleware (and WhiteNoise's file
    # scan) again, which would cost more than the request.
    return Client()


def snapshot(world):
    numbers = {key: world.values[key] for key in WATCHED}
    rows = dict(Suggestion.objects.filter(tracking_number__in=numbers.values())
                .values_list("tracking_number", "state"))
    handlers = dict(Suggestion.objects.filter(tracking_number__in=numbers.values())
                    .values_list("tracking_number", "handler_id"))
    users = get_user_model().objects
    return {
        "states": {key: rows.get(number) for key, number in numbers.items()},
        "handlers": {key: handlers.get(number) for key, number in numbers.items()},
        "staff": set(users.filter(is_staff=True).values_list("pk", flat=True)),
        "superusers": set(users.filter(is_superuser=True).values_list("pk", flat=True)),
    }


# --- the tests ------------------------------------------------------------------------------

@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_visitor_gets_the_status_of_the_table(case, world, matrix_client):
    if case.expected is None:
        pytest.fail(f"no row in tests/hardening/permission_matrix.py for /{case.route}")
    url = url_for(case, world)
    match = resolve(url.split("?")[0])
    assert match.route.replace("^", "").replace("$", "") == (
        case.route.replace("^", "").replace("$", "")), f"{url} resolves to {match.route}"

    client = matrix_client
    client.cookies = SimpleCookie()
    user = world.users[case.role]
    if user is not None:
        client.force_login(user)
    before = snapshot(world)
    if case.method == "GET":
        response = client.get(url)
    else:
        data = {**dict(case.data), **EXTRA_FIELDS, "handler": world.users["handler"].pk}
        response = client.post(url, data)

    check_status(case, response)

    after = snapshot(world)
    expected_states = {**before["states"], **dict(case.changes)}
    assert after["states"] == expected_states
    assert after["handlers"] == before["handlers"]
    assert after["staff"] == before["staff"]
    assert after["superusers"] == before["superusers"]


def check_status(case, response):
    """The response is what the table gives the case."""
    status = response.status_code
    location = response.get("Location", "")
    if case.expected == matrix.LOGIN:
        assert status == 302 and location.startswith(settings.LOGIN_URL), (status, location)
    elif case.expected == matrix.ADMIN_LOGIN:
        assert status == 302 and location.startswith("/admin/login/"), (status, location)
    else:
        assert status == case.expected, (status, location)
        if status == 302:
            assert not location.startswith((settings.LOGIN_URL, "/admin/login/")), location


@pytest.mark.parametrize("pattern", [p for p in url_patterns() if p.shadowed],
                         ids=lambda p: f"/{p.route} [{p.name}]")
def test_shadowed_patterns_never_answer(pattern):
    assert matrix.SHADOWED.get(pattern.route) == pattern.name
    match = resolve("/" + pattern.route)
    assert match.func is not pattern.callback
    assert match.url_name == pattern.name.rsplit(":", 1)[-1]


def test_the_table_covers_exactly_the_url_patterns():
    """No pattern without a row or rule, no row or rule without a pattern."""
    patterns = url_patterns()
    in_urlconf = {p.route for p in patterns if not p.shadowed}
    by_rule = set()
    for route in in_urlconf:
        page = admin_model_page(route)
        if page and page[0] in matrix.ADMIN_MODELS and page[1]:
            by_rule.add(route)
    in_table = {row.route for row in matrix.ROWS} | by_rule
    assert sorted(in_urlconf - in_table) == [], "URL patterns without a row"
    assert sorted(in_table - in_urlconf) == [], "rows without a URL pattern"
    assert {p.route for p in patterns if p.shadowed} == set(matrix.SHADOWED)
    assert set(matrix.ADMIN_MODELS) == registered_admin_models()
    for row in matrix.ROWS:
        assert len(row.get) == len(row.post) == len(matrix.ROLES), row.route
        assert set(row.changes) <= set(matrix.ROLES), row.route


def test_the_matrix_has_a_case_for_every_pattern_role_and_method():
    patterns = [p for p in url_patterns() if not p.shadowed]
    covered = {case.route for case in CASES if case.expected is not None}
    assert covered == {p.route for p in patterns}
    assert len(CASES) >= len(patterns) * len(matrix.ROLES) * 2


@pytest.fixture
def dead_cache(settings):
    """The shared cache on a Redis that is not there (a port nobody listens on)."""
    import socket

    from yichuan.settings.base import cache_from_url

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.CACHES = {**settings.CACHES, "default": cache_from_url(f"redis://127.0.0.1:{port}/0")}


@pytest.mark.parametrize("case", [c for c in CASES if c.method == "GET"], ids=str)
def test_with_the_cache_down_every_page_answers_as_the_table_says(case, world, dead_cache):
    """A cache that is down costs speed, never a 500: each GET of the matrix, as each role,
    gets the status the table gives it."""
    client = Client(raise_request_exception=False)
    user = world.users[case.role]
    if user is not None:
        client.force_login(user)
    response = client.get(url_for(case, world))
    status = response.status_code
    assert status < 500, status
    if isinstance(case.expected, int):
        assert status == case.expected

"""Hostile and random query strings on every page a GET reaches (issue #19, item 7): never a
500. A value a view does not take is a message on the page (a form error, or a note that
the default is shown) or a 404.

The pages are those of the permission matrix (tests/hardening/permission_matrix.py), each
opened by the visitors who get it (200): the least and the most privileged of them, and the
coordinator, over the matrix world; the Django admin's model pages as the superuser (and
the coordinator where the matrix lets them in). The keys of a query are the names the page
reads (KNOWN_PARAMS, a model admin's filters and fields), any other page's, or random; the
values dates, years, months, pages, ids, huge and negative numbers, NUL bytes and the
HOSTILE text of test_fuzzed_forms. Each example runs in a savepoint rolled back after it.
tests/hardening/test_crafted_queries.py has the addresses of the issue as explicit
examples. The shapes the Django admin itself would answer with a 500 are in ADMIN_500:
the portal refuses them with a message (yichuan.middleware.AdminBadQueryMiddleware).
"""

import datetime
import os
from http.cookies import SimpleCookie
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.forms import SplitDateTimeWidget
from django.test import Client, RequestFactory
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.hardening import permission_matrix as matrix
from tests.hardening.test_fuzzed_forms import FUZZ, HOSTILE, _no_raw_markup
from tests.hardening.test_permission_matrix import CASES, admin_model_page, url_for

pytestmark = pytest.mark.django_db

# Examples per page (and five explicit ones); QUERY_FUZZ_EXAMPLES=200 for a longer run.
EXAMPLES = int(os.environ.get("QUERY_FUZZ_EXAMPLES", "25"))
QUERIES = settings(FUZZ, max_examples=EXAMPLES)

# --- what each page reads from its query string -------------------------------------------

KNOWN_PARAMS = {
    "": (),
    "audit/": ("kind", "page"),
    "i18n/setlang/": ("next", "language"),
    "accounts/login/": ("next", "login", "process"),
    "accounts/logout/": ("next",),
    "accounts/reauthenticate/": ("next",),
    "accounts/password/reset/": ("email",),
    "suggestions/": ("q", "state", "category", "unit", "handler", "due", "submitted_after",
                     "submitted_before", "page", "co_page"),
    "suggestions/new/": ("title", "category"),
    "suggestions/new/similar/": ("title",),
    "suggestions/golden/": ("page",),
    "events/": ("when", "kind", "unit", "month", "page"),
    "events/hours/member/<int:member_id>/": ("year",),
    "announcements/": ("q", "kind", "audience", "page"),
    "me/notifications/": ("unread", "page"),
    "me/notifications/failed/": ("page",),
    "dashboard/": ("date_from", "date_to", "unit", "category"),
    "dashboard/export/statistics.xlsx": ("date_from", "date_to", "unit", "category"),
    "dashboard/export/suggestions.<str:fmt>": ("date_from", "date_to", "unit", "category"),
    "admin/": ("next",),
    "admin/login/": ("next",),
    "admin/autocomplete/": ("term", "app_label", "model_name", "field_name", "page"),
    "admin/jsi18n/": ("language",),
}
ADMIN_PARAMS = ("q", "o", "p", "e", "all", "_popup", "_to_field", "_changelist_filters",
                "_facets")


def model_admin(label):
    return next(ma for m, ma in admin.site._registry.items() if m._meta.label_lower == label)


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_active=True, is_staff=True, is_superuser=True)
    return request


def fragile_initial_fields(label):
    """The fields of an add page whose widget breaks on initial text it cannot parse: split
    date-times (AdminSplitDateTime) and autocompletes (they query the text as an id)."""
    form = model_admin(label).get_form(_superuser_request(), None)
    names = []
    for name, field in form.base_fields.items():
        widget = getattr(field.widget, "widget", field.widget)  # inside the related wrapper
        if isinstance(widget, SplitDateTimeWidget):
            names.append((name, "add page: a date-time's initial text reaches "
                                "AdminSplitDateTime"))
        elif isinstance(widget, AutocompleteMixin):
            names.append((name, "add page: an autocomplete queries its initial text as an id"))
    return names


def admin_params(label, page):
    """The query names a model admin's page reads: the changelist its filters' lookups, the
    add page its fields (initial data; the others' names do no harm), all of them the admin's
    own (ADMIN_PARAMS); less the shapes of ADMIN_500."""
    ma = model_admin(label)
    names = list(ADMIN_PARAMS)
    if page == "changelist":
        for entry in ma.list_filter:
            if isinstance(entry, (list, tuple)):
                entry = entry[0]
            if isinstance(entry, str):
                names += [f"{entry}__{lookup}" for lookup in (
                    "exact", "isnull", "gte", "lt", "id__exact", "in")]
            else:
                names.append(getattr(entry, "parameter_name", "") or "filter")
    else:
        left_out = {name for name, _reason in fragile_initial_fields(label)}
        names += [f.name for f in ma.model._meta.get_fields()
                  if not f.auto_created and f.name not in left_out]
    return tuple(dict.fromkeys(names))


# --- what the Django admin would answer with a 500 --------------------------------------------
# Bugs of Django's admin and of django-import-export, not of a portal view: the portal's
# middleware refuses them with a message, tested one by one below, and the fuzzer leaves
# these shapes out: the date hierarchy's
# year/month/day, an add page's split date-time and autocomplete fields, a changelist's lookup on a field
# that is no filter (an inet column refuses text on PostgreSQL), and the export page,
# which answers every filter it does not know with a 500.

def admin_500_urls():
    urls = []
    for model, ma in sorted(admin.site._registry.items(), key=lambda i: i[0]._meta.label):
        label = model._meta.label_lower
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        if ma.date_hierarchy:
            dh = ma.date_hierarchy
            urls += [(f"{base}?{dh}__year=99999999999", "date hierarchy: year past a C int"),
                     (f"{base}?{dh}__year=9999&{dh}__month=12",
                      "date hierarchy: the month after 9999-12")]
        if hasattr(ma, "export_action"):
            urls.append((f"{base}export/?no_such_filter=1",
                         "import-export: ExportChangeList's IncorrectLookupParameters"))
        urls += [(f"{base}add/?{name}=abc", reason)
                 for name, reason in fragile_initial_fields(label)]
        if connection.vendor == "postgresql":
            urls += [(f"{base}?{f.name}=27-15",
                      "changelist: any field is a lookup, and PostgreSQL refuses the inet")
                     for f in model._meta.get_fields()
                     if isinstance(f, models.GenericIPAddressField)]
    return urls


ADMIN_500 = admin_500_urls()


ALL_KNOWN = tuple(sorted({name for names in KNOWN_PARAMS.values() for name in names}))

# --- the values -------------------------------------------------------------------------------

NUMBER = st.one_of(
    st.integers(min_value=-5, max_value=60),  # the matrix world's ids among them
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1999, 2000, 2100, 2101, 9999, 10000, 99999, 10**18, 2**63,
                     10**30]),
).map(str)
DATE = st.one_of(
    st.dates().map(datetime.date.isoformat),
    st.sampled_from(["0001-01-01", "9999-12-31", "0000-00-00", "2026-02-30", "2026-13-01",
                     "99999-01-01", "-1-01-01", "2026-01-01T00:00", "20260101",
                     "9999-12-31T23:59:59"]),
)
MONTH = st.one_of(
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(-5, 100000), st.integers(-1, 20)),
    st.sampled_from(["99999-01", "0-1", "2026-0", "2026-1", "2026-05", "-2026-05", "2026",
                     "2026-05-01", "²⁰²⁶-05", "١٢-٠١"]),
)
JUNK = st.sampled_from(["", " ", "\x00", "a\x00b", "%00", "1\x00", "9" * 400, "-" + "9" * 30,
                        "1.5", "1e400", "nan", "inf", "²", "١٢٣", "[1]", "{}", "null",
                        "true", "on", "__proto__", "../../etc/passwd", "//evil.example/",
                        "https://evil.example/", "\r\nSet-Cookie: x=1", "中" * 300])
VALUE = st.one_of(NUMBER, DATE, MONTH, JUNK, HOSTILE, st.text(max_size=40))
RANDOM_KEY = st.text(min_size=1, max_size=12)


def query_strategy(known):
    key = st.one_of(st.sampled_from(known or ("page",)), st.sampled_from(ALL_KNOWN),
                    RANDOM_KEY)
    # Several values for one key too: a page that reads one of them must choose.
    return st.lists(st.tuples(key, VALUE), max_size=6)


# --- which pages, as whom -----------------------------------------------------------------

def _answers(case):
    """Whether a GET gets this visitor a page of the view (not its refusal of the method,
    nor the way to a login)."""
    return case.method == "GET" and isinstance(case.expected, int) and case.expected != 405


def _get_cases():
    """Per route (and variant): the visitors who get the page (200) on a GET, narrowed to
    the least and the most privileged and the coordinator; for a route nobody gets (a
    redirect, a 403 or 404 to all), its most privileged visitor. The admin's export pages
    are left to ADMIN_500."""
    by_row = {}
    for case in CASES:
        if _answers(case):
            by_row.setdefault((case.route, case.variant, case.admin_model), []).append(case)
    chosen = []
    for key, cases in by_row.items():
        if key[2] and admin_model_page(key[0])[1] == "export":
            continue
        pages = [c for c in cases if c.expected == 200]
        if pages:
            keep = {pages[0].role, pages[-1].role, "coordinator"}
            chosen += [c for c in pages if c.role in keep]
        else:
            chosen.append(cases[-1])
    return chosen


GET_CASES = _get_cases()


def _known(case):
    if case.admin_model:
        return admin_params(*admin_model_page(case.route))
    return KNOWN_PARAMS.get(case.route, ())


@pytest.fixture
def _media_root(settings, world):
    """The world's uploads stay where they were written (overrides the suite's own)."""
    settings.MEDIA_ROOT = world.media


@pytest.fixture(scope="module")
def fuzz_client():
    return Client()


def _open(client, world, case):
    client.cookies = SimpleCookie()
    user = world.users[case.role]
    if user is not None:
        client.force_login(user)


def _check(response):
    assert response.status_code < 500, response.status_code
    if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
        _no_raw_markup(response.content.decode(errors="replace"))


@pytest.mark.parametrize("case", GET_CASES, ids=str)
def test_every_page_survives_any_query_string(case, world, fuzz_client):
    url = url_for(case, world)
    _open(fuzz_client, world, case)
    known = _known(case)

    @QUERIES
    @given(query=query_strategy(known))
    @example(query=[(name, "\x00") for name in known[:6]])
    @example(query=[(name, "9" * 30) for name in known[:6]])
    @example(query=[(name, "-1") for name in known[:6]])
    @example(query=[(name, "99999-01") for name in known[:6]])
    @example(query=[(name, "9999-12-31") for name in known[:6]])
    def run(query):
        with transaction.atomic():  # each example from the same rows, whatever it wrote
            _check(fuzz_client.get(f"{url}?{urlencode(query)}"))
            transaction.set_rollback(True)

    run()


def test_the_query_fuzzer_opens_every_page_a_get_reaches():
    """Every route a GET reaches is fuzzed, as a visitor who gets its page where one does."""
    routes = {(c.route, c.variant, c.admin_model) for c in CASES if _answers(c)}
    exports = {r for r in routes if r[2] and admin_model_page(r[0])[1] == "export"}
    fuzzed = {(c.route, c.variant, c.admin_model) for c in GET_CASES}
    assert fuzzed == routes - exports
    assert {(c.route, c.variant, c.admin_model) for c in GET_CASES if c.expected == 200} == {
        (c.route, c.variant, c.admin_model) for c in CASES
        if c.method == "GET" and c.expected == 200} - exports
    assert set(KNOWN_PARAMS) <= {row.route for row in matrix.ROWS}
    assert {url.split("export/")[0] for url, _reason in ADMIN_500 if "/export/" in url} == {
        "/" + route.split("export/")[0] for route, _v, label in exports}


@pytest.mark.parametrize("url", [pytest.param(url, id=reason) for url, reason in ADMIN_500])
def test_admin_pages_refuse_what_they_cannot_parse_with_a_message(world, url):
    """The shapes Django's admin and import-export let through to a 500: the page comes
    back without the query string and says it was ignored (yichuan.middleware)."""
    client = Client(raise_request_exception=False)
    client.force_login(world.users["admin"])
    # In production each request has its own transaction; here the module's world is one,
    # and PostgreSQL aborts it on the refused inet text: the savepoint keeps it usable.
    savepoint = transaction.savepoint()
    response = client.get(url)
    transaction.savepoint_rollback(savepoint)
    assert response.status_code == 302
    assert response["Location"] == url.split("?")[0]
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "网址中的筛选或预填条件无效，已忽略。" in [str(m) for m in page.context["messages"]]

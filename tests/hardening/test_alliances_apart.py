"""Alliances apart (DESIGN §2): a district of three alliances, each with the permission
matrix's seven visitors and objects, every text of each marked with its alliance
(matrix_world.MARK). For every GET of the permission matrix, as every role, in every
alliance:

- the status is the one the table gives (the table is written for one alliance, and each
  alliance of a district answers like a deployment of its own);
- nothing of another alliance is shown: no other alliance's mark in what the visitor gets
  (the visible body of a page; the text of a feed, a CSV or a workbook).

And across alliances: every object address of another alliance, GET and POST, as every role,
is not found and changes nothing.

Each alliance's visitors come through its portal: 乙 and 丙 have host names of their own, 甲
is the deployment's default. The superuser works in one alliance at a time on the portal
(it switches); on the Django admin it sees the whole district by design, so its admin pages
are not checked for marks.
"""

from http.cookies import SimpleCookie

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.test import Client, override_settings

from alliance.context import SESSION_KEY
from tests.factories import AllianceFactory
from tests.hardening import matrix_world
from tests.hardening import permission_matrix as matrix
from tests.hardening.test_permission_matrix import (
    CASES,
    Case,
    check_status,
    first_row,
    snapshot,
    url_for,
)
from tests.visible import shown

pytestmark = pytest.mark.django_db

ALLIANCES = {
    "甲": dict(mark=matrix_world.MARK),
    "乙": dict(mark="【乙】", suffix="-b", alliance=dict(
        slug="changfeng", name="长风同心联盟【乙】", short_name="长风【乙】",
        subdistrict="普陀区长风新村街道", host="changfeng.portal.test")),
    "丙": dict(mark="【丙】", suffix="-c", alliance=dict(
        slug="ganquan", name="甘泉同心联盟【丙】", short_name="甘泉【丙】",
        subdistrict="普陀区甘泉路街道", host="ganquan.portal.test")),
}
MARKS = {key: spec["mark"] for key, spec in ALLIANCES.items()}


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker, tmp_path_factory):
    """Three alliances' worlds in one database (rolled back at the end)."""
    media = tmp_path_factory.mktemp("district-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        with transaction.atomic():
            worlds = {}
            first = matrix_world.build_world()
            worlds["甲"] = first
            for key in ("乙", "丙"):
                spec = ALLIANCES[key]
                worlds[key] = matrix_world.build_world(
                    mark=spec["mark"], suffix=spec["suffix"],
                    alliance=AllianceFactory(**spec["alliance"]),
                    admin=first.users["admin"])
            for world in worlds.values():
                world.media = media
            yield worlds
            transaction.set_rollback(True)


@pytest.fixture
def _media_root(settings, district):
    settings.MEDIA_ROOT = district["甲"].media


_CLIENTS = {}


def _client_for(world, role, alliance):
    """A client of ``alliance``'s portal: on its own host name where it has one (the
    default alliance answers on the deployment's). One per host for the module (a new one
    loads the middleware again); signed in afresh for each case, whose savepoint took the
    last one's session with it."""
    host = alliance.host or "testserver"
    client = _CLIENTS.setdefault(host, Client(HTTP_HOST=host))
    client.cookies = SimpleCookie()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
        if role == "admin":  # the superuser chooses the alliance it works in
            session = client.session
            session[SESSION_KEY] = alliance.pk
            session.save()
    return client


def _url(case, world):
    return url_for(case, world, admin_row=lambda case: _admin_object(case, world.alliance))


def _admin_object(case, alliance):
    """The first row of the case's model that belongs to ``alliance`` (as its admin scopes
    rows), else the first row; the table's own row where it names one of no alliance."""
    model = apps.get_model(case.admin_model)
    model_admin = admin.site._registry[model]
    rows = model.objects.order_by("pk")
    if any(label == case.admin_model for label, _page in matrix.COORDINATOR_NOT_FOUND):
        return first_row(case)
    condition = (model_admin.scope_condition([alliance.pk])
                 if hasattr(model_admin, "scope_condition") else None)
    return (rows.filter(condition).first() if condition is not None else None) or rows.first()


GETS = [case for case in CASES if case.method == "GET" and case.expected is not None]


@pytest.mark.parametrize("key", list(ALLIANCES))
@pytest.mark.parametrize("case", GETS, ids=str)
def test_every_page_as_every_role_shows_its_own_alliance_only(case, key, district):
    world = district[key]
    response = _client_for(world, case.role, world.alliance).get(_url(case, world))
    check_status(case, response)
    if case.role == "admin" and case.route.startswith(("admin/", "district/")):
        return  # the superuser administers, and the district page shows, the whole district
    text = shown(response)
    foreign = [mark for other, mark in MARKS.items() if other != key and mark in text]
    assert not foreign, f"{_url(case, world)} shows {foreign}"


# --- another alliance's objects --------------------------------------------------------------

OBJECT_ROWS = [row for row in matrix.ROWS
               if any(not value.startswith("=") for value in row.args.values())
               # The calendar token is the credential of its member's own feed.
               and "feed_token" not in row.args.values()
               # Admin's content-type shortcut: the superuser's, district-wide by design.
               and not row.route.startswith("admin/")]


def _crossing_cases():
    for row in OBJECT_ROWS:
        for role in matrix.ROLES:
            for method in ("GET", "POST"):
                yield pytest.param(row, role, method,
                                   id=f"{method} /{row.route}{row.variant and f' [{row.variant}]'}"
                                      f" as {role}")


@pytest.mark.parametrize(("row", "role", "method"), list(_crossing_cases()))
def test_another_alliances_objects_are_not_found_and_change_nothing(row, role, method,
                                                                     district):
    here, there = district["乙"], district["甲"]
    case = Case(row.route, role, method, expected=None, args=tuple(row.args.items()))
    url = _url(case, there)
    client = _client_for(here, role, here.alliance)
    before = snapshot(there)
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, {**row.data, "state": "closed", "is_staff": "on",
                                     "handler": here.users["handler"].pk})
    status, location = response.status_code, response.get("Location", "")
    assert status != 200 or row.route.endswith("/new/"), (url, status)
    if status == 302:
        # Signed out: to the login page; signed in: back to one's own alliance's pages.
        assert location.startswith(settings.LOGIN_URL) or role != "anonymous", location
        assert there.values.get("suggestion", "-") not in location or role == "anonymous", (
            location)
    assert status in (302, 404, 405), (url, status)
    assert MARKS["甲"] not in shown(response)
    assert snapshot(there) == before

"""The Django admin for a coordinator given admin access (DESIGN §2): the rows and the
choices of their own alliance only; another alliance's row is not found there."""

import pytest
from django.contrib.auth.models import Permission

from tests.factories import (
    AllianceFactory,
    CategoryFactory,
    EventFactory,
    MemberFactory,
    UnitFactory,
    UserFactory,
)
from tests.visible import body_text

pytestmark = pytest.mark.django_db

MODELS = {"alliance": ["unit", "member", "staffrole"], "proposals": ["category"],
          "volunteers": ["event"]}


@pytest.fixture
def two(db):
    home = AllianceFactory()
    changfeng = AllianceFactory(slug="changfeng", name="长风同心联盟", short_name="长风")
    rows = {}
    for alliance in (home, changfeng):
        tag = alliance.short_name
        rows[tag] = {
            "unit": UnitFactory(alliance=alliance, name=f"{tag}单位"),
            "member": MemberFactory(alliance=alliance, name=f"{tag}成员"),
            "category": CategoryFactory(alliance=alliance, name=f"{tag}类别"),
            "event": EventFactory(alliance=alliance, title=f"{tag}活动"),
        }
    coordinator = UserFactory(username="changfeng-coord", roles=["coordinator"],
                              roles__alliance=changfeng, is_staff=True)
    coordinator.user_permissions.set(Permission.objects.filter(
        content_type__app_label__in=MODELS,
        codename__regex=r"^(view|change|add)_(unit|member|staffrole|category|event)$"))
    return {"home": home, "changfeng": changfeng, "rows": rows, "coordinator": coordinator}


@pytest.mark.parametrize(("app", "model", "field"), [
    ("alliance", "unit", "unit"), ("alliance", "member", "member"),
    ("proposals", "category", "category"), ("volunteers", "event", "event")])
def test_the_changelist_has_their_alliances_rows_only(client, two, app, model, field):
    client.force_login(two["coordinator"])
    text = body_text(client.get(f"/admin/{app}/{model}/"))
    assert str(two["rows"]["长风"][field]) in text
    assert str(two["rows"]["宜起靠谱"][field]) not in text


def test_another_alliances_row_is_not_found(client, two):
    client.force_login(two["coordinator"])
    theirs = two["rows"]["宜起靠谱"]["member"]
    response = client.get(f"/admin/alliance/member/{theirs.pk}/change/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    own = two["rows"]["长风"]["member"]
    assert client.get(f"/admin/alliance/member/{own.pk}/change/").status_code == 200


def test_choices_and_a_forged_choice_stay_in_their_alliance(client, two):
    client.force_login(two["coordinator"])
    form = body_text(client.get("/admin/alliance/member/add/"))
    assert "长风" in form and "宜起靠谱 同心统战大联盟" not in form
    response = client.post("/admin/alliance/member/add/", {
        "alliance": two["home"].pk, "name": "越界的成员", "identity": "other",
        "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    assert response.status_code == 200  # the form again, with its error
    assert "越界的成员" not in body_text(client.get("/admin/alliance/member/"))
    from alliance.models import Member

    assert not Member.objects.filter(name="越界的成员").exists()


def test_importing_sheets_is_for_admins(client, two):
    client.force_login(two["coordinator"])
    assert client.get("/admin/alliance/member/import/").status_code == 403


def test_accounts_and_the_alliance_s_host_are_theirs_only(client, two):
    coordinator = two["coordinator"]
    coordinator.user_permissions.add(*Permission.objects.filter(
        codename__in=["view_user", "change_user", "view_alliance", "change_alliance"]))
    theirs = two["rows"]["宜起靠谱"]["member"].user
    own = two["rows"]["长风"]["member"].user
    client.force_login(coordinator)
    people = body_text(client.get("/admin/auth/user/"))
    assert own.username in people and theirs.username not in people
    assert client.get(f"/admin/auth/user/{theirs.pk}/change/").status_code == 302
    # The host decides which alliance a request shows: not theirs to change.
    page = client.get(f"/admin/alliance/alliance/{two['changfeng'].pk}/change/")
    assert page.status_code == 200
    assert b'name="host"' not in page.content and b'name="slug"' not in page.content

import pytest
from django.core.management import call_command
from django.urls import reverse

from alliance.models import Unit
from tests.factories import (
    AllianceFactory,
    MemberFactory,
    MembershipFactory,
    UnitFactory,
    UnityBuildingFactory,
    VenueFactory,
)
from tests.visible import shown

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("load_demo")
    settings.DEBUG = False


def test_home_shows_six_twelve_six_against_target(client, demo):
    response = client.get("/")
    assert response.status_code == 200
    composition = {row["kind"]: (row["actual"], row["target"]) for row in response.context["composition"]}
    assert composition == {"branch": (6, 6), "enterprise": (12, 12), "volunteer_team": (6, 6)}
    html = response.content.decode()
    assert "中远两湾城侨联分会" in html
    assert "6<small" in html and "12<small" in html


def test_composition_shows_a_missing_enterprise(client):
    alliance = AllianceFactory()
    UnitFactory.create_batch(11, alliance=alliance, kind=Unit.Kind.ENTERPRISE)
    UnitFactory(alliance=alliance, kind=Unit.Kind.ENTERPRISE, is_active=False)
    rows = {r["kind"]: r for r in alliance.composition()}
    assert (rows["enterprise"]["actual"], rows["enterprise"]["target"]) == (11, 12)
    assert rows["enterprise"]["complete"] is False
    assert "未达目标" in client.get("/alliance/").content.decode()


def test_sub_teams_do_not_count_towards_the_six_teams():
    alliance = AllianceFactory()
    team = UnitFactory(alliance=alliance, kind=Unit.Kind.VOLUNTEER_TEAM, name="小湾豆")
    UnitFactory(alliance=alliance, kind=Unit.Kind.VOLUNTEER_TEAM, parent=team, name="护湾豆")
    rows = {r["kind"]: r for r in alliance.composition()}
    assert rows["volunteer_team"]["actual"] == 1


def test_public_pages_show_no_personal_data(client, demo):
    from alliance.models import Member

    members = list(Member.objects.all())
    assert len(members) >= 60
    unit = Unit.objects.get(slug="xiaowandou")
    urls = ["/", "/alliance/", unit.get_absolute_url(), "/alliance/units/huwandou/",
            "/alliance/venues/", "/alliance/buildings/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for member in members:
            assert member.phone not in html, (url, "phone")
            assert member.email not in html, (url, "email")
            assert f">{member.name}<" not in html, (url, "name")


def test_unit_page_lists_sub_teams_and_venues(client):
    team = UnitFactory(kind=Unit.Kind.VOLUNTEER_TEAM, name="小湾豆文明实践志愿联盟", slug="xwd")
    UnitFactory(alliance=team.alliance, kind=Unit.Kind.VOLUNTEER_TEAM, parent=team, name="护湾豆")
    venue = VenueFactory(alliance=team.alliance, name="汇智沙龙")
    venue.units.add(team)
    html = client.get("/alliance/units/xwd/").content.decode()
    assert "护湾豆" in html and "汇智沙龙" in html


def test_inactive_or_unknown_unit_is_404(client):
    UnitFactory(slug="gone", is_active=False)
    assert client.get("/alliance/units/gone/").status_code == 404
    assert client.get("/alliance/units/nope/").status_code == 404


def test_buildings_page_lists_eighteen_buildings(client, demo):
    response = client.get("/alliance/buildings/")
    assert len(response.context["buildings"]) == 18
    assert "楼组公约" in response.content.decode()


def test_markup_in_unit_text_is_escaped(client):
    UnitFactory(slug="x", name="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>")
    html = client.get("/alliance/units/x/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "<img src=x" not in html


@pytest.mark.parametrize("url", ["/", "/alliance/", "/alliance/venues/", "/alliance/buildings/"])
def test_public_pages_make_a_bounded_number_of_queries(client, django_assert_max_num_queries, url):
    alliance = AllianceFactory()
    for n in range(30):
        unit = UnitFactory(alliance=alliance, kind=list(Unit.Kind)[n % 3])
        UnitFactory(alliance=alliance, kind=unit.kind, parent=unit)
        MembershipFactory(unit=unit)
        VenueFactory(alliance=alliance).units.add(unit)
        UnityBuildingFactory(alliance=alliance)
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200


def test_member_masked_phone():
    from alliance.models import Member

    member = Member(phone="13912345678")
    assert member.masked_phone == "139****5678"


def test_only_coordinators_see_all_members(member_user, coordinator):
    from alliance.models import Member

    MemberFactory.create_batch(3)
    assert Member.objects.visible_to(coordinator).count() == Member.objects.count()
    assert list(Member.objects.visible_to(member_user)) == [member_user.member]


def test_reverse_names():
    assert reverse("alliance:unit_detail", kwargs={"slug": "a"}) == "/alliance/units/a/"


def test_buildings_are_listed_by_community_then_by_number(client):
    alliance = AllianceFactory()
    for community, building in [("宜川二村居委", "3号楼"), ("宜川一村居委", "11号楼"),
                                ("宜川一村居委", "2号楼"), ("宜川一村居委", "1号楼"),
                                ("宜川一村居委", "10号楼")]:
        UnityBuildingFactory(alliance=alliance, community=community, building=building)
    page = shown(client.get("/alliance/buildings/"))
    positions = [page.index(f"{community} {building}") for community, building in [
        ("宜川一村居委", "1号楼"), ("宜川一村居委", "2号楼"), ("宜川一村居委", "10号楼"),
        ("宜川一村居委", "11号楼"), ("宜川二村居委", "3号楼")]]
    assert positions == sorted(positions)

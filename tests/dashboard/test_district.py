"""/district/ (DESIGN §2, §6): the district role sees every alliance side by side, the four
有, the rates and volunteer hours of each, as a page and a workbook, and no personal data;
everyone else gets 404 (the permission matrix has the rows)."""

import io
import re

import pytest
from openpyxl import load_workbook

from tests.factories import (
    AllianceFactory,
    CategoryFactory,
    MemberFactory,
    SuggestionFactory,
    UserFactory,
)
from tests.visible import body_text
from volunteers.models import ServiceRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(db):
    home = AllianceFactory()
    changfeng = AllianceFactory(slug="changfeng", name="长风同心联盟", short_name="长风")
    people = []
    for alliance, traits in ((home, ["replied", "closed", "submitted"]),
                             (changfeng, ["implemented"])):
        category = CategoryFactory(alliance=alliance)
        member = MemberFactory(alliance=alliance, name=f"{alliance.short_name}的成员甲",
                               phone="13912345678")
        handler = UserFactory(first_name=f"{alliance.short_name}的承办人",
                              roles=["handler"], roles__alliance=alliance)
        for n, trait in enumerate(traits):
            traits = {trait: True} if trait != "submitted" else {}
            SuggestionFactory(category=category, submitter=member.user, handler=handler,
                              title=f"{alliance.short_name}的建言{n}", **traits)
        ServiceRecord.objects.create(member=member, hours=3, verified=True)
        people += [member.name, handler.first_name, member.phone, member.user.username]
    return {"alliances": [home, changfeng], "people": people,
            "user": UserFactory(username="quwei", first_name="区委统战部", roles=["district"])}


def _rows(response, testid):
    """{first cell: the other cells} of the table's rows, as shown."""
    html = response.content.decode()
    table = re.search(rf'<table[^>]*data-testid="{testid}".*?</table>', html, re.S).group(0)
    rows = {}
    for row in re.findall(r"<tr>.*?</tr>", table, re.S):
        cells = [body_text(f"<body>{cell}</body>")
                 for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        rows[cells[0]] = cells[1:]
    return rows


def test_the_district_sees_every_alliance_side_by_side_and_nobody(client, district):
    client.force_login(district["user"])
    response = client.get("/district/")
    assert response.status_code == 200
    text = body_text(response)
    figures = _rows(response, "table-district")
    # 宜起靠谱: 3 submitted, 2 accepted, 2 replied; 长风: 1 submitted, 1 accepted, 1 replied.
    assert figures["宜起靠谱"][:3] == ["3", "2", "2（100.0%）"]
    assert figures["长风"][:3] == ["1", "1", "1（100.0%）"]
    assert figures["全区合计"][:3] == ["4", "3", "3（100.0%）"]
    hours = _rows(response, "table-district-volunteers")
    assert hours["宜起靠谱"][1] == "3" and hours["长风"][1] == "3"
    assert hours["全区合计"][1:] == ["6", "2"]
    for personal in district["people"]:
        assert personal not in text
    for n in range(3):
        assert f"宜起靠谱的建言{n}" not in text


def test_the_district_workbook_has_each_alliance_and_no_personal_data(client, district):
    client.force_login(district["user"])
    response = client.get("/district/export.xlsx?date_from=2000-01-01&date_to=2100-12-31")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    rows = {row[0]: row for row in workbook["各联盟直通车"].iter_rows(values_only=True)}
    assert rows["宜起靠谱"][1:3] == (3, 2) and rows["长风"][1:3] == (1, 1)
    assert rows["全区合计"][1] == 4
    hours = {row[0]: row for row in workbook["各联盟志愿服务"].iter_rows(values_only=True)}
    assert hours["宜起靠谱"][2] == 3.0 and hours["全区合计"][2] == 6.0
    text = " ".join(str(cell) for sheet in workbook.worksheets
                    for row in sheet.iter_rows(values_only=True) for cell in row)
    for personal in district["people"]:
        assert personal not in text


def test_the_district_role_opens_no_alliances_pages(client, district):
    client.force_login(district["user"])
    assert client.get("/dashboard/").status_code == 404
    assert client.get("/audit/").status_code == 404
    assert "长风的建言0" not in body_text(client.get("/suggestions/"))


def test_a_bad_period_is_said_beside_the_field_and_the_default_shown(client, district):
    client.force_login(district["user"])
    response = client.get("/district/?date_from=2026-12-01&date_to=2026-01-01")
    assert response.status_code == 200
    assert "截止日期不能早于起始日期。" in body_text(response)

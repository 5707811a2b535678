"""The roster in and out of Excel (issue 17): the template, the export, the preview with its
per-row errors, the confirm that writes once, the audit entry, and who may use it."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from import_export.formats.base_formats import XLSX as XLSXFormat
from openpyxl import Workbook, load_workbook

from alliance import roster, services
from alliance.admin import MemberResource
from alliance.models import Member, Membership, StaffRole, Unit
from alliance.views import ROSTER_SESSION_KEY
from audit.models import AuditEntry
from tests.concurrency import run_together
from tests.factories import (
    AllianceFactory,
    MemberFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)
from tests.visible import shown

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "统战身份", "手机号", "电子邮箱", "所在单位", "单位角色", "入盟日期"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

GOOD = [
    ["张丽华", "归侨侨眷", "139 0000 1111", "zhang@example.cn", "中远侨联", "负责人", "2024-03-01"],
    ["李建国", "党外知识分子", "13900002222", "li@example.cn", "中远侨联", "成员", ""],
    ["王小燕", "志愿者", "138-0000-3333", "wang@example.cn", "小湾豆志愿服务队", "联络员",
     datetime.datetime(2023, 5, 4)],
    ["赵敏", "少数民族人士", "13900004444", "", "小湾豆志愿服务队", "", "2022/9/1"],
    ["钱伟", "新的社会阶层人士", "", "qian@example.cn", "", "", ""],
]
# The same sheet with three rows spoiled: a phone, an e-mail, a unit name.
BAD = [list(row) for row in GOOD]
BAD[1][2] = "1390000222"
BAD[2][3] = "not-an-email"
BAD[3][4] = "宜川路第一分会"


@pytest.fixture
def alliance():
    alliance = AllianceFactory()
    UnitFactory(alliance=alliance, name="中远侨联", slug="zhongyuan")
    UnitFactory(alliance=alliance, name="小湾豆志愿服务队", slug="xiaowandou",
                kind=Unit.Kind.VOLUNTEER_TEAM)
    return alliance


@pytest.fixture
def coordinator(alliance):
    return UserFactory(username="roster-coord", roles=["coordinator"],
                       roles__alliance=alliance, is_staff=True)


@pytest.fixture
def coord_client(client, coordinator):
    client.force_login(coordinator)
    return client


def sheet(rows, *, headers=HEADERS, name="名册.xlsx"):
    workbook = Workbook()
    ws = workbook.active
    ws.title = "名册"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return SimpleUploadedFile(name, content.getvalue(), content_type=XLSX)


def preview(client, rows, **kwargs):
    return client.post("/alliance/roster/", {"sheet": sheet(rows, **kwargs)})


def confirm(client, response):
    return client.post("/alliance/roster/confirm/", {"token": response.context["token"]})


def row_errors(response):
    html = response.content.decode()
    return re.findall(r'data-testid="row-error">([^<]*)<', html)


def written():
    return Member.objects.count(), Membership.objects.count()


# --- the preview ------------------------------------------------------------------------------

def test_three_bad_rows_show_exactly_their_errors_and_nothing_is_written(coord_client):
    before = written()
    response = preview(coord_client, BAD)
    assert response.status_code == 200
    text = shown(response)
    errors = row_errors(response)
    assert len(errors) == 3
    assert "手机号“1390000222”不正确：应为 11 位手机号码，以 1 开头。" in text
    assert "电子邮箱“not-an-email”格式不正确。" in text
    assert "没有名为“宜川路第一分会”的单位" in text
    assert "有 3 行有误，这份名册不能导入。" in text
    assert "第 3 行、第 4 行、第 5 行" in text
    assert 'data-testid="confirm-import"' not in response.content.decode()
    assert ROSTER_SESSION_KEY not in coord_client.session
    assert written() == before


def test_a_sheet_with_errors_cannot_be_confirmed(coord_client):
    preview(coord_client, GOOD)  # an earlier, good preview in the same session
    preview(coord_client, BAD)
    response = coord_client.post("/alliance/roster/confirm/", {"token": "anything"})
    assert response.status_code == 302
    assert Member.objects.count() == 0
    page = coord_client.get(response["Location"])
    assert "没有待确认的名册" in shown(page)


@pytest.mark.parametrize(("cells", "message"), [
    ({"统战身份": "overseas"}, "统战身份“overseas”不在可选范围内"),
    ({"单位角色": "组长"}, "单位角色“组长”不在可选范围内，请填写：负责人、联络员、成员。"),
    ({"姓名": ""}, "请填写姓名。"),
    ({"入盟日期": "去年春天"}, "入盟日期“去年春天”无法识别"),
    ({"入盟日期": "2024-02-30"}, "入盟日期“2024-02-30”无法识别"),
    ({"手机号": "", "电子邮箱": ""}, "请至少填写手机号或电子邮箱中的一项"),
    ({"手机号": "23900001111"}, "手机号“23900001111”不正确"),
    ({"所在单位": "", "单位角色": "联络员"}, "填写了单位角色，但没有填写所在单位。"),
])
def test_each_kind_of_bad_cell_is_named_on_its_row(coord_client, cells, message):
    row = dict(zip(HEADERS, GOOD[0], strict=True)) | cells
    response = preview(coord_client, [list(row.values()), GOOD[1]])
    errors = row_errors(response)
    assert len(errors) == 1 and message in errors[0], errors
    assert "第 2 行" in shown(response)


def test_the_same_person_twice_in_one_unit_is_an_error(coord_client):
    again = list(GOOD[0])
    again[2] = "13900001111"  # the same number, written without spaces
    errors = row_errors(preview(coord_client, [GOOD[0], again]))
    assert errors == ["与第 2 行重复：同一人（手机号或邮箱相同）、同一单位。"]


def test_two_phones_with_one_email_are_an_error(coord_client):
    again = ["张丽", "", "13700001111", "zhang@example.cn", "小湾豆志愿服务队", "", ""]
    errors = row_errors(preview(coord_client, [GOOD[0], again]))
    assert errors == ["电子邮箱与第 2 行相同，手机号却不同：同一人请填同一个手机号。"]


def test_the_preview_says_what_each_row_will_do_and_writes_nothing(coord_client, alliance):
    MemberFactory(alliance=alliance, name="李建国", phone="13900002222", email="old@example.cn",
                  identity=Member.Identity.INTELLECTUAL, user=None)
    before = written()
    response = preview(coord_client, GOOD)
    actions = re.findall(r'data-testid="row-action">([^<]*)<', response.content.decode())
    assert actions == ["新增", "更新", "新增", "新增", "新增"]
    assert "改动：电子邮箱、加入所在单位" in shown(response)
    assert 'data-testid="confirm-import"' in response.content.decode()
    assert written() == before


# --- confirming -----------------------------------------------------------------------------

def test_after_fixing_the_rows_confirming_writes_each_person_once(coord_client, alliance):
    assert row_errors(preview(coord_client, BAD))
    response = preview(coord_client, GOOD)
    assert row_errors(response) == []
    assert Member.objects.count() == 0

    done = confirm(coord_client, response)
    assert done.status_code == 302
    names = list(Member.objects.filter(alliance=alliance).values_list("name", flat=True))
    assert sorted(names) == sorted(row[0] for row in GOOD)
    zhang = Member.objects.get(name="张丽华")
    assert (zhang.phone, zhang.identity, zhang.joined) == (
        "13900001111", Member.Identity.RETURNED_OVERSEAS, datetime.date(2024, 3, 1))
    assert Member.objects.get(name="王小燕").joined == datetime.date(2023, 5, 4)
    assert Member.objects.get(name="钱伟").units.count() == 0
    roles = set(Membership.objects.values_list("member__name", "unit__name", "role"))
    assert roles == {("张丽华", "中远侨联", "lead"), ("李建国", "中远侨联", "member"),
                     ("王小燕", "小湾豆志愿服务队", "liaison"),
                     ("赵敏", "小湾豆志愿服务队", "member")}
    page = coord_client.get(done["Location"])
    assert "名册已导入：新增 5 人，更新 0 人，0 人没有变化。" in shown(page)


def test_reimporting_the_same_sheet_writes_no_new_rows_and_changes_nothing(coord_client):
    confirm(coord_client, preview(coord_client, GOOD))
    before = written()
    snapshot = list(Member.objects.order_by("pk").values())

    response = preview(coord_client, GOOD)
    actions = re.findall(r'data-testid="row-action">([^<]*)<', response.content.decode())
    assert actions == ["不变"] * 5
    page = coord_client.get(confirm(coord_client, response)["Location"])
    assert "新增 0 人，更新 0 人，5 人没有变化" in shown(page)
    assert written() == before
    assert list(Member.objects.order_by("pk").values()) == snapshot


def test_a_member_is_matched_by_phone_else_by_email_and_updated(coord_client, alliance):
    by_phone = MemberFactory(alliance=alliance, name="张丽", phone="139-0000-1111",
                             email="", user=None)
    by_email = MemberFactory(alliance=alliance, name="钱", phone="", email="QIAN@example.cn",
                             user=None)
    MembershipFactory(member=by_phone, unit=Unit.objects.get(name="中远侨联"), role="member")
    confirm(coord_client, preview(coord_client, GOOD))
    assert Member.objects.count() == 5
    by_phone.refresh_from_db()
    by_email.refresh_from_db()
    assert (by_phone.name, by_phone.email) == ("张丽华", "zhang@example.cn")
    assert by_phone.memberships.get().role == "lead"
    assert by_email.name == "钱伟"
    assert by_email.identity == Member.Identity.NEW_SOCIAL_CLASS


def test_one_person_on_two_rows_joins_both_units(coord_client):
    second = ["张丽华", "", "13900001111", "", "小湾豆志愿服务队", "成员", ""]
    confirm(coord_client, preview(coord_client, [GOOD[0], second]))
    zhang = Member.objects.get()
    assert sorted(zhang.units.values_list("name", flat=True)) == ["中远侨联", "小湾豆志愿服务队"]


def test_each_import_writes_an_audit_entry_with_its_counts(coord_client, coordinator,
                                                          alliance):
    confirm(coord_client, preview(coord_client, GOOD))
    changed = [list(row) for row in GOOD]
    changed[0][1] = "台胞台属"
    confirm(coord_client, preview(coord_client, changed))
    entries = AuditEntry.objects.filter(kind=AuditEntry.Kind.ROSTER_IMPORTED).order_by("pk")
    assert [(e.user, e.details["created"], e.details["updated"]) for e in entries] == [
        (coordinator, 5, 0), (coordinator, 0, 1)]
    assert entries[0].details["alliance"] == alliance.pk
    assert entries[0].path == "/alliance/roster/confirm/"


def test_confirming_twice_writes_once(coord_client):
    response = preview(coord_client, GOOD)
    confirm(coord_client, response)
    again = confirm(coord_client, response)
    assert again.status_code == 302
    assert Member.objects.count() == 5
    assert AuditEntry.objects.filter(kind=AuditEntry.Kind.ROSTER_IMPORTED).count() == 1


def test_a_unit_removed_between_preview_and_confirm_writes_nothing(coord_client):
    response = preview(coord_client, GOOD)
    Unit.objects.filter(name="小湾豆志愿服务队").update(alliance=AllianceFactory(slug="other"))
    page = coord_client.get(confirm(coord_client, response)["Location"])
    assert "名册没有导入" in shown(page)
    assert Member.objects.count() == 0


def test_the_service_imports_what_it_is_given_once(alliance, coordinator):
    upload = sheet(GOOD)
    rows = roster.read_sheet(upload, alliance=alliance)
    first = services.import_roster(actor=coordinator, alliance=alliance, rows=rows)
    rows = roster.read_sheet(sheet(GOOD), alliance=alliance)
    second = services.import_roster(actor=coordinator, alliance=alliance, rows=rows)
    assert (first.created, first.memberships_created) == (5, 4)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 5)


# --- queries --------------------------------------------------------------------------------

def _many(n):
    return [[f"成员{i}", "志愿者", f"137{i:08d}", f"p{i}@example.cn",
             "中远侨联" if i % 2 else "小湾豆志愿服务队", "成员", "2024-01-01"] for i in range(n)]


@pytest.mark.parametrize("n", [5, 200])
def test_preview_and_confirm_make_a_bounded_number_of_queries(coord_client, n,
                                                              django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        response = preview(coord_client, _many(n))
    assert row_errors(response) == []
    with django_assert_max_num_queries(15):
        confirm(coord_client, response)
    assert Member.objects.count() == n
    with django_assert_max_num_queries(12):
        response = preview(coord_client, _many(n))
    with django_assert_max_num_queries(15):
        confirm(coord_client, response)
    assert Member.objects.count() == n


# --- the files ------------------------------------------------------------------------------

def test_the_template_downloads_with_the_headers_in_order_and_the_choices(coord_client,
                                                                         alliance):
    response = coord_client.get("/alliance/roster/template.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheetnames == ["名册", "选项"]
    rows = list(workbook["名册"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert len(rows) == 1
    options = list(workbook["选项"].iter_rows(values_only=True))
    columns = list(zip(*options, strict=True))
    assert columns[0][:3] == ("统战身份", "归侨侨眷", "党外知识分子")
    assert [v for v in columns[1] if v] == ["单位角色", "负责人", "联络员", "成员"]
    assert [v for v in columns[2] if v] == ["所在单位", "中远侨联", "小湾豆志愿服务队"]
    validations = {str(dv.sqref): dv.formula1
                   for dv in workbook["名册"].data_validations.dataValidation}
    assert validations == {"B2:B2001": "'选项'!$A$2:$A$10", "F2:F2001": "'选项'!$B$2:$B$4",
                           "E2:E2001": "'选项'!$C$2:$C$3"}


def test_the_export_lists_the_roster_and_imports_back_unchanged(coord_client, alliance):
    confirm(coord_client, preview(coord_client, GOOD))
    other = AllianceFactory(slug="changfeng", name="长风同心联盟")
    MemberFactory(alliance=other, name="别的联盟的人")
    response = coord_client.get("/alliance/roster/export.xlsx")
    content = b"".join(response.streaming_content)
    rows = list(load_workbook(io.BytesIO(content))["名册"].iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][:6] == ("张丽华", "归侨侨眷", "13900001111", "zhang@example.cn", "中远侨联",
                           "负责人")
    assert "别的联盟的人" not in str(rows)
    assert len(rows) == 1 + len(GOOD)

    back = coord_client.post("/alliance/roster/", {
        "sheet": SimpleUploadedFile("导出.xlsx", content, content_type=XLSX)})
    actions = re.findall(r'data-testid="row-action">([^<]*)<', back.content.decode())
    assert actions == ["不变"] * len(GOOD)


@pytest.mark.parametrize(("name", "content", "message"), [
    ("名册.csv", "姓名,手机号\n张三,13900001111\n".encode(), "只接受 Excel 文件（.xlsx）"),
    ("名册.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "旧版 Excel 文件（.xls）"),
    ("名册.xlsx", b"PK\x03\x04 not really a zip", "只接受 Excel 文件（.xlsx）"),
    ("图片.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "只接受 Excel 文件（.xlsx）"),
])
def test_what_is_not_an_xlsx_workbook_is_refused_beside_the_field(coord_client, name, content,
                                                                  message):
    response = coord_client.post("/alliance/roster/", {
        "sheet": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    error = re.search(r'data-testid="error-sheet">([^<]*)<', response.content.decode())
    assert error and message in error[1]
    assert 'class="form-control is-invalid"' in response.content.decode()


def test_an_oversized_file_and_a_sheet_without_headers_are_refused(coord_client, monkeypatch):
    monkeypatch.setattr(roster, "MAX_BYTES", 1024)
    response = preview(coord_client, _many(100))
    assert "文件超过 1.0 KB，请分批导入。" in shown(response)
    monkeypatch.undo()
    response = preview(coord_client, GOOD, headers=["名字", "电话"])
    assert "第 1 行应是表头，缺少：姓名、统战身份、手机号" in shown(response)
    response = coord_client.post("/alliance/roster/", {})
    assert "请选择要上传的名册文件。" in shown(response)


def test_too_many_rows_are_refused(coord_client, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 3)
    response = preview(coord_client, GOOD)
    assert "一次最多导入 3 行，请分批上传。" in shown(response)


# --- who may ---------------------------------------------------------------------------------

ROSTER_URLS = ["/alliance/roster/", "/alliance/roster/template.xlsx",
               "/alliance/roster/export.xlsx"]


@pytest.mark.parametrize("url", ROSTER_URLS)
def test_the_coordinator_gets_the_pages(coord_client, url):
    assert coord_client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "member", "handler", "liaison",
                                 "coordinator elsewhere"])
def test_everyone_but_the_alliances_coordinators_gets_404(client, alliance, who):
    alliance.host = "yiqi.portal.test"
    alliance.save()
    if who == "member":
        client.force_login(MemberFactory(alliance=alliance).user)
    elif who == "handler":
        client.force_login(UserFactory(roles=["handler"], roles__alliance=alliance))
    elif who == "liaison":
        client.force_login(MembershipFactory(
            unit=Unit.objects.get(name="中远侨联"), role="liaison", member__alliance=alliance,
            member__user__roles=["member", "liaison"]).member.user)
    elif who == "coordinator elsewhere":
        other = AllianceFactory(slug="changfeng", name="长风同心联盟")
        client.force_login(UserFactory(roles=["coordinator"], roles__alliance=other,
                                       is_staff=True))
    for url in ROSTER_URLS:
        assert client.get(url, HTTP_HOST="yiqi.portal.test").status_code == 404, url
    assert client.post("/alliance/roster/", {"sheet": sheet(GOOD)},
                       HTTP_HOST="yiqi.portal.test").status_code == 404
    assert client.post("/alliance/roster/confirm/", {"token": "x"},
                       HTTP_HOST="yiqi.portal.test").status_code == 404
    assert Member.objects.filter(name="张丽华").count() == 0


def test_a_preview_in_one_alliance_cannot_be_confirmed_in_another(client, alliance):
    other = AllianceFactory(slug="changfeng", name="长风同心联盟", host="changfeng.portal.test")
    both = UserFactory(username="coord-both", roles=["coordinator"], roles__alliance=alliance,
                       is_staff=True)
    StaffRole.objects.create(user=both, alliance=other, role="coordinator")
    client.force_login(both)
    response = preview(client, GOOD)
    assert row_errors(response) == []
    client.post("/alliance/roster/confirm/", {"token": response.context["token"]},
                HTTP_HOST="changfeng.portal.test")
    assert Member.objects.count() == 0


def test_the_roster_is_linked_from_the_dashboard_and_the_alliance_page(coord_client, client,
                                                                      member_user):
    for url in ("/dashboard/", "/alliance/"):
        assert 'data-testid="roster-link"' in coord_client.get(url).content.decode(), url
    client.force_login(member_user)
    assert 'data-testid="roster-link"' not in client.get("/alliance/").content.decode()


def test_the_admin_member_list_links_to_the_roster_page(admin_client):
    response = admin_client.get("/admin/alliance/member/")
    assert 'data-testid="admin-roster-link"' in response.content.decode()


# --- the admins' import ----------------------------------------------------------------------

def test_the_admin_import_refuses_a_label_for_a_code_and_a_bad_email(alliance):
    dataset = XLSXFormat().create_dataset(_admin_sheet([
        [None, alliance.pk, "张三", "归侨侨眷", "13900001111", "zhang@example.cn", None, 1],
        [None, alliance.pk, "李四", "overseas", "13900002222", "not-an-email", None, 1],
        [None, alliance.pk, "王五", "overseas", "13900003333", "wang@example.cn", None, 1],
    ]))
    result = MemberResource().import_data(dataset, dry_run=True)
    assert result.has_validation_errors()
    invalid = {row.number: set(row.error_dict) for row in result.invalid_rows}
    assert invalid == {1: {"identity"}, 2: {"email"}}
    assert Member.objects.count() == 0


def _admin_sheet(rows):
    workbook = Workbook()
    ws = workbook.active
    ws.append(["id", "alliance", "name", "identity", "phone", "email", "joined", "is_active"])
    for row in rows:
        ws.append(row)
    content = io.BytesIO()
    workbook.save(content)
    return content.getvalue()


def test_the_audit_log_shows_the_imports_counts(coord_client):
    confirm(coord_client, preview(coord_client, GOOD))
    page = coord_client.get("/audit/?kind=roster_import")
    assert "导入名册" in shown(page)
    assert "新增 5 人，更新 0 人，0 人没有变化" in shown(page)


def test_the_audit_log_keeps_each_alliances_imports_to_itself(client, alliance):
    """A coordinator of two alliances imports into the other one: this alliance's log does not
    show it; an admin's import into this alliance does."""
    other = AllianceFactory(slug="roster-other", name="另一联盟", short_name="另一")
    UnitFactory(alliance=other, name="中远侨联", slug="other-zhongyuan")
    both = UserFactory(username="roster-both", roles=["coordinator"], roles__alliance=alliance)
    StaffRole.objects.create(user=both, alliance=other, role="coordinator")
    client.force_login(both)
    client.post("/alliance/switch/", {"alliance": other.pk})
    confirm(client, preview(client, GOOD[:2]))
    assert AuditEntry.objects.filter(details__alliance=other.pk).count() == 1
    client.post("/alliance/switch/", {"alliance": alliance.pk})
    client.get("/")  # the import's own message is shown, and gone
    page = shown(client.get("/audit/?kind=roster_import"))
    assert "新增 2 人" not in page and "暂无记录" in page

    admin = UserFactory(username="roster-root", roles=["admin"], is_staff=True,
                        is_superuser=True)
    client.force_login(admin)
    confirm(client, preview(client, GOOD[:3]))
    client.force_login(both)
    client.post("/alliance/switch/", {"alliance": alliance.pk})
    client.get("/")
    assert "新增 3 人" in shown(client.get("/audit/?kind=roster_import"))


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_write_each_person_once(alliance, coordinator):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; row locks need PostgreSQL (set DATABASE_URL)")
    batches = [roster.read_sheet(sheet(GOOD), alliance=alliance) for _ in range(2)]
    results = run_together(*(
        lambda rows=rows: services.import_roster(actor=coordinator, alliance=alliance,
                                                 rows=rows) for rows in batches))
    assert not [r for r in results if isinstance(r, Exception)]
    assert Member.objects.filter(alliance=alliance).count() == len(GOOD)

"""A coordinator on a phone fills the roster template: the first upload shows its bad rows,
the fixed one is confirmed, and the members are on the roster once."""

import io
import os

import pytest
from openpyxl import load_workbook

from alliance.models import Member
from tests.e2e.conftest import click_and_wait, login
from tests.factories import PASSWORD, UnitFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_downloads_fills_previews_fixes_and_confirms(page, tmp_path):
    UnitFactory(name="中远侨联")
    UserFactory(username="coordinator", roles=["coordinator"])

    login(page, "coordinator", PASSWORD)
    page.goto("/dashboard/")
    click_and_wait(page, "[data-testid=roster-link]")
    with page.expect_download() as download:
        page.click("[data-testid=roster-template]")
    workbook = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    sheet = workbook["名册"]
    sheet.append(["张丽华", "归侨侨眷", "139 0000 1111", "zhang@example.cn", "中远侨联", "负责人",
                  "2024-03-01"])
    sheet.append(["李建国", "党外知识分子", "1390000222", "li@example.cn", "中远侨联", "成员", ""])
    filled = tmp_path / "名册.xlsx"
    workbook.save(filled)

    page.set_input_files("input[name=sheet]", str(filled))
    click_and_wait(page, "[data-testid=roster-preview]")
    assert "有 1 行有误" in page.locator("[data-testid=roster-has-errors]").inner_text()
    assert page.locator("[data-testid=row-error]").count() == 1
    assert page.locator("[data-testid=confirm-import]").count() == 0
    if os.environ.get("ROSTER_SCREENSHOT"):
        page.screenshot(path=os.environ["ROSTER_SCREENSHOT"], full_page=True)

    sheet["C3"] = "13900002222"
    workbook.save(filled)
    page.set_input_files("input[name=sheet]", str(filled))
    click_and_wait(page, "[data-testid=roster-preview]")
    assert page.locator("[data-testid=row-action]").all_inner_texts() == ["新增", "新增"]
    assert Member.objects.count() == 0
    click_and_wait(page, "[data-testid=confirm-import]")
    assert "新增 2 人" in page.locator(".alert-success").inner_text()
    assert sorted(Member.objects.values_list("name", flat=True)) == ["张丽华", "李建国"]

"""A coordinator opens the dashboard, narrows it to one unit and downloads the workbook."""

import openpyxl
import pytest

from tests.dashboard.conftest import district as district  # noqa: F401  (the fixture)
from tests.e2e.conftest import login
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_filters_by_unit_and_downloads_the_excel(page, district, tmp_path):
    UserFactory(username="coordinator", roles=["coordinator"], is_staff=True)
    login(page, "coordinator", PASSWORD)

    page.goto("/dashboard/?date_from=2026-01-01&date_to=2026-06-30")
    assert page.get_by_role("heading", name="统计看板").is_visible()
    assert page.locator("[data-figure=reply_rate]").inner_text() != ""
    # the chart library and our script ran under the CSP: Chart.js drew on the canvas
    page.wait_for_function("() => window.Chart && window.Chart.getChart('trend-chart')")

    page.select_option("select[name=unit]", label="知联会")
    page.click("[data-testid=apply-filter]")
    page.wait_for_url("**unit=*")
    assert "知联会" in page.locator("[data-testid=dashboard-scope]").inner_text()

    with page.expect_download() as download_info:
        page.click("[data-testid=export-statistics]")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    book = openpyxl.load_workbook(target)
    shown = int(page.locator("[data-testid=overview-total]").inner_text())
    assert book["总览"]["B2"].value == shown == 4
    assert book["筛选条件"]["B4"].value == "知联会"

"""A second alliance in the deployment, in the browser: its member submits into it, and its
coordinator works the queue, dashboard, events and exports entirely in it, seeing nothing of
宜起靠谱 that shares the database."""

import csv

import openpyxl
import pytest

from proposals.models import Category, Suggestion
from tests.e2e.conftest import click_and_wait, login, logout
from tests.factories import (
    PASSWORD,
    AllianceFactory,
    EventFactory,
    MemberFactory,
    SuggestionFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _texts(page, selector):
    return page.locator(selector).evaluate_all("els => els.map(e => e.textContent.trim())")


def test_changfeng_works_in_changfeng_only(page, tmp_path):
    home = AllianceFactory()
    home_category = Category.objects.create(alliance=home, name="宜川社区治理")
    SuggestionFactory(category=home_category, title="宜川的建言：两湾城加装扶手")
    EventFactory(alliance=home, title="宜川的活动：楼道清洁")
    UserFactory(username="yc-handler", first_name="宜川承办人", roles=["handler"],
                roles__alliance=home)

    changfeng = AllianceFactory(slug="changfeng", name="长风同心联盟", short_name="长风",
                                subdistrict="普陀区长风新村街道")
    UnitFactory(alliance=changfeng, name="长风侨联分会", slug="cf-qiaolian")
    Category.objects.create(alliance=changfeng, name="长风公园周边")
    MemberFactory(alliance=changfeng, user__username="cf-member", name="赵长风")
    UserFactory(username="cf-coordinator", first_name="长风协调员", roles=["coordinator"],
                roles__alliance=changfeng)
    UserFactory(username="cf-handler", first_name="长风承办人", roles=["handler"],
                roles__alliance=changfeng)
    EventFactory(alliance=changfeng, title="长风的活动：公园健步走")

    # 长风's member submits: only 长风's categories are offered, and it lands in 长风.
    login(page, "cf-member", PASSWORD)
    assert page.locator("[data-testid=brand]").inner_text().startswith("长风")
    page.goto("/suggestions/new/")
    options = _texts(page, "select[name=category] option")
    assert "长风公园周边" in options and "宜川社区治理" not in options
    page.fill("input[name=title]", "长风公园门口增设非机动车停放点")
    page.select_option("select[name=category]", label="长风公园周边")
    page.fill("textarea[name=content]", "周末门口电动车乱停，建议划定停放区域。")
    click_and_wait(page, "[data-testid=submit-suggestion]")
    number = page.locator("[data-testid=tracking-number]").inner_text()
    assert Suggestion.objects.get(tracking_number=number).alliance == changfeng
    page.goto("/events/")
    events = page.locator("main").inner_text()
    assert "长风的活动：公园健步走" in events and "宜川的活动" not in events
    logout(page)

    # 长风's coordinator: the queue, the suggestion, the dashboard, the events, the exports.
    login(page, "cf-coordinator", PASSWORD)
    page.goto("/suggestions/")
    queue = page.locator("main").inner_text()
    assert number in queue and "宜川的建言" not in queue
    handlers = _texts(page, "select[name=handler] option")
    assert "长风承办人" in handlers and "宜川承办人" not in handlers
    click_and_wait(page, f"text={number}")
    page.click("[data-testid=action-accept]")
    page.wait_for_selector("#action-accept.collapse.show [data-testid=form-accept]")
    assert "宜川承办人" not in _texts(page, "#id_accept_handler option")
    page.select_option("#id_accept_handler", label="长风承办人")
    page.select_option("#id_accept_lead_unit", label="长风侨联分会")
    click_and_wait(page, "[data-testid=submit-accept]")
    assert page.locator("[data-testid=state-badge]").inner_text() == "已受理"

    page.goto("/dashboard/?date_from=2020-01-01&date_to=2100-12-31")
    assert page.locator("[data-testid=overview-total]").inner_text() == "1"
    assert "宜川" not in page.locator("main").inner_text()
    with page.expect_download() as download_info:
        page.click("[data-testid=export-suggestions-csv]")
    target = tmp_path / "suggestions.csv"
    download_info.value.save_as(target)
    rows = list(csv.reader(target.open(encoding="utf-8-sig")))
    assert [row[0] for row in rows[1:]] == [number]
    with page.expect_download() as download_info:
        page.click("[data-testid=export-statistics]")
    book_path = tmp_path / "statistics.xlsx"
    download_info.value.save_as(book_path)
    book = openpyxl.load_workbook(book_path)
    assert book["总览"]["B2"].value == 1
    cells = " ".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True)
                     for c in row if c is not None)
    assert "宜川" not in cells

    page.goto("/events/")
    events = page.locator("main").inner_text()
    assert "长风的活动：公园健步走" in events and "宜川的活动" not in events
    feed = page.request.get("/events/feed.ics").text()  # with the browser's session
    assert "长风的活动" in feed and "宜川的活动" not in feed

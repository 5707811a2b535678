"""A coordinator publishes a members-only announcement, a member opens it, and the
coordinator watches the read rate change."""

import pytest

from tests.e2e.conftest import click_and_wait, login, logout
from tests.factories import PASSWORD, MembershipFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_publishes_member_reads_and_read_rate_changes(page):
    unit = UnitFactory(name="中远侨联")
    MembershipFactory(unit=unit, member__name="王成员", member__user__username="member")
    MembershipFactory(unit=unit, member__name="李成员", member__user__username="member2")
    UserFactory(username="coordinator", roles=["coordinator"])

    login(page, "coordinator", PASSWORD)
    page.goto("/announcements/")
    page.click("[data-testid=new-announcement]")
    page.fill("input[name=title]", "本月汇智沙龙议题通知")
    page.select_option("select[name=kind]", "notice")
    page.select_option("select[name=audience]", "members")
    page.fill("textarea[name=body]", "请各位成员**准时**参加。")
    page.click("[data-testid=publish]")
    page.wait_for_url("**/announcements/*/")
    detail_url = page.url
    assert page.locator("h1").inner_text() == "本月汇智沙龙议题通知"
    click_and_wait(page, "[data-testid=reads-link]")
    assert "已读 0 / 2 人" in page.locator("[data-testid=read-total]").inner_text()
    assert "王成员" in page.locator("[data-testid=unread-list]").inner_text()
    logout(page)

    login(page, "member", PASSWORD)
    page.goto("/announcements/")
    row = page.locator("[data-testid=announcement-row]", has_text="本月汇智沙龙议题通知")
    assert row.locator("[data-testid=unread-badge]").is_visible()
    row.get_by_role("link", name="本月汇智沙龙议题通知").click()
    page.wait_for_url(detail_url)
    assert page.locator(".announcement-body strong").inner_text() == "准时"
    assert page.locator("[data-testid=reads-link]").count() == 0
    logout(page)

    login(page, "coordinator", PASSWORD)
    page.goto(detail_url + "reads/")
    assert "已读 1 / 2 人" in page.locator("[data-testid=read-total]").inner_text()
    row = page.locator("[data-testid=unit-row]", has_text="中远侨联")
    assert "50.0%" in row.inner_text()
    unread = page.locator("[data-testid=unread-list]").inner_text()
    assert "王成员" not in unread and "李成员" in unread
    click_and_wait(page, "[data-testid=remind]")
    assert "已向 1 位未读成员发送提醒" in page.locator(".messages").inner_text()

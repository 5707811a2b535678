"""A member signs up for an event and sees it under /me/; the coordinator checks them in on
a phone-sized screen with "all present"; the member then sees the credited hours."""

import pytest

from tests.e2e.conftest import click_and_wait, login, logout
from tests.factories import PASSWORD, EventFactory, MemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_registers_coordinator_checks_in_member_sees_hours(page):
    MemberFactory(user__username="member", user__roles=["member"])
    UserFactory(username="coordinator", roles=["coordinator"], is_staff=True)
    event = EventFactory(title="两湾城楼道清洁", capacity=5)

    login(page, "member", PASSWORD)
    page.goto(f"/events/{event.pk}/")
    click_and_wait(page, "[data-testid=register]")
    assert "报名成功" in page.content()
    assert "已报名" in page.locator("[data-testid=my-registration]").inner_text()
    page.goto("/me/")
    assert "两湾城楼道清洁" in page.locator("[data-testid=my-registrations]").inner_text()
    assert "累计 0.0 小时" in page.locator("[data-testid=my-hours]").inner_text()
    logout(page)

    login(page, "coordinator", PASSWORD)
    page.goto(f"/events/{event.pk}/")
    click_and_wait(page, "[data-testid=attendance-link]")
    click_and_wait(page, "[data-testid=all-present]")
    assert "已签到" in page.locator("[data-testid=roster]").inner_text()
    logout(page)

    login(page, "member", PASSWORD)
    page.goto("/me/")
    assert "累计 2.0 小时" in page.locator("[data-testid=my-hours]").inner_text()

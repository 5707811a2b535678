import pytest

from tests.e2e.conftest import login, logout
from tests.factories import PASSWORD, AllianceFactory, MemberFactory, UnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_logs_in_sees_home_and_empty_suggestions_then_logs_out(page):
    alliance = AllianceFactory()
    UnitFactory(alliance=alliance, name="中远两湾城侨联分会", slug="zhongyuan")
    MemberFactory(alliance=alliance, user__username="member", name="王芳")

    login(page, "member", PASSWORD)
    assert page.url.endswith("/me/")
    assert page.get_by_role("heading", name="我的", exact=True).is_visible()

    assert page.locator("[data-testid=suggestion-list-empty]").is_visible()

    page.goto("/suggestions/")
    assert page.get_by_role("heading", name="我的建言", exact=True).is_visible()
    assert page.locator("[data-testid=suggestion-list-empty]").is_visible()

    page.goto("/")
    assert "宜起靠谱" in page.title()
    assert page.get_by_text("中远两湾城侨联分会").first.is_visible()

    logout(page)
    page.goto("/me/")
    assert "/accounts/login/" in page.url

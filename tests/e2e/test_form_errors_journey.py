"""A form's errors in the browser: the summary takes focus, its link moves focus to the
field, and the counter follows what is typed (static/js/forms.js)."""

import pytest

from proposals.models import Category
from tests.e2e.conftest import click_and_wait, login
from tests.factories import PASSWORD, AllianceFactory, MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_error_summary_takes_focus_and_leads_to_the_field(page):
    alliance = AllianceFactory()
    Category.objects.create(alliance=alliance, name="社区治理")
    MemberFactory(alliance=alliance, user__username="member")
    csp_errors = []
    page.on("console", lambda message: csp_errors.append(message.text)
            if "Content Security Policy" in message.text else None)
    login(page, "member", PASSWORD)
    page.goto("/suggestions/new/")

    counter = page.locator("#id_content_counter")
    assert counter.inner_text() == "已输入 0 / 5000 字"
    page.fill("textarea[name=content]", "老人上下楼不便")
    assert counter.inner_text() == "已输入 7 / 5000 字"
    page.fill("textarea[name=content]", "长" * 5001)  # as a paste would: nothing is cut
    assert counter.inner_text() == "已输入 5001 / 5000 字，超出 1 字"

    page.fill("input[name=title]", "加装楼道扶手")
    click_and_wait(page, "[data-testid=submit-suggestion]")
    summary = page.locator("[data-testid=error-summary]")
    assert page.evaluate("document.activeElement.dataset.testid") == "error-summary"
    assert "请选择类别。" in summary.inner_text()
    assert len(page.input_value("textarea[name=content]")) == 5001

    summary.locator("a[href='#id_category']").click()
    assert page.evaluate("document.activeElement.id") == "id_category"
    assert csp_errors == []

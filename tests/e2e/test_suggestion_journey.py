"""The 直通车 in the browser: from a member's suggestion to 已办结 with all four 有."""

import pytest

from proposals.models import Category, Suggestion
from tests.e2e.conftest import click_and_wait, login, logout
from tests.factories import PASSWORD, AllianceFactory, MemberFactory, UnitFactory, UserFactory
from tests.proposals import pages

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _open_action(page, name):
    page.click(f"[data-testid=action-{name}]")
    # Bootstrap adds "show" once the accordion has finished opening.
    page.wait_for_selector(f"#action-{name}.collapse.show [data-testid=form-{name}]")


def _submit_action(page, name, text=None):
    _open_action(page, name)
    if text is not None:
        page.fill(f"[data-testid=form-{name}] textarea[name=text]", text)
    click_and_wait(page, f"[data-testid=submit-{name}]")


def test_suggestion_goes_from_member_to_closed_with_all_four_haves(page):
    alliance = AllianceFactory()
    unit = UnitFactory(alliance=alliance, name="中远两湾城侨联分会", slug="zhongyuan")
    Category.objects.create(alliance=alliance, name="社区治理", help_text="楼道、环境、设施")
    MemberFactory(alliance=alliance, user__username="member", name="王芳")
    UserFactory(username="coordinator", roles=["coordinator"], is_staff=True)
    UserFactory(username="handler", first_name="林办理", roles=["handler"])

    # The member submits.
    login(page, "member", PASSWORD)
    page.goto("/suggestions/new/")
    page.fill("input[name=title]", "中远两湾城加装楼道扶手")
    page.select_option("select[name=category]", label="社区治理")
    page.fill("textarea[name=content]", "老人上下楼不便，建议在 3 号楼加装扶手。<script>x</script>")
    click_and_wait(page, "[data-testid=submit-suggestion]")
    assert "脚本" in page.locator("[data-testid=error-content]").inner_text()
    assert page.input_value("input[name=title]") == "中远两湾城加装楼道扶手"
    page.fill("textarea[name=content]", "老人上下楼不便，建议在 3 号楼加装扶手。")
    click_and_wait(page, "[data-testid=submit-suggestion]")
    page.wait_for_selector("[data-testid=tracking-number]")
    number = page.locator("[data-testid=tracking-number]").inner_text()
    assert number.startswith("ZTC-")
    assert page.locator("[data-testid=state-badge]").inner_text() == "待受理"
    page.goto("/suggestions/")
    step = page.locator("[data-testid=next-step]").inner_text()
    assert "统战办将在" in step and "前受理（2 个工作日内）" in step
    logout(page)

    # The coordinator accepts and assigns.
    login(page, "coordinator", PASSWORD)
    page.goto("/suggestions/")
    click_and_wait(page, f"text={number}")
    _open_action(page, "accept")
    page.select_option("#id_accept_handler", label="林办理")  # by name, not login
    page.select_option("#id_accept_lead_unit", label="中远两湾城侨联分会")
    click_and_wait(page, "[data-testid=submit-accept]")
    assert page.locator("[data-testid=state-badge]").inner_text() == "已受理"
    logout(page)

    # The handler replies, records progress and implementation.
    login(page, "handler", PASSWORD)
    page.goto(f"/suggestions/{number}/")
    _submit_action(page, "reply", "已联系物业，两周内加装。")
    assert page.locator("[data-testid=state-badge]").inner_text() == "已答复"
    _submit_action(page, "record_progress", "物业已采购扶手材料。")
    assert page.locator("[data-testid=state-badge]").inner_text() == "推进中"
    # ... with the acceptance photo as evidence, shown to the member.
    _open_action(page, "record_implementation")
    form = "[data-testid=form-record_implementation]"
    page.fill(f"{form} textarea[name=text]", "扶手已安装完毕，附验收照片。")
    page.set_input_files(f"{form} input[name=evidence]", files=[
        {"name": "验收照片.png", "mimeType": "image/png", "buffer": pages.PNG}])
    page.check(f"{form} input[name=evidence_public]")
    click_and_wait(page, "[data-testid=submit-record_implementation]")
    assert page.locator("[data-testid=state-badge]").inner_text() == "已落实"
    evidence = page.locator("[data-testid=evidence-file]").inner_text()
    assert "验收照片.png" in evidence and "内部" not in evidence
    logout(page)

    # The member gives feedback.
    login(page, "member", PASSWORD)
    page.goto(f"/suggestions/{number}/")
    _open_action(page, "give_feedback")
    page.check("[data-testid=form-give_feedback] input[value=satisfied]")
    page.fill("[data-testid=form-give_feedback] textarea[name=comment]", "谢谢！")
    click_and_wait(page, "[data-testid=submit-give_feedback]")

    assert page.locator("[data-testid=state-badge]").inner_text() == "已办结"
    assert "A 已解决/采纳" in page.locator("[data-testid=outcome-grade]").inner_text()
    assert page.locator("[data-testid=evidence-file] a").inner_text() == "验收照片.png"
    kinds = page.locator("[data-testid=timeline-entry]").evaluate_all(
        "els => els.map(e => e.dataset.kind)")
    assert {"replied", "progress", "implemented", "feedback"} <= set(kinds)
    haves = page.locator("[data-testid=four-haves] li")
    assert haves.count() == 4
    assert page.locator("[data-testid=four-haves] .bi-check-circle-fill").count() == 4
    assert Suggestion.objects.get(tracking_number=number).state == "closed"
    assert unit.led_suggestions.count() == 1

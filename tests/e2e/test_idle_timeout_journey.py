"""A staff member idle past the timeout while recording a suggestion keeps what they typed
(DESIGN §8, issue 16): the page warns before, 继续 keeps the session, the draft comes back
after the new login (static/js/session.js).

The timeout runs in seconds here (STAFF_IDLE_TIMEOUT; the warning comes a third of it
before), on the real clock of the live server and the browser.
"""

import pytest

from proposals.models import Category, Suggestion
from tests.e2e.conftest import click_and_wait
from tests.factories import PASSWORD, AllianceFactory, MemberFactory, UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TIMEOUT = 9  # seconds; the warning shows 3 seconds before
CONTENT = "3 号楼楼道灯坏了两个月，老人晚上下楼看不清台阶，建议尽快更换并加装感应灯。"


@pytest.fixture
def office(settings):
    settings.STAFF_IDLE_TIMEOUT = TIMEOUT
    alliance = AllianceFactory()
    Category.objects.create(alliance=alliance, name="社区治理")
    MemberFactory(alliance=alliance, user__username="wangfang", user__first_name="王芳",
                  name="王芳")
    UserFactory(username="coordinator", first_name="周协调", roles=["coordinator"],
                roles__alliance=alliance, is_staff=True)
    return alliance


def login(page, username, *, here=False):
    """Sign in on the login page (the one the page is on, with its ?next=, when ``here``)."""
    if not here:
        page.goto("/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", PASSWORD)
    click_and_wait(page, "main form button[type=submit]")


def drafts(page):
    return page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('yichuan.draft.'))")


def start_recording(page):
    page.goto("/suggestions/new/")
    page.select_option("select[name=submitter]", label="王芳")
    page.fill("input[name=title]", "楼道灯更换")
    page.fill("textarea[name=content]", CONTENT)


def test_idle_staff_are_warned_signed_out_and_find_their_draft_after_logging_in(page, office):
    login(page, "coordinator")
    start_recording(page)

    warning = page.locator("[data-testid=idle-warning]")
    warning.wait_for(state="visible", timeout=TIMEOUT * 1000)
    assert "您已较长时间未操作，将在 1 分钟后自动退出。" in warning.inner_text()
    assert page.url.endswith("/suggestions/new/")  # warned before, still here

    page.wait_for_url("**/accounts/login/?next=*", timeout=TIMEOUT * 1000)
    assert "您已长时间未操作，为安全起见已自动退出" in page.locator("main").inner_text()

    login(page, "coordinator", here=True)
    assert page.url.endswith("/suggestions/new/")
    note = page.locator("[data-testid=draft-restored]")
    assert "已恢复您未提交的草稿" in note.inner_text()
    assert page.input_value("textarea[name=content]") == CONTENT
    assert page.input_value("input[name=title]") == "楼道灯更换"
    assert page.locator("select[name=submitter] option:checked").inner_text() == "王芳"

    page.select_option("select[name=category]", label="社区治理")
    click_and_wait(page, "[data-testid=submit-suggestion]")
    page.wait_for_selector("[data-testid=tracking-number]")
    suggestion = Suggestion.objects.get()
    assert suggestion.content == CONTENT and suggestion.submitter.username == "wangfang"
    assert drafts(page) == []  # sent: the draft is gone
    page.goto("/suggestions/new/")
    assert page.locator("[data-testid=draft-restored]").count() == 0


def test_continue_keeps_the_staff_session(page, office):
    login(page, "coordinator")
    start_recording(page)
    warning = page.locator("[data-testid=idle-warning]")
    warning.wait_for(state="visible", timeout=TIMEOUT * 1000)
    page.click("[data-testid=idle-continue]")
    assert not warning.is_visible()

    # Past the deadline the session had before 继续: still here, still signed in.
    page.wait_for_timeout(5000)
    assert page.url.endswith("/suggestions/new/")
    page.reload()
    assert page.url.endswith("/suggestions/new/")
    assert page.locator("[data-testid=nav-me]").count() == 1


def test_a_draft_is_kept_for_its_account_only_and_cleared_on_request(page, office):
    MemberFactory(alliance=office, user__username="lisi", name="李四")
    login(page, "wangfang")
    page.goto("/suggestions/new/")
    page.fill("textarea[name=content]", CONTENT)
    page.wait_for_timeout(500)  # the draft is written a moment after the typing stops
    page.goto("/me/")
    page.goto("/suggestions/new/")
    assert page.input_value("textarea[name=content]") == CONTENT

    # Another account in the same browser (the first one's session simply gone) sees none.
    page.context.clear_cookies()
    login(page, "lisi")
    page.goto("/suggestions/new/")
    assert page.locator("[data-testid=draft-restored]").count() == 0
    assert page.input_value("textarea[name=content]") == ""

    page.context.clear_cookies()
    login(page, "wangfang")
    page.goto("/suggestions/new/")
    page.click("[data-testid=draft-clear]")
    assert page.input_value("textarea[name=content]") == ""
    assert page.locator("[data-testid=draft-restored]").count() == 0
    assert drafts(page) == []


def test_a_refused_action_keeps_its_draft_and_the_timeout_comes_back_to_the_suggestion(
        page, office):
    """The refused form comes back at the action's address, which only takes POSTs: the
    draft stays, and the login after the timeout leads to the suggestion, not to a 405."""
    from tests.factories import SuggestionFactory

    suggestion = SuggestionFactory(category=Category.objects.get(), alliance=office)
    note = "请物业本周内更换楼道灯。"
    detail = f"/suggestions/{suggestion.tracking_number}/"
    login(page, "coordinator")
    page.goto(detail)
    page.click("[data-testid=action-accept]")
    form = "[data-testid=form-accept]"
    page.fill(f"{form} textarea[name=note]", note)
    click_and_wait(page, "[data-testid=submit-accept]")  # no 承办人 chosen: refused
    assert page.url.endswith(f"{detail}accept/")
    assert page.input_value(f"{form} textarea[name=note]") == note
    page.wait_for_timeout(500)
    assert len(drafts(page)) == 1  # the refused sending did not count as sent

    page.wait_for_url("**/accounts/login/?next=*", timeout=TIMEOUT * 2000)
    assert page.url.endswith("?next=" + detail.replace("/", "%2F"))
    login(page, "coordinator", here=True)
    assert page.url.endswith(detail)
    assert "已恢复您未提交的草稿" in page.locator("[data-testid=draft-restored]").inner_text()
    assert page.input_value(f"{form} textarea[name=note]") == note


def test_week_old_drafts_of_any_account_are_purged(page, office):
    login(page, "wangfang")
    page.goto("/me/")
    old = 8 * 24 * 3600 * 1000
    page.evaluate("""old => {
        const value = JSON.stringify({saved: Date.now() - old, values: {"content#0": "旧"}});
        localStorage.setItem("yichuan.draft.v1:99999:/suggestions/new/|/suggestions/new/|1", value);
        localStorage.setItem("yichuan.draft.v1:99998:/x/|/x/|1",
                             JSON.stringify({saved: Date.now(), values: {}}));
    }""", old)
    page.goto("/me/")
    assert drafts(page) == ["yichuan.draft.v1:99998:/x/|/x/|1"]

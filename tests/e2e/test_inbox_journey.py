import pytest

from notifications.services import notify
from tests.e2e.conftest import click_and_wait, login
from tests.factories import PASSWORD, MemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_member_sees_unread_count_opens_the_notification_and_the_count_goes(page):
    user = MemberFactory(user__username="inbox-member").user
    notify(recipient=user, kind="feedback_request", key="e2e:1",
           subject="请评价建言 ZTC-2026-00001 的办理结果", body="请在期限前评价。", url="/me/")

    login(page, "inbox-member", PASSWORD)
    assert page.locator("[data-testid=unread-count]").inner_text() == "1"
    inbox = page.locator("[data-testid=me-inbox]")
    assert "请评价建言 ZTC-2026-00001 的办理结果" in inbox.inner_text()

    click_and_wait(page, inbox.get_by_role("button", name="查看"))
    assert page.locator("[data-testid=unread-count]").count() == 0

    page.goto("/me/notifications/preferences/")
    page.get_by_label("评价即将截止提醒").uncheck()
    click_and_wait(page, page.get_by_role("button", name="保存"))
    assert page.get_by_text("通知设置已保存。").is_visible()
    assert not page.get_by_label("评价即将截止提醒").is_checked()
    assert page.get_by_label("请评价办理结果").is_checked()

"""Staff run events in the portal: a coordinator creates and publishes one; a liaison edits
their unit's event and cannot edit another's; raising a full event's capacity by 2 seats the
first two waiting, who find the news in their inbox."""

import datetime

import pytest
from django.utils import timezone

from tests.e2e.conftest import click_and_wait, login, logout
from tests.factories import (
    PASSWORD,
    EventFactory,
    MemberFactory,
    MembershipFactory,
    UnitFactory,
    UserFactory,
)
from volunteers import services
from volunteers.models import Event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_coordinator_creates_and_publishes_an_event_a_member_then_finds(page):
    UnitFactory(name="中远侨联")
    UserFactory(username="coordinator", roles=["coordinator"])
    MemberFactory(user__username="member")
    start = timezone.now() + datetime.timedelta(days=6)

    login(page, "coordinator", PASSWORD)
    page.goto("/events/")
    click_and_wait(page, "[data-testid=new-event]")
    page.fill("input[name=title]", "侨法宣传月咨询服务")
    page.select_option("select[name=kind]", "publicity")
    page.get_by_label("中远侨联").check()
    page.fill("input[name=start]", _local(start))
    page.fill("input[name=end]", _local(start + datetime.timedelta(hours=2)))
    page.fill("input[name=signup_deadline]", _local(start - datetime.timedelta(days=1)))
    page.fill("input[name=capacity]", "")
    click_and_wait(page, "[data-testid=publish-event]")
    # a mistake is said beside its field, and nothing typed is lost
    assert "请填写名额。" in page.locator("[data-testid=error-capacity]").inner_text()
    assert page.input_value("input[name=title]") == "侨法宣传月咨询服务"
    page.fill("input[name=capacity]", "30")
    click_and_wait(page, "[data-testid=publish-event]")
    assert "活动已发布。" in page.locator("body").inner_text()
    assert page.locator("h1").inner_text() == "侨法宣传月咨询服务"
    logout(page)

    login(page, "member", PASSWORD)
    page.goto("/events/")
    listed = page.locator("[data-testid=event-list]")
    assert "侨法宣传月咨询服务" in listed.inner_text()
    assert page.locator("[data-testid=new-event]").count() == 0
    click_and_wait(page, listed.get_by_text("侨法宣传月咨询服务"))
    click_and_wait(page, "[data-testid=register]")
    assert "报名成功" in page.locator("body").inner_text()


def test_a_liaison_edits_their_units_event_and_cannot_edit_another(page):
    unit, other = UnitFactory(name="小湾豆"), UnitFactory(name="知联会")
    MembershipFactory(unit=unit, role="liaison", member__user__username="liaison")
    theirs = EventFactory(title="护湾豆环境整治", organizers=[unit])
    not_theirs = EventFactory(title="知联会学习会", organizers=[other])

    login(page, "liaison", PASSWORD)
    page.goto(f"/events/{theirs.pk}/")
    click_and_wait(page, "[data-testid=edit-event]")
    page.fill("input[name=location]", "中远两湾城 3 号门")
    click_and_wait(page, "[data-testid=save-event]")
    assert "活动已保存。" in page.locator("body").inner_text()
    assert "中远两湾城 3 号门" in page.locator("body").inner_text()

    page.goto(f"/events/{not_theirs.pk}/")
    assert page.locator("[data-testid=edit-event]").count() == 0
    response = page.goto(f"/events/{not_theirs.pk}/edit/")
    assert response.status == 404
    assert Event.objects.get(pk=not_theirs.pk).location == not_theirs.location


def test_raising_a_full_events_capacity_by_two_seats_the_first_two_who_are_told(page):
    UserFactory(username="coordinator", roles=["coordinator"])
    event = EventFactory(title="端午包粽子", capacity=1, organizers=[UnitFactory()])
    services.register(event_id=event.pk, member=MemberFactory(user__username="seated"))
    line = [MemberFactory(user__username=f"waiting-{n}", name=f"候补{n}") for n in (1, 2, 3)]
    for member in line:
        services.register(event_id=event.pk, member=member)

    login(page, "coordinator", PASSWORD)
    page.goto(f"/events/{event.pk}/edit/")
    assert "已报 1/1，候补 3 人" in page.locator("[data-testid=event-standing]").inner_text()
    page.fill("input[name=capacity]", "3")
    click_and_wait(page, "[data-testid=save-event]")
    assert "增加的名额已按顺序分给 2 名候补人员" in page.locator("body").inner_text()
    assert "已报 3/3，候补 1 人" in page.locator("[data-testid=seats]").inner_text()
    logout(page)

    for username in ("waiting-1", "waiting-2"):
        login(page, username, PASSWORD)
        page.goto("/me/notifications/")
        assert "候补成功：端午包粽子" in page.locator("body").inner_text()
        page.goto(f"/events/{event.pk}/")
        assert "已报名" in page.locator("[data-testid=my-registration]").inner_text()
        logout(page)

    login(page, "waiting-3", PASSWORD)
    page.goto("/me/notifications/")
    assert "候补成功" not in page.locator("body").inner_text()
    page.goto(f"/events/{event.pk}/")
    mine = page.locator("[data-testid=my-registration]").inner_text()
    assert "候补中" in mine and "候补第 1 位" in mine

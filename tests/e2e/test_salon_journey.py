"""A suggestion recorded at a 汇智沙龙 shows on the salon's page, in the body, to those who
may read it: the coordinator and the member who raised it, not another member."""

import pytest

from proposals import services
from proposals.models import Suggestion
from tests.e2e.conftest import login, logout
from tests.factories import PASSWORD, CategoryFactory, EventFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADING = "本场活动提出的建言"


@pytest.fixture
def salon():
    return EventFactory(salon=True, title="汇智沙龙（十一月）")


@pytest.fixture
def raised(coordinator, member_user, salon):
    return services.submit_suggestion(
        actor=coordinator, alliance=salon.alliance, submitter=member_user,
        category=CategoryFactory(alliance=salon.alliance), title="两湾城增设夜间照明",
        content="沙龙上提出：3 号楼前的小路晚上太暗。", channel=Suggestion.Channel.SALON,
        source_event=salon)


def _sees_the_list(page, salon, suggestion):
    page.goto(f"/events/{salon.pk}/")
    section = page.get_by_test_id("raised-suggestions")
    section.wait_for(state="visible")
    assert section.is_visible()
    text = section.inner_text()
    assert HEADING in text
    assert suggestion.tracking_number in text
    assert suggestion.title in text
    link = section.get_by_role("link", name=suggestion.tracking_number)
    assert link.is_visible()
    assert link.get_attribute("href") == suggestion.get_absolute_url()
    # The list is in the page, not in the tab's title.
    title = page.title()
    assert salon.title in title
    assert suggestion.tracking_number not in title
    assert HEADING not in title


def test_salon_page_shows_what_was_raised_to_those_who_may_read_it(
        page, coordinator, member_user, other_member_user, salon, raised):
    login(page, coordinator.username, PASSWORD)
    _sees_the_list(page, salon, raised)
    logout(page)

    login(page, member_user.username, PASSWORD)
    _sees_the_list(page, salon, raised)
    logout(page)

    login(page, other_member_user.username, PASSWORD)
    page.goto(f"/events/{salon.pk}/")
    assert salon.title in page.locator("h1").inner_text()
    assert page.get_by_test_id("raised-suggestions").count() == 0
    body = page.locator("body").inner_text()
    assert raised.tracking_number not in body
    assert raised.title not in body
    assert HEADING not in body
    assert raised.tracking_number not in page.title()

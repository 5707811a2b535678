"""Suggestions collected at salons: staff record the event, its page lists what was raised."""

import re

import pytest

from proposals import services
from proposals.models import Suggestion
from tests.factories import AllianceFactory, CategoryFactory, EventFactory
from tests.visible import body_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def salon():
    return EventFactory(salon=True, title="汇智沙龙（十一月）")


def record(actor, submitter, salon, **kwargs):
    return services.submit_suggestion(
        actor=actor, alliance=salon.alliance, submitter=submitter,
        category=CategoryFactory(alliance=salon.alliance), title="沙龙上提出的建议",
        content="建议增设夜间照明。", channel=Suggestion.Channel.SALON, source_event=salon,
        **kwargs)


def test_staff_record_a_suggestion_raised_at_a_salon(coordinator, member_user, salon):
    suggestion = record(coordinator, member_user, salon)
    assert suggestion.source_event == salon
    assert suggestion.recorded_by == coordinator


def test_a_member_cannot_name_the_event_themselves(member_user, salon):
    with pytest.raises(services.TransitionError):
        record(member_user, member_user, salon)
    assert not Suggestion.objects.exists()


def test_an_event_of_another_alliance_is_refused(coordinator, member_user, salon):
    other = EventFactory(alliance=AllianceFactory(slug="other", name="另一联盟"))
    with pytest.raises(services.TransitionError):
        services.submit_suggestion(
            actor=coordinator, alliance=salon.alliance, submitter=member_user,
            category=CategoryFactory(alliance=salon.alliance), title="t", content="c",
            source_event=other)
    assert not Suggestion.objects.exists()


def test_recording_form_stores_the_event(client, coordinator, member_user, salon):
    category = CategoryFactory(alliance=salon.alliance)
    client.force_login(coordinator)
    form = client.get("/suggestions/new/").context["form"]
    assert salon in form.fields["source_event"].queryset
    response = client.post("/suggestions/new/", {
        "submitter": member_user.pk, "channel": "salon", "source_event": salon.pk,
        "category": category.pk, "title": "沙龙建议", "content": "内容",
        "form_token": form.initial["form_token"]})
    assert response.status_code == 302
    assert Suggestion.objects.get().source_event == salon


def _page_title(response):
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, "the page has no <title>"
    return match.group(1)


def test_event_page_lists_what_each_viewer_may_see(client, coordinator, member_user,
                                                   other_member_user, salon):
    suggestion = record(coordinator, member_user, salon)
    url = f"/events/{salon.pk}/"
    for user, sees in [(coordinator, True), (member_user, True), (other_member_user, False),
                       (None, False)]:
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        text = body_text(response)
        assert (suggestion.tracking_number in text) is sees, user
        assert (suggestion.title in text) is sees, user
        assert ("本场活动提出的建言" in text) is sees, user
        # The list lives in the body, never in the page's <title>.
        title = _page_title(response)
        assert salon.title in title, user
        assert suggestion.tracking_number not in title, user
        assert suggestion.title not in title, user
        assert "本场活动提出的建言" not in title, user


def test_member_form_has_no_event_field(client, member_user):
    CategoryFactory(alliance=AllianceFactory())
    client.force_login(member_user)
    assert "source_event" not in client.get("/suggestions/new/").context["form"].fields


def test_dashboard_counts_suggestions_by_source_event_kind(coordinator, member_user, salon):
    from dashboard import stats

    record(coordinator, member_user, salon)
    record(coordinator, member_user, salon, submission_token="second")
    services.submit_suggestion(actor=member_user, alliance=salon.alliance,
                               category=CategoryFactory(alliance=salon.alliance),
                               title="网上建言", content="c")
    date_from, date_to = stats.default_period()
    flt = stats.StatsFilter(alliance=salon.alliance, date_from=date_from, date_to=date_to)
    rows = {row["kind"]: row["count"] for row in stats.by_source_event_kind(flt)}
    assert rows == {"salon": 2, "": 1}

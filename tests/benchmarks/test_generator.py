"""The district generator (PostgreSQL only: it writes with COPY)."""

import re

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY needs PostgreSQL"),
]


@pytest.fixture
def district():
    from benchmarks import generator

    return generator.generate(suggestions=600, alliances=2, members=60,
                              log=lambda *args: None, write_fixture=False)


def test_generator_writes_the_detail_suggestion_with_exactly_fifty_timeline_entries(district):
    from proposals.models import SuggestionUpdate

    assert SuggestionUpdate.objects.filter(
        suggestion_id=district["detail_suggestion_id"]).count() == 50


def test_generated_rows_point_at_rows_that_exist(district):
    from django.contrib.auth import get_user_model

    from proposals.models import Suggestion, SuggestionUpdate

    users = get_user_model().objects.all()
    assert Suggestion.objects.count() == 600
    assert not Suggestion.objects.exclude(submitter__in=users).exists()
    assert not Suggestion.objects.filter(handler__isnull=False).exclude(handler__in=users).exists()
    assert not SuggestionUpdate.objects.exclude(suggestion__in=Suggestion.objects.all()).exists()


def test_generated_tracking_numbers_are_unique_and_well_formed(district):
    from proposals.models import Suggestion

    numbers = list(Suggestion.objects.values_list("tracking_number", flat=True))
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"ZTC-\d{4}-\d{5}", n) for n in numbers)


def test_generated_states_follow_age_so_few_suggestions_are_open(district):
    from proposals.models import Suggestion

    open_states = ["submitted", "accepted", "replied", "in_progress", "implemented"]
    assert Suggestion.objects.filter(state="closed").count() > 400
    assert Suggestion.objects.filter(state__in=open_states).count() < 60


def test_the_bench_member_and_the_sign_up_events_are_in_the_portal_alliance(district):
    from django.conf import settings

    from proposals.models import Suggestion
    from volunteers.models import Event

    mine = Suggestion.objects.filter(submitter_id=district["member_user"])
    assert mine.exists()
    assert set(mine.values_list("alliance__slug", flat=True)) == {settings.PORTAL_ALLIANCE_SLUG}
    events = Event.objects.filter(pk__in=district["signup_events"])
    assert {e.alliance.slug for e in events} == {settings.PORTAL_ALLIANCE_SLUG}
    assert all(e.capacity >= len(district["writers"]) for e in events)

"""The work queue at district scale: one alliance's rows, an index in urgency order, no
exact count past the cap."""

import datetime

import pytest
from django.core.cache import caches
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from proposals import filters
from proposals.models import Suggestion
from proposals.views import QueuePaginator
from tests.factories import AllianceFactory, CategoryFactory, SuggestionFactory

pytestmark = pytest.mark.django_db


def test_next_due_is_the_deadline_of_the_current_state(member_user):
    today = timezone.localdate()
    s = SuggestionFactory(accepted=True, submitter=member_user)
    Suggestion.objects.filter(pk=s.pk).update(accept_due=today,
                                              reply_due=today + datetime.timedelta(5))
    assert Suggestion.objects.get(pk=s.pk).next_due == today + datetime.timedelta(5)
    Suggestion.objects.filter(pk=s.pk).update(state="replied", not_implemented=True,
                                              feedback_due=today + datetime.timedelta(7),
                                              progress_due=today + datetime.timedelta(9))
    assert Suggestion.objects.get(pk=s.pk).next_due == today + datetime.timedelta(7)
    Suggestion.objects.filter(pk=s.pk).update(not_implemented=False)
    assert Suggestion.objects.get(pk=s.pk).next_due == today + datetime.timedelta(9)
    Suggestion.objects.filter(pk=s.pk).update(state="closed")
    assert Suggestion.objects.get(pk=s.pk).next_due is None


def test_queue_shows_only_the_portal_alliance(client, coordinator, member_user):
    SuggestionFactory(submitter=member_user, title="本联盟的建言")
    other = AllianceFactory(slug="district-02", name="另一个联盟", short_name="另一个")
    SuggestionFactory(submitter=member_user, title="别的联盟的建言",
                      category=CategoryFactory(alliance=other))
    client.force_login(coordinator)
    rows = client.get(reverse("proposals:list")).context["page_obj"]
    assert [s.title for s in rows] == ["本联盟的建言"]


def test_count_stops_at_the_cap(client, coordinator, member_user, monkeypatch):
    monkeypatch.setattr(QueuePaginator, "COUNT_CAP", 3)
    SuggestionFactory.create_batch(5, submitter=member_user, category=CategoryFactory())
    client.force_login(coordinator)
    response = client.get(reverse("proposals:list"))
    assert response.context["page_obj"].paginator.capped
    assert "超过 3 条" in response.content.decode()
    monkeypatch.setattr(QueuePaginator, "COUNT_CAP", 10)
    caches["fragments"].clear()  # the page is kept until a suggestion changes, and none did
    response = client.get(reverse("proposals:list"))
    assert "共 5 条" in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
def test_urgency_order_walks_the_index_without_sorting(member_user):
    SuggestionFactory(submitter=member_user)
    alliance = AllianceFactory()
    rows = filters.by_urgency(Suggestion.objects.filter(alliance=alliance))[5000:5025]
    with connection.cursor() as cursor:
        # On a handful of rows any plan is cheap; forbid the others so the plan shows
        # whether the index can deliver the order by itself.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        plan = rows.explain()
    assert "sugg_queue_urgency" in plan
    assert "Sort" not in plan


def test_filter_form_is_rendered_once_per_query_for_five_minutes(client, coordinator,
                                                                  member_user):
    from django.test.utils import CaptureQueriesContext

    s = SuggestionFactory(submitter=member_user, title="楼道扶手")
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("proposals:list"))
    with CaptureQueriesContext(connection) as second:
        html = client.get(reverse("proposals:list")).content.decode()
    assert len(second) < len(first)  # the choices of the filter were not loaded again
    assert 'data-testid="queue-filter"' in html and s.category.name in html
    html = client.get(reverse("proposals:list"), {"q": "扶手"}).content.decode()
    assert 'value="扶手"' in html  # another query renders its own form


def test_pages_join_up_in_urgency_order(client, coordinator, member_user,
                                        django_assert_max_num_queries):
    today = timezone.localdate()
    category = CategoryFactory()
    for i in range(30):
        SuggestionFactory(submitter=member_user, title=f"建言{i:02d}", category=category,
                          accept_due=today + datetime.timedelta(i % 7))
    expected = [s.title for s in filters.by_urgency(Suggestion.objects.all())]
    client.force_login(coordinator)
    seen = []
    for number in (1, 2):
        with django_assert_max_num_queries(13):
            page = client.get(reverse("proposals:list"), {"page": number}).context["page_obj"]
        seen += [s.title for s in page]
    assert seen == expected


@pytest.mark.skipif(connection.vendor != "postgresql", reason="reads PostgreSQL's plan")
def test_golden_ideas_of_one_alliance_are_read_from_its_own_index_entries(member_user):
    # At district scale the showcase scanned every alliance's golden ideas to find one's.
    SuggestionFactory(submitter=member_user)
    alliance = AllianceFactory()
    rows = Suggestion.objects.filter(alliance=alliance).golden().order_by("-closed_at", "-pk")[:4]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = rows.explain()
    assert "sugg_golden_alliance" in plan
    assert "Index Cond: (alliance_id = " in plan

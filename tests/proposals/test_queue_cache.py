"""The coordinators' work queue is rendered once per alliance version: a cached page costs no
query on suggestions, and every committed change shows on the next request."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import Alliance
from proposals.models import Suggestion
from tests.factories import CategoryFactory, SuggestionFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cat(db):
    return CategoryFactory()


def _rows(response):
    """The list and its pagination: what the cache serves (the page's shell, with its
    session timer and CSRF token, is made per request)."""
    html = response.content.decode()
    return html[html.index('data-testid="suggestion-list"'):html.index("</main>")]


def test_second_request_reads_no_suggestion_rows(client, coordinator, member_user,
                                                 django_assert_max_num_queries):
    SuggestionFactory.create_batch(30, submitter=member_user, category=CategoryFactory())
    client.force_login(coordinator)
    first = client.get(reverse("proposals:list"))
    with CaptureQueriesContext(connection) as queries:
        second = client.get(reverse("proposals:list"))
    assert _rows(second) == _rows(first)
    assert "建言" in _rows(second) and "1 / 2" in _rows(second)
    assert not [q for q in queries if "proposals_suggestion" in q["sql"]]
    with django_assert_max_num_queries(6):
        client.get(reverse("proposals:list"))


def test_a_change_through_the_page_shows_on_the_next_request(
        client, coordinator, member_user, handler_user, cat, django_capture_on_commit_callbacks):
    s = SuggestionFactory(submitter=member_user, category=cat, title="加装楼道扶手")
    client.force_login(coordinator)
    assert "待受理" in _rows(client.get(reverse("proposals:list")))
    version = Alliance.objects.get(pk=cat.alliance_id).queue_version
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("proposals:action", args=[s.tracking_number, "accept"]),
            {"category": cat.pk, "handler": handler_user.pk,
             "lead_unit": UnitFactory(alliance=cat.alliance).pk})
    assert response.status_code == 302
    assert Alliance.objects.get(pk=cat.alliance_id).queue_version > version
    rows = _rows(client.get(reverse("proposals:list")))
    assert "已受理" in rows and "待受理" not in rows


def test_a_new_suggestion_shows_on_the_next_request(client, coordinator, member_user, cat,
                                                    django_capture_on_commit_callbacks):
    SuggestionFactory(submitter=member_user, category=cat, title="第一条")
    client.force_login(coordinator)
    assert "共 1 条" in client.get(reverse("proposals:list")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        SuggestionFactory(submitter=member_user, category=cat, title="第二条")
    html = client.get(reverse("proposals:list")).content.decode()
    assert "共 2 条" in html and "第二条" in html


def test_the_version_moves_only_when_the_change_commits(member_user, cat,
                                                        django_capture_on_commit_callbacks):
    s = SuggestionFactory(submitter=member_user, category=cat)
    before = Alliance.objects.get(pk=cat.alliance_id).queue_version
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            s.title = "不会保存"
            s.save()
            transaction.set_rollback(True)
    assert callbacks == []
    assert Alliance.objects.get(pk=cat.alliance_id).queue_version == before
    with django_capture_on_commit_callbacks(execute=True):
        s.delete()
    assert Alliance.objects.get(pk=cat.alliance_id).queue_version == before + 1


@pytest.mark.django_db(transaction=True)
def test_a_real_commit_moves_the_version(member_user, cat):
    s = SuggestionFactory(submitter=member_user, category=cat)
    before = Alliance.objects.get(pk=cat.alliance_id).queue_version
    with transaction.atomic():
        Suggestion.objects.select_for_update().get(pk=s.pk).save()
    assert Alliance.objects.get(pk=cat.alliance_id).queue_version == before + 1


def test_handlers_never_get_the_coordinators_page(client, coordinator, handler_user,
                                                  member_user):
    SuggestionFactory(submitter=member_user, title="别人的建言")
    SuggestionFactory(accepted=True, submitter=member_user, title="交给我的", handler=handler_user)
    client.force_login(coordinator)
    assert "别人的建言" in _rows(client.get(reverse("proposals:list")))
    client.force_login(handler_user)
    rows = _rows(client.get(reverse("proposals:list")))
    assert "交给我的" in rows and "别人的建言" not in rows


def test_each_language_and_query_has_its_own_page(client, coordinator, member_user):
    SuggestionFactory(accepted=True, submitter=member_user, title="楼道堆物")
    SuggestionFactory(submitter=member_user, title="垃圾分类")
    client.force_login(coordinator)
    submitted = _rows(client.get(reverse("proposals:list"), {"state": "submitted"}))
    assert "垃圾分类" in submitted and "楼道堆物" not in submitted
    accepted = _rows(client.get(reverse("proposals:list"), {"state": "accepted"}))
    assert "楼道堆物" in accepted and "垃圾分类" not in accepted
    assert "共 2 条" in client.get(reverse("proposals:list")).content.decode()
    client.cookies["django_language"] = "en"
    assert "2 suggestions" in client.get(reverse("proposals:list")).content.decode()

"""Double submissions and conflicting transitions in real concurrent transactions.

Only PostgreSQL runs two writers at once; SQLite serialises whole-database writes, so
these tests would prove nothing there and are skipped."""

import pytest
from django.db import connection

from proposals import services
from proposals.models import Suggestion
from proposals.services import TransitionError
from tests.concurrency import run_together
from tests.factories import CategoryFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="row locks under concurrency need PostgreSQL; SQLite serialises"),
]


def test_two_concurrent_submissions_of_one_form_create_one_suggestion(member_user):
    category = CategoryFactory()

    def submit():
        return services.submit_suggestion(
            actor=member_user, alliance=category.alliance, category=category,
            title="双击提交", content="内容", submission_token="form-token-1")

    results = run_together(submit, submit)
    assert all(isinstance(r, Suggestion) for r in results), results
    assert results[0].pk == results[1].pk
    assert Suggestion.objects.count() == 1


def test_concurrent_numbers_are_unique(member_user):
    category = CategoryFactory()

    def submit():
        return services.submit_suggestion(actor=member_user, alliance=category.alliance,
                                          category=category, title="并发", content="内容")

    results = run_together(*[submit] * 6)
    numbers = {r.tracking_number for r in results}
    assert len(numbers) == 6


def test_withdraw_and_accept_at_once_leave_one_applied_one_refused(member_user, coordinator,
                                                                   handler_user):
    category = CategoryFactory()
    s = services.submit_suggestion(actor=member_user, alliance=category.alliance,
                                   category=category, title="冲突", content="内容")
    results = run_together(
        lambda: services.withdraw_suggestion(actor=member_user, suggestion=s.pk),
        lambda: services.accept_suggestion(actor=coordinator, suggestion=s.pk,
                                           handler=handler_user),
    )
    errors = [r for r in results if isinstance(r, TransitionError)]
    applied = [r for r in results if isinstance(r, Suggestion)]
    assert len(errors) == 1 and len(applied) == 1, results
    s.refresh_from_db()
    assert s.state == applied[0].state
    assert s.updates.filter(kind__in=["withdrawn", "accepted"]).count() == 1

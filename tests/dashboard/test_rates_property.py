"""Over random pipelines, walked through the services as people would (Hypothesis), every
rate of the dashboard stays within 0–100% and 暂不落实 counts as replied but not implemented,
in every grouping; and the demo alliance shows no rate over 100%."""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard import stats
from proposals import services, workflow
from proposals.models import Suggestion
from tests.factories import CategoryFactory, MemberFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

RATES = ("reply_rate", "progress_rate", "implementation_rate", "feedback_rate",
         "satisfaction_rate", "on_time_reply_rate", "on_time_handling_rate")

# One step a person may take; the walk skips it when the table does not allow it now.
STEPS = st.sampled_from([
    "accept", "decline", "withdraw", "reply", "progress", "implement", "not_implemented",
    "satisfied", "basically_satisfied", "dissatisfied", "close", "auto_close", "merge",
])


def _step(step, s, people, others):
    coordinator, handler, submitter = people["coordinator"], people["handler"], s.submitter
    calls = {
        "accept": lambda: services.accept_suggestion(actor=coordinator, suggestion=s,
                                                     handler=handler,
                                                     co_units=[people["unit"]]),
        "decline": lambda: services.decline_suggestion(actor=coordinator, suggestion=s,
                                                       reason="不属实"),
        "withdraw": lambda: services.withdraw_suggestion(actor=submitter, suggestion=s),
        "reply": lambda: services.reply_suggestion(actor=handler, suggestion=s, text="答复"),
        "progress": lambda: services.record_progress(actor=handler, suggestion=s, text="推进"),
        "implement": lambda: services.record_implementation(actor=handler, suggestion=s,
                                                            text="落实"),
        "not_implemented": lambda: services.conclude_not_implemented(
            actor=handler, suggestion=s, grade="D", reason="条件不具备"),
        "close": lambda: services.close_suggestion(actor=coordinator, suggestion=s,
                                                   note="已解释"),
        "auto_close": lambda: services.auto_close_no_response(
            suggestion_id=s.pk, today=(s.feedback_due or timezone.localdate())
            + datetime.timedelta(days=1)),
        "merge": lambda: services.merge_suggestion(actor=coordinator, suggestion=s,
                                                   into=others[0]) if others else None,
    }
    if step in ("satisfied", "basically_satisfied", "dissatisfied"):
        return services.give_feedback(actor=submitter, suggestion=s, rating=step)
    return calls[step]()


def _check(rows):
    for row in rows:
        for name in RATES:
            value = row[name]
            assert value is None or 0 <= value <= 100, (name, value, row.get("label"))
        # 暂不落实: replied, never implemented; the implemented are within the replied.
        assert row["not_implemented"] + row["implemented"] <= row["replied"]
        assert row["progressed"] <= row["to_carry_out"]
        assert row["feedback_given"] <= row["feedback_asked"]


@pytest.fixture
def people(db):
    category = CategoryFactory()
    return {
        "category": category, "unit": UnitFactory(alliance=category.alliance),
        "coordinator": UserFactory(roles=["coordinator"]),
        "handler": UserFactory(roles=["handler"]),
        "members": [MemberFactory(alliance=category.alliance).user for _ in range(3)],
    }


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(walks=st.lists(st.lists(STEPS, max_size=12), min_size=1, max_size=6))
def test_no_rate_leaves_0_to_100_over_random_pipelines(people, walks):
    with transaction.atomic():
        done = []
        for i, walk in enumerate(walks):
            s = services.submit_suggestion(
                actor=people["members"][i % 3], alliance=people["category"].alliance,
                category=people["category"], title=f"建议{i}", content="内容")
            for step in walk:
                s.refresh_from_db()
                try:
                    _step(step, s, people, done)
                except services.TransitionError:
                    pass
            done.append(s)
        today = timezone.localdate()
        flt = stats.StatsFilter(alliance=people["category"].alliance,
                                date_from=today - datetime.timedelta(days=1), date_to=today)
        figures = stats.dashboard(flt, today=today)
        _check([figures["overview"], *figures["by_category"], *figures["by_lead_unit"],
                *figures["by_month"]])
        # Every suggestion concluded as not implemented counts so, everywhere.
        concluded = Suggestion.objects.filter(not_implemented=True,
                                              replied_at__isnull=False).count()
        assert figures["overview"]["not_implemented"] == concluded
        for s in Suggestion.objects.all():
            haves = dict(workflow.four_haves(s))
            if s.not_implemented:
                assert not haves["有落实"]
        transaction.set_rollback(True)


def test_the_demo_alliance_shows_no_rate_over_100(db, settings):
    from django.core.management import call_command

    settings.DEBUG = True  # the loader refuses production settings
    call_command("load_demo")
    alliance = Suggestion.objects.first().alliance
    start, end = stats.default_period()
    figures = stats.dashboard(stats.StatsFilter(alliance=alliance, date_from=start,
                                                date_to=end))
    _check([figures["overview"], *figures["by_category"], *figures["by_lead_unit"],
            *figures["by_month"]])
    assert figures["overview"]["feedback_asked"] >= 1

"""Each figure of the dashboard against the hand-counted district of conftest.py."""

from decimal import Decimal

import pytest

from dashboard import stats
from tests.dashboard.conftest import PERIOD, TODAY, at
from tests.factories import FeedbackFactory, SuggestionFactory


def flt_for(district, **kwargs):
    return stats.StatsFilter(alliance=district.alliance, date_from=PERIOD[0],
                             date_to=PERIOD[1], **kwargs)


def test_overview_counts_every_state_of_the_period_and_alliance_only(district):
    o = stats.overview(flt_for(district), today=TODAY)

    assert o["total"] == 14  # 1–13 and 16; not the 2025 one, not the other alliance's
    assert o["pending"] == 2
    assert (o["withdrawn"], o["declined"], o["merged"]) == (1, 1, 1)
    assert o["accepted"] == 9  # 6–13 and 16: withdrawn, declined, merged never count
    assert o["replied"] == 7  # 8–13 and 16
    assert o["to_carry_out"] == 6  # replied minus 12, concluded as not implemented
    assert o["progressed"] == 5  # 8 in progress; 9, 10, 11, 13 implemented; not 16
    assert o["implemented"] == 4  # 9, 10, 11, 13
    assert o["not_implemented"] == 1  # 12
    assert o["closed"] == 4 and o["closed_no_response"] == 1  # 10–13; 13 auto-closed
    assert o["reopened"] == 1 and o["golden"] == 1


def test_four_you_rates(district):
    o = stats.overview(flt_for(district), today=TODAY)

    assert o["reply_rate"] == 77.8  # 7 / 9
    assert o["progress_rate"] == 83.3  # 5 / 6
    # 12 counts as replied but not implemented: 4 / 7
    assert o["implementation_rate"] == 57.1
    # asked: 9, 10, 11, 13 implemented and 12 not implemented; answered: 10, 11, 12.
    # 13 (auto-closed, no response) and 9 (still waiting) count as not answered.
    assert (o["feedback_asked"], o["feedback_given"]) == (5, 3)
    assert o["feedback_rate"] == 60.0


def test_satisfaction_uses_each_suggestions_latest_feedback(district):
    o = stats.overview(flt_for(district), today=TODAY)

    # 11 was dissatisfied first and basically satisfied after reopening: counted once, as
    # basically satisfied
    assert (o["satisfied"], o["basically_satisfied"], o["dissatisfied"]) == (1, 1, 1)
    assert o["satisfaction_rate"] == 66.7


def test_overdue_now_counts_the_deadline_of_the_place_each_suggestion_stands(district):
    o = stats.overview(flt_for(district), today=TODAY)

    # 1 (acceptance), 6 (reply), 8 (progress), 9 (its feedback window ran out on 6-01 and
    # it waits to be closed): the same answer as the work queue's 已逾期 filter. Not 2 or 7
    # (not yet due), not 16 (progress due 6-30).
    assert o["overdue"] == 4


def test_on_time_reply_and_handling_rates(district):
    o = stats.overview(flt_for(district), today=TODAY)

    # reply deadline has come for 6 (passed, unreplied) and the 7 replied; 9 replied late
    assert (o["replied_on_time"], o["reply_due_come"]) == (6, 8)
    assert o["on_time_reply_rate"] == 75.0
    # kept every deadline so far: 10, 11, 12, 13, 16. Not 6 (reply overdue), 7 (accepted
    # late), 8 (progress overdue), 9 (replied late)
    assert o["handled_on_time"] == 5
    assert o["on_time_handling_rate"] == 55.6


def test_rates_are_none_when_there_is_nothing_to_measure(district):
    import datetime

    empty = stats.StatsFilter(alliance=district.alliance, date_from=datetime.date(2020, 1, 1),
                              date_to=datetime.date(2020, 12, 31))
    o = stats.overview(empty, today=TODAY)

    assert o["total"] == 0
    assert o["reply_rate"] is None and o["satisfaction_rate"] is None


def test_by_category(district):
    rows = {row["label"]: row for row in stats.by_category(flt_for(district), today=TODAY)}

    assert set(rows) == {"社区治理", "文明创建"}
    c1, c2 = rows["社区治理"], rows["文明创建"]
    assert (c1["total"], c1["accepted"], c1["replied"], c1["overdue"]) == (8, 5, 3, 2)
    assert c1["feedback_given"] == 2 and c1["satisfaction_rate"] == 100.0
    assert (c2["total"], c2["accepted"], c2["replied"], c2["implemented"]) == (6, 4, 4, 2)
    assert c2["not_implemented"] == 1 and c2["overdue"] == 2  # 8 and 9
    assert c2["satisfaction_rate"] == 0.0
    assert c1["total"] + c2["total"] == 14


def test_by_lead_unit(district):
    rows = {row["label"]: row for row in stats.by_lead_unit(flt_for(district), today=TODAY)}

    assert rows["未分派"]["total"] == 5  # 1–5 were never accepted
    assert rows["中远侨联"]["total"] == 6 and rows["中远侨联"]["overdue"] == 2  # 6 and 9
    assert rows["知联会"]["total"] == 3 and rows["知联会"]["feedback_given"] == 2


def test_by_month_lists_every_month_of_the_period(district):
    rows = stats.by_month(flt_for(district), today=TODAY)

    assert [row["label"] for row in rows] == [
        "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]
    assert [row["total"] for row in rows] == [1, 2, 8, 1, 1, 1]
    assert [row["feedback_given"] for row in rows] == [1, 1, 1, 0, 0, 0]
    assert rows[0]["satisfaction_rate"] == 100.0
    chart = stats.trend_chart_data(rows)
    assert chart["labels"][2] == "2026-03"
    assert chart["series"][0]["data"] == [1, 2, 8, 1, 1, 1]


def test_unit_filter_counts_lead_and_co_handled_suggestions_once(district):
    u2 = stats.overview(flt_for(district, unit=district.u2), today=TODAY)
    u1 = stats.overview(flt_for(district, unit=district.u1), today=TODAY)

    assert u2["total"] == 4  # lead of 8, 11, 12; co-handles 9
    assert u2["overdue"] == 2  # 8, and 9 which it co-handles
    assert u1["total"] == 7  # lead of 6, 7, 9, 10, 13, 16; co-handles 12


def test_category_and_unit_filters_combine(district):
    o = stats.overview(flt_for(district, unit=district.u1, category=district.c2), today=TODAY)

    assert o["total"] == 3  # 9, 12, 13


def test_golden_ideas_of_the_period(district):
    ideas = list(stats.golden_ideas(flt_for(district)))

    assert [idea.title for idea in ideas] == ["打造两湾十景"]


def test_volunteer_hours_and_events_by_unit(service):
    rows = {row["unit"].slug: row for row in stats.volunteer_by_unit(flt_for(service))}

    # E2 was cancelled; E1 is run by u1 and u3 together
    assert (rows["u1"]["events"], rows["u1"]["attendances"]) == (1, 2)
    assert (rows["u3"]["events"], rows["u3"]["attendances"]) == (2, 2)
    # verified hours in the period only; m1 belongs to u1 and u3 and counts for both
    assert rows["u1"]["hours"] == Decimal("3.5") and rows["u1"]["volunteers"] == 1
    assert rows["u3"]["hours"] == Decimal("5.5") and rows["u3"]["volunteers"] == 2
    assert rows["u2"]["hours"] == 0 and rows["u2"]["events"] == 0


def test_volunteer_totals_count_shared_events_and_members_once(service):
    totals = stats.volunteer_totals(flt_for(service))

    assert totals == {"events": 2, "hours": Decimal("5.5"), "volunteers": 2}
    only_u1 = stats.volunteer_totals(flt_for(service, unit=service.u1))
    assert only_u1 == {"events": 1, "hours": Decimal("3.5"), "volunteers": 1}


def test_composition_against_the_6_12_6_target(district):
    data = stats.dashboard(flt_for(district), today=TODAY)

    rows = {row["kind"]: (row["actual"], row["target"]) for row in data["composition"]}
    assert rows == {"branch": (2, 6), "enterprise": (0, 12), "volunteer_team": (1, 6)}


@pytest.mark.parametrize("extra", [0, 60])
def test_dashboard_makes_a_fixed_number_of_queries(service, extra,
                                                   django_assert_num_queries):
    for n in range(extra):
        s = SuggestionFactory(submitter=service.submitter, submitted_at=at(1 + n % 6, 3),
                              state="closed", category=(service.c1, service.c2)[n % 2],
                              lead_unit=(service.u1, service.u2)[n % 2], accepted_at=at(1, 4),
                              replied_at=at(1, 5), implemented_at=at(1, 6), closed_at=at(1, 7))
        FeedbackFactory(suggestion=s, rating="satisfied", created_at=at(1, 7))

    with django_assert_num_queries(QUERIES):
        stats.dashboard(flt_for(service), today=TODAY)


QUERIES = 18

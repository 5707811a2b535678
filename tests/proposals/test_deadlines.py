"""Working days from chinesecalendar (2026 National Day: 1–7 October off, Saturday 10
October a make-up working day), Monday–Friday for unknown years, overrides win."""

import datetime as dt

import pytest

from proposals.deadlines import add_working_days, is_working_day, working_days_between
from proposals.models import CalendarOverride

pytestmark = pytest.mark.django_db

D = dt.date


def test_national_day_2026_is_not_working_and_the_makeup_saturday_is():
    assert not is_working_day(D(2026, 10, 1))
    assert not is_working_day(D(2026, 10, 7))
    assert is_working_day(D(2026, 10, 8))
    assert is_working_day(D(2026, 10, 10))  # 调休 Saturday
    assert not is_working_day(D(2026, 10, 11))


def test_accept_due_across_national_day_2026():
    # Submitted Wednesday 30 September: the next working days are 8, 9 and 10 October.
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 9)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)


def test_reply_due_ten_working_days_across_national_day_2026():
    # 28, 29, 30 Sep; 8, 9, 10 (Sat), 12, 13, 14, 15 Oct.
    assert add_working_days(D(2026, 9, 25), 10) == D(2026, 10, 15)


def test_working_days_between_counts_the_makeup_saturday():
    assert working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert working_days_between(D(2026, 10, 10), D(2026, 9, 30)) == -3
    assert working_days_between(D(2026, 10, 1), D(2026, 10, 7)) == 0


def test_unknown_year_falls_back_to_monday_to_friday():
    # 2040 is beyond the library's data; 1 October 2040 is a Monday.
    assert is_working_day(D(2040, 10, 1))
    assert not is_working_day(D(2040, 10, 6))
    assert add_working_days(D(2040, 10, 5), 2) == D(2040, 10, 9)


def test_deadline_across_the_end_of_known_data():
    # Thursday 31 December 2026 + 2: Friday 1 January 2027 is not known to the library
    # (1.11.0 ends with 2026) unless it is, so only assert the fallback's weekend rule.
    due = add_working_days(D(2026, 12, 31), 2)
    assert due.weekday() < 5 and due > D(2026, 12, 31)


def test_override_wins_over_the_library():
    CalendarOverride.objects.create(date=D(2026, 10, 10), is_working_day=False, note="临时调整")
    CalendarOverride.objects.create(date=D(2040, 10, 6), is_working_day=True, note="补班")
    assert not is_working_day(D(2026, 10, 10))
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 12)
    assert is_working_day(D(2040, 10, 6))
    assert add_working_days(D(2040, 10, 5), 1) == D(2040, 10, 6)


def test_services_use_the_category_settings(member_user, coordinator, handler_user,
                                            time_machine):
    from proposals import services
    from tests.factories import CategoryFactory

    time_machine.move_to(dt.datetime(2026, 9, 30, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    category = CategoryFactory(accept_days=2, reply_days=10)
    s = services.submit_suggestion(actor=member_user, alliance=category.alliance,
                                   category=category, title="节后受理", content="内容")
    assert s.accept_due == D(2026, 10, 9)
    time_machine.move_to(dt.datetime(2026, 10, 9, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    s = services.accept_suggestion(actor=coordinator, suggestion=s, handler=handler_user)
    # 10 (Sat), 12..16, 19..22 October.
    assert s.reply_due == D(2026, 10, 22)

"""Chinese working days: statutory holidays and 调休 make-up days from chinesecalendar,
Monday–Friday for years the library does not know, and admin overrides
(CalendarOverride) winning over both."""

import datetime

import chinese_calendar


def _override(day):
    from proposals.models import CalendarOverride

    return (
        CalendarOverride.objects.filter(date=day).values_list("is_working_day", flat=True).first()
    )


def is_working_day(day):
    if isinstance(day, datetime.datetime):
        day = day.date()
    override = _override(day)
    if override is not None:
        return override
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def _overrides_between(start, end):
    from proposals.models import CalendarOverride

    return dict(
        CalendarOverride.objects.filter(date__gte=start, date__lte=end)
        .values_list("date", "is_working_day")
    )


def _working(day, overrides):
    if day in overrides:
        return overrides[day]
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def add_working_days(start, n):
    """The ``n``-th working day after ``start`` (``start`` itself does not count)."""
    if isinstance(start, datetime.datetime):
        start = start.date()
    # One query for the overrides of the window: n working days fit in 3n+30 calendar days.
    overrides = _overrides_between(start, start + datetime.timedelta(days=3 * n + 30))
    day = start
    left = n
    while left > 0:
        day += datetime.timedelta(days=1)
        if _working(day, overrides):
            left -= 1
    return day


def working_days_between(start, end):
    """Working days after ``start`` up to and including ``end`` (negative if end < start)."""
    if isinstance(start, datetime.datetime):
        start = start.date()
    if isinstance(end, datetime.datetime):
        end = end.date()
    if end < start:
        return -working_days_between(end, start)
    overrides = _overrides_between(start, end)
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if _working(day, overrides):
            count += 1
    return count

"""The statistics of the 直通车 and of volunteer service, as plain selectors.

Every figure is an aggregate query (conditional ``Count(filter=Q(...))`` grouped with
``values()`` / ``TruncMonth``): the number of queries is fixed, whatever the number of
suggestions, and the database does the counting. Python only merges the few grouped rows
(one per category, unit or month) and computes the rates.

What each figure means (shown on the page as footnotes, tested in tests/dashboard). Each
comes from the workflow table (proposals.workflow): a 有 counts when the step that fulfils it
left its stamp, and stamps are never cleared, so a suggestion reopened after 不满意 keeps
what it had and no rate can pass 100%.

- 受理 (accepted): suggestions accepted by triage (``accepted_at`` set) and not later
  withdrawn, declined or merged. This is the base of the four 有.
- 有回复 reply rate: replied ÷ accepted.
- 有推进 progress rate: among replied suggestions that are to be carried out (not concluded
  as "not implemented now"), those with a progress update or an implementation.
- 有落实 implementation rate: implemented ÷ replied. A suggestion the handler concluded as
  not implemented (grade C/D) counts as replied but not implemented.
- 有反馈 feedback rate: suggestions with the submitter's feedback ÷ suggestions asked for it
  (a step that opened the feedback window: implementation, or the not-implemented
  conclusion). Auto-closed "no response" ones count as asked but not answered.
- 满意率 satisfaction: (满意 + 基本满意) ÷ suggestions with feedback, using each
  suggestion's latest feedback (a reopened suggestion is judged on its second round).
- 按时答复率 on-time reply rate: replied on or before ``reply_due`` ÷ accepted suggestions
  whose reply deadline has come (replied, or the deadline has passed).
- 按时办理率 on-time handling rate: accepted suggestions that kept every deadline that has
  come so far (accepted by ``accept_due``, replied by ``reply_due``, not overdue now) ÷
  accepted.
- 当前逾期 overdue now: open suggestions past the deadline of the place they stand (the
  same answer as the work queue's 已逾期 filter and the ``next_due`` column).
"""

import datetime
import uuid
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from alliance.models import Unit
from proposals import workflow
from proposals.models import Assignment, Feedback, Suggestion
from volunteers.models import Event, Registration, ServiceRecord


@dataclass(frozen=True)
class StatsFilter:
    """What the coordinator chose: a period of submission dates and optionally a unit
    (lead or co-handling) and a category. ``date_to`` is inclusive. ``alliance`` None is
    the district: every alliance (``/district/``, which shows them side by side)."""

    alliance: object
    date_from: datetime.date
    date_to: datetime.date
    unit: object = None
    category: object = None

    @property
    def start(self):
        return _local_midnight(self.date_from)

    @property
    def end(self):
        return _local_midnight(self.date_to + datetime.timedelta(days=1))


def default_period(today=None):
    """The last twelve calendar months up to today."""
    today = today or timezone.localdate()
    year, month = today.year, today.month - 11
    if month <= 0:
        year, month = year - 1, month + 12
    return datetime.date(year, month, 1), today


def _local_midnight(day):
    # A half-open range on the stored datetimes keeps the index on submitted_at usable.
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def rate(numerator, denominator):
    """A percentage with one decimal, or None when there is nothing to measure."""
    if not denominator:
        return None
    return round(100 * numerator / denominator, 1)


# --- suggestions ------------------------------------------------------------------------------


def filtered_suggestions(flt):
    """The suggestions the filter selects (all states), for statistics and exports."""
    qs = Suggestion.objects.filter(submitted_at__gte=flt.start, submitted_at__lt=flt.end)
    if flt.alliance is not None:
        qs = qs.filter(alliance=flt.alliance)
    if flt.category is not None:
        qs = qs.filter(category=flt.category)
    if flt.unit is not None:
        # A subquery rather than a join, so a co-handled suggestion is never counted twice.
        co_handled = Assignment.objects.filter(unit=flt.unit).values("suggestion_id")
        qs = qs.filter(Q(lead_unit=flt.unit) | Q(pk__in=co_handled))
    return qs


def _conditions(today):
    """The figures' conditions, from the workflow table: the stamps each 有 leaves, the
    places that ask for feedback, and the deadline each open place watches."""
    flow = workflow.current()
    stamp = {have: Q(**{f"{field}__isnull": False})
             for have, field in workflow.HAVE_STAMPS.items()}
    accepted = Q(accepted_at__isnull=False) & ~Q(state__in=flow.ended_without_work)
    replied = accepted & stamp[workflow.Have.REPLY]
    not_implemented = replied & Q(not_implemented=True)
    to_carry_out = replied & Q(not_implemented=False)
    implemented = to_carry_out & stamp[workflow.Have.IMPLEMENTATION]
    progressed = to_carry_out & stamp[workflow.Have.PROGRESS]
    feedback_asked = accepted & Q(**{f"{workflow.FEEDBACK_ASKED}__isnull": False})
    overdue = flow.overdue(today)
    replied_on_time = Q(replied_at__isnull=False, replied_at__date__lte=F("reply_due"))
    reply_due_come = accepted & Q(reply_due__isnull=False) & (
        Q(replied_at__isnull=False) | Q(reply_due__lt=today)
    )
    accept_kept = Q(accept_due__isnull=True) | Q(accepted_at__date__lte=F("accept_due"))
    reply_kept = (
        Q(reply_due__isnull=True)
        | replied_on_time
        | Q(replied_at__isnull=True, reply_due__gte=today)
    )
    handled_on_time = accepted & accept_kept & reply_kept & ~overdue
    return {
        "total": Q(),
        "pending": Q(state=workflow.State.SUBMITTED),
        "withdrawn": Q(state=workflow.State.WITHDRAWN),
        "declined": Q(state=workflow.State.DECLINED),
        "merged": Q(state=workflow.State.MERGED),
        "accepted": accepted,
        "replied": replied,
        "to_carry_out": to_carry_out,
        "progressed": progressed,
        "implemented": implemented,
        "not_implemented": not_implemented,
        "feedback_asked": feedback_asked,
        "feedback_given": feedback_asked & stamp[workflow.Have.FEEDBACK],
        "closed": Q(state=workflow.State.CLOSED),
        "closed_no_response": Q(state=workflow.State.CLOSED, closed_no_response=True),
        "reopened": Q(reopened_count__gt=0),
        "golden": Q(is_golden=True),
        "overdue": overdue,
        "reply_due_come": reply_due_come,
        "replied_on_time": reply_due_come & replied_on_time,
        "handled_on_time": handled_on_time,
    }


# Aggregate aliases must not shadow field names (not_implemented, closed_no_response).
ALIAS = "n_"


def _count_expressions(today):
    return {
        ALIAS + name: Count("pk", filter=condition) if condition else Count("pk")
        for name, condition in _conditions(today).items()
    }


def _unaliased(row):
    return {key.removeprefix(ALIAS): value for key, value in row.items()}


def _latest_feedback(suggestions):
    """Each suggestion's latest feedback (a later one replaces the first after reopening)."""
    later = Feedback.objects.filter(suggestion_id=OuterRef("suggestion_id"), pk__gt=OuterRef("pk"))
    return Feedback.objects.filter(suggestion__in=suggestions.values("pk")).exclude(Exists(later))


FEEDBACK_COUNTS = {
    "rated": Count("pk"),
    "satisfied": Count("pk", filter=Q(rating="satisfied")),
    "basically_satisfied": Count("pk", filter=Q(rating="basically_satisfied")),
    "dissatisfied": Count("pk", filter=Q(rating="dissatisfied")),
}
FEEDBACK_ZERO = dict.fromkeys(FEEDBACK_COUNTS, 0)


def _with_rates(row):
    row["reply_rate"] = rate(row["replied"], row["accepted"])
    row["progress_rate"] = rate(row["progressed"], row["to_carry_out"])
    row["implementation_rate"] = rate(row["implemented"], row["replied"])
    row["feedback_rate"] = rate(row["feedback_given"], row["feedback_asked"])
    row["satisfaction_rate"] = rate(row["satisfied"] + row["basically_satisfied"], row["rated"])
    row["on_time_reply_rate"] = rate(row["replied_on_time"], row["reply_due_come"])
    row["on_time_handling_rate"] = rate(row["handled_on_time"], row["accepted"])
    return row


def _grouped(flt, *, key, feedback_key, names=(), today=None):
    """Rows of figures grouped by ``key`` (a field or expression on Suggestion); two
    queries: the suggestion counts and the latest-feedback counts."""
    today = today or timezone.localdate()
    suggestions = filtered_suggestions(flt)
    counts = (
        suggestions.annotate(group=key).values("group", *names)
        .annotate(**_count_expressions(today)).order_by("group")
    )
    feedback = {
        row.pop("group"): row
        for row in _latest_feedback(suggestions).annotate(group=feedback_key)
        .values("group").annotate(**FEEDBACK_COUNTS).order_by()
    }
    rows = []
    for row in map(_unaliased, counts):
        row.update(feedback.get(row["group"], FEEDBACK_ZERO))
        rows.append(_with_rates(row))
    return rows


def overview(flt, *, today=None):
    """The headline figures of the whole selection: one dict (two queries)."""
    today = today or timezone.localdate()
    suggestions = filtered_suggestions(flt)
    row = _unaliased(suggestions.aggregate(**_count_expressions(today)))
    row.update(_latest_feedback(suggestions).aggregate(**FEEDBACK_COUNTS))
    return _with_rates(row)


def by_category(flt, *, today=None):
    rows = _grouped(flt, key=F("category_id"), feedback_key=F("suggestion__category_id"),
                    names=("category__name",), today=today)
    for row in rows:
        row["label"] = row.pop("category__name") or "—"
    return rows


def by_lead_unit(flt, *, today=None):
    rows = _grouped(flt, key=F("lead_unit_id"), feedback_key=F("suggestion__lead_unit_id"),
                    names=("lead_unit__name",), today=today)
    for row in rows:
        row["label"] = row.pop("lead_unit__name") or _("未分派")
    return rows


def _months(date_from, date_to):
    year, month = date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        yield datetime.date(year, month, 1)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _month_of(value):
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _empty_row():
    return _with_rates(dict.fromkeys([*_conditions(timezone.localdate()), *FEEDBACK_COUNTS], 0))


def by_month(flt, *, today=None):
    """One row per calendar month of the period, months without suggestions included."""
    tz = timezone.get_current_timezone()
    rows = _grouped(flt, key=TruncMonth("submitted_at", tzinfo=tz),
                    feedback_key=TruncMonth("suggestion__submitted_at", tzinfo=tz), today=today)
    found = {_month_of(row["group"]): row for row in rows}
    empty = _empty_row()
    result = []
    for month in _months(flt.date_from, flt.date_to):
        row = dict(found.get(month) or empty)
        row["group"] = month
        row["label"] = f"{month.year}-{month.month:02d}"
        result.append(row)
    return result


def trend_chart_data(months):
    """What static/js/dashboard.js draws: labels and the four 有 counts per month."""
    return {
        "labels": [row["label"] for row in months],
        "series": [
            {"key": key, "label": label, "data": [row[key] for row in months]}
            for key, label in [
                ("total", pgettext("count", "提交")), ("replied", _("有回复")),
                ("progressed", _("有推进")), ("implemented", _("有落实")),
                ("feedback_given", _("有反馈")),
            ]
        ],
    }


def golden_ideas(flt, *, limit=10):
    return (
        filtered_suggestions(flt).filter(is_golden=True)
        .select_related("category", "lead_unit")
        .only("tracking_number", "title", "golden_summary", "closed_at", "implemented_at",
              "category__name", "lead_unit__name", "lead_unit__short_name")
        .order_by(F("closed_at").desc(nulls_last=True), "-pk")[:limit]
    )


def by_source_event_kind(flt):
    """Suggestions by the kind of event where they were raised (汇智沙龙, 座谈会 …), plus those
    raised elsewhere; one grouped query."""
    rows = dict(
        filtered_suggestions(flt).values_list("source_event__kind")
        .annotate(n=Count("id")).values_list("source_event__kind", "n")
    )
    labels = dict(Event.Kind.choices)
    result = [{"kind": kind, "label": labels.get(kind, kind), "count": n}
              for kind, n in sorted(rows.items(), key=lambda kv: -kv[1]) if kind]
    result.append({"kind": "", "label": _("非活动中提出"), "count": rows.get(None, 0)})
    return result


# --- volunteer service ------------------------------------------------------------------------


def volunteer_by_unit(flt):
    """Per unit: events organized in the period, attendances at them, and the verified
    volunteer hours its members served in the period (a member of two units counts for
    both). Four queries whatever the data size."""
    units = Unit.objects.filter(alliance=flt.alliance, is_active=True).select_related("parent")
    if flt.unit is not None:
        units = units.filter(pk=flt.unit.pk)
    events = _events_in_period(flt)
    event_counts = dict(
        events.values_list("organizers").annotate(n=Count("pk")).values_list("organizers", "n")
        .order_by()
    )
    attended = dict(
        Registration.objects.filter(event__in=events.values("pk"), state="attended")
        .values_list("event__organizers").annotate(n=Count("pk"))
        .values_list("event__organizers", "n").order_by()
    )
    hours = {
        row["member__memberships__unit"]: row
        for row in ServiceRecord.objects.filter(
            verified=True, created_at__gte=flt.start, created_at__lt=flt.end,
            member__alliance=flt.alliance,
        )
        .values("member__memberships__unit")
        .annotate(hours=Sum("hours"), volunteers=Count("member", distinct=True))
        .order_by()
    }
    rows = []
    for unit in units:
        served = hours.get(unit.pk, {})
        rows.append({
            "unit": unit,
            "label": f"{unit.parent} · {unit}" if unit.parent_id else str(unit),
            "kind": unit.get_kind_display(),
            "events": event_counts.get(unit.pk, 0),
            "attendances": attended.get(unit.pk, 0),
            "hours": served.get("hours") or 0,
            "volunteers": served.get("volunteers", 0),
        })
    return rows


def _events_in_period(flt):
    events = Event.objects.filter(start__gte=flt.start, start__lt=flt.end).exclude(
        status__in=["draft", "cancelled"])
    if flt.alliance is not None:
        events = events.filter(alliance=flt.alliance)
    if flt.unit is not None:
        events = events.filter(pk__in=Event.organizers.through.objects.filter(
            unit=flt.unit).values("event_id"))
    return events


def volunteer_totals(flt):
    """Distinct events and hours: an event run by two units, or a member of two units,
    counts once here (the per-unit table counts it for each)."""
    records = ServiceRecord.objects.filter(
        verified=True, created_at__gte=flt.start, created_at__lt=flt.end,
        member__alliance=flt.alliance,
    )
    if flt.unit is not None:
        records = records.filter(member__memberships__unit=flt.unit)
    served = records.aggregate(hours=Sum("hours"), volunteers=Count("member", distinct=True))
    return {
        "events": _events_in_period(flt).count(),
        "hours": served["hours"] or 0,
        "volunteers": served["volunteers"],
    }


# --- the district -----------------------------------------------------------------------------


def _verified_hours(flt):
    return ServiceRecord.objects.filter(verified=True, created_at__gte=flt.start,
                                        created_at__lt=flt.end)


def district(flt, *, today=None):
    """``/district/``: every alliance side by side, the four 有, the rates and the volunteer
    figures of each, and the district's totals. Counts only, no person: eight queries
    whatever the number of alliances or suggestions."""
    from alliance.models import Alliance

    today = today or timezone.localdate()
    figures = {row["group"]: row for row in _grouped(flt, key=F("alliance_id"),
                                                      feedback_key=F("suggestion__alliance_id"),
                                                      today=today)}
    events = dict(_events_in_period(flt).values_list("alliance_id").annotate(n=Count("pk"))
                  .values_list("alliance_id", "n").order_by())
    hours = {row["member__alliance_id"]: row for row in _verified_hours(flt)
             .values("member__alliance_id")
             .annotate(hours=Sum("hours"), volunteers=Count("member", distinct=True))
             .order_by()}
    rows = []
    for alliance in Alliance.objects.order_by("pk").only("pk", "name", "short_name",
                                                           "subdistrict"):
        row = dict(figures.get(alliance.pk) or _empty_row())
        served = hours.get(alliance.pk, {})
        row.update(label=alliance.short_name, alliance=alliance,
                   events=events.get(alliance.pk, 0), hours=served.get("hours") or 0,
                   volunteers=served.get("volunteers", 0))
        rows.append(row)
    total = dict(overview(flt, today=today), label=_("全区合计"))
    served = _verified_hours(flt).aggregate(hours=Sum("hours"),
                                            volunteers=Count("member", distinct=True))
    total.update(events=sum(events.values()), hours=served["hours"] or 0,
                 volunteers=served["volunteers"])
    return {"rows": rows, "total": total, "today": today}


# --- the whole page ----------------------------------------------------------------------------


def dashboard(flt, *, today=None):
    """Everything /dashboard/ and the statistics workbook show, in a fixed number of
    queries."""
    today = today or timezone.localdate()
    months = by_month(flt, today=today)
    volunteers = volunteer_by_unit(flt)
    return {
        "overview": overview(flt, today=today),
        "by_category": by_category(flt, today=today),
        "by_lead_unit": by_lead_unit(flt, today=today),
        "by_month": months,
        "chart": trend_chart_data(months),
        "volunteers": volunteers,
        "volunteer_totals": volunteer_totals(flt),
        "composition": flt.alliance.composition(),
        "golden": list(golden_ideas(flt)),
        "by_source_event": by_source_event_kind(flt),
        "today": today,
    }


# Figures over a district's years of suggestions take a few hundred milliseconds to count;
# the page shows them from the cache, at most this many seconds old (and says so).
CACHE_SECONDS = 300


def figures_key(flt, today):
    """Where the figures of ``flt`` counted on ``today`` in the current language are kept."""
    return ":".join(str(part) for part in (
        "dashboard", getattr(flt.alliance, "pk", "district"), flt.date_from, flt.date_to,
        getattr(flt.unit, "pk", ""), getattr(flt.category, "pk", ""), today, get_language(),
    ))


def cached_dashboard(flt):
    """``dashboard(flt)`` as computed at most CACHE_SECONDS ago for the same filter, day and
    language (labels are translated when computed). ``cache_key`` names the count: the
    page's rendering of it is cached under that name, so it is never shown for another."""
    today = timezone.localdate()
    key = figures_key(flt, today)

    def compute():
        figures = dashboard(flt, today=today)
        return {**figures, "computed_at": timezone.now(), "cache_key": f"{key}:{uuid.uuid4().hex}"}

    return cache.get_or_set(key, compute, CACHE_SECONDS)


def cached_district(flt):
    """``district(flt)`` as computed at most CACHE_SECONDS ago (it counts the whole
    district's suggestions), under the same kind of key as an alliance's figures."""
    today = timezone.localdate()
    return cache.get_or_set(
        figures_key(flt, today),
        lambda: {**district(flt, today=today), "computed_at": timezone.now()}, CACHE_SECONDS)

"""Read-side answers of the pipeline. ``recipients`` is the one answer to who is told
(DESIGN §5): the transitions and the reminder scans both ask it."""

from django.contrib.auth import get_user_model

from alliance.selectors import coordinators, liaisons_or_coordinators, unit_liaisons

from . import filters, workflow
from .models import Assignment, Suggestion


def recipients(suggestions, audience, *, staff=None):
    """{suggestion.pk: [users]} told as ``audience`` (workflow.COORDINATORS, HANDLER,
    LIAISONS, SUBMITTER or SUBMITTERS) about each suggestion, with a bounded number of
    queries per batch. ``staff`` passes the coordinators when the caller has them already.
    A liaison meant for a unit without one who has an account is replaced by the
    coordinators."""
    suggestions = list(suggestions)
    if audience == workflow.COORDINATORS:
        staff = coordinators() if staff is None else staff
        return {s.pk: list(staff) for s in suggestions}
    if audience == workflow.HANDLER:
        return {s.pk: [s.handler] if s.handler_id else [] for s in suggestions}
    if audience == workflow.SUBMITTER:
        return {s.pk: [s.submitter] for s in suggestions}
    if audience == workflow.SUBMITTERS:
        return _submitters(suggestions)
    if audience == workflow.LIAISONS:
        return _liaisons(suggestions, staff)
    raise ValueError(f"unknown audience {audience!r}")


def _submitters(suggestions):
    """The submitter, and the submitters of suggestions merged into it (they follow it)."""
    result = {s.pk: {s.submitter_id: s.submitter} for s in suggestions}
    merged = (Suggestion.objects.filter(merged_into__in=list(result))
              .values_list("merged_into_id", "submitter_id"))
    pairs = list(merged)
    if pairs:
        users = get_user_model().objects.in_bulk({uid for _pk, uid in pairs})
        for pk, uid in pairs:
            if uid in users and users[uid].is_active:
                result[pk].setdefault(uid, users[uid])
    return {pk: list(users.values()) for pk, users in result.items()}


def _liaisons(suggestions, staff):
    units_of = {s.pk: ({s.lead_unit_id} if s.lead_unit_id else set()) for s in suggestions}
    for suggestion_id, unit_id in Assignment.objects.filter(
            suggestion__in=list(units_of)).values_list("suggestion_id", "unit_id"):
        units_of[suggestion_id].add(unit_id)
    all_units = set().union(*units_of.values()) if units_of else set()
    if not all_units:
        return {pk: [] for pk in units_of}
    by_unit = unit_liaisons(all_units)
    if any(not by_unit.get(u) for u in all_units) and staff is None:
        staff = coordinators()
    return {pk: liaisons_or_coordinators(sorted(units), coordinators_list=staff,
                                         liaisons=by_unit)
            for pk, units in units_of.items()}


def similar_open(suggestion, *, limit=5):
    """Open suggestions of the same alliance whose titles look like this one's: the
    duplicate hint of triage."""
    return filters.similar_open(
        Suggestion.objects.filter(alliance_id=suggestion.alliance_id).exclude(pk=suggestion.pk),
        suggestion.title, limit=limit)

"""Read-side answers of the pipeline. ``recipients`` is the one answer to who is told
(DESIGN §5): the transitions and the reminder scans both ask it."""

from django.contrib.auth import get_user_model

from alliance.selectors import coordinators_by_alliance, liaisons_or_coordinators, unit_liaisons

from . import filters, workflow
from .models import Assignment, Suggestion


def recipients(suggestions, audience, *, staff=None):
    """{suggestion.pk: [users]} told as ``audience`` (workflow.COORDINATORS, HANDLER,
    LIAISONS, SUBMITTER or SUBMITTERS) about each suggestion, with a bounded number of
    queries per batch. ``staff`` passes the coordinators by alliance
    (alliance.selectors.coordinators_by_alliance) when the caller has them already. Each
    suggestion's coordinators are those of its own alliance. A liaison meant for a unit without
    one who has an account is replaced by the coordinators."""
    suggestions = list(suggestions)
    if audience == workflow.COORDINATORS:
        staff = _staff(suggestions, staff)
        return {s.pk: list(staff[s.alliance_id]) for s in suggestions}
    if audience == workflow.HANDLER:
        return {s.pk: [s.handler] if s.handler_id else [] for s in suggestions}
    if audience == workflow.SUBMITTER:
        return {s.pk: [s.submitter] for s in suggestions}
    if audience == workflow.SUBMITTERS:
        return _submitters(suggestions)
    if audience == workflow.LIAISONS:
        return _liaisons(suggestions, staff)
    raise ValueError(f"unknown audience {audience!r}")


def _staff(suggestions, staff):
    """The coordinators of the suggestions' alliances; a dict passed in is filled in place, so
    a scan asks for each alliance's coordinators once, not per batch."""
    staff = {} if staff is None else staff
    missing = {s.alliance_id for s in suggestions} - set(staff)
    if missing:
        staff.update(coordinators_by_alliance(missing))
    return staff


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
    alliance_of = {s.pk: s.alliance_id for s in suggestions}
    for suggestion_id, unit_id in Assignment.objects.filter(
            suggestion__in=list(units_of)).values_list("suggestion_id", "unit_id"):
        units_of[suggestion_id].add(unit_id)
    all_units = set().union(*units_of.values()) if units_of else set()
    if not all_units:
        return {pk: [] for pk in units_of}
    by_unit = unit_liaisons(all_units)
    if any(not by_unit.get(u) for u in all_units):
        staff = _staff(suggestions, staff)
    return {pk: liaisons_or_coordinators(
                sorted(units), alliance=alliance_of[pk], liaisons=by_unit,
                coordinators_list=staff.get(alliance_of[pk]) if staff is not None else None)
            for pk, units in units_of.items()}


def similar_open(suggestion, *, limit=5):
    """Open suggestions of the same alliance whose titles look like this one's: the
    duplicate hint of triage."""
    return filters.similar_open(
        Suggestion.objects.filter(alliance_id=suggestion.alliance_id).exclude(pk=suggestion.pk),
        suggestion.title, limit=limit)

"""The 直通车 workflow as one table (DESIGN §3): from which state an action may be taken,
the state it leads to, and who may take it. Services consult it before changing anything;
templates ask ``allowed_actions`` which buttons to show; the tests walk it.

Some rows carry a guard, a condition on the suggestion beyond its state (the
not-implemented path and the feedback window are rows of their own rather than ifs in
views).
"""

from dataclasses import dataclass

from alliance.roles import is_coordinator, liaison_unit_ids

from .models import Suggestion

S = Suggestion.State

SUBMITTER = "submitter"
COORDINATOR = "coordinator"
HANDLER = "handler"
LIAISON = "liaison"  # liaison of the lead or a co-handling unit
SYSTEM = "system"  # the reminder scans


@dataclass(frozen=True)
class Transition:
    state: str
    action: str
    next_state: str
    actors: frozenset
    guard: str = ""


def _t(state, action, next_state, actors, guard=""):
    return Transition(state, action, next_state, frozenset(actors), guard)


# give_feedback's next state is closed, or in_progress on the first 不满意 (二次办理); a
# second 不满意 stays put and waits for a coordinator to close with a note.
TABLE = (
    _t(S.SUBMITTED, "withdraw", S.WITHDRAWN, {SUBMITTER}),
    _t(S.SUBMITTED, "decline", S.DECLINED, {COORDINATOR}),
    _t(S.SUBMITTED, "merge", S.MERGED, {COORDINATOR}),
    _t(S.SUBMITTED, "accept", S.ACCEPTED, {COORDINATOR}),
    _t(S.SUBMITTED, "extend_deadline", S.SUBMITTED, {COORDINATOR}),
    _t(S.ACCEPTED, "reply", S.REPLIED, {HANDLER}),
    _t(S.ACCEPTED, "extend_deadline", S.ACCEPTED, {COORDINATOR}),
    _t(S.REPLIED, "conclude_not_implemented", S.REPLIED, {HANDLER}, "carrying_out"),
    _t(S.REPLIED, "record_progress", S.IN_PROGRESS, {HANDLER, LIAISON}, "carrying_out"),
    _t(S.REPLIED, "record_implementation", S.IMPLEMENTED, {HANDLER}, "carrying_out"),
    _t(S.REPLIED, "extend_deadline", S.REPLIED, {COORDINATOR}, "carrying_out"),
    _t(S.REPLIED, "give_feedback", S.CLOSED, {SUBMITTER}, "feedback_open"),
    _t(S.REPLIED, "auto_close_no_response", S.CLOSED, {SYSTEM}, "feedback_open"),
    _t(S.IN_PROGRESS, "record_progress", S.IN_PROGRESS, {HANDLER, LIAISON}),
    _t(S.IN_PROGRESS, "record_implementation", S.IMPLEMENTED, {HANDLER}),
    _t(S.IN_PROGRESS, "extend_deadline", S.IN_PROGRESS, {COORDINATOR}),
    _t(S.IMPLEMENTED, "give_feedback", S.CLOSED, {SUBMITTER}, "feedback_open"),
    _t(S.IMPLEMENTED, "auto_close_no_response", S.CLOSED, {SYSTEM}, "feedback_open"),
    _t(S.IMPLEMENTED, "extend_deadline", S.IMPLEMENTED, {COORDINATOR}, "feedback_open"),
    _t(S.IMPLEMENTED, "close", S.CLOSED, {COORDINATOR}, "awaiting_coordinator"),
    _t(S.CLOSED, "mark_golden", S.CLOSED, {COORDINATOR}, "golden_grade"),
)

ACTIONS = tuple(dict.fromkeys(t.action for t in TABLE))

GUARDS = {
    "carrying_out": lambda s: not s.not_implemented,
    "feedback_open": lambda s: not s.awaiting_coordinator and (
        s.state == S.IMPLEMENTED or s.not_implemented
    ),
    "awaiting_coordinator": lambda s: s.awaiting_coordinator,
    "golden_grade": lambda s: s.outcome_grade in ("A", "B"),
}


def transition(suggestion, action):
    """The row for ``action`` from the suggestion's state whose guard holds, or None."""
    for row in TABLE:
        if row.state == suggestion.state and row.action == action:
            if not row.guard or GUARDS[row.guard](suggestion):
                return row
    return None


def actor_roles(user, suggestion):
    """The workflow roles ``user`` holds for this suggestion."""
    roles = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if suggestion.submitter_id == user.pk:
        roles.add(SUBMITTER)
    if is_coordinator(user):
        roles.add(COORDINATOR)
    if suggestion.handler_id is not None and suggestion.handler_id == user.pk:
        roles.add(HANDLER)
    units = liaison_unit_ids(user)
    if units and co_handling_unit_ids(suggestion) & units:
        roles.add(LIAISON)
    return roles


def co_handling_unit_ids(suggestion):
    cached = getattr(suggestion, "_co_unit_ids", None)
    if cached is None:
        prefetched = getattr(suggestion, "_prefetched_objects_cache", {}).get("assignments")
        if prefetched is not None:
            cached = {a.unit_id for a in prefetched}
        else:
            cached = set(suggestion.assignments.values_list("unit_id", flat=True))
        if suggestion.lead_unit_id:
            cached.add(suggestion.lead_unit_id)
        suggestion._co_unit_ids = cached
    return cached


def may(user, suggestion, action):
    """The row that lets ``user`` take ``action`` now, or None."""
    row = transition(suggestion, action)
    if row is None:
        return None
    return row if row.actors & actor_roles(user, suggestion) else None


def allowed_actions(user, suggestion):
    """The action names ``user`` may take on ``suggestion`` now, in table order."""
    roles = actor_roles(user, suggestion)
    return [
        row.action for row in TABLE
        if row.state == suggestion.state and row.actors & roles
        and (not row.guard or GUARDS[row.guard](suggestion))
    ]

"""The 直通车 workflow as one table (DESIGN §3). The table drives the pipeline:

Each row says, for one action from one state (and, where the outcome branches, under which
guards), the state it leads to, the timeline entry it writes, the deadline it starts or
stops, which of the four 有 it fulfils, what else it sets, whom it tells, and the words a
member reads about where the suggestion then stands. ``proposals.services.transition``
carries a row out; everything else asks the table:

- which actions a user may take now (``allowed_actions``, the buttons), and which of
  them carry evidence files on their entry (``takes_evidence``, the forms' file field);
- where a suggestion stands (``standing``): the row that brought it to its state and
  flags, whose ``next_step`` and ``starts`` are its member-facing text and its deadline;
- which states are open, which deadline each one watches (the ``next_due`` column, the
  reminder scans, the queue's overdue filter, the dashboard), the four 有 panel and the
  statistics (the stamps each 有 leaves).

This module knows no models: ``proposals.models`` takes its choices from here.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db import models
from django.db.models import Case, F, Q, When
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.roles import is_coordinator, liaison_unit_ids


class State(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    WITHDRAWN = "withdrawn", _("已撤回")
    DECLINED = "declined", pgettext_lazy("state", "不予受理")
    MERGED = "merged", _("已合并")
    ACCEPTED = "accepted", _("已受理")
    REPLIED = "replied", _("已答复")
    IN_PROGRESS = "in_progress", _("推进中")
    IMPLEMENTED = "implemented", _("已落实")
    CLOSED = "closed", _("已办结")


class Entry(models.TextChoices):
    """The kinds of timeline entry (SuggestionUpdate.Kind)."""

    SUBMITTED = "submitted", pgettext_lazy("timeline entry", "提交")
    ACCEPTED = "accepted", pgettext_lazy("timeline entry", "受理")
    DECLINED = "declined", pgettext_lazy("timeline entry", "不予受理")
    MERGED = "merged", pgettext_lazy("timeline entry", "合并")
    WITHDRAWN = "withdrawn", pgettext_lazy("timeline entry", "撤回")
    REPLIED = "replied", pgettext_lazy("timeline entry", "答复")
    PROGRESS = "progress", pgettext_lazy("timeline entry", "推进")
    IMPLEMENTED = "implemented", pgettext_lazy("timeline entry", "落实")
    NOT_IMPLEMENTED = "not_implemented", pgettext_lazy("timeline entry", "暂不落实")
    FEEDBACK = "feedback", pgettext_lazy("timeline entry", "反馈")
    REOPENED = "reopened", pgettext_lazy("timeline entry", "二次办理")
    CLOSED = "closed", pgettext_lazy("timeline entry", "办结")
    EXTENDED = "extended", pgettext_lazy("timeline entry", "延期")
    NOTE = "note", pgettext_lazy("timeline entry", "备注")
    CO_HANDLING = "co_handling", pgettext_lazy("timeline entry", "协办")


class Have(models.TextChoices):
    """The four 有 of the promise, in order."""

    REPLY = "reply", _("有回复")
    PROGRESS = "progress", _("有推进")
    IMPLEMENTATION = "implementation", _("有落实")
    FEEDBACK = "feedback", _("有反馈")


# The time stamp each 有 leaves on the suggestion. The first row that fulfils it sets it and
# nothing clears it, so a suggestion reopened after 不满意 keeps what it had: every rate's
# numerator stays inside its denominator.
HAVE_STAMPS = {
    Have.REPLY: "replied_at",
    Have.PROGRESS: "progressed_at",
    Have.IMPLEMENTATION: "implemented_at",
    Have.FEEDBACK: "feedback_at",
}
# Set when the submitter is first asked for feedback (a row that starts feedback_due).
FEEDBACK_ASKED = "feedback_asked_at"

# The deadlines, each with the Category field that says how many working days it runs.
DEADLINE_DAYS = {
    "accept_due": "accept_days",
    "reply_due": "reply_days",
    "progress_due": "progress_days",
    "feedback_due": "feedback_days",
}

# Who takes an action (actor roles) ...
SUBMITTER = "submitter"
COORDINATOR = "coordinator"
HANDLER = "handler"
LIAISON = "liaison"  # liaison of the lead or a co-handling unit
SYSTEM = "system"  # the reminder scans

# ... and who is told of it (audiences of proposals.selectors.recipients).
COORDINATORS = "coordinators"
SUBMITTERS = "submitters"  # the submitter and those whose suggestions were merged into it
LIAISONS = "liaisons"  # the liaisons of the lead and co-handling units


@dataclass(frozen=True)
class Tell:
    audience: str
    event: str  # the notification kind is ``suggestion_<event>``
    subject: str


@dataclass(frozen=True)
class Row:
    state: str | None  # None: the row that creates a suggestion
    action: str
    next_state: str
    actors: frozenset
    guards: tuple = ()
    entry: str = ""  # the timeline entry it writes
    public: bool = True  # whether that entry is shown to the submitter
    starts: str = ""  # the deadline it starts, counted with the category's days
    stops: tuple = ()  # the deadlines it clears
    extends: bool = False  # it moves the deadline the suggestion is watching
    fulfils: tuple = ()  # the 有 it fulfils
    sets: tuple = ()  # (field, value) it sets; true values also mark where it stands
    stamps: tuple = ()  # date-time fields it sets to now
    tells: tuple = ()
    next_step: str = ""  # what the member reads then: %(due)s %(days)s %(target)s
    evidence: bool = False  # its entry may carry files (佐证材料), public or internal

    @property
    def marks(self):
        """The flags that tell this row's outcome apart from others into the same state."""
        return tuple((name, value) for name, value in self.sets if value)


def _row(state, action, next_state, actors, **kwargs):
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in kwargs.items()}
    return Row(state, action, next_state, frozenset(actors), **kwargs)


S = State
E = Entry
H = Have

# --- the words a member reads about where a suggestion stands -------------------------------
AWAITING_ACCEPTANCE = _("统战办将在 %(due)s 前受理（%(days)s 个工作日内）。")
AWAITING_REPLY = _("已交承办人办理，将在 %(due)s 前正式答复（%(days)s 个工作日内）。")
AWAITING_PROGRESS = _("已答复，承办人正在推进落实，%(due)s 前会有新进展。")
IN_PROGRESS_TEXT = _("正在推进，每 %(days)s 个工作日至少更新一次进展，下次更新在 %(due)s 前。")
SECOND_ROUND = _("您对办理结果不满意，已转入二次办理，%(due)s 前会有新进展。")
AWAITING_FEEDBACK = _("已落实，请在 %(due)s 前对办理结果作出评价。")
NOT_IMPLEMENTED_FEEDBACK = _("承办人说明了暂不落实的理由，请在 %(due)s 前对办理结果作出评价。")
WITH_COORDINATOR = _("您的意见已转统战办协调员，将由协调员协调办结。")
CLOSED_TEXT = _("已办结，感谢您的建言。")

CARRYING_OUT_FROM = ((S.REPLIED, ("carrying_out",)), (S.IN_PROGRESS, ()))
# Where the submitter is asked for feedback: after implementation, or after the handler
# concluded it will not be implemented now (grade C/D), skipping progress and implementation.
FEEDBACK_FROM = (S.IMPLEMENTED, S.REPLIED)

TABLE = (
    _row(None, "submit", S.SUBMITTED, {SUBMITTER, COORDINATOR, HANDLER},
         entry=E.SUBMITTED, starts="accept_due",
         tells=[Tell(COORDINATORS, "submitted", _("新建言待受理"))],
         next_step=AWAITING_ACCEPTANCE),
    _row(S.SUBMITTED, "withdraw", S.WITHDRAWN, {SUBMITTER},
         entry=E.WITHDRAWN, stops=["accept_due"], stamps=["closed_at"],
         next_step=_("您已撤回这条建言。")),
    _row(S.SUBMITTED, "decline", S.DECLINED, {COORDINATOR},
         entry=E.DECLINED, stops=["accept_due"], fulfils=[H.REPLY],
         stamps=["closed_at"],
         tells=[Tell(SUBMITTERS, "declined", _("您的建言不予受理"))],
         next_step=_("不予受理，理由见办理进程。")),
    _row(S.SUBMITTED, "merge", S.MERGED, {COORDINATOR},
         entry=E.MERGED, stops=["accept_due"], stamps=["closed_at"],
         tells=[Tell(SUBMITTERS, "merged", _("您的建言已合并办理"))],
         next_step=_("已合并至 %(target)s，请关注该建言的办理进展。")),
    _row(S.SUBMITTED, "accept", S.ACCEPTED, {COORDINATOR},
         entry=E.ACCEPTED, stops=["accept_due"], starts="reply_due", stamps=["accepted_at"],
         tells=[Tell(SUBMITTERS, "accepted", _("您的建言已受理")),
                Tell(HANDLER, "assigned", _("新建言请您承办")),
                Tell(LIAISONS, "co_handling_assigned", _("新建言请贵单位牵头或协办"))],
         next_step=AWAITING_REPLY),
    _row(S.ACCEPTED, "reply", S.REPLIED, {HANDLER},
         entry=E.REPLIED, stops=["reply_due"], starts="progress_due", fulfils=[H.REPLY],
         tells=[Tell(SUBMITTERS, "replied", _("您的建言已答复"))],
         next_step=AWAITING_PROGRESS),
    _row(S.REPLIED, "conclude_not_implemented", S.REPLIED, {HANDLER}, guards=["carrying_out"],
         entry=E.NOT_IMPLEMENTED, stops=["progress_due"], starts="feedback_due",
         sets=[("not_implemented", True)],
         next_step=NOT_IMPLEMENTED_FEEDBACK),
    # Carrying it out, after the reply (unless concluded as not implemented) or in progress.
    *(row for state, guards in CARRYING_OUT_FROM for row in (
        _row(state, "record_progress", S.IN_PROGRESS, {HANDLER, LIAISON}, guards=guards,
             entry=E.PROGRESS, starts="progress_due", fulfils=[H.PROGRESS], evidence=True,
             tells=[Tell(SUBMITTERS, "progress", _("您的建言有新进展")),
                    Tell(HANDLER, "co_handling", _("协办单位报送了进展"))],
             next_step=IN_PROGRESS_TEXT),
        _row(state, "record_implementation", S.IMPLEMENTED, {HANDLER}, guards=guards,
             entry=E.IMPLEMENTED, stops=["progress_due"], starts="feedback_due",
             fulfils=[H.PROGRESS, H.IMPLEMENTATION], evidence=True,
             next_step=AWAITING_FEEDBACK),
    )),
    # The submitter's feedback, from either place that asks for it; three outcomes.
    *(row for state in FEEDBACK_FROM for row in (
        _row(state, "give_feedback", S.CLOSED, {SUBMITTER},
             guards=["feedback_open", "positive"], entry=E.FEEDBACK, stops=["feedback_due"],
             fulfils=[H.FEEDBACK], stamps=["closed_at"],
             tells=[Tell(HANDLER, "feedback", _("建言人已反馈"))],
             next_step=CLOSED_TEXT),
        # 二次办理: the first 不满意 sends it back to the handler once.
        _row(state, "give_feedback", S.IN_PROGRESS, {SUBMITTER},
             guards=["feedback_open", "first_dissatisfied"], entry=E.REOPENED,
             stops=["feedback_due"], starts="progress_due", fulfils=[H.FEEDBACK],
             sets=[("reopened_count", 1), ("not_implemented", False), ("outcome_grade", "")],
             tells=[Tell(HANDLER, "reopened", _("建言人不满意，请二次办理"))],
             next_step=SECOND_ROUND),
        _row(state, "auto_close_no_response", S.CLOSED, {SYSTEM},
             guards=["feedback_open", "window_passed"], entry=E.CLOSED,
             stops=["feedback_due"], stamps=["closed_at"], sets=[("closed_no_response", True)],
             next_step=_("反馈期限已过，您未作评价，已按未反馈办结。")),
    )),
    # A second 不满意 (only after the second round's implementation: a reopened suggestion
    # is carried out again) stays where it is and goes to a coordinator, who closes it.
    _row(S.IMPLEMENTED, "give_feedback", S.IMPLEMENTED, {SUBMITTER},
         guards=["feedback_open", "second_dissatisfied"], entry=E.FEEDBACK,
         stops=["feedback_due"], fulfils=[H.FEEDBACK], sets=[("awaiting_coordinator", True)],
         tells=[Tell(COORDINATORS, "needs_coordinator", _("二次办理后仍不满意，请办结"))],
         next_step=WITH_COORDINATOR),
    _row(S.IMPLEMENTED, "close", S.CLOSED, {COORDINATOR}, guards=["awaiting_coordinator"],
         entry=E.CLOSED, stamps=["closed_at"], sets=[("awaiting_coordinator", False)],
         tells=[Tell(SUBMITTERS, "closed", _("您的建言已办结"))],
         next_step=CLOSED_TEXT),
    *(_row(state, "extend_deadline", state, {COORDINATOR}, guards=guards, entry=E.EXTENDED,
           public=False, extends=True, tells=[Tell(HANDLER, "extended", _("办理期限已延长"))])
      for state, guards in [(S.SUBMITTED, ()), (S.ACCEPTED, ()), (S.REPLIED, ("carrying_out",)),
                            (S.IN_PROGRESS, ()), (S.IMPLEMENTED, ("feedback_open",)),
                            (S.REPLIED, ("feedback_open",))]),
    _row(S.CLOSED, "mark_golden", S.CLOSED, {COORDINATOR}, guards=["golden_grade"],
         entry=E.NOTE, tells=[Tell(SUBMITTER, "golden", _("您的建言被评为金点子"))]),
)

# Guards see the suggestion and the action's input (None when only asking whether the action
# is offered at all: a guard on the input then lets it through).
GUARDS = {
    "carrying_out": lambda s, given: not s.not_implemented,
    "feedback_open": lambda s, given: not s.awaiting_coordinator and (
        s.state == S.IMPLEMENTED or s.not_implemented),
    "window_passed": lambda s, given: s.feedback_due is not None and (
        given is None or s.feedback_due < given["today"]),
    "awaiting_coordinator": lambda s, given: s.awaiting_coordinator,
    "golden_grade": lambda s, given: s.outcome_grade in ("A", "B"),
    "positive": lambda s, given: given is None or given["rating"] != "dissatisfied",
    "first_dissatisfied": lambda s, given: given is None or (
        given["rating"] == "dissatisfied" and not s.reopened_count),
    "second_dissatisfied": lambda s, given: given is None or (
        given["rating"] == "dissatisfied" and bool(s.reopened_count)),
}


def _holds(row, suggestion, given):
    return all(GUARDS[name](suggestion, given) for name in row.guards)


class Workflow:
    """What the rows mean together. One instance per table (tests build one from a copy)."""

    def __init__(self, rows):
        self.rows = tuple(rows)

    @cached_property
    def actions(self):
        return tuple(dict.fromkeys(r.action for r in self.rows if r.state is not None))

    def row(self, suggestion, action, given=None):
        """The row for ``action`` from where the suggestion is whose guards hold, or None."""
        for row in self.rows:
            if (row.state == suggestion.state and row.action == action
                    and _holds(row, suggestion, given)):
                return row
        return None

    def row_into(self, action):
        """The row that creates a suggestion (``submit``)."""
        return next(r for r in self.rows if r.state is None and r.action == action)

    def allowed_actions(self, user, suggestion):
        roles = actor_roles(user, suggestion)
        return [a for a in dict.fromkeys(
            r.action for r in self.rows
            if r.state == suggestion.state and r.actors & roles
            and _holds(r, suggestion, None))]

    # --- where a suggestion stands ------------------------------------------------------

    @cached_property
    def _standings(self):
        """Rows that bring a suggestion somewhere new, the most specific first: a row that
        changes the state, or one that marks an outcome with a flag."""
        rows = [r for r in self.rows if r.state != r.next_state or r.marks]
        return sorted(rows, key=lambda r: -len(r.marks))

    def standing(self, suggestion):
        """The row that brought the suggestion to its state and flags."""
        for row in self._standings:
            if row.next_state == suggestion.state and all(
                    getattr(suggestion, name) == value for name, value in row.marks):
                return row
        return None

    @cached_property
    def places(self):
        """(state, marks, deadline field) of every place a suggestion can stand, in table
        order of the states and the most specific first within a state; one per place."""
        order = list(dict.fromkeys(r.next_state for r in self.rows))
        seen, places = set(), []
        for state in order:
            for row in self._standings:
                if row.next_state == state and (state, row.marks) not in seen:
                    seen.add((state, row.marks))
                    places.append((state, row.marks, row.starts))
        return places

    @cached_property
    def open_states(self):
        """States a suggestion can still leave by a step of someone's work."""
        return tuple(s for s in State.values if any(
            r.state == s and r.next_state != s for r in self.rows))

    @cached_property
    def ended_without_work(self):
        """Final states reached straight from triage (withdrawn, declined, merged)."""
        return tuple(s for s in State.values if s not in self.open_states and any(
            r.state == S.SUBMITTED and r.next_state == s for r in self.rows))

    @cached_property
    def deadline_cases(self):
        """[(lookups, field)]: the first condition that holds names the deadline a
        suggestion is watching (field "" for none). Neighbouring places without marks that
        watch the same field share one condition."""
        cases = []
        for state, marks, field in self.places:
            unmarked = [f for s, m, f in self.places if s == state and not m]
            if marks and unmarked and unmarked[0] == field:
                continue  # the state's plain place says the same
            if not marks and cases and not cases[-1][2] and cases[-1][1] == field:
                cases[-1][0].append(state)
                continue
            cases.append(([state], field, dict(marks)))
        return [(_state_lookups(states, marks), field) for states, field, marks in cases]

    def next_due_expression(self):
        """The ``next_due`` generated column: the deadline of the current place."""
        return Case(*(When(**lookups, then=F(field))
                      for lookups, field in self.deadline_cases if field))

    def watching(self, field):
        """Suggestions whose current deadline is ``field`` (for the reminder scans): the
        conditions of ``next_due``, each without those before it."""
        result, earlier = Q(pk__in=[]), Q(pk__in=[])
        for lookups, case_field in self.deadline_cases:
            if case_field == field:
                result |= Q(**lookups) & ~earlier
            earlier |= Q(**lookups)
        return result

    def states_watching(self, field):
        return list(dict.fromkeys(s for s, _m, f in self.places if f == field))

    def overdue(self, today):
        """Open suggestions past the deadline of the step they wait for."""
        return Q(state__in=self.open_states, next_due__lt=today)

    def takes_evidence(self, action):
        """Whether ``action`` may carry files on its timeline entry (its form asks for them)."""
        return any(r.evidence for r in self.rows if r.action == action)

    @cached_property
    def fulfilling(self):
        """{have: the actions that fulfil it}."""
        return {have: tuple(dict.fromkeys(r.action for r in self.rows if have in r.fulfils))
                for have in Have.values}


def _state_lookups(states, marks):
    if len(states) == 1:
        return {"state": states[0], **marks}
    return {"state__in": states, **marks}


WORKFLOW = Workflow(TABLE)


def current():
    """The workflow in force (tests swap in one built from a copy of the table)."""
    return WORKFLOW


def transition(suggestion, action, given=None):
    """The row for ``action`` from the suggestion's state whose guard holds, or None."""
    return current().row(suggestion, action, given)


def actor_roles(user, suggestion):
    """The workflow roles ``user`` holds for this suggestion."""
    roles = set()
    if not getattr(user, "is_authenticated", False):
        return roles
    if suggestion.submitter_id == user.pk:
        roles.add(SUBMITTER)
    if is_coordinator(user, suggestion.alliance_id):
        roles.add(COORDINATOR)
    if suggestion.handler_id is not None and suggestion.handler_id == user.pk:
        roles.add(HANDLER)
    units = liaison_unit_ids(user, suggestion.alliance_id)
    if units and co_handling_unit_ids(suggestion) & units:
        roles.add(LIAISON)
    return roles


def co_handling_unit_ids(suggestion):
    """The lead unit and the co-handling units of a suggestion (cached on it)."""
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


def may(user, suggestion, action, given=None):
    """The row that lets ``user`` take ``action`` now, or None."""
    row = transition(suggestion, action, given)
    if row is None:
        return None
    return row if row.actors & actor_roles(user, suggestion) else None


def allowed_actions(user, suggestion):
    """The action names ``user`` may take on ``suggestion`` now, in table order."""
    return current().allowed_actions(user, suggestion)


def standing(suggestion):
    return current().standing(suggestion)


def current_deadline(suggestion):
    """(field, date) of the deadline the suggestion is watching now, or ("", None)."""
    row = standing(suggestion)
    field = row.starts if row else ""
    return (field, getattr(suggestion, field)) if field else ("", None)


def next_step(suggestion, *, target_number=""):
    """What the member reads about where the suggestion stands, with its own deadline and
    the category's day count (the category must be loaded or cheap to load)."""
    row = standing(suggestion)
    if row is None or not row.next_step:
        return ""
    field = row.starts
    due = getattr(suggestion, field) if field else None
    days = getattr(suggestion.category, DEADLINE_DAYS[field]) if field else ""
    return row.next_step % {
        "due": date_format(due, "MONTH_DAY_FORMAT") if due else _("期限内"),
        "days": days, "target": target_number,
    }


def four_haves(suggestion):
    """[(label, fulfilled)] for the panel: the stamps the fulfilling rows left."""
    return [(Have(have).label, getattr(suggestion, HAVE_STAMPS[have]) is not None)
            for have in Have.values]


def tone(suggestion):
    """The badge's tone, from where the suggestion stands in the table: ended without work,
    done, waiting for triage, waiting for the member's feedback, or being worked on."""
    flow = current()
    if suggestion.state in flow.ended_without_work:
        return "ended"
    if suggestion.state not in flow.open_states:
        return "done"
    if any(r.state == suggestion.state and Have.FEEDBACK in r.fulfils
           and _holds(r, suggestion, None) for r in flow.rows):
        return "member"
    if suggestion.state == flow.row_into("submit").next_state:
        return "triage"
    return "working"

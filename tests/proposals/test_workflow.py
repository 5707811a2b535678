"""Every row of the workflow table is taken by its actor, and refused for the wrong state
and the wrong actor, with the row left unchanged."""

import datetime

import pytest

from proposals import services, workflow
from proposals.models import Feedback, Suggestion, SuggestionUpdate
from proposals.services import TransitionError
from tests.factories import CategoryFactory, UnitFactory, UserFactory

S = Suggestion.State

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(member_user, other_member_user, coordinator, handler_user, liaison):
    category = CategoryFactory(alliance=liaison.liaison_unit.alliance)
    return {
        "submitter": member_user, "other": other_member_user, "coordinator": coordinator,
        "handler": handler_user, "liaison": liaison, "category": category,
        "other_handler": UserFactory(roles=["handler"]),
    }


def _submit(world, token=None):
    return services.submit_suggestion(
        actor=world["submitter"], alliance=world["category"].alliance,
        category=world["category"], title="加装电梯", content="建议为老旧楼组加装电梯。",
        submission_token=token,
    )


def _in_state(world, state, *, not_implemented=False, awaiting=False, reopened=False,
              grade=None):
    """A suggestion walked through the services into ``state``."""
    w = world
    s = _submit(w)
    if state == S.SUBMITTED:
        return s
    if state in (S.WITHDRAWN,):
        return services.withdraw_suggestion(actor=w["submitter"], suggestion=s)
    if state == S.DECLINED:
        return services.decline_suggestion(actor=w["coordinator"], suggestion=s, reason="不属实")
    if state == S.MERGED:
        target = _submit(w)
        return services.merge_suggestion(actor=w["coordinator"], suggestion=s, into=target)
    s = services.accept_suggestion(actor=w["coordinator"], suggestion=s, handler=w["handler"],
                                   co_units=[w["liaison"].liaison_unit])
    if state == S.ACCEPTED:
        return s
    s = services.reply_suggestion(actor=w["handler"], suggestion=s, text="正式答复")
    if state == S.REPLIED:
        if not_implemented:
            s = services.conclude_not_implemented(actor=w["handler"], suggestion=s, grade="C",
                                                  reason="资金未落实")
        return s
    s = services.record_progress(actor=w["handler"], suggestion=s, text="已召开协调会")
    if state == S.IN_PROGRESS:
        return s
    s = services.record_implementation(actor=w["handler"], suggestion=s, text="已完工")
    if reopened:
        s = services.give_feedback(actor=w["submitter"], suggestion=s, rating="dissatisfied")
        s = services.record_implementation(actor=w["handler"], suggestion=s, text="再次落实")
    if awaiting:
        s = services.give_feedback(actor=w["submitter"], suggestion=s, rating="dissatisfied")
        s = services.record_implementation(actor=w["handler"], suggestion=s, text="再次落实")
        s = services.give_feedback(actor=w["submitter"], suggestion=s, rating="dissatisfied")
    if state == S.IMPLEMENTED:
        return s
    s = services.give_feedback(actor=w["submitter"], suggestion=s, rating="satisfied")
    assert s.state == S.CLOSED
    return s


def _do(world, s, action, actor, row=None):
    w = world
    kw = {"actor": actor, "suggestion": s}
    if action == "withdraw":
        return services.withdraw_suggestion(**kw)
    if action == "decline":
        return services.decline_suggestion(**kw, reason="重复")
    if action == "merge":
        return services.merge_suggestion(**kw, into=_submit(w))
    if action == "accept":
        return services.accept_suggestion(**kw, handler=w["handler"])
    if action == "reply":
        return services.reply_suggestion(**kw, text="答复")
    if action == "conclude_not_implemented":
        return services.conclude_not_implemented(**kw, grade="D", reason="条件不具备")
    if action == "record_progress":
        return services.record_progress(**kw, text="推进")
    if action == "record_implementation":
        return services.record_implementation(**kw, text="落实")
    if action == "give_feedback":
        rating = next((RATING_OF[g] for g in (row.guards if row else ()) if g in RATING_OF),
                      "satisfied")
        return services.give_feedback(**kw, rating=rating)
    if action == "close":
        return services.close_suggestion(**kw, note="已解释")
    if action == "extend_deadline":
        return services.extend_deadline(**kw, days=3, reason="需多部门会商")
    if action == "mark_golden":
        return services.mark_golden(**kw, summary="公开简介")
    if action == "auto_close_no_response":
        s.refresh_from_db()
        after = s.feedback_due + datetime.timedelta(days=1) if s.feedback_due else None
        return services.auto_close_no_response(suggestion_id=s.pk, today=after)
    raise AssertionError(action)


ACTOR_OF = {workflow.SUBMITTER: "submitter", workflow.COORDINATOR: "coordinator",
            workflow.HANDLER: "handler", workflow.LIAISON: "liaison"}


def _setup_for(world, row):
    return _in_state(world, row.state,
                     not_implemented="feedback_open" in row.guards and row.state == S.REPLIED,
                     awaiting="awaiting_coordinator" in row.guards,
                     reopened="second_dissatisfied" in row.guards)


RATING_OF = {"positive": "satisfied", "first_dissatisfied": "dissatisfied",
             "second_dissatisfied": "dissatisfied"}


ROWS = [r for r in workflow.TABLE if r.state is not None]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.state}-{r.action}")
def test_every_allowed_transition_is_applied_with_a_timeline_entry(world, row):
    s = _setup_for(world, row)
    before = s.updates.count()
    actor_role = sorted(row.actors)[0]
    actor = None if actor_role == workflow.SYSTEM else world[ACTOR_OF[actor_role]]
    if actor is not None:
        assert row.action in workflow.allowed_actions(actor, s)
    result = _do(world, s, row.action, actor, row)
    result.refresh_from_db()
    assert result.state == row.next_state
    assert result.updates.count() > before


@pytest.mark.parametrize("row", [r for r in ROWS if workflow.SYSTEM not in r.actors],
                         ids=lambda r: f"{r.state}-{r.action}")
def test_every_transition_is_refused_to_the_wrong_actor(world, row):
    s = _setup_for(world, row)
    wrong = [name for role, name in ACTOR_OF.items() if role not in row.actors]
    wrong += ["other", "other_handler"]
    for name in wrong:
        actor = world[name]
        before = (s.state, s.updates.count())
        assert row.action not in workflow.allowed_actions(actor, s)
        with pytest.raises(TransitionError, match="无权"):
            _do(world, s, row.action, actor, row)
        s.refresh_from_db()
        assert (s.state, s.updates.count()) == before




@pytest.mark.parametrize("state", S.values)
def test_every_action_is_refused_in_a_state_the_table_does_not_allow(world, state):
    s = _in_state(world, state)
    for action in workflow.WORKFLOW.actions:
        if workflow.transition(s, action) is not None:
            continue
        before = (s.state, s.updates.count(), s.feedbacks.count())
        row_actor = next(r for r in ROWS if r.action == action).actors
        role = sorted(row_actor)[0]
        actor = None if role == workflow.SYSTEM else world[ACTOR_OF[role]]
        here = workflow.standing(s)
        if (here is not None and here.action == action and role in here.actors
                and action not in ("give_feedback", "auto_close_no_response")):
            # Done already (a resent form): nothing changes, nothing is said. An action with
            # input (a rating, the scan's day) is refused instead.
            _do(world, s, action, actor)
            s.refresh_from_db()
            assert (s.state, s.updates.count(), s.feedbacks.count()) == before
            continue
        with pytest.raises(TransitionError, match="不能执行"):
            _do(world, s, action, actor)
        s.refresh_from_db()
        assert (s.state, s.updates.count(), s.feedbacks.count()) == before


def test_submission_sets_tracking_number_and_accept_due(world):
    s = _submit(world)
    assert s.tracking_number.startswith("ZTC-") and len(s.tracking_number.split("-")[2]) == 5
    assert s.accept_due is not None
    assert s.updates.get().kind == SuggestionUpdate.Kind.SUBMITTED


def test_tracking_numbers_are_never_reused_after_a_deletion(world):
    first = _submit(world)
    number = first.tracking_number
    first.updates.all().delete()
    first.delete()
    assert _submit(world).tracking_number != number


def test_same_submission_token_creates_one_suggestion(world):
    a = _submit(world, token="tok-1")
    b = _submit(world, token="tok-1")
    assert a.pk == b.pk
    assert Suggestion.objects.count() == 1


def test_staff_may_record_on_behalf_with_channel_member_may_not(world):
    s = services.submit_suggestion(
        actor=world["coordinator"], submitter=world["submitter"],
        alliance=world["category"].alliance, category=world["category"], title="沙龙建议",
        content="内容", channel=Suggestion.Channel.SALON)
    assert s.recorded_by == world["coordinator"] and s.channel == "salon"
    with pytest.raises(TransitionError):
        services.submit_suggestion(
            actor=world["other"], submitter=world["submitter"],
            alliance=world["category"].alliance, category=world["category"], title="x",
            content="y")


def test_accept_requires_a_handler(world):
    s = _submit(world)
    with pytest.raises(TransitionError, match="承办人"):
        services.accept_suggestion(actor=world["coordinator"], suggestion=s,
                                   handler=world["other"])
    s.refresh_from_db()
    assert s.state == S.SUBMITTED


def test_first_dissatisfied_reopens_once_second_goes_to_coordinator(world):
    s = _in_state(world, S.IMPLEMENTED)
    s = services.give_feedback(actor=world["submitter"], suggestion=s, rating="dissatisfied",
                               comment="电梯仍未启用")
    assert s.state == S.IN_PROGRESS and s.reopened_count == 1
    assert s.updates.filter(kind="reopened").exists()
    s = services.record_implementation(actor=world["handler"], suggestion=s, text="已启用")
    s = services.give_feedback(actor=world["submitter"], suggestion=s, rating="dissatisfied")
    assert s.state == S.IMPLEMENTED and s.awaiting_coordinator and s.reopened_count == 1
    assert workflow.allowed_actions(world["submitter"], s) == []
    assert "close" in workflow.allowed_actions(world["coordinator"], s)
    with pytest.raises(TransitionError):
        services.give_feedback(actor=world["submitter"], suggestion=s, rating="satisfied")
    with pytest.raises(TransitionError, match="说明"):
        services.close_suggestion(actor=world["coordinator"], suggestion=s, note=" ")
    s = services.close_suggestion(actor=world["coordinator"], suggestion=s, note="已当面解释")
    assert s.state == S.CLOSED
    assert Feedback.objects.filter(suggestion=s).count() == 2


def test_not_implemented_path_goes_straight_to_feedback(world):
    s = _in_state(world, S.REPLIED)
    with pytest.raises(TransitionError, match="C"):
        services.conclude_not_implemented(actor=world["handler"], suggestion=s, grade="A",
                                          reason="x")
    s = services.conclude_not_implemented(actor=world["handler"], suggestion=s, grade="C",
                                          reason="列入明年计划")
    assert s.state == S.REPLIED and s.not_implemented and s.feedback_due
    assert s.implemented_at is None
    assert workflow.allowed_actions(world["handler"], s) == []
    assert workflow.allowed_actions(world["submitter"], s) == ["give_feedback"]
    s = services.give_feedback(actor=world["submitter"], suggestion=s,
                               rating="basically_satisfied")
    assert s.state == S.CLOSED and s.outcome_grade == "C" and s.implemented_at is None


def test_not_implemented_then_dissatisfied_twice_waits_for_coordinator(world):
    s = _in_state(world, S.REPLIED, not_implemented=True)
    s = services.give_feedback(actor=world["submitter"], suggestion=s, rating="dissatisfied")
    assert s.state == S.IN_PROGRESS and not s.not_implemented
    s = services.record_implementation(actor=world["handler"], suggestion=s, text="落实")
    s = services.give_feedback(actor=world["submitter"], suggestion=s, rating="dissatisfied")
    assert s.awaiting_coordinator
    s = services.close_suggestion(actor=world["coordinator"], suggestion=s, note="解释")
    assert s.state == S.CLOSED


def test_auto_close_records_no_response_once_the_window_has_run_out(world):
    s = _in_state(world, S.IMPLEMENTED)
    s = services.auto_close_no_response(suggestion_id=s.pk,
                                        today=s.feedback_due + datetime.timedelta(days=1))
    assert s.state == S.CLOSED and s.closed_no_response


def test_auto_close_refuses_a_suggestion_whose_feedback_window_is_still_open(world):
    """The service checks the window itself: the admin action calls it on any selection."""
    s = _in_state(world, S.IMPLEMENTED)
    for today in (s.feedback_due - datetime.timedelta(days=1), s.feedback_due):
        with pytest.raises(TransitionError, match="不能执行"):
            services.auto_close_no_response(suggestion_id=s.pk, today=today)
    s.refresh_from_db()
    assert s.state == S.IMPLEMENTED and not s.closed_no_response


def test_liaison_progress_marks_their_unit_done_and_tells_the_handler(world):
    s = _in_state(world, S.IN_PROGRESS)
    unit = world["liaison"].liaison_unit
    services.record_progress(actor=world["liaison"], suggestion=s, text="本单位已完成排查",
                             unit=unit, unit_done=True)
    assert s.assignments.get(unit=unit).done
    with pytest.raises(TransitionError, match="单位"):
        services.record_progress(actor=world["liaison"], suggestion=s, text="x",
                                 unit=UnitFactory())


def test_extend_deadline_moves_the_watched_date_with_reason_internal(world):
    s = _in_state(world, S.ACCEPTED)
    old = s.reply_due
    s = services.extend_deadline(actor=world["coordinator"], suggestion=s, days=5,
                                 reason="需区级部门会商")
    assert s.reply_due > old
    entry = s.updates.get(kind="extended")
    assert not entry.is_public and "需区级部门会商" in entry.text


def test_golden_only_for_grade_a_or_b(world):
    s = _in_state(world, S.CLOSED)
    s = services.mark_golden(actor=world["coordinator"], suggestion=s, summary="打造两湾十景")
    assert s.is_golden
    t = _in_state(world, S.REPLIED, not_implemented=True)
    t = services.give_feedback(actor=world["submitter"], suggestion=t, rating="satisfied")
    with pytest.raises(TransitionError):
        services.mark_golden(actor=world["coordinator"], suggestion=t, summary="x")


def test_transitions_write_notifications_in_the_same_transaction(world):
    from notifications.models import Notification

    s = _in_state(world, S.ACCEPTED)
    assert Notification.objects.filter(recipient=world["handler"]).exists()
    services.reply_suggestion(actor=world["handler"], suggestion=s, text="答复")
    assert Notification.objects.filter(recipient=world["submitter"]).count() >= 2


def test_allowed_actions_costs_bounded_queries(world, django_assert_max_num_queries):
    s = _in_state(world, S.IN_PROGRESS)
    s = Suggestion.objects.prefetch_related("assignments").get(pk=s.pk)
    with django_assert_max_num_queries(2):
        workflow.allowed_actions(world["liaison"], s)

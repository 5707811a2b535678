"""The factories reach each state the way the workflow table would."""

import datetime

import pytest

from proposals import workflow
from tests.factories import WALKS, AnnouncementFactory, EventFactory, SuggestionFactory

pytestmark = pytest.mark.django_db

S = workflow.State
EXPECTED = {
    "accepted": S.ACCEPTED, "replied": S.REPLIED, "in_progress": S.IN_PROGRESS,
    "implemented": S.IMPLEMENTED, "not_implemented": S.REPLIED, "reopened": S.IN_PROGRESS,
    "awaiting_coordinator": S.IMPLEMENTED, "closed": S.CLOSED, "no_response": S.CLOSED,
    "withdrawn": S.WITHDRAWN, "declined": S.DECLINED, "merged": S.MERGED,
}


@pytest.mark.parametrize("trait", sorted(WALKS))
def test_every_trait_stands_where_its_walk_leads(trait):
    s = SuggestionFactory(**{trait: True})
    s.refresh_from_db()
    assert s.state == EXPECTED[trait]
    assert workflow.standing(s).action == (WALKS[trait][-1] if isinstance(
        WALKS[trait][-1], str) else WALKS[trait][-1][0])


def test_stamps_and_flags_come_from_the_rows():
    closed = SuggestionFactory(closed=True)
    assert [done for _label, done in workflow.four_haves(closed)] == [True] * 4
    assert closed.feedbacks.get().rating == "satisfied"
    concluded = SuggestionFactory(not_implemented=True)
    assert concluded.not_implemented and concluded.feedback_due is not None
    assert [done for _label, done in workflow.four_haves(concluded)] == [
        True, False, False, False]
    waiting = SuggestionFactory(awaiting_coordinator=True)
    assert waiting.awaiting_coordinator and waiting.reopened_count == 1
    assert waiting.feedbacks.count() == 2
    assert SuggestionFactory(merged=True).merged_into.state == S.SUBMITTED


def test_explicit_fields_win_over_the_walk():
    past = datetime.date(2026, 1, 5)
    s = SuggestionFactory(accepted=True, reply_due=past)
    s.refresh_from_db()
    assert s.next_due == past


def test_a_walk_the_table_does_not_allow_is_refused():
    with pytest.raises(ValueError, match="no 'reply' from 'submitted'"):
        SuggestionFactory(walk=("reply",))


def test_event_and_announcement_traits():
    assert EventFactory(draft=True).status == "draft"
    assert EventFactory(members_only=True).visibility == "members"
    assert AnnouncementFactory(members_only=True).audience == "members"

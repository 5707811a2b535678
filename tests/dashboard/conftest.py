"""A hand-counted district for the dashboard tests (tests/dashboard/test_stats.py says what
each figure must be and why).

Today is 2026-06-15; the period is the first half of 2026. Suggestion numbers in the
comments are the ones the tests refer to.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import (
    AllianceFactory,
    CategoryFactory,
    EventFactory,
    FeedbackFactory,
    MemberFactory,
    MembershipFactory,
    RegistrationFactory,
    SuggestionFactory,
    UnitFactory,
)

TODAY = datetime.date(2026, 6, 15)
PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))


def at(month, day, hour=10):
    return timezone.make_aware(datetime.datetime(2026, month, day, hour))


def d(month, day):
    return datetime.date(2026, month, day)


def replied_path(accepted, replied, *, accept_due, reply_due):
    return {"accepted_at": accepted, "accept_due": accept_due, "replied_at": replied,
            "reply_due": reply_due}


@pytest.fixture
def district(db):
    """The hand-counted data; returns a namespace of its objects. Each suggestion is made by
    hand: its state and the fields written here, no walk, and no deadline unless one is
    written (``accept_due=None`` undoes the one the submission would start)."""
    alliance = AllianceFactory()
    u1 = UnitFactory(alliance=alliance, name="中远侨联", slug="u1")
    u2 = UnitFactory(alliance=alliance, name="知联会", slug="u2")
    u3 = UnitFactory(alliance=alliance, name="小湾豆", slug="u3", kind="volunteer_team")
    c1 = CategoryFactory(alliance=alliance, name="社区治理")
    c2 = CategoryFactory(alliance=alliance, name="文明创建")
    submitter = MemberFactory(alliance=alliance).user
    s = {}

    def add(n, month, day, state, category, **fields):
        s[n] = SuggestionFactory(alliance=alliance, submitter=submitter,
                                 submitted_at=at(month, day), state=state, category=category,
                                 **{"accept_due": None, **fields})
        return s[n]

    # 1 waiting for acceptance, past accept_due: overdue
    add(1, 3, 2, "submitted", c1, accept_due=d(6, 10))
    # 2 waiting for acceptance, within accept_due
    add(2, 3, 3, "submitted", c1, accept_due=d(6, 20))
    # 3 withdrawn, 4 declined, 5 merged (into 6)
    add(3, 3, 4, "withdrawn", c1)
    add(4, 3, 5, "declined", c2, closed_at=at(3, 6))
    # 6 accepted on time, reply overdue (not replied, reply_due passed)
    add(6, 3, 4, "accepted", c1, lead_unit=u1, accepted_at=at(3, 5), accept_due=d(3, 6),
        reply_due=d(6, 1))
    add(5, 3, 5, "merged", c2, merged_into=s[6])
    # 7 accepted late (accept_due 6-09, accepted 6-10), reply not yet due
    add(7, 6, 8, "accepted", c1, lead_unit=u1, accepted_at=at(6, 10), accept_due=d(6, 9),
        reply_due=d(6, 24))
    # 8 replied on time, in progress, progress update overdue
    add(8, 3, 1, "in_progress", c2, lead_unit=u2, progress_due=d(6, 1), progressed_at=at(3, 20),
        **replied_path(at(3, 2), at(3, 10), accept_due=d(3, 3), reply_due=d(3, 16)))
    # 9 replied late, implemented, waiting for feedback; co-handled by u2
    add(9, 2, 1, "implemented", c2, lead_unit=u1, co_units=[u2], implemented_at=at(4, 1),
        progressed_at=at(4, 1), feedback_asked_at=at(4, 1), feedback_due=d(6, 1),
        **replied_path(at(2, 2), at(2, 20), accept_due=d(2, 3), reply_due=d(2, 15)))
    # 10 closed satisfied, grade A, golden
    add(10, 1, 4, "closed", c1, lead_unit=u1, implemented_at=at(2, 1), closed_at=at(2, 5),
        progressed_at=at(1, 20), feedback_asked_at=at(2, 1),
        outcome_grade="A", is_golden=True, golden_summary="打造两湾十景",
        title="打造两湾十景",
        **replied_path(at(1, 5), at(1, 10), accept_due=d(1, 6), reply_due=d(1, 20)))
    FeedbackFactory(suggestion=s[10], rating="satisfied", created_at=at(2, 5))
    # 11 reopened once: dissatisfied, then basically satisfied
    add(11, 2, 2, "closed", c1, lead_unit=u2, implemented_at=at(3, 1), closed_at=at(4, 10),
        progressed_at=at(3, 1), feedback_asked_at=at(3, 1),
        reopened_count=1, outcome_grade="B",
        **replied_path(at(2, 3), at(2, 10), accept_due=d(2, 4), reply_due=d(2, 20)))
    FeedbackFactory(suggestion=s[11], rating="dissatisfied", created_at=at(3, 5))
    FeedbackFactory(suggestion=s[11], rating="basically_satisfied", created_at=at(4, 10))
    # 12 concluded as not implemented (grade D), then dissatisfied; co-handled by u1 and u2
    add(12, 3, 6, "closed", c2, lead_unit=u2, co_units=[u1], not_implemented=True,
        closed_at=at(4, 20), feedback_asked_at=at(3, 15),
        outcome_grade="D",
        **replied_path(at(3, 7), at(3, 12), accept_due=d(3, 9), reply_due=d(3, 23)))
    FeedbackFactory(suggestion=s[12], rating="dissatisfied", created_at=at(4, 20))
    # 13 implemented, feedback window ran out: auto-closed with no response
    add(13, 4, 1, "closed", c2, lead_unit=u1, implemented_at=at(5, 1), closed_at=at(5, 15),
        progressed_at=at(5, 1), feedback_asked_at=at(5, 1),
        closed_no_response=True,
        **replied_path(at(4, 2), at(4, 8), accept_due=d(4, 3), reply_due=d(4, 16)))
    # 16 replied on time, waiting for its first progress update (not yet due)
    add(16, 5, 4, "replied", c1, lead_unit=u1, progress_due=d(6, 30),
        **replied_path(at(5, 5), at(5, 10), accept_due=d(5, 6), reply_due=d(5, 19)))
    # outside the period, and another alliance's suggestion in the period: never counted
    outside = SuggestionFactory(alliance=alliance, submitter=submitter,
                                submitted_at=timezone.make_aware(
                                    datetime.datetime(2025, 12, 20, 10)),
                                state="submitted", category=c1, accept_due=d(1, 5))
    other = AllianceFactory(slug="other-alliance", name="别的联盟")
    foreign = SuggestionFactory(alliance=other, submitter=MemberFactory(alliance=other).user,
                                submitted_at=at(3, 3), state="submitted", category=c1,
                                accept_due=d(3, 5))

    return _Namespace(alliance=alliance, u1=u1, u2=u2, u3=u3, c1=c1, c2=c2, s=s,
                      submitter=submitter, outside=outside, foreign=foreign)


@pytest.fixture
def service(district):
    """Events and volunteer hours: E1 run by u1 and u3 (2 attended, 1 registered), E2 by
    u1 but cancelled, E3 by u3; m1 (u1 and u3) served 3.5 verified hours, m2 (u3) 2 verified
    and 5 unverified; a record of 2025 is outside the period."""
    from volunteers.models import ServiceRecord

    alliance, u1, u3 = district.alliance, district.u1, district.u3
    m1 = MembershipFactory(unit=u1, member__alliance=alliance).member
    MembershipFactory(unit=u3, member=m1)
    m2 = MembershipFactory(unit=u3, member__alliance=alliance).member
    m3 = MembershipFactory(unit=u3, member__alliance=alliance).member

    def event(title, status, *units, month=3):
        return EventFactory(alliance=alliance, title=title, kind="volunteer",
                            start=at(month, 10, 9), end=at(month, 10, 11), capacity=30,
                            signup_deadline=at(month, 9), status=status, organizers=units)

    e1 = event("楼道堆物整治", "completed", u1, u3)
    event("垃圾分类", "cancelled", u1)
    event("爱心助学", "published", u3, month=5)
    for member, state in [(m1, "attended"), (m2, "attended"), (m3, "registered")]:
        RegistrationFactory(event=e1, member=member, state=state)
    for member, hours, verified, when in [
        (m1, "3.5", True, at(3, 10)), (m2, "2", True, at(3, 10)), (m2, "5", False, at(3, 11)),
        (m1, "4", True, timezone.make_aware(datetime.datetime(2025, 11, 1))),
    ]:
        record = ServiceRecord.objects.create(member=member, event=e1, hours=Decimal(hours),
                                              verified=verified)
        ServiceRecord.objects.filter(pk=record.pk).update(created_at=when)
    return district


class _Namespace:
    def __init__(self, **kwargs):
        self.__dict__.update(kwargs)

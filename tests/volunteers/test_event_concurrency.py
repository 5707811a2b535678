"""Capacity edits racing sign-ups and cancellations (PostgreSQL: SQLite serialises writers,
so only PostgreSQL's row locks are put to the test here)."""

import datetime
import random

import pytest
from django.db import connection
from django.utils import timezone

from notifications.models import Notification
from tests.concurrency import run_together
from tests.factories import EventFactory, MemberFactory, UnitFactory, UserFactory
from volunteers import services
from volunteers.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)


def _run_together(jobs):
    """The jobs at once; a refusal (capacity below the seats, a cancellation too late) is an
    answer, anything else raised is returned."""
    return [result for result in run_together(*jobs)
            if isinstance(result, Exception) and not isinstance(result, services.EventError)]


def test_capacity_edits_racing_fifty_signups_and_cancellations_keep_every_promise():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; row locks need PostgreSQL (set DATABASE_URL)")
    rng = random.Random(17)
    event = EventFactory(capacity=5, organizers=[UnitFactory()],
                         start=timezone.now() + datetime.timedelta(days=2))
    coordinator = UserFactory(roles=["coordinator"], roles__alliance=event.alliance)
    already = [services.register(event_id=event.pk, member=MemberFactory(alliance=event.alliance))
               for _ in range(15)]  # 5 seated, 10 waiting
    newcomers = [MemberFactory(alliance=event.alliance) for _ in range(30)]

    jobs = [lambda m=m: services.register(event_id=event.pk, member=m) for m in newcomers]
    jobs += [lambda r=r: services.cancel_registration(registration_id=r.pk)
             for r in rng.sample(already, 12)]
    jobs += [lambda c=c: services.update_event(event_id=event.pk, actor=coordinator, capacity=c)
             for c in (3, 7, 9, 4, 12, 8, 6, 10)]
    assert len(jobs) == 50
    rng.shuffle(jobs)
    assert _run_together(jobs) == []

    event.refresh_from_db()
    regs = Registration.objects.filter(event=event)
    seated = regs.filter(state__in=Registration.SEATED).count()
    waiting = list(regs.filter(state="waitlisted").order_by("position")
                   .values_list("position", flat=True))
    assert seated <= event.capacity
    # no free seat while someone waits, and the line is numbered from 1 without a gap
    assert seated == event.capacity or not waiting
    assert waiting == list(range(1, len(waiting) + 1))
    # everyone told 候补成功 holds the seat now: a promotion given up before it was sent, or
    # rolled back with a refused edit, told nobody
    told = Notification.objects.filter(kind="event_promoted")
    promoted_ids = {int(n.dedup_key.rsplit(":", 1)[1]) for n in told}
    assert set(regs.filter(pk__in=promoted_ids).values_list("state", flat=True)) <= {
        "registered"}
    assert len(promoted_ids) == told.count()


def test_a_promotion_racing_its_own_cancellation_is_told_only_if_it_stands():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; row locks need PostgreSQL (set DATABASE_URL)")
    event = EventFactory(capacity=1, start=timezone.now() + datetime.timedelta(days=2))
    for _round in range(10):
        seat = services.register(event_id=event.pk, member=MemberFactory(alliance=event.alliance))
        waiting = services.register(event_id=event.pk,
                                    member=MemberFactory(alliance=event.alliance))
        assert waiting.state in ("waitlisted", "registered")
        errors = _run_together([
            lambda s=seat: services.cancel_registration(registration_id=s.pk),
            lambda w=waiting: services.cancel_registration(registration_id=w.pk),
        ])
        assert errors == []
        # both gave their place up: whichever order the two cancellations took, nobody
        # holds a 候补成功 for a seat they no longer have
        key = f"event_promoted:{event.pk}:{waiting.pk}"
        assert not Notification.objects.filter(dedup_key=key).exists()
        assert not Registration.objects.filter(
            event=event, state__in=Registration.ACTIVE).exists()


@pytest.mark.django_db
def test_the_lines_written_with_gaps_are_renumbered_from_one():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("volunteers.migrations.0003_renumber_waiting_lists")
    first, second = EventFactory(capacity=1), EventFactory(capacity=1)
    for event, positions in ((first, (9, 4, 12)), (second, (3,))):
        for position in positions:
            Registration.objects.create(event=event, member=MemberFactory(),
                                        state="waitlisted", position=position)
    migration.renumber(apps, None)
    assert list(Registration.objects.filter(event=first).order_by("created_at", "id")
                .values_list("position", flat=True)) == [2, 1, 3]
    assert list(Registration.objects.filter(event=second)
                .values_list("position", flat=True)) == [1]

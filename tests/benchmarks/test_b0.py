"""B0, the scan's limit, writes what the portal's scan writes (PostgreSQL only)."""

import pytest
from django.db import connection, transaction

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="B0 is PostgreSQL SQL"),
]

B0_KINDS = ["accept_overdue", "reply_due_soon", "reply_overdue", "reply_supervision",
            "progress_overdue", "feedback_request", "feedback_reminder"]


@pytest.fixture
def district():
    from benchmarks import generator

    return generator.generate(suggestions=1500, alliances=2, members=60,
                              log=lambda *args: None, write_fixture=False)


def _keys():
    from notifications.models import Notification

    return set(Notification.objects.filter(kind__in=B0_KINDS)
               .values_list("dedup_key", flat=True))


def test_b0_writes_the_scans_notifications_and_leaves_nothing_behind(district):
    from benchmarks import reminders
    from notifications.models import Delivery, Notification

    before = (Notification.objects.count(), Delivery.objects.count())
    with transaction.atomic():
        with reminders.travel(), connection.cursor() as cursor:
            cursor.execute(reminders.B0_SQL, reminders.b0_params())
        by_b0 = _keys()
        b0_deliveries = Delivery.objects.count() - before[1]
        transaction.set_rollback(True)

    seconds, statement, written = reminders.b0(connection)

    assert written == len(by_b0)
    assert len({key.split(":")[0] for key in by_b0}) >= 3  # several kinds of reminder
    assert 0 < statement <= seconds
    assert (Notification.objects.count(), Delivery.objects.count()) == before
    reminders.portal_scan()
    assert _keys() == by_b0
    scan_deliveries = Delivery.objects.filter(notification__kind__in=B0_KINDS).count()
    assert scan_deliveries == b0_deliveries


def test_a_re_measured_database_gives_its_scan_the_same_work(district):
    # BENCH_REUSE_DB: the last run's scan wrote its notifications; they are forgotten, so
    # this run's scan writes them again rather than timing a scan with nothing to do.
    from benchmarks import generator, reminders
    from notifications.models import Delivery, Notification

    first = reminders.portal_scan()
    first.pop("closed")  # what ran out of its feedback window is closed once
    written = Notification.objects.count()
    assert written and Delivery.objects.exists()
    generator.forget_notifications()
    assert (Notification.objects.count(), Delivery.objects.count()) == (0, 0)
    again = reminders.portal_scan()
    again.pop("closed")
    assert again == first
    assert Notification.objects.count() == written

"""The database connection drops after SMTP accepted an email and before the delivery was
marked sent (issue #19, item 9): the mark is retried on a new connection, so the row ends
``sent`` and no later sweep sends it again — nothing twice.

The emails go over SMTP to the suite's sink (tests/notifications/smtp_sink.py), which counts
what it accepted. On PostgreSQL the portal's backend is killed with pg_terminate_backend (as
a restart or failover does); on any database an execute wrapper fails the mark's UPDATE with
the error a dropped connection raises, before or after the UPDATE committed (an answer lost
on the way back)."""


import pytest
from django.db import DatabaseError, OperationalError, connection, transaction

from notifications import channels, delivery
from notifications.models import Delivery
from notifications.services import notify
from tests.factories import UserFactory
from tests.hardening.test_database_faults import _terminate
from tests.notifications.smtp_sink import SMTPSink
from yichuan.settings.base import mailers_from_url

pytestmark = pytest.mark.django_db(transaction=True)
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="kills a PostgreSQL backend: run with DATABASE_URL=postgres://… (CI does)")


@pytest.fixture
def sink(settings):
    with SMTPSink() as server:
        settings.MAILERS = mailers_from_url(server.url)
        yield server


@pytest.fixture
def reminder(settings):
    settings.NOTIFICATION_SENDING_LEASE = 300
    user = UserFactory(email="li@example.cn")
    with transaction.atomic():
        return notify(recipient=user, kind="reply_overdue", key="blip:1",
                      subject="请及时答复", body="ZTC-2026-00001 已超期。")


@pytest.fixture
def after_send(monkeypatch):
    """``after_send(hook)``: run ``hook`` right after the email channel handed a message over."""

    def install(hook):
        send = channels.EmailChannel.send

        def send_then(self, row):
            send(self, row)
            hook()

        monkeypatch.setattr(channels.EmailChannel, "send", send_then)

    return install


def _sweep_as_a_worker():
    """One deliver_due task: an error fails the task, and Celery's Django fixup drops the
    connection after it."""
    try:
        return delivery.deliver_due()
    except DatabaseError as exc:
        connection.close()
        return exc


def _assert_sent_once(sink, reminder, first, settings):
    # The lease runs out: a row still in "sending" would now be taken for a dead worker's.
    settings.NOTIFICATION_SENDING_LEASE = 0
    again = _sweep_as_a_worker()
    assert len(sink.messages) == 1, (
        f"sent {len(sink.messages)} times (first sweep: {first!r}, second: {again!r})")
    assert first == {"sent": 1}
    assert again == {}
    row = Delivery.objects.get(notification=reminder)
    assert (row.state, row.attempts) == (Delivery.State.SENT, 1)
    assert row.sent_at is not None


@needs_postgresql
def test_backend_killed_between_smtp_acceptance_and_the_mark_sends_nothing_twice(
        sink, reminder, after_send, side, settings):
    killed = []

    def kill_my_backend():
        if not killed:
            assert sink.wait_for(1, timeout=5)  # the sink accepted the message
            killed.append(connection.connection.get_backend_pid())
            _terminate(side, killed[0])

    after_send(kill_my_backend)
    first = _sweep_as_a_worker()
    assert killed, "the backend was not killed"
    _assert_sent_once(sink, reminder, first, settings)
    assert connection.connection.get_backend_pid() != killed[0]


@pytest.mark.parametrize("lost", ["before_commit", "after_commit"])
def test_mark_failing_like_a_dropped_connection_is_retried_and_sends_nothing_twice(
        sink, reminder, after_send, settings, caplog, lost):
    failures = []
    sent = []
    after_send(lambda: sent.append(True))

    def drop_the_mark(execute, sql, params, many, context):
        if sent and not failures and sql.startswith('UPDATE "notifications_delivery"'):
            failures.append(sql)
            if lost == "after_commit":
                execute(sql, params, many, context)
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(drop_the_mark):
        first = _sweep_as_a_worker()
    assert failures, "the mark was not failed"
    _assert_sent_once(sink, reminder, first, settings)
    assert "changed hands" not in caplog.text


def test_mark_inside_a_transaction_is_not_retried(reminder, settings, monkeypatch):
    # A broken connection inside atomic() cannot be replaced: the error goes to the caller.
    calls = []

    def failing_update(self, **changes):
        calls.append(changes)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("django.db.models.query.QuerySet.update", failing_update)
    row = Delivery.objects.get(notification=reminder)
    with pytest.raises(OperationalError), transaction.atomic():
        delivery._mark(row, state=Delivery.State.SENT)
    assert len(calls) == 1

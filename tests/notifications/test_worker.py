"""Real Celery worker processes on Redis against the test database (PostgreSQL).

CI sets CELERY_BROKER_URL=redis://… and DATABASE_URL=postgres://…; elsewhere these tests
skip. The worker is a subprocess (`celery -A yichuan worker`) whose DATABASE_URL names
pytest-django's test database and whose EMAIL_URL points at an SMTP sink in this process.
"""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction

from notifications import services, tasks
from notifications.models import Delivery, Notification
from notifications.services import notify
from tests.factories import SuggestionFactory, UserFactory
from tests.notifications.smtp_sink import SMTPSink

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.CELERY_BROKER_URL.startswith("redis://"),
                       reason="needs CELERY_BROKER_URL=redis://…"),
]

BASE_DIR = Path(settings.BASE_DIR)
CLOSED_PORT_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("the worker process must share the test database: needs PostgreSQL")


@pytest.fixture(autouse=True)
def _empty_queue():
    from yichuan.celery import app

    app.control.purge()
    yield
    app.control.purge()


def _database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}")


class Worker:
    def __init__(self, sink, log_path, **env):
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "yichuan.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "EMAIL_URL": sink.url,
            **env,
        }
        self.log_path = log_path
        self.process = None

    def start(self):
        self.log = open(self.log_path, "ab")  # noqa: SIM115 (closed in stop)
        offset = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "yichuan", "worker", "--loglevel=INFO",
             "--pool=prefork", "--concurrency=1", "--without-gossip", "--without-mingle",
             "--without-heartbeat"],
            cwd=BASE_DIR, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if b" ready." in self.log_path.read_bytes()[offset:]:
                return self
            assert self.process.poll() is None, self.log_path.read_text()[-3000:]
            time.sleep(0.1)
        raise AssertionError("worker did not start:\n" + self.log_path.read_text()[-3000:])

    def kill(self):
        """SIGKILL the whole worker (main process and pool children) at once."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.log.close()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()


@pytest.fixture
def run_worker(tmp_path):
    workers = []

    def start(sink, **env):
        worker = Worker(sink, tmp_path / "worker.log", **env).start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@contextmanager
def broker_at(url):
    """Point this process's publisher at another broker (a closed port: the broker is down)."""
    from yichuan.celery import app

    def reset():
        from kombu import pools

        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    old = app.conf.broker_url, app.conf.broker_write_url
    reset()
    app.conf.broker_url = app.conf.broker_write_url = url
    assert app.connection_for_write().as_uri().endswith(url.rsplit("@", 1)[-1].split("//")[-1])
    try:
        yield
    finally:
        reset()
        app.conf.broker_url, app.conf.broker_write_url = old
        services._broker_down_until = 0.0


def _notify_many(users, prefix):
    ids = []
    for i, user in enumerate(users):
        with transaction.atomic():
            ids.append(notify(recipient=user, kind="reply_overdue", key=f"{prefix}:{i}",
                              subject=f"提醒 {prefix} {i}", body="请及时办理。").pk)
    return ids


def _wait_until_delivered(ids, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not Delivery.objects.filter(notification_id__in=ids).exclude(
                state=Delivery.State.SENT).exists():
            return True
        time.sleep(0.1)
    return False


def test_worker_delivers_a_change_by_email_exactly_once(run_worker):
    user = UserFactory(email="submitter@example.cn")
    with SMTPSink() as sink:
        run_worker(sink)
        with transaction.atomic():  # the change and its notification, one transaction
            notification = notify(recipient=user, kind="suggestion_accepted",
                                  key="accepted:1", subject="您的建言已受理",
                                  body="承办人将在10个工作日内答复。", url="/suggestions/")
        assert sink.wait_for(1), "the email did not arrive"
        assert _wait_until_delivered([notification.pk])
        # a redelivered task and two sweeps send nothing more
        tasks.deliver_notification.delay(notification.pk)
        tasks.deliver_due.delay()
        tasks.deliver_due.delay()
        time.sleep(2)
    assert sink.recipients() == ["submitter@example.cn"]
    assert sink.messages[0]["Subject"] == f"{settings.EMAIL_SUBJECT_PREFIX}您的建言已受理"
    row = Delivery.objects.get(notification=notification)
    assert (row.state, row.attempts) == (Delivery.State.SENT, 1)


def test_with_the_broker_down_writes_are_fast_and_the_backlog_is_delivered_once(
        run_worker, client):
    users = UserFactory.create_batch(5)
    with broker_at(CLOSED_PORT_BROKER):
        started = time.monotonic()
        ids = _notify_many(users, "down")
        elapsed = time.monotonic() - started
    assert elapsed < 2, f"writing 5 notifications with the broker down took {elapsed:.2f}s"
    assert Notification.objects.filter(pk__in=ids).count() == 5
    assert Delivery.objects.filter(notification_id__in=ids,
                                   state=Delivery.State.PENDING).count() == 5
    with SMTPSink() as sink:
        run_worker(sink)
        tasks.deliver_due.delay()  # what beat's every-minute sweep does
        assert sink.wait_for(5)
        assert _wait_until_delivered(ids)
        tasks.deliver_due.delay()
        time.sleep(2)
    assert sorted(sink.recipients()) == sorted(u.email for u in users)


def test_worker_killed_mid_batch_then_restarted_delivers_everything_once(run_worker):
    users = UserFactory.create_batch(8)
    with broker_at(CLOSED_PORT_BROKER):  # rows only, no tasks: the batch is the sweep's
        ids = _notify_many(users, "kill")
    with SMTPSink(delay=0.5) as sink:
        worker = run_worker(sink, NOTIFICATION_SENDING_LEASE_SECONDS="2")
        tasks.deliver_due.delay()
        assert sink.wait_for(3)
        time.sleep(0.2)  # inside the next send, before the message is handed over
        worker.kill()
        delivered_before_kill = len(sink.messages)
        assert delivered_before_kill < 8
        assert Delivery.objects.filter(notification_id__in=ids,
                                       state=Delivery.State.SENDING).count() == 1
        time.sleep(2.5)  # the dead worker's claim expires
        run_worker(sink, NOTIFICATION_SENDING_LEASE_SECONDS="2")
        tasks.deliver_due.delay()
        assert sink.wait_for(8, timeout=60)
        assert _wait_until_delivered(ids)
        tasks.deliver_due.delay()
        time.sleep(2)
    counts = Counter(sink.recipients())
    assert counts == Counter({u.email: 1 for u in users})


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def own_redis(port, tmp_path):
    """A Redis server of this test alone, so it can be stopped without touching others'."""
    import shutil

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True,
                             check=False).stdout.strip() != b"PONG":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield process
    finally:
        process.terminate()
        process.wait(10)


def test_worker_survives_a_lost_broker_and_delivers_when_it_is_back(run_worker, tmp_path):
    port = _free_port()
    url = f"redis://127.0.0.1:{port}/0"
    users = UserFactory.create_batch(2)
    with SMTPSink() as sink, broker_at(url):
        with own_redis(port, tmp_path):
            run_worker(sink, CELERY_BROKER_URL=url)
            first = _notify_many(users[:1], "before")
            assert sink.wait_for(1)
        # the broker is gone: the worker keeps trying; a change still commits at once
        started = time.monotonic()
        second = _notify_many(users[1:], "during")
        assert time.monotonic() - started < 2
        time.sleep(3)
        with own_redis(port, tmp_path):
            services._broker_down_until = 0.0
            tasks.deliver_due.delay()
            assert sink.wait_for(2, timeout=60), "the worker did not come back"
            assert _wait_until_delivered(first + second)
    assert sorted(sink.recipients()) == sorted(u.email for u in users)


def test_worker_emails_a_suggestion_reminder_once_and_again_when_its_deadline_changes(
        run_worker):
    import datetime
    import zoneinfo

    import time_machine

    from proposals import reminders

    coordinator = UserFactory(email="coordinator@example.cn", roles=["coordinator"])
    suggestion = SuggestionFactory(accept_due=datetime.date(2026, 12, 11))
    monday = datetime.datetime(2026, 12, 14, 9, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with SMTPSink() as sink:
        run_worker(sink)
        with time_machine.travel(monday, tick=False):
            assert reminders.accept_overdue() == 1
            assert [reminders.accept_overdue() for _ in range(3)] == [0, 0, 0]
        assert sink.wait_for(1)
        # the suggestion changes: a new deadline is a new reminder
        type(suggestion).objects.filter(pk=suggestion.pk).update(
            accept_due=datetime.date(2026, 12, 14))
        with time_machine.travel(monday + datetime.timedelta(days=1), tick=False):
            assert reminders.accept_overdue() == 1
            assert reminders.accept_overdue() == 0
        assert sink.wait_for(2)
        tasks.deliver_due.delay()
        time.sleep(2)
    assert sink.recipients() == [coordinator.email, coordinator.email]
    assert all(suggestion.tracking_number in m["Subject"] for m in sink.messages)


def test_member_submits_with_the_broker_down_fast_and_the_email_follows_once(run_worker,
                                                                            client):
    from django.urls import reverse

    from proposals.models import Suggestion
    from tests.factories import CategoryFactory, MemberFactory

    category = CategoryFactory()
    coordinator = UserFactory(email="coordinator@example.cn", roles=["coordinator"])
    member = MemberFactory(alliance=category.alliance).user
    client.force_login(member)
    with broker_at(CLOSED_PORT_BROKER):
        started = time.monotonic()
        response = client.post(reverse("proposals:new"), {
            "title": "加装楼道扶手", "category": category.pk, "content": "老人上下楼不便。",
            "form_token": "0f" * 16,
        })
        elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < 2, f"the submission took {elapsed:.2f}s with the broker down"
    suggestion = Suggestion.objects.get(title="加装楼道扶手")
    notification = Notification.objects.get(recipient=coordinator)
    assert notification.deliveries.get().state == Delivery.State.PENDING
    with SMTPSink() as sink:
        run_worker(sink)
        tasks.deliver_due.delay()  # the broker is back: beat's sweep delivers the backlog
        assert sink.wait_for(1)
        assert _wait_until_delivered([notification.pk])
        tasks.deliver_due.delay()
        time.sleep(2)
    assert sink.recipients() == [coordinator.email]
    assert suggestion.tracking_number

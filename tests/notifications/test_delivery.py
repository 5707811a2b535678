from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from notifications import channels, delivery
from notifications.models import Delivery, Notification, Preference
from notifications.services import notify, render_message
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify(user, key="k1", kind="accept_overdue", **kwargs):
    return notify(recipient=user, kind=kind, key=key, subject="标题", body="正文",
                  url="/suggestions/ZTC-2026-00001/", **kwargs)


class FlakyChannel(channels.Channel):
    name = "email"
    failures = 0
    sent = []

    def send(self, delivery):
        if FlakyChannel.failures:
            FlakyChannel.failures -= 1
            raise ConnectionError("smtp down")
        FlakyChannel.sent.append(delivery.pk)


class RejectingChannel(channels.Channel):
    def send(self, delivery):
        raise channels.PermanentError("recipient rejected")


@pytest.fixture
def flaky(settings):
    settings.NOTIFICATION_CHANNELS = {"email": "tests.notifications.test_delivery.FlakyChannel"}
    channels._load.cache_clear()
    FlakyChannel.failures = 0
    FlakyChannel.sent = []
    yield FlakyChannel
    channels._load.cache_clear()


def test_notify_writes_inbox_entry_and_pending_email():
    user = UserFactory()
    notification = _notify(user)
    assert notification.recipient == user
    assert list(notification.deliveries.values_list("channel", "state")) == [("email", "pending")]


def test_notify_twice_with_the_same_key_writes_once():
    user = UserFactory()
    assert _notify(user) is not None
    assert _notify(user) is None
    assert Notification.objects.count() == 1
    assert Delivery.objects.count() == 1


def test_notify_in_a_rolled_back_change_leaves_nothing_and_enqueues_nothing(monkeypatch):
    user = UserFactory()
    enqueued = []
    monkeypatch.setattr("notifications.services.enqueue_delivery", enqueued.append)
    with pytest.raises(RuntimeError), transaction.atomic():
        _notify(user)
        raise RuntimeError("the change failed")
    assert not Notification.objects.exists()
    assert enqueued == []


def test_delivery_is_enqueued_only_after_commit(monkeypatch, django_capture_on_commit_callbacks):
    user = UserFactory()
    enqueued = []
    monkeypatch.setattr("notifications.services.enqueue_delivery", enqueued.append)
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(user)
        assert enqueued == []
    assert enqueued == [notification.pk]


def test_user_without_email_gets_inbox_only():
    user = UserFactory(email="")
    notification = _notify(user)
    assert notification is not None
    assert not notification.deliveries.exists()


def test_muted_kind_gets_inbox_but_no_email():
    user = UserFactory()
    Preference.objects.create(user=user, email_muted=["accept_overdue"])
    muted = _notify(user, key="a", kind="accept_overdue")
    other = _notify(user, key="b", kind="reply_overdue")
    assert not muted.deliveries.exists()
    assert other.deliveries.count() == 1


def test_kinds_of_other_apps_fall_under_other_preference():
    user = UserFactory()
    Preference.objects.create(user=user, email_muted=["other"])
    assert not _notify(user, kind="suggestion_accepted").deliveries.exists()


def test_deliver_sends_the_email_once_even_when_run_again():
    user = UserFactory()
    notification = _notify(user)
    assert delivery.deliver(notification.pk) == 1
    assert delivery.deliver(notification.pk) == 0
    assert delivery.deliver_due() == {}
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [user.email]
    assert message.subject == "[宜起靠谱联盟] 标题"  # every mail names the portal
    assert "/suggestions/ZTC-2026-00001/" in message.body
    assert message.extra_headers["Message-ID"] == f"<notification.{notification.pk}.email@yichuan.example>"
    row = notification.deliveries.get()
    assert row.state == Delivery.State.SENT
    assert row.attempts == 1
    assert row.sent_at is not None


def test_failed_send_is_retried_later_with_backoff(flaky):
    user = UserFactory()
    notification = _notify(user)
    flaky.failures = 1
    delivery.deliver(notification.pk)
    row = notification.deliveries.get()
    assert row.state == Delivery.State.PENDING
    assert row.attempts == 1
    assert "smtp down" in row.last_error
    assert row.next_attempt_at > timezone.now()
    # not due yet: the sweep leaves it
    assert delivery.deliver_due() == {}
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        assert delivery.deliver_due() == {Delivery.State.SENT: 1}
    assert flaky.sent == [row.pk]
    row.refresh_from_db()
    assert (row.state, row.attempts) == (Delivery.State.SENT, 2)


def test_backoff_grows_with_jitter_and_is_capped(settings):
    settings.NOTIFICATION_RETRY_BASE = 60
    settings.NOTIFICATION_RETRY_MAX_DELAY = 600
    assert 30 <= delivery.backoff_seconds(1) <= 60
    assert 120 <= delivery.backoff_seconds(3) <= 240
    assert 300 <= delivery.backoff_seconds(10) <= 600


def test_delivery_fails_for_good_at_the_attempt_cap(flaky, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    notification = _notify(UserFactory())
    flaky.failures = 99
    start = timezone.now()
    for day in range(1, 6):
        with time_machine.travel(start + timedelta(days=day)):
            delivery.deliver_due()
    row = notification.deliveries.get()
    assert (row.state, row.attempts) == (Delivery.State.FAILED, 3)
    assert flaky.sent == []


def test_permanent_error_fails_at_once(settings):
    settings.NOTIFICATION_CHANNELS = {
        "email": "tests.notifications.test_delivery.RejectingChannel"}
    channels._load.cache_clear()
    try:
        notification = _notify(UserFactory())
        delivery.deliver(notification.pk)
    finally:
        channels._load.cache_clear()
    row = notification.deliveries.get()
    assert (row.state, row.attempts) == (Delivery.State.FAILED, 1)
    assert row.last_error == "recipient rejected"


def test_row_claimed_by_a_live_worker_is_left_alone():
    notification = _notify(UserFactory())
    notification.deliveries.update(state=Delivery.State.SENDING, claimed_at=timezone.now())
    assert delivery.deliver_due() == {}
    assert mail.outbox == []


def test_row_left_sending_by_a_dead_worker_is_sent_after_the_lease(settings):
    settings.NOTIFICATION_SENDING_LEASE = 300
    notification = _notify(UserFactory())
    claimed = timezone.now() - timedelta(seconds=301)
    notification.deliveries.update(state=Delivery.State.SENDING, claimed_at=claimed, attempts=1)
    assert delivery.deliver_due() == {Delivery.State.SENT: 1}
    assert len(mail.outbox) == 1
    assert notification.deliveries.get().attempts == 2


def test_sent_rows_are_never_claimed_again():
    notification = _notify(UserFactory())
    notification.deliveries.update(state=Delivery.State.SENT,
                                   claimed_at=timezone.now() - timedelta(days=1))
    assert delivery.deliver_due() == {}
    assert mail.outbox == []


def test_sweep_delivers_the_backlog_in_bounded_queries(django_assert_max_num_queries):
    users = UserFactory.create_batch(5)
    for i, user in enumerate(users):
        _notify(user, key=f"k{i}")
    with django_assert_max_num_queries(5 * 5 + 3):
        assert delivery.deliver_due() == {Delivery.State.SENT: 5}
    assert len(mail.outbox) == 5


def test_message_is_rendered_from_its_template():
    class Suggestion:
        tracking_number = "ZTC-2026-00007"
        title = "加装电梯 & 扶手"

    subject, body = render_message("accept_overdue", {"suggestion": Suggestion(),
                                                      "due": timezone.localdate()})
    assert subject == "受理超期：建言 ZTC-2026-00007 尚未受理"
    assert "《加装电梯 & 扶手》" in body


def test_message_is_written_in_the_recipients_language():
    import datetime

    from notifications.services import notify_from_template

    class Suggestion:
        tracking_number = "ZTC-2026-00008"
        title = "路灯"

    chinese, english = UserFactory(), UserFactory()
    Preference.objects.create(user=english, language="en")
    due = datetime.date(2026, 12, 11)
    for user in (chinese, english):
        notify_from_template(recipient=user, kind="accept_overdue", key=f"lang:{user.pk}",
                             context={"suggestion": Suggestion(), "due": due})
    assert "2026-12-11（星期五）" in Notification.objects.get(recipient=chinese).body
    assert "2026-12-11（Friday）" in Notification.objects.get(recipient=english).body


def test_beat_schedule_runs_every_scan_and_nothing_waits_beyond_the_visibility_timeout(settings):
    from yichuan.celery import app

    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    app.loader.import_default_modules()  # what a worker does at start: autodiscover tasks
    registered = set(app.tasks)
    assert tasks <= registered
    for name in ["accept_overdue", "reply_due_soon", "reply_overdue", "reply_supervision",
                 "progress_overdue", "feedback"]:
        assert f"proposals.tasks.scan_{name}" in tasks
    for name in ["event_tomorrow", "event_ended"]:
        assert f"volunteers.tasks.scan_{name}" in tasks
    assert "notifications.tasks.deliver_due" in tasks
    assert "proposals.tasks.weekly_digest" in tasks
    visibility = 3600
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry.get("options", {}).get("expires", 0) < visibility
    assert settings.NOTIFICATION_RETRY_MAX_DELAY <= visibility
    assert settings.CELERY_TASK_ACKS_LATE
    assert settings.CELERY_BROKER_CONNECTION_MAX_RETRIES is None

"""Every reminder kind with a frozen clock: sent once on the right working day, not before,
not twice after three re-runs; a changed deadline makes a new reminder.

The calendar: December 2026 has no holidays. Fri 11, Sat 12, Sun 13, Mon 14, Tue 15,
Wed 16, Thu 17.
"""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import reminders as batches
from notifications.models import Notification
from proposals import reminders
from proposals.models import Suggestion
from proposals.services import close_expired_feedback
from tests.factories import CategoryFactory, SuggestionFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(day, hour=9, minute=0):
    return time_machine.travel(datetime.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI),
                               tick=False)


def d(day):
    return datetime.date(2026, 12, day)


def sent(kind, **filters):
    return Notification.objects.filter(kind=kind, **filters)


def run_three_times(scan):
    return [scan() for _ in range(3)]


@pytest.fixture
def staff(db):
    coordinator = UserFactory(username="coord-scan", roles=["coordinator"])
    handler = UserFactory(username="handler-scan", roles=["handler"])
    return coordinator, handler


def test_acceptance_overdue_goes_to_coordinators_on_the_next_working_day(staff):
    coordinator, _handler = staff
    suggestion = SuggestionFactory(accept_due=d(11))
    with at(11):
        assert reminders.accept_overdue() == 0  # due today: not overdue yet
    with at(12):
        assert reminders.accept_overdue() == 0  # Saturday
    with at(14):
        assert reminders.accept_overdue() == 1
        assert run_three_times(reminders.accept_overdue) == [0, 0, 0]
    notification = sent("accept_overdue").get()
    assert notification.recipient == coordinator
    assert suggestion.tracking_number in notification.subject
    assert notification.url == f"/suggestions/{suggestion.tracking_number}/"
    assert notification.deliveries.count() == 1


def test_changed_deadline_makes_a_new_reminder(staff):
    suggestion = SuggestionFactory(accept_due=d(11))
    with at(14):
        reminders.accept_overdue()
    type(suggestion).objects.filter(pk=suggestion.pk).update(accept_due=d(14))
    with at(15):
        assert reminders.accept_overdue() == 1
        assert reminders.accept_overdue() == 0
    assert sent("accept_overdue").count() == 2


def test_reply_due_in_one_working_day_reminds_the_handler(staff):
    _coordinator, handler = staff
    SuggestionFactory(accepted=True, handler=handler, reply_due=d(14))
    with at(10):
        assert reminders.reply_due_soon() == 0  # two working days ahead
    with at(11):  # Friday: Monday is the next working day
        assert reminders.reply_due_soon() == 1
        assert run_three_times(reminders.reply_due_soon) == [0, 0, 0]
    with at(14):
        assert reminders.reply_due_soon() == 0  # due today: no longer "soon"
    assert sent("reply_due_soon").get().recipient == handler


def test_reply_overdue_chases_handler_and_coordinators(staff):
    coordinator, handler = staff
    SuggestionFactory(accepted=True, handler=handler, reply_due=d(11))
    with at(11):
        assert reminders.reply_overdue() == 0
    with at(13):
        assert reminders.reply_overdue() == 0  # Sunday
    with at(14):
        assert reminders.reply_overdue() == 2
        assert run_three_times(reminders.reply_overdue) == [0, 0, 0]
    assert {n.recipient for n in sent("reply_overdue")} == {coordinator, handler}


def test_supervision_after_five_working_days_overdue_goes_to_coordinators(staff):
    coordinator, handler = staff
    SuggestionFactory(accepted=True, handler=handler, reply_due=d(4))
    with at(10):
        assert reminders.reply_supervision() == 0  # four working days overdue
    with at(11):
        assert reminders.reply_supervision() == 1
        assert run_three_times(reminders.reply_supervision) == [0, 0, 0]
    assert sent("reply_supervision").get().recipient == coordinator


def test_progress_overdue_reminds_the_handler(staff):
    _coordinator, handler = staff
    SuggestionFactory(in_progress=True, handler=handler, progress_due=d(11))
    SuggestionFactory(not_implemented=True, handler=handler, progress_due=d(11))
    with at(11):
        assert reminders.progress_overdue() == 0
    with at(14):
        assert reminders.progress_overdue() == 1
        assert run_three_times(reminders.progress_overdue) == [0, 0, 0]
    assert sent("progress_overdue").get().recipient == handler


def test_feedback_request_reminder_and_auto_close(staff):
    suggestion = SuggestionFactory(implemented=True, feedback_due=d(16))
    submitter = suggestion.submitter
    with at(11):
        assert reminders.feedback() == {"requested": 1, "reminded": 0}
        assert close_expired_feedback() == 0
        assert run_three_times(reminders.feedback) == [{"requested": 0, "reminded": 0}] * 3
        assert run_three_times(close_expired_feedback) == [0, 0, 0]
    with at(14):
        assert reminders.feedback()["reminded"] == 0  # two working days left
    with at(15):
        assert reminders.feedback()["reminded"] == 1  # the last working day before the end
        assert [r["reminded"] for r in run_three_times(reminders.feedback)] == [0, 0, 0]
    with at(16):
        reminders.feedback()
        assert close_expired_feedback() == 0  # the window's last day
    with at(17):
        reminders.feedback()
        assert close_expired_feedback() == 1
        assert run_three_times(close_expired_feedback) == [0, 0, 0]
    suggestion.refresh_from_db()
    assert suggestion.state == "closed"
    assert suggestion.closed_no_response
    assert sent("feedback_request").get().recipient == submitter
    assert sent("feedback_reminder").get().recipient == submitter


def test_weekly_digest_once_per_coordinator_per_week(staff):
    coordinator, _handler = staff
    SuggestionFactory(accept_due=d(4))
    with at(14, 8, 30):
        assert reminders.weekly_digest() == 1
        assert run_three_times(reminders.weekly_digest) == [0, 0, 0]
    with at(21, 8, 30):
        assert reminders.weekly_digest() == 1
    digest = sent("weekly_digest").first()
    assert digest.recipient == coordinator
    assert "待受理：1" in digest.body


def test_scans_cost_the_same_with_10_and_10000_closed_suggestions(staff):
    SuggestionFactory(accept_due=d(11))
    SuggestionFactory(accepted=True, handler=staff[1], reply_due=d(4))
    category, submitter = CategoryFactory(), UserFactory()
    past = datetime.date(2026, 1, 5)

    def closed(count):
        """``count`` closed suggestions in one bulk insert (they must cost the scans nothing)."""
        Suggestion.objects.bulk_create([SuggestionFactory.build(
            state="closed", category=category, submitter=submitter, accept_due=past,
            reply_due=past, progress_due=past, feedback_due=past,
            closed_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC))
            for _ in range(count)], batch_size=1000)

    def queries():
        with at(14), CaptureQueriesContext(connection) as ctx:
            for name in ["accept_overdue", "reply_due_soon", "reply_overdue",
                         "reply_supervision", "progress_overdue", "feedback"]:
                getattr(reminders, name)()
            close_expired_feedback()
        return len(ctx.captured_queries)

    closed(10)
    first = queries()  # writes the reminders
    small = queries()  # a re-run: nothing new
    closed(9990)
    large = queries()
    assert first > small
    assert small == large


def test_feedback_request_written_at_implementation_is_not_sent_again_by_the_scan(staff):
    suggestion = SuggestionFactory(implemented=True, feedback_due=d(16))
    with at(11):
        assert reminders.request_feedback(suggestion=suggestion) is not None
        assert reminders.feedback()["requested"] == 0
    assert sent("feedback_request").count() == 1


def test_a_batch_of_reminders_is_written_in_fixed_queries_and_published_once(
        staff, monkeypatch, django_capture_on_commit_callbacks):
    from notifications import services

    published = []
    monkeypatch.setattr(services, "enqueue_deliveries", published.append)
    monkeypatch.setattr(batches, "BATCH", 100)

    category = CategoryFactory()

    def run(n):
        # one submitter and one category: the rows are cheap to build
        SuggestionFactory.create_batch(n, accept_due=d(11), submitter=staff[1],
                                       category=category)
        with at(14), CaptureQueriesContext(connection) as ctx, \
                django_capture_on_commit_callbacks(execute=True):
            written = reminders.accept_overdue()
        return written, len(ctx.captured_queries)

    written_few, queries_few = run(3)
    written_many, queries_many = run(50)
    assert (written_few, written_many) == (3, 50)
    # The query count depends on the batches, not on the rows in them.
    assert queries_many == queries_few
    assert [len(ids) for ids in published] == [3, 50]
    assert sent("accept_overdue").count() == 53
    assert Notification.objects.filter(deliveries__isnull=False).distinct().count() == 53


def test_a_key_written_by_another_process_meanwhile_is_skipped_not_doubled(staff,
                                                                            monkeypatch):
    from notifications import services

    suggestions = SuggestionFactory.create_batch(3, accept_due=d(11))
    coordinator = staff[0]
    racing = suggestions[1]
    real_existing_keys = services.existing_keys

    def existing_keys_then_race(keys):
        found = real_existing_keys(keys)
        # Another beat process writes one of the same reminders between the check and
        # the insert.
        services.notify(recipient=coordinator, kind="accept_overdue",
                        key=f"accept_overdue:{racing.pk}:{racing.accept_due}:{coordinator.pk}",
                        subject="并发写入")
        return found

    monkeypatch.setattr(batches, "existing_keys", existing_keys_then_race)
    with at(14):
        assert reminders.accept_overdue() == 2
    assert sent("accept_overdue").count() == 3
    assert sent("accept_overdue", subject="并发写入").count() == 1


def test_coordinators_reminded_of_one_suggestion_share_one_rendering(monkeypatch):
    from notifications import services

    coordinators = [UserFactory(username=f"coord-{i}", roles=["coordinator"])
                    for i in range(4)]
    SuggestionFactory(accept_due=d(11))
    SuggestionFactory(accept_due=d(11))
    renders = []
    real_render = services.render_message
    monkeypatch.setattr(services, "render_message",
                        lambda *args, **kwargs: renders.append(args[0]) or real_render(
                            *args, **kwargs))
    with at(14):
        assert reminders.accept_overdue() == 2 * len(coordinators)
    assert renders == ["accept_overdue", "accept_overdue"]
    subjects = set(sent("accept_overdue").values_list("subject", flat=True))
    assert len(subjects) == 2

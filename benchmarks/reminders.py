"""The suggestion reminder scans as Celery beat runs them, and B0: the same notifications
(and their email deliveries) written by one INSERT … SELECT … ON CONFLICT DO NOTHING and
committed, as the scan commits.

Both run on the same "today": the next working day at 09:00 in Shanghai (the scans send
nothing on weekends and holidays), with the clock moved by time-machine.
"""

import datetime
import zoneinfo

SCANS = ["accept_overdue", "reply_due_soon", "reply_overdue", "reply_supervision",
         "progress_overdue", "feedback"]


def bench_day():
    """The first working day from today (Shanghai)."""
    from proposals.deadlines import is_working_day

    day = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Shanghai")).date()
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def travel():
    """A time-machine travel to 09:00 of bench_day(), ticking."""
    import time_machine

    moment = datetime.datetime.combine(bench_day(), datetime.time(9, 0),
                                       tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    return time_machine.travel(moment, tick=True)


def portal_scan():
    """Every suggestion scan, as the beat schedule runs them; returns their counts."""
    from proposals import reminders, services

    with travel():
        counts = {name: getattr(reminders, name)() for name in SCANS}
        counts["closed"] = services.close_expired_feedback()
        return counts


B0_SQL = """
WITH coordinators AS (
    -- the portal's own answer (alliance.selectors.coordinators_by_alliance), passed in as
    -- (alliance, user) pairs: a join on the roles made the planner expect thousands and
    -- compile the statement (JIT, 1 s)
    SELECT unnest(%(coordinator_alliances)s::int[]) AS alliance_id,
           unnest(%(coordinators)s::int[]) AS id
),
due AS (
    SELECT 'accept_overdue' AS kind, s.id AS sid, s.tracking_number AS tn, s.title,
           s.accept_due AS due, c.id AS uid
    FROM proposals_suggestion s JOIN coordinators c ON c.alliance_id = s.alliance_id
    WHERE s.state = 'submitted' AND s.accept_due < %(today)s
  UNION ALL
    SELECT 'reply_due_soon', s.id, s.tracking_number, s.title, s.reply_due, s.handler_id
    FROM proposals_suggestion s
    WHERE s.state = 'accepted' AND s.reply_due > %(today)s AND s.reply_due <= %(next_day)s
      AND s.handler_id IS NOT NULL
  UNION ALL
    SELECT 'reply_overdue', s.id, s.tracking_number, s.title, s.reply_due, r.uid
    FROM proposals_suggestion s
    CROSS JOIN LATERAL (SELECT s.handler_id AS uid
                        UNION SELECT id FROM coordinators c WHERE c.alliance_id = s.alliance_id) r
    WHERE s.state = 'accepted' AND s.reply_due < %(today)s AND r.uid IS NOT NULL
  UNION ALL
    SELECT 'reply_supervision', s.id, s.tracking_number, s.title, s.reply_due, c.id
    FROM proposals_suggestion s JOIN coordinators c ON c.alliance_id = s.alliance_id
    WHERE s.state = 'accepted' AND s.reply_due <= %(five_days_ago)s
  UNION ALL
    SELECT 'progress_overdue', s.id, s.tracking_number, s.title, s.progress_due, s.handler_id
    FROM proposals_suggestion s
    WHERE s.state IN ('replied', 'in_progress') AND NOT s.not_implemented
      AND s.progress_due < %(today)s AND s.handler_id IS NOT NULL
  UNION ALL
    SELECT 'feedback_request', s.id, s.tracking_number, s.title, s.feedback_due, s.submitter_id
    FROM proposals_suggestion s
    WHERE (s.state = 'implemented' OR (s.state = 'replied' AND s.not_implemented))
      AND s.feedback_due >= %(today)s
  UNION ALL
    SELECT 'feedback_reminder', s.id, s.tracking_number, s.title, s.feedback_due, s.submitter_id
    FROM proposals_suggestion s
    WHERE (s.state = 'implemented' OR (s.state = 'replied' AND s.not_implemented))
      AND s.feedback_due > %(today)s AND s.feedback_due <= %(next_day)s
),
written AS (
    INSERT INTO notifications_notification
        (recipient_id, kind, dedup_key, target_type_id, target_id, subject, body, url,
         created_at, read_at)
    SELECT d.uid, d.kind, d.kind || ':' || d.sid || ':' || d.due::text || ':' || d.uid,
           %(content_type)s, d.sid,
           '建言 ' || d.tn || ' 提醒（' || d.kind || '）',
           '建言 ' || d.tn || '《' || d.title || '》的期限为 ' || d.due::text || '，请及时办理。',
           '/suggestions/' || d.tn || '/', now(), NULL
    FROM due d
    ON CONFLICT (dedup_key) DO NOTHING
    RETURNING id, recipient_id, kind
)
INSERT INTO notifications_delivery
    (notification_id, channel, state, attempts, last_error, next_attempt_at, claimed_at,
     sent_at)
SELECT w.id, 'email', 'pending', 0, '', NULL, NULL, NULL
FROM written w JOIN auth_user u ON u.id = w.recipient_id
WHERE u.email <> ''
  AND NOT EXISTS (SELECT 1 FROM notifications_preference p
                  WHERE p.user_id = u.id AND p.email_muted ? w.kind)
"""


def b0_params():
    from django.contrib.contenttypes.models import ContentType

    from alliance.models import Alliance
    from alliance.selectors import coordinators_by_alliance
    from proposals.deadlines import add_working_days
    from proposals.models import Suggestion
    from proposals.reminders import working_days_before

    day = bench_day()
    pairs = [(alliance_id, user.pk) for alliance_id, users in coordinators_by_alliance(
        Alliance.objects.values_list("pk", flat=True)).items() for user in users]
    return {
        "coordinator_alliances": [a for a, _u in pairs],
        "coordinators": [u for _a, u in pairs],
        "today": day,
        "next_day": add_working_days(day, 1),
        "five_days_ago": working_days_before(day, 5),
        "content_type": ContentType.objects.get_for_model(Suggestion).pk,
    }


UNDO_B0_SQL = """
DELETE FROM notifications_delivery WHERE notification_id IN (
    SELECT id FROM notifications_notification WHERE created_at = %(stamp)s);
DELETE FROM notifications_notification WHERE created_at = %(stamp)s;
"""


def b0(connection):
    """Run B0 and commit it, as the portal's scan commits its work; returns (seconds of the
    statement with its commit, seconds of the statement alone, notifications written).

    What B0 wrote is then deleted and the two tables vacuumed, so the scan that follows
    finds the same work on the same tables.
    """
    import time

    from django.db import transaction

    from notifications.models import Notification

    params = b0_params()
    before = Notification.objects.count()
    with travel():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT now()")  # the transaction's now(): B0's created_at
            stamp = cursor.fetchone()[0]
            started = time.perf_counter()
            cursor.execute(B0_SQL, params)
            statement = time.perf_counter() - started
        seconds = time.perf_counter() - started
    written = Notification.objects.count() - before
    with connection.cursor() as cursor:  # in SQL, as B0 is: no rows loaded into Python
        cursor.execute(UNDO_B0_SQL, {"stamp": stamp})
    if not connection.in_atomic_block:  # VACUUM cannot run in a transaction (tests)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE notifications_notification, notifications_delivery")
    return seconds, statement, written

"""Delivering pending notifications over their channels, each exactly once.

The protocol, per delivery row (never one long transaction around a send):

1. **claim** — in a short transaction, lock one due row with
   ``select_for_update(skip_locked=True)`` (other workers skip it, nobody waits), set it to
   ``sending`` with ``claimed_at`` and count the attempt; commit.
2. **send** — outside any transaction, through the channel.
3. **mark** — in a second short statement: ``sent`` (or back to ``pending`` with a backoff,
   or ``failed`` at the cap), only if the row is still ours (state ``sending`` with our
   ``claimed_at``).

A row that is ``sent`` is never picked again. A database blip between the send and step 3
(a dropped connection, a restart) does not leave the row in ``sending``: step 3 is retried
on a new connection for up to a minute. The one window left is a worker killed after the
channel accepted the message and before step 3 committed (milliseconds), or a database away
for longer than that minute. We choose at-least-once for that window: a ``sending`` row
whose claim is older than ``NOTIFICATION_SENDING_LEASE`` is taken to be a dead worker's
and is sent again, with the same Message-ID so mail systems can drop the copy. The
alternative (at-most-once: mark such rows failed) would lose the far likelier case of a
worker killed *before* it sent — a reminder that never arrives is worse than a rare
duplicate. The lease is much longer than the channel's timeout, so a live worker's row is
never taken from it.
"""

import itertools
import logging
import random
import time
from datetime import timedelta

from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    connections,
    router,
    transaction,
)
from django.utils import timezone

from notifications.channels import PermanentError, channel_for
from notifications.models import Delivery

logger = logging.getLogger(__name__)


def backoff_seconds(attempts):
    """Exponential backoff with full jitter, capped: attempt n waits up to base·2^(n-1)."""
    base = settings.NOTIFICATION_RETRY_BASE
    ceiling = min(settings.NOTIFICATION_RETRY_MAX_DELAY, base * 2 ** max(attempts - 1, 0))
    return random.uniform(ceiling / 2, ceiling)


def _claim(filters):
    """Claim one due delivery (step 1); returns it, or None when nothing is due."""
    now = timezone.now()
    lease_expired_before = now - timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE)
    with transaction.atomic():
        # No ORDER BY: the partial indexes on pending/sending rows answer this without
        # walking the (ever growing) sent rows in primary-key order.
        rows = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("notification__recipient")
            .due(now, lease_expired_before)
            .filter(**filters)[:1]
        )
        if not rows:
            return None
        delivery = rows[0]
        if delivery.state == Delivery.State.SENDING:
            logger.warning("delivery %s: previous claim at %s expired; sending again",
                           delivery.pk, delivery.claimed_at)
        delivery.state = Delivery.State.SENDING
        delivery.claimed_at = now
        delivery.attempts += 1
        delivery.save(update_fields=["state", "claimed_at", "attempts"])
    return delivery


# How long step 3 keeps retrying through a database blip (a dropped connection, a restart,
# a failover) before giving up, and the pauses between tries. Far below the lease, so the row
# is marked before anyone may take it for a dead worker's.
MARK_RETRY_SECONDS = 60
MARK_RETRY_PAUSES = (0.1, 0.5, 1, 2, 4, 8)


def _mark(delivery, **changes):
    """Step 3: record the outcome only if the row is still ours.

    After a send, losing this write means sending again when the lease runs out, so a
    database error here is retried on a new connection (the failed one is closed first)
    for up to MARK_RETRY_SECONDS; only then does it raise and leave the row to the lease.
    The write is idempotent: if a try committed but its answer was lost, the next one finds
    the row already marked.
    """
    using = router.db_for_write(Delivery)
    conn = connections[using]
    mine = Delivery.objects.using(using).filter(
        pk=delivery.pk, state=Delivery.State.SENDING, claimed_at=delivery.claimed_at)
    deadline = time.monotonic() + min(MARK_RETRY_SECONDS, settings.NOTIFICATION_SENDING_LEASE / 2)
    for tries in itertools.count(1):
        try:
            updated = mine.update(**changes)
            if not updated and Delivery.objects.using(using).filter(
                    pk=delivery.pk, claimed_at=delivery.claimed_at,
                    state=changes["state"]).exists():
                updated = 1  # an earlier try committed; its answer was lost
            break
        except (OperationalError, InterfaceError) as exc:
            pause = MARK_RETRY_PAUSES[min(tries, len(MARK_RETRY_PAUSES)) - 1]
            if conn.in_atomic_block or time.monotonic() + pause > deadline:
                logger.error("delivery %s: could not mark it %s after %s tries: %s",
                             delivery.pk, changes["state"], tries, exc)
                raise
            logger.warning("delivery %s: marking it %s failed (%s); retrying on a new "
                           "connection", delivery.pk, changes["state"], exc)
            try:
                conn.close()
            except DatabaseError:
                pass  # it was broken anyway; Django forgets it all the same
            time.sleep(pause)
    if not updated:
        logger.warning("delivery %s changed hands before it was marked %s", delivery.pk, changes)


def send_one(delivery):
    """Steps 2 and 3 for a claimed delivery. Returns its new state."""
    try:
        channel_for(delivery.channel).send(delivery)
    except PermanentError as exc:
        _mark(delivery, state=Delivery.State.FAILED, last_error=str(exc)[:2000])
        logger.warning("delivery %s failed permanently: %s", delivery.pk, exc)
        return Delivery.State.FAILED
    except Exception as exc:  # any channel error is retried, up to the cap
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
            _mark(delivery, state=Delivery.State.FAILED, last_error=error)
            logger.error("delivery %s failed after %s attempts: %s",
                         delivery.pk, delivery.attempts, error)
            return Delivery.State.FAILED
        delay = backoff_seconds(delivery.attempts)
        _mark(delivery, state=Delivery.State.PENDING, last_error=error,
              next_attempt_at=timezone.now() + timedelta(seconds=delay))
        logger.info("delivery %s attempt %s failed (%s); next in %.0fs",
                    delivery.pk, delivery.attempts, error, delay)
        return Delivery.State.PENDING
    _mark(delivery, state=Delivery.State.SENT, sent_at=timezone.now(), last_error="")
    return Delivery.State.SENT


def deliver(notification_id):
    """Send every due delivery of one notification; a sent one is never sent again."""
    sent = 0
    while (delivery := _claim({"notification_id": notification_id})) is not None:
        sent += send_one(delivery) == Delivery.State.SENT
    return sent


def deliver_due(limit=None):
    """The sweep: send due deliveries one claim at a time, up to ``limit`` rows."""
    limit = limit or settings.NOTIFICATION_SWEEP_BATCH
    counts = {}
    for _ in range(limit):
        delivery = _claim({})
        if delivery is None:
            break
        state = send_one(delivery)
        counts[state] = counts.get(state, 0) + 1
    return counts

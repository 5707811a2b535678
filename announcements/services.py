"""Writing announcements, their reads and read reminders (one function per change)."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance.roles import is_coordinator
from announcements import selectors
from announcements.models import Announcement, AnnouncementRead
from notifications.services import notify


class AnnouncementError(Exception):
    """A refused change; the message is shown to the user."""


def publish_announcement(*, actor, alliance, title, body, kind, audience, units=(),
                         publish_at=None, pinned=False, cover=None):
    if not is_coordinator(actor, alliance):
        raise AnnouncementError(_("只有统战办协调员可以发布公告。"))
    if audience == Announcement.Audience.UNITS and not units:
        raise AnnouncementError(_("请选择接收公告的单位。"))
    with transaction.atomic():
        announcement = Announcement(
            alliance=alliance, title=title, body=body, kind=kind, audience=audience,
            publish_at=publish_at or timezone.now(), pinned=pinned, author=actor,
        )
        if cover:
            announcement.cover = cover
        announcement.save()
        if audience == Announcement.Audience.UNITS:
            announcement.units.set(units)
    return announcement


def mark_read(*, user, announcement):
    """Record that ``user`` opened a members-only announcement. Idempotent: returns True
    only the first time."""
    if not announcement.tracks_reads or not user.is_authenticated:
        return False
    if AnnouncementRead.objects.filter(announcement=announcement, user=user).exists():
        return False
    try:
        with transaction.atomic():
            AnnouncementRead.objects.create(announcement=announcement, user=user)
    except IntegrityError:  # a second tab won the race
        return False
    return True


def remind_unread(*, actor, announcement):
    """Notify every audience member who has not read the announcement yet.

    The dedup key holds the day, so a second click the same day sends nothing more.
    Returns how many reminders were written.
    """
    if not is_coordinator(actor, announcement.alliance_id):
        raise AnnouncementError(_("只有统战办协调员可以发送提醒。"))
    if not announcement.tracks_reads:
        raise AnnouncementError(_("公开公告不统计阅读，无需提醒。"))
    day = timezone.localdate().isoformat()
    sent = 0
    with transaction.atomic():
        for member in selectors.unread_members(announcement):
            notification = notify(
                recipient=member.user,
                kind="announcement_unread",
                key=f"announcement-unread:{announcement.pk}:{member.user_id}:{day}",
                subject=_("请阅读公告：%(title)s") % {"title": announcement.title},
                body=_("您还没有阅读这条成员公告，请及时查看。"),
                url=announcement.get_absolute_url(),
                target=announcement,
            )
            sent += notification is not None
    return sent

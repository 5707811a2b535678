"""The kinds of notification the reminders write, with the labels members see when they
choose which ones they want by email. Other apps may notify with kinds of their own; those
are listed under "其他" and can be muted all together."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ACCEPT_OVERDUE = "accept_overdue", _("受理超期提醒")
    REPLY_DUE_SOON = "reply_due_soon", _("答复即将到期提醒")
    REPLY_OVERDUE = "reply_overdue", _("答复超期催办")
    REPLY_SUPERVISION = "reply_supervision", _("答复超期督办")
    PROGRESS_OVERDUE = "progress_overdue", _("进展更新超期提醒")
    FEEDBACK_REQUEST = "feedback_request", _("请评价办理结果")
    FEEDBACK_REMINDER = "feedback_reminder", _("评价即将截止提醒")
    AUTO_CLOSED = "auto_closed", _("未评价自动办结")
    EVENT_TOMORROW = "event_tomorrow", _("活动开始提醒")
    EVENT_CONFIRM_ATTENDANCE = "event_confirm_attendance", _("活动签到确认提醒")
    WEEKLY_DIGEST = "weekly_digest", _("每周工作摘要")


OTHER = "other"
# Kind.values builds a new list on every access; the scans ask once per notification.
_REMINDER_KINDS = frozenset(Kind.values)


def preference_choices():
    """(value, label) pairs shown on the preferences page: the reminder kinds, then 其他."""
    return [*Kind.choices, (OTHER, _("其他业务通知（受理、答复、报名等）"))]


def preference_group(kind):
    """The preference a kind falls under: itself if it is a reminder kind, else 其他."""
    return kind if kind in _REMINDER_KINDS else OTHER

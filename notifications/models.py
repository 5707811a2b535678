"""Notifications: one row is both an in-app inbox entry and the outbox of its deliveries.

A reminder is sent exactly once for its (kind, object, due date): ``dedup_key`` is unique
in the database, so re-running a scan, two beat processes or a redelivered task cannot
write it twice. Deliveries (one row per external channel) carry their own state, so the
email of a notification can fail and be retried while the inbox entry is already there.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuan.choices import ChoiceLabelsMixin


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications", verbose_name=_("接收人"))
    kind = models.CharField(_("类型"), max_length=50)
    dedup_key = models.CharField(_("去重键"), max_length=200, unique=True)
    target_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"),
                                    on_delete=models.CASCADE, null=True, blank=True)
    target_id = models.PositiveBigIntegerField(_("对象编号"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    subject = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True),
                         name="notification_unread_idx"),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_read(self):
        return self.read_at is not None


class DeliveryQuerySet(models.QuerySet):
    def due(self, now, lease_expired_before):
        """Deliveries a worker may claim now: pending and due, or claimed by a worker that
        did not finish within the lease (it died between claim and mark)."""
        pending = models.Q(state=Delivery.State.PENDING) & (
            models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=now)
        )
        stale = models.Q(state=Delivery.State.SENDING, claimed_at__lt=lease_expired_before)
        return self.filter(pending | stale)

    def failed_for(self, alliance):
        """Failed deliveries to the alliance's people: what its coordinators may see."""
        from alliance.selectors import people_of

        return self.filter(state=Delivery.State.FAILED,
                           notification__recipient__in=people_of([alliance.pk]))


class Delivery(ChoiceLabelsMixin, models.Model):
    """One notification on one external channel (the inbox needs no delivery row).

    pending → sending (claimed, committed before the send) → sent | pending (retry later)
    | failed (permanent error or the attempt cap reached; coordinators see it on /me/).
    """

    class Channel(models.TextChoices):
        EMAIL = "email", _("邮件")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        SKIPPED = "skipped", _("无需发送")

    notification = models.ForeignKey(Notification, verbose_name=_("通知"),
                                     on_delete=models.CASCADE,
                                     related_name="deliveries")
    # Any channel registered in settings.NOTIFICATION_CHANNELS (email now; SMS, WeCom later).
    channel = models.CharField(_("渠道"), max_length=20, choices=Channel.choices)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices,
                             default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("投递")
        verbose_name_plural = _("投递")
        constraints = [
            models.UniqueConstraint(fields=["notification", "channel"], name="uniq_delivery"),
        ]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=models.Q(state="pending"),
                         name="delivery_pending_idx"),
            models.Index(fields=["claimed_at"], condition=models.Q(state="sending"),
                         name="delivery_sending_idx"),
            models.Index(fields=["-id"], condition=models.Q(state="failed"),
                         name="delivery_failed_idx"),
        ]

    def __str__(self):
        return f"{self.notification} · {self.channel} · {self.state}"


class Preference(models.Model):
    """A person's notification settings: the language reminders are written in and the
    kinds they do not want by email. The inbox always receives everything."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="notification_preference", verbose_name=_("账号"))
    language = models.CharField(_("通知语言"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE)
    email_muted = models.JSONField(_("不接收邮件的类型"), default=list, blank=True)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self):
        return str(self.user)

    def wants(self, kind, channel):
        from notifications.kinds import preference_group

        if channel == Delivery.Channel.EMAIL:
            return preference_group(kind) not in self.email_muted
        return True

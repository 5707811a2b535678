"""Events (活动), registrations with a waiting list, and volunteer hours (志愿服务时长).

Capacity is enforced in ``volunteers.services`` under a row lock on the event; the models
hold the data and the invariants a database can check.
"""

import base64
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alliance.roles import is_member, is_staff_role, liaison_unit_ids
from yichuan.choices import ChoiceLabelsMixin
from yichuan.links import portal_url


class EventQuerySet(models.QuerySet):
    def visible_to(self, user, alliance):
        """``alliance``'s published, cancelled and completed events; members-only ones only
        for its members and staff. Drafts only for its staff."""
        qs = self.filter(alliance=alliance)
        staff = is_staff_role(user, alliance)
        if not staff:
            # a liaison sees the drafts of the events their units organize
            hidden = Q(status=Event.Status.DRAFT)
            units = liaison_unit_ids(user, alliance) if user.is_authenticated else ()
            if units:
                theirs = Event.organizers.through.objects.filter(unit_id__in=units)
                hidden &= ~Q(pk__in=theirs.values("event_id"))
            qs = qs.exclude(hidden)
        if not (staff or is_member(user, alliance)):
            qs = qs.filter(visibility=Event.Visibility.PUBLIC)
        return qs

    def upcoming(self, now=None):
        return self.filter(end__gte=now or timezone.now())

    def past(self, now=None):
        return self.filter(end__lt=now or timezone.now())


class Event(ChoiceLabelsMixin, models.Model):
    class Kind(models.TextChoices):
        STUDY = "study", _("理论学习")
        SEMINAR = "seminar", _("座谈研讨")
        SALON = "salon", _("汇智沙龙")
        FESTIVAL = "festival", _("节庆联谊")
        PUBLICITY = "publicity", _("政策宣传")
        VOLUNTEER = "volunteer", _("志愿服务")
        OTHER = "other", _("其他")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("公开")
        MEMBERS = "members", _("仅限成员")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CANCELLED = "cancelled", _("已取消")
        COMPLETED = "completed", _("已结束")

    alliance = models.ForeignKey("alliance.Alliance", verbose_name=_("联盟"),
                                 on_delete=models.PROTECT,
                                 related_name="events")
    title = models.CharField(_("标题"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    organizers = models.ManyToManyField("alliance.Unit", verbose_name=_("主办单位"),
                                        blank=True, related_name="events")
    venue = models.ForeignKey("alliance.Venue", verbose_name=_("阵地"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="events")
    location = models.CharField(_("地点"), max_length=200, blank=True)
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("名额"), default=30)
    signup_deadline = models.DateTimeField(_("报名截止"))
    visibility = models.CharField(_("可见范围"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.PUBLIC)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.DRAFT)
    description = models.TextField(_("活动介绍"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["start", "id"]
        indexes = [
            # the reminder scans: "starts within 24 hours" and "ended → confirm attendance"
            models.Index(fields=["status", "start"], name="event_status_start"),
            models.Index(fields=["status", "end"], name="event_status_end"),
            models.Index(fields=["alliance", "start"], name="event_alliance_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")),
                                   name="event_end_after_start"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("volunteers:detail", kwargs={"pk": self.pk})

    def clean(self):
        errors = {}
        if self.start and self.end and self.end < self.start:
            errors["end"] = _("结束时间不能早于开始时间。")
        if self.start and self.signup_deadline and self.signup_deadline > self.start:
            errors["signup_deadline"] = _("报名截止时间不能晚于活动开始时间。")
        if errors:
            raise ValidationError(errors)

    @property
    def duration_hours(self):
        """The event's length in hours, rounded to half an hour."""
        seconds = (self.end - self.start).total_seconds()
        return (Decimal(seconds) / Decimal(1800)).quantize(Decimal("1")) / 2

    @property
    def signup_open(self):
        return (self.status == self.Status.PUBLISHED and timezone.now() <= self.signup_deadline)


class Registration(ChoiceLabelsMixin, models.Model):
    class State(models.TextChoices):
        REGISTERED = "registered", _("已报名")
        WAITLISTED = "waitlisted", _("候补中")
        CANCELLED = "cancelled", _("已取消")
        ATTENDED = "attended", _("已签到")
        NO_SHOW = "no_show", _("缺席")

    # States that hold a seat.
    SEATED = (State.REGISTERED, State.ATTENDED, State.NO_SHOW)
    ACTIVE = (State.REGISTERED, State.WAITLISTED, State.ATTENDED, State.NO_SHOW)

    event = models.ForeignKey(Event, verbose_name=_("活动"), on_delete=models.CASCADE,
                              related_name="registrations")
    member = models.ForeignKey("alliance.Member", verbose_name=_("成员"),
                               on_delete=models.CASCADE, related_name="registrations")
    state = models.CharField(_("状态"), max_length=12, choices=State.choices,
                             default=State.REGISTERED)
    position = models.PositiveIntegerField(_("候补序号"), null=True, blank=True)
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at", "id"]
        constraints = [
            # one live registration per member and event; cancelled ones stay as history
            models.UniqueConstraint(
                fields=["event", "member"], condition=~Q(state="cancelled"),
                name="uniq_live_registration"),
        ]
        indexes = [
            models.Index(fields=["event", "state", "position"], name="reg_event_state_pos"),
            models.Index(fields=["member", "state"], name="reg_member_state"),
        ]

    def __str__(self):
        return f"{self.member} · {self.event}"


class ServiceRecordQuerySet(models.QuerySet):
    def served(self):
        """With ``served_at``, the day the service was given: its event's start, or when the
        record was made where it has no event. The year a record counts in, everywhere."""
        return self.annotate(served_at=Coalesce("event__start", "created_at"))


class ServiceRecord(models.Model):
    """Volunteer hours credited to a member, usually for attending an event."""

    member = models.ForeignKey("alliance.Member", verbose_name=_("成员"),
                               on_delete=models.CASCADE, related_name="service_records")
    event = models.ForeignKey(Event, verbose_name=_("活动"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="service_records")
    hours = models.DecimalField(_("时长（小时）"), max_digits=6, decimal_places=1)
    verified = models.BooleanField(_("已核实"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                                    on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ServiceRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务记录")
        verbose_name_plural = _("志愿服务记录")
        ordering = ["-created_at", "id"]
        indexes = [
            models.Index(fields=["member", "created_at"], name="service_member_created"),
            models.Index(fields=["verified", "created_at"], name="service_verified_created"),
        ]

    def __str__(self):
        return f"{self.member} {self.hours}h"

    @property
    def content(self):
        """The service content, as the hours pages, certificates and messages name it."""
        if self.event_id:
            return self.event.title
        return self.note or gettext("志愿服务")


class HoursCorrection(models.Model):
    """A change of a service record's hours, with its reason: corrections are never silent."""

    record = models.ForeignKey(ServiceRecord, verbose_name=_("志愿服务记录"),
                               on_delete=models.CASCADE,
                               related_name="corrections")
    old_hours = models.DecimalField(_("原时长"), max_digits=6, decimal_places=1)
    new_hours = models.DecimalField(_("新时长"), max_digits=6, decimal_places=1)
    reason = models.CharField(_("更正原因"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("更正人"),
                               on_delete=models.SET_NULL, null=True,
                               related_name="+")
    created_at = models.DateTimeField(_("更正时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("时长更正")
        verbose_name_plural = _("时长更正")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.old_hours} → {self.new_hours}"


def new_feed_token():
    return secrets.token_urlsafe(24)


class CalendarToken(models.Model):
    """The secret in a member's private calendar feed URL."""

    member = models.OneToOneField("alliance.Member", verbose_name=_("成员"),
                                  on_delete=models.CASCADE,
                                  related_name="calendar_token")
    token = models.CharField(_("密钥"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("日历订阅密钥")
        verbose_name_plural = _("日历订阅密钥")

    def __str__(self):
        return str(self.member)


# --- 志愿服务记录证明 and correction requests (issue 17) ------------------------------------

def new_certificate_serial():
    """``YCZS-<year>-`` and 80 random bits in base32 (16 letters and digits): not guessable
    from another certificate's serial, and unique in the table, so never given twice."""
    letters = base64.b32encode(secrets.token_bytes(10)).decode()
    return f"YCZS-{timezone.localdate().year}-{letters}"


def mask_name(name):
    """张*明, 李*, 欧**文: the first and the last character of a name, the rest hidden; a
    one-character name is hidden whole."""
    name = (name or "").strip()
    if len(name) <= 1:
        return "*" * len(name)
    if len(name) == 2:
        return f"{name[0]}*"
    return f"{name[0]}{'*' * (len(name) - 2)}{name[-1]}"


class Certificate(models.Model):
    """A 志愿服务记录证明 as it was issued (民政部令第67号, 民发〔2015〕149号).

    What it certifies is copied in when it is issued (the name, the period, each record's
    date, content and hours, the total): a later correction of a record changes the records,
    never a certificate already printed. A wrong certificate is revoked and a new one issued.
    Certificates are not deleted, so a serial that was printed always answers."""

    serial = models.CharField(_("证明编号"), max_length=40, unique=True,
                              default=new_certificate_serial, editable=False)
    alliance = models.ForeignKey("alliance.Alliance", verbose_name=_("出具单位"),
                                 on_delete=models.PROTECT, related_name="certificates")
    # The member may leave the roster; the certificate keeps the name it was issued to.
    member = models.ForeignKey("alliance.Member", verbose_name=_("成员"),
                               on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="certificates")
    member_name = models.CharField(_("姓名"), max_length=50)
    period_start = models.DateField(_("服务期间自"))
    period_end = models.DateField(_("服务期间至"))
    total_hours = models.DecimalField(_("累计时长（小时）"), max_digits=8, decimal_places=1)
    # [{"date": "2026-05-01", "content": "楼道堆物整治", "hours": "2.0"}, …] in date order
    entries = models.JSONField(_("服务记录"), default=list)
    issued_at = models.DateTimeField(_("出具时间"), default=timezone.now)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("经办人"),
                                  on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("撤销人"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    revoke_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("志愿服务记录证明")
        verbose_name_plural = _("志愿服务记录证明")
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["member", "-issued_at"], name="certificate_member_issued"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="certificate_period_in_order"),
        ]

    def __str__(self):
        return self.serial

    def get_absolute_url(self):
        return reverse("certificates:verify", kwargs={"serial": self.serial})

    def verification_url(self):
        """The address the QR code carries: the public verification page, on the issuing
        alliance's own host name where it has one (another alliance's serial is 404 there),
        else on SITE_URL."""
        return portal_url(self.get_absolute_url(), host=self.alliance.host)

    @property
    def is_revoked(self):
        return self.revoked_at is not None

    @property
    def masked_name(self):
        return mask_name(self.member_name)


class CorrectionRequestQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(state=CorrectionRequest.State.PENDING)

    def decidable_by(self, user, alliance):
        """``alliance``'s requests this user decides: all of them for its staff; for a
        liaison, those about the events of the units they speak for."""
        qs = self.filter(record__member__alliance=alliance)
        if is_staff_role(user, alliance):
            return qs
        units = liaison_unit_ids(user, alliance)
        if not units:
            return qs.none()
        return qs.filter(record__event__organizers__in=units).distinct()


class CorrectionRequest(ChoiceLabelsMixin, models.Model):
    """A member's request that a record of theirs be corrected (民政部令第67号: a volunteer may
    report an error; whoever organised the service checks and corrects it)."""

    class State(models.TextChoices):
        PENDING = "pending", _("待处理")
        ACCEPTED = "accepted", _("已更正")
        REFUSED = "refused", _("未予更正")

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("同意更正")
        REFUSE = "refuse", _("不予更正")

    # The workflow as data: what each decision leads to, from the one state it is taken in.
    DECISIONS = {
        State.PENDING: {Decision.ACCEPT: State.ACCEPTED, Decision.REFUSE: State.REFUSED},
    }

    record = models.ForeignKey(ServiceRecord, verbose_name=_("志愿服务记录"),
                               on_delete=models.CASCADE, related_name="correction_requests")
    requested_hours = models.DecimalField(_("申请更正为（小时）"), max_digits=6,
                                          decimal_places=1)
    reason = models.CharField(_("申请理由"), max_length=200)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"),
                                     on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices,
                             default=State.PENDING)
    decision_reason = models.CharField(_("处理意见"), max_length=200, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("处理人"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    correction = models.ForeignKey(HoursCorrection, verbose_name=_("时长更正"),
                                   on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    objects = CorrectionRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("时长更正申请")
        verbose_name_plural = _("时长更正申请")
        ordering = ["created_at", "id"]
        constraints = [
            # one open request per record; decided ones stay as history
            models.UniqueConstraint(fields=["record"], condition=Q(state="pending"),
                                    name="uniq_pending_correction_request"),
        ]
        indexes = [
            # the organizers' list of what waits for them
            models.Index(fields=["created_at"], condition=Q(state="pending"),
                         name="correction_request_pending"),
        ]

    def __str__(self):
        return f"{self.record} → {self.requested_hours}h"

    def get_absolute_url(self):
        return reverse("volunteers:correction_request", kwargs={"pk": self.pk})

"""Announcements (通知公告, 工作动态, 政策宣传) that the alliance's 宣传员 pass on.

An announcement has an audience: the public, all members, or the members of chosen units.
It is visible from its publish time on. For members-only ones a member's visit is recorded
once (AnnouncementRead), which gives coordinators the read rate per unit.
"""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Membership
from alliance.roles import is_coordinator, is_member, is_staff_role
from announcements.rendering import plain_text, render_markdown
from yichuan.choices import ChoiceLabelsMixin
from yichuan.links import portal_url

IMAGE_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp"]
ATTACHMENT_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "jpg",
                         "jpeg", "png", "zip"]


class AnnouncementQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(publish_at__lte=now or timezone.now())

    def public(self):
        return self.published().filter(audience=Announcement.Audience.PUBLIC)

    def visible_to(self, user, alliance):
        """What ``user`` may open of ``alliance``'s announcements. Its coordinators see
        everything, scheduled ones included; its members and staff see public ones,
        members-only ones and those for their units; everybody else public published ones."""
        mine = self.filter(alliance=alliance)
        if is_coordinator(user, alliance):
            return mine
        published = mine.published()
        if is_member(user, alliance) or is_staff_role(user, alliance):
            # The units by id, not by joining unit, membership and member: the same rows,
            # and a third of the planning (/me/ asks on every view).
            own_units = Announcement.units.through.objects.filter(
                announcement_id=OuterRef("pk"),
                unit_id__in=Membership.objects.filter(member__user=user).values("unit_id"),
            )
            return published.filter(
                Q(audience__in=[Announcement.Audience.PUBLIC, Announcement.Audience.MEMBERS])
                | Q(Exists(own_units), audience=Announcement.Audience.UNITS)
            )
        return published.filter(audience=Announcement.Audience.PUBLIC)

    def listed(self):
        return self.order_by("-pinned", "-publish_at", "-id")


class Announcement(ChoiceLabelsMixin, models.Model):
    class Kind(models.TextChoices):
        NOTICE = "notice", _("通知公告")
        NEWS = "news", _("工作动态")
        POLICY = "policy", _("政策宣传")

    class Audience(models.TextChoices):
        PUBLIC = "public", _("公开")
        MEMBERS = "members", _("全体成员")
        UNITS = "units", _("指定单位成员")

    alliance = models.ForeignKey("alliance.Alliance", verbose_name=_("联盟"),
                                 on_delete=models.PROTECT,
                                 related_name="announcements")
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文（Markdown）"), blank=True)
    body_html = models.TextField(_("正文 HTML"), blank=True, editable=False)
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.NOTICE)
    audience = models.CharField(_("发布范围"), max_length=10, choices=Audience.choices,
                                default=Audience.PUBLIC)
    units = models.ManyToManyField("alliance.Unit", verbose_name=_("指定单位"), blank=True,
                                   related_name="announcements")
    publish_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    pinned = models.BooleanField(_("置顶"), default=False)
    cover = models.ImageField(
        _("封面图"), upload_to="announcements/covers/%Y/%m/", blank=True,
        validators=[FileExtensionValidator(IMAGE_EXTENSIONS)],
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("发布人"),
                               on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("公告")
        verbose_name_plural = _("公告")
        ordering = ["-pinned", "-publish_at", "-id"]
        indexes = [models.Index(fields=["audience", "publish_at"]),
                   models.Index(fields=["kind", "publish_at"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The sanitized HTML is derived from the body and stored, so pages never render
        # Markdown per row; update_fields callers that change the body must list body_html.
        self.body_html = render_markdown(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("announcements:detail", kwargs={"pk": self.pk})

    def absolute_url(self):
        return portal_url(self.get_absolute_url())

    @property
    def is_public(self):
        return self.audience == self.Audience.PUBLIC

    @property
    def is_published(self):
        return self.publish_at <= timezone.now()

    @property
    def tracks_reads(self):
        return not self.is_public

    @property
    def excerpt(self):
        return plain_text(self.body_html)


class Attachment(models.Model):
    announcement = models.ForeignKey(Announcement, verbose_name=_("公告"),
                                     on_delete=models.CASCADE,
                                     related_name="attachments")
    file = models.FileField(_("文件"), upload_to="announcements/files/%Y/%m/",
                            validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)])
    name = models.CharField(_("名称"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["id"]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("announcements:attachment",
                       kwargs={"pk": self.announcement_id, "attachment_id": self.pk})

    @property
    def display_name(self):
        return self.name or self.file.name.rsplit("/", 1)[-1]


class AnnouncementRead(models.Model):
    """A member opened a members-only announcement (once per member)."""

    announcement = models.ForeignKey(Announcement, verbose_name=_("公告"),
                                     on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("账号"),
                             on_delete=models.CASCADE,
                             related_name="announcement_reads")
    read_at = models.DateTimeField(_("阅读时间"), default=timezone.now)

    class Meta:
        verbose_name = _("阅读记录")
        verbose_name_plural = _("阅读记录")
        constraints = [
            models.UniqueConstraint(fields=["announcement", "user"], name="uniq_announcement_read"),
        ]

    def __str__(self):
        return f"{self.user} · {self.announcement}"

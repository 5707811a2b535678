"""The 直通车 suggestion pipeline: categories, suggestions, their timeline and feedback.

Suggestions change state only through proposals.services (one transaction per transition,
checked against the table in proposals.workflow); the models hold data and invariants.
"""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.models import Alliance
from alliance.roles import all_liaison_unit_ids, coordinated_alliance_ids
from yichuan.choices import ChoiceLabelsMixin

from . import workflow


class Category(models.Model):
    """A kind of suggestion, with who leads it by default and its deadlines in working days."""

    alliance = models.ForeignKey(
        "alliance.Alliance", verbose_name=_("联盟"), on_delete=models.PROTECT,
        related_name="suggestion_categories")
    name = models.CharField(_("名称"), max_length=60)
    help_text = models.TextField(_("填写提示"), blank=True)
    default_lead_unit = models.ForeignKey(
        "alliance.Unit", verbose_name=_("默认牵头单位"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="+",
    )
    accept_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=2)
    reply_days = models.PositiveSmallIntegerField(_("答复时限（工作日）"), default=10)
    progress_days = models.PositiveSmallIntegerField(_("推进间隔（工作日）"), default=10)
    feedback_days = models.PositiveSmallIntegerField(_("反馈期限（工作日）"), default=7)
    is_active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("建言类别")
        verbose_name_plural = _("建言类别")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "name"], name="category_unique_name"),
        ]

    def __str__(self):
        return self.name


class TrackingSequence(models.Model):
    """One counter row per year; the row is locked while a number is drawn, so numbers are
    unique and never reused (a rolled-back submission leaves a gap, never a duplicate)."""

    year = models.PositiveSmallIntegerField(_("年份"), primary_key=True)
    last = models.PositiveIntegerField(_("已用到的序号"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self):
        return f"{self.year}: {self.last}"

    @classmethod
    def next_number(cls, year):
        """The next ``ZTC-<year>-<5 digits>``; call inside the submitting transaction."""
        with transaction.atomic():
            cls.objects.get_or_create(year=year)
            row = cls.objects.select_for_update().get(year=year)
            row.last += 1
            row.save(update_fields=["last"])
        return f"ZTC-{year}-{row.last:05d}"


class SuggestionQuerySet(models.QuerySet):
    def _readable(self, user):
        """The condition for what ``user`` may read in full, or None for everything."""
        coordinated = coordinated_alliance_ids(user)
        if coordinated is None:  # admins: every alliance
            return None
        condition = (Q(alliance_id__in=coordinated) | Q(submitter=user) | Q(recorded_by=user)
                     | Q(handler=user))
        units = all_liaison_unit_ids(user)
        if units:
            condition |= Q(lead_unit__in=units) | Q(
                pk__in=Assignment.objects.filter(unit__in=units).values("suggestion")
            )
        return condition

    @staticmethod
    def reads_all_of(user, alliance_id):
        """Whether ``user`` reads every suggestion of the alliance (its coordinators, admins):
        then its rows need no per-person condition, which PostgreSQL would spend longer
        planning (a bitmap path per column of the OR) than running."""
        if not getattr(user, "is_authenticated", False):
            return False
        coordinated = coordinated_alliance_ids(user)
        return coordinated is None or alliance_id in coordinated

    def readable_by(self, user):
        """What ``user`` may read in full (content, attachments, who submitted):
        coordinators everything; a handler what is assigned to them; a liaison what their
        units lead or co-handle; a member their own suggestions. Anonymous users nothing
        (the golden showcase uses ``golden()``)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = self._readable(user)
        return self if condition is None else self.filter(condition)

    @staticmethod
    def _followed(user):
        return Q(pk__in=Suggestion.objects.filter(
            submitter=user, merged_into__isnull=False).values("merged_into"))

    def followed_by(self, user):
        """The suggestions the user's own were merged into: they follow its state and
        public timeline there, never its content, attachments or submitter."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(self._followed(user))

    def visible_to(self, user):
        """What ``user`` may open at all: what they may read, and what they follow."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        condition = self._readable(user)
        return self if condition is None else self.filter(condition | self._followed(user))

    def submitted_by(self, user):
        """What ``user`` submitted: always theirs to read (readable_by's Q(submitter=user))."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(submitter=user)

    def visible_in(self, alliance, user):
        """visible_to(user) within one alliance: all of it for one who reads all of it."""
        in_alliance = self.filter(alliance=alliance)
        if self.reads_all_of(user, getattr(alliance, "pk", alliance)):
            return in_alliance
        return in_alliance.visible_to(user)

    def co_handled_by(self, user):
        """What the units the user speaks for lead or co-handle (the 协办 list)."""
        units = all_liaison_unit_ids(user)
        if not units:
            return self.none()
        return self.filter(Q(lead_unit__in=units) | Q(
            pk__in=Assignment.objects.filter(unit__in=units).values("suggestion")))

    def golden(self):
        return self.filter(is_golden=True).exclude(
            state__in=workflow.current().ended_without_work)

    def open(self):
        return self.filter(state__in=workflow.current().open_states)


def queue_changed(alliance_id):
    """Move the alliance's work-queue version on once the current transaction commits
    (Alliance.queue_version), so pages cached under the old number are not served again.

    After the commit, not inside it: a page rendered between the commit and the bump shows
    the committed rows under the old number and is replaced at the next request; and the
    one-row UPDATE never holds the alliance's row for the length of a transaction.
    """
    transaction.on_commit(
        lambda: Alliance.objects.filter(pk=alliance_id).update(
            queue_version=F("queue_version") + 1),
        robust=True,
    )


class Suggestion(ChoiceLabelsMixin, models.Model):
    # The states, the timeline kinds and what they mean live in the workflow table.
    State = workflow.State

    class Channel(models.TextChoices):
        WEB = "web", _("网上提交")
        SALON = "salon", _("汇智沙龙")
        FORUM = "forum", _("座谈会")
        VISIT = "visit", _("走访")
        PHONE = "phone", _("电话")
        WRITTEN = "written", _("书面")

    class Grade(models.TextChoices):
        A = "A", _("A 已解决/采纳")
        B = "B", _("B 正在解决")
        C = "C", _("C 列入计划")
        D = "D", _("D 留作参考")
        __empty__ = _("未评定")

    alliance = models.ForeignKey(
        "alliance.Alliance", verbose_name=_("联盟"), on_delete=models.PROTECT,
        related_name="suggestions")
    tracking_number = models.CharField(_("编号"), max_length=20, unique=True, editable=False)
    submission_token = models.CharField(
        _("提交令牌"), max_length=64, unique=True, null=True, blank=True, editable=False,
        help_text=_("同一表单重复提交时只建一条建言。"),
    )
    title = models.CharField(_("标题"), max_length=120)
    content = models.TextField(_("内容"), max_length=5000)
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, related_name="suggestions"
    )
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices,
                               default=Channel.WEB)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("建言人"), on_delete=models.PROTECT,
        related_name="suggestions",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("代录人"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="recorded_suggestions",
    )
    co_signers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("联名人"), blank=True,
        related_name="cosigned_suggestions",
    )
    credit_publicly = models.BooleanField(_("同意公开署名"), default=False)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices,
                             default=State.SUBMITTED)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("承办人"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="handled_suggestions",
    )
    lead_unit = models.ForeignKey(
        "alliance.Unit", verbose_name=_("牵头单位"), on_delete=models.PROTECT,
        null=True, blank=True, related_name="led_suggestions",
    )
    co_units = models.ManyToManyField(
        "alliance.Unit", verbose_name=_("协办单位"), through="Assignment", blank=True,
        related_name="co_handled_suggestions",
    )
    source_event = models.ForeignKey(
        "volunteers.Event", verbose_name=_("提出场合"), on_delete=models.SET_NULL, null=True,
        blank=True, related_name="suggestions",
        help_text=_("在汇智沙龙、座谈会等活动上提出的建言，记下是哪一场。"),
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并至"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="merged_from",
    )

    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    implemented_at = models.DateTimeField(_("落实时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    accept_due = models.DateField(_("受理期限"), null=True, blank=True)
    reply_due = models.DateField(_("答复期限"), null=True, blank=True)
    progress_due = models.DateField(_("推进期限"), null=True, blank=True)
    feedback_due = models.DateField(_("反馈期限"), null=True, blank=True)
    # The deadline that matters in the current state, kept by the database itself so the
    # work queue's urgency order can walk an index instead of sorting every row.
    # The deadline of the place where the suggestion stands (the workflow table's), kept by
    # the database itself so the work queue's urgency order can walk an index instead of
    # sorting every row.
    next_due = models.GeneratedField(
        verbose_name=_("当前期限"), expression=workflow.WORKFLOW.next_due_expression(),
        output_field=models.DateField(), db_persist=True,
    )
    # What the four 有 left (workflow.HAVE_STAMPS): set by the first step that fulfils each,
    # never cleared, so a reopened suggestion keeps them and no rate passes 100%.
    progressed_at = models.DateTimeField(_("首次推进时间"), null=True, blank=True)
    feedback_asked_at = models.DateTimeField(_("征求反馈时间"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("首次反馈时间"), null=True, blank=True)

    reopened_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    awaiting_coordinator = models.BooleanField(
        _("待协调员办结"), default=False,
        help_text=_("二次办理后仍不满意，由统战办协调员办结。"),
    )
    outcome_grade = models.CharField(_("办理结果"), max_length=1, choices=Grade.choices,
                                     blank=True)
    not_implemented = models.BooleanField(
        _("暂不落实"), default=False,
        help_text=_("答复后承办人认定暂不落实（C/D 类），直接征求反馈。"),
    )
    closed_no_response = models.BooleanField(_("逾期未反馈办结"), default=False)
    is_golden = models.BooleanField(_("金点子"), default=False)
    golden_summary = models.TextField(_("金点子简介"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("建言")
        verbose_name_plural = _("建言")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            # The work queue: by state, handler, unit and category, newest first.
            models.Index(fields=["alliance", "state", "-submitted_at"],
                         name="sugg_queue_state"),
            # ... and in urgency order (proposals.filters.by_urgency), page after page. An
            # ascending index keeps NULLs last in PostgreSQL, as the order asks; SQLite
            # cannot write NULLS LAST in an index.
            models.Index("alliance", "next_due", F("submitted_at").desc(), F("id").desc(),
                         name="sugg_queue_urgency"),
            models.Index(fields=["handler", "state"], name="sugg_handler_state"),
            models.Index(fields=["lead_unit", "state"], name="sugg_unit_state"),
            models.Index(fields=["category", "state"], name="sugg_category_state"),
            models.Index(fields=["submitter", "-submitted_at"], name="sugg_submitter"),
            # The reminder scans: only open rows, by the deadline they watch.
            models.Index(fields=["accept_due"], name="sugg_accept_due_open",
                         condition=Q(state="submitted")),
            models.Index(fields=["reply_due"], name="sugg_reply_due_open",
                         condition=Q(state="accepted")),
            models.Index(fields=["progress_due"], name="sugg_progress_due_open",
                         condition=Q(state__in=workflow.WORKFLOW.states_watching(
                             "progress_due"))),
            models.Index(fields=["feedback_due"], name="sugg_feedback_due_open",
                         condition=Q(state__in=workflow.WORKFLOW.states_watching(
                             "feedback_due"))),
            models.Index(fields=["alliance", "-closed_at"], name="sugg_golden_alliance",
                         condition=Q(is_golden=True)),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="merged") | Q(merged_into__isnull=False),
                name="sugg_merged_has_target",
            ),
        ]

    def __str__(self):
        return f"{self.tracking_number} {self.title}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        queue_changed(self.alliance_id)

    def get_absolute_url(self):
        return reverse("proposals:detail", kwargs={"tracking_number": self.tracking_number})

    def delete(self, *args, **kwargs):
        alliance_id = self.alliance_id
        deleted = super().delete(*args, **kwargs)
        queue_changed(alliance_id)
        return deleted

    @property
    def is_open(self):
        return self.state in workflow.current().open_states


class Assignment(models.Model):
    """A co-handling unit (协办单位) of a jointly handled suggestion (难事联办)."""

    suggestion = models.ForeignKey(Suggestion, verbose_name=_("建言"), on_delete=models.CASCADE,
                                   related_name="assignments")
    unit = models.ForeignKey("alliance.Unit", verbose_name=_("协办单位"),
                             on_delete=models.PROTECT, related_name="assignments")
    done = models.BooleanField(_("已完成"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("协办单位")
        verbose_name_plural = _("协办单位")
        constraints = [
            models.UniqueConstraint(fields=["suggestion", "unit"], name="assignment_unique"),
        ]
        indexes = [models.Index(fields=["unit", "done"], name="assignment_unit_done")]

    def __str__(self):
        return f"{self.suggestion_id} · {self.unit}"


class SuggestionUpdate(ChoiceLabelsMixin, models.Model):
    """One entry of a suggestion's timeline: who did what, when, public or internal."""

    Kind = workflow.Entry

    suggestion = models.ForeignKey(Suggestion, verbose_name=_("建言"), on_delete=models.CASCADE,
                                   related_name="updates")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("记录人"),
                               on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    unit = models.ForeignKey("alliance.Unit", verbose_name=_("单位"), on_delete=models.SET_NULL,
                             null=True, blank=True, related_name="+")
    text = models.TextField(_("内容"), blank=True)
    is_public = models.BooleanField(_("建言人可见"), default=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["suggestion", "created_at"], name="update_timeline")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.suggestion_id}"


class Feedback(ChoiceLabelsMixin, models.Model):
    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASICALLY_SATISFIED = "basically_satisfied", _("基本满意")
        DISSATISFIED = "dissatisfied", _("不满意")

    suggestion = models.ForeignKey(Suggestion, verbose_name=_("建言"), on_delete=models.CASCADE,
                                   related_name="feedbacks")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("评价人"),
                               on_delete=models.PROTECT, related_name="+")
    rating = models.CharField(_("评价"), max_length=20, choices=Rating.choices)
    comment = models.TextField(_("意见"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("反馈")
        verbose_name_plural = _("反馈")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["suggestion", "created_at"], name="feedback_suggestion")]

    def __str__(self):
        return f"{self.get_rating_display()} · {self.suggestion_id}"


def attachment_path(instance, filename):
    """A random name under private media: the original name is kept only as data. The
    extension is that of the type the bytes were detected as (``instance.content_type``,
    proposals/filenames.py), never the one the upload was named with."""
    from proposals.filenames import suffix_for

    suffix = suffix_for(instance.content_type, filename)
    return f"suggestions/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{suffix}"


class AttachmentQuerySet(models.QuerySet):
    def submitted(self):
        """The files that came with the suggestion itself."""
        return self.filter(entry__isnull=True)

    def evidence(self):
        """The files on timeline entries (佐证材料 of progress and implementation)."""
        return self.filter(entry__isnull=False)

    def public(self):
        """What everyone who may read the suggestion sees: the files it came with, and
        evidence marked public on a public timeline entry. The rest is internal, shown as
        internal timeline entries are (the ``proposals.see_internal_updates`` rule)."""
        return self.filter(Q(entry__isnull=True) | Q(is_public=True, entry__is_public=True))


class Attachment(models.Model):
    """A file of a suggestion: one it came with, or evidence on a timeline entry.

    Evidence is an attachment with ``entry`` set rather than a model of its own: the same
    checks on the way in (forms.sniff_attachment), the same private storage and the same
    download view, which serves a file only to those who may read the suggestion, and
    internal evidence only to those who see internal entries."""

    suggestion = models.ForeignKey(Suggestion, verbose_name=_("建言"), on_delete=models.CASCADE,
                                   related_name="attachments")
    entry = models.ForeignKey(
        SuggestionUpdate, verbose_name=_("办理记录"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="evidence",
        help_text=_("这份佐证材料所属的办理记录；随建言一起提交的附件此项为空。"))
    is_public = models.BooleanField(
        _("建言人可见"), default=True,
        help_text=_("佐证材料是否向建言人公开；内部办理记录上的材料始终不向建言人公开。"))
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"),
                                    on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.original_name

    @property
    def shown_to_submitter(self):
        """Whether the submitter (anyone who may read the suggestion) sees it; the same
        answer as ``Attachment.objects.public()``."""
        return self.entry_id is None or (self.is_public and self.entry.is_public)


class CalendarOverride(models.Model):
    """An admin's correction of the working-day calendar; wins over chinesecalendar."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'工作日' if self.is_working_day else '休息日'}"

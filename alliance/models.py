"""The alliance and its parts: units (6+12+6), members, venues and ethnic-unity buildings.

Everything hangs off an Alliance so that one deployment can serve a whole district; each
request shows one alliance (alliance.context.request_alliance says which), and staff roles are
held for an alliance (StaffRole).
"""

from collections import Counter

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alliance.roles import HELD_FOR_AN_ALLIANCE
from yichuan.choices import ChoiceLabelsMixin


class Alliance(models.Model):
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40)
    slug = models.SlugField(_("标识"), unique=True)
    subdistrict = models.CharField(_("所在街道"), max_length=60)
    founded = models.DateField(_("成立日期"), null=True, blank=True)
    intro = models.TextField(_("简介"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    host = models.CharField(
        _("专用域名"), max_length=253, unique=True, null=True, blank=True,
        help_text=_("访问这个域名时显示本联盟，例如 changfeng.example.cn；不填则按登录身份显示。"))
    # Counts the committed changes to the alliance's suggestions. The coordinators' work
    # queue keeps its rendered pages under this number (proposals.views.suggestion_list),
    # so a change shows on the next request and nothing waits for a cache to expire.
    queue_version = models.PositiveBigIntegerField(_("工作台版本"), default=0, editable=False)

    class Meta:
        verbose_name = _("联盟")
        verbose_name_plural = _("联盟")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # "" and None both mean "no host of its own"; only None may repeat under unique.
        self.host = (self.host or "").strip().lower() or None
        super().save(*args, **kwargs)

    def composition(self, units=None):
        """Where the alliance stands against its target, per unit kind.

        Returns a list of dicts ``{kind, label, target, actual, complete}`` in kind order;
        two queries whatever the number of units, one when the page already holds the
        alliance's active top-level ``units`` (alliance.selectors.units_by_kind).
        """
        targets = {t.kind: t.target for t in self.composition_targets.all()}
        if units is not None:
            counts = Counter(unit.kind for unit in units)
        else:
            counts = dict(
                self.units.filter(parent__isnull=True, is_active=True)
                .values_list("kind")
                .annotate(n=models.Count("id"))
                .values_list("kind", "n")
            )
        rows = []
        for kind, label in Unit.Kind.choices:
            target = targets.get(kind, 0)
            actual = counts.get(kind, 0)
            rows.append(
                {"kind": kind, "label": label, "target": target, "actual": actual,
                 "complete": actual >= target}
            )
        return rows


def unit_kind_choices():
    return Unit.Kind.choices


class CompositionTarget(models.Model):
    """The "6+12+6" target, kept as data so it can change without code."""

    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE,
                                 related_name="composition_targets")
    kind = models.CharField(_("类别"), max_length=20, choices=unit_kind_choices)
    target = models.PositiveSmallIntegerField(_("目标数量"))

    class Meta:
        verbose_name = _("组成目标")
        verbose_name_plural = _("组成目标")
        constraints = [
            models.UniqueConstraint(fields=["alliance", "kind"], name="uniq_target_per_kind"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.target}"


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def top_level(self):
        return self.filter(parent__isnull=True)


class Unit(ChoiceLabelsMixin, models.Model):
    class Kind(models.TextChoices):
        BRANCH = "branch", _("街道统战分会")
        ENTERPRISE = "enterprise", _("重点企事业单位")
        VOLUNTEER_TEAM = "volunteer_team", _("同心志愿服务团队")

    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.PROTECT,
                                 related_name="units")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    slug = models.SlugField(_("标识"), max_length=60, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级团队"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="children",
    )
    description = models.TextField(_("介绍"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员单位")
        verbose_name_plural = _("成员单位")
        ordering = ["kind", "order", "id"]
        indexes = [models.Index(fields=["alliance", "kind", "order"])]

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("alliance:unit_detail", kwargs={"slug": self.slug})


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Members whose record this user may see: coordinators those of the alliances
        they coordinate (admins everyone), a member only themselves."""
        from alliance.roles import coordinated_alliance_ids

        if not user.is_authenticated:
            return self.none()
        coordinated = coordinated_alliance_ids(user)
        if coordinated is None:
            return self
        return self.filter(models.Q(alliance_id__in=coordinated) | models.Q(user=user))


class Member(models.Model):
    """A person of the alliance (统战人士, enterprise contact, volunteer).

    Personal data is kept to the minimum; phone numbers are masked in lists and only
    coordinators see full contact data.
    """

    class Identity(models.TextChoices):
        RETURNED_OVERSEAS = "overseas", _("归侨侨眷")
        INTELLECTUAL = "intellectual", _("党外知识分子")
        NEW_SOCIAL_CLASS = "new_class", _("新的社会阶层人士")
        ETHNIC_MINORITY = "ethnic", _("少数民族人士")
        RELIGIOUS = "religious", _("宗教界人士")
        TAIWAN = "taiwan", _("台胞台属")
        ENTERPRISE = "enterprise", _("企事业单位代表")
        VOLUNTEER = "volunteer", _("志愿者")
        OTHER = "other", _("其他")

    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.PROTECT,
                                 related_name="members")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.SET_NULL,
        null=True, blank=True, related_name="member",
    )
    name = models.CharField(_("姓名"), max_length=50)
    identity = models.CharField(_("统战身份"), max_length=20, choices=Identity.choices,
                                default=Identity.OTHER)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    joined = models.DateField(_("加入日期"), null=True, blank=True)
    units = models.ManyToManyField(Unit, through="Membership", related_name="members")
    is_active = models.BooleanField(_("在册"), default=True)
    # 长辈模式 (DESIGN §8): the member's choice follows them to every browser they sign in on.
    senior_mode = models.BooleanField(_("长辈模式"), default=False)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员")
        verbose_name_plural = _("成员")
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def masked_phone(self):
        if len(self.phone) < 7:
            return "*" * len(self.phone)
        return f"{self.phone[:3]}****{self.phone[-4:]}"


class Membership(ChoiceLabelsMixin, models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("负责人")
        LIAISON = "liaison", _("联络员")
        MEMBER = "member", _("成员")

    member = models.ForeignKey(Member, verbose_name=_("成员"), on_delete=models.CASCADE,
                               related_name="memberships")
    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.CASCADE,
                             related_name="memberships")
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField(_("起始日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("单位成员关系")
        verbose_name_plural = _("单位成员关系")
        constraints = [
            models.UniqueConstraint(fields=["member", "unit"], name="uniq_membership"),
        ]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self):
        return f"{self.member} @ {self.unit} ({self.get_role_display()})"


class Venue(ChoiceLabelsMixin, models.Model):
    """A 阵地: a place the units run together (汇智沙龙, 民族团结楼, service stations)."""

    class Kind(models.TextChoices):
        SALON = "salon", _("汇智沙龙")
        UNITY = "unity", _("民族团结阵地")
        SERVICE = "service", _("志愿服务站")
        STUDY = "study", _("学习活动室")
        OTHER = "other", _("其他阵地")

    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.PROTECT,
                                 related_name="venues")
    name = models.CharField(_("名称"), max_length=100)
    slug = models.SlugField(_("标识"), max_length=60, unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    description = models.TextField(_("介绍"), blank=True)
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    units = models.ManyToManyField(Unit, verbose_name=_("共建单位"), blank=True,
                                   related_name="venues")

    class Meta:
        verbose_name = _("阵地")
        verbose_name_plural = _("阵地")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class UnityBuilding(models.Model):
    """A plaqued 民族团结文明楼组 with its residents' convention."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("已挂牌")
        RENEWING = "renewing", _("复评中")
        WITHDRAWN = "withdrawn", _("已摘牌")

    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.PROTECT,
                                 related_name="buildings")
    community = models.CharField(_("居委/小区"), max_length=60)
    building = models.CharField(_("楼组"), max_length=40)
    plaque_date = models.DateField(_("挂牌日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices,
                              default=Status.ACTIVE)
    households = models.PositiveSmallIntegerField(_("户数"), null=True, blank=True)
    ethnic_groups = models.CharField(_("居住民族"), max_length=200, blank=True)
    convention = models.TextField(_("楼组公约"), blank=True)

    class Meta:
        verbose_name = _("民族团结文明楼组")
        verbose_name_plural = _("民族团结文明楼组")
        ordering = ["community", "building"]
        constraints = [
            models.UniqueConstraint(fields=["alliance", "community", "building"],
                                    name="uniq_unity_building"),
        ]

    def __str__(self):
        return f"{self.community} {self.building}"


class StaffRole(models.Model):
    """A staff role held for one alliance (DESIGN §2): a person may coordinate or handle in
    several alliances, each a row. Admins and the district role are groups: they are not
    held for an alliance."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("账号"),
                             on_delete=models.CASCADE, related_name="staff_roles")
    alliance = models.ForeignKey(Alliance, verbose_name=_("联盟"), on_delete=models.CASCADE,
                                 related_name="staff_roles")
    role = models.CharField(_("角色"), max_length=20,
                            choices=[(r.value, r.label) for r in HELD_FOR_AN_ALLIANCE])

    class Meta:
        verbose_name = _("工作人员角色")
        verbose_name_plural = _("工作人员角色")
        constraints = [
            models.UniqueConstraint(fields=["user", "alliance", "role"],
                                    name="uniq_staff_role"),
        ]
        indexes = [models.Index(fields=["alliance", "role"])]

    def __str__(self):
        return f"{self.user} · {self.alliance.short_name} · {self.get_role_display()}"

"""The security audit trail: logins (success and failure), lockouts, permission denials,
and the imports of a roster (who wrote how many members, from the portal's roster page).

State changes of suggestions are audited in their own timeline (proposals.SuggestionUpdate),
which records who, when and what for every transition.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from yichuan.choices import ChoiceLabelsMixin


class AuditEntry(ChoiceLabelsMixin, models.Model):
    class Kind(models.TextChoices):
        LOGIN = "login", _("登录成功")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("账号锁定")
        LOGOUT = "logout", _("退出登录")
        DENIED = "denied", _("拒绝访问")
        ROSTER_IMPORTED = "roster_import", _("导入名册")

    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("用户"), null=True,
                             blank=True, on_delete=models.SET_NULL)
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    path = models.CharField(_("路径"), max_length=300, blank=True)
    # What an entry of its kind carries beyond who and where: a roster import's alliance
    # and counts (alliance.services.import_roster).
    details = models.JSONField(_("详情"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "-created_at"]),
                   models.Index(fields=["-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.username} {self.created_at:%Y-%m-%d %H:%M}"

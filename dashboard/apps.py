from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("统计看板")

    def ready(self):
        from dashboard import sections  # noqa: F401  (registers the unit page section)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("通知提醒")

    def ready(self):
        from notifications import sections  # noqa: F401  (registers the /me/ section)

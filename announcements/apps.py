from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnnouncementsConfig(AppConfig):
    name = "announcements"
    verbose_name = _("通知公告")

    def ready(self):
        from announcements import sections  # noqa: F401  (registers the home section)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    name = "volunteers"
    verbose_name = _("活动与志愿服务")

    def ready(self):
        from volunteers import reminders, rules, sections  # noqa: F401

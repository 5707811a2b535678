from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("直通车建言")

    def ready(self):
        # Registers the /me/, home and event-page sections and the reminder kinds.
        from proposals import reminders, sections  # noqa: F401

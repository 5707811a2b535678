from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("直通车建言")

    def ready(self):
        from proposals import sections  # noqa: F401  (registers /me/ and home sections)

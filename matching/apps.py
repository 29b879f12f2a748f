from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("供需匹配")

    def ready(self):
        from listings.panels import register_detail_panel
        from matching import receivers  # noqa: F401
        from matching.panels import MATCHES_PANEL

        register_detail_panel(MATCHES_PANEL)

from django.apps import AppConfig
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from matching import explain


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("供需匹配")

    def ready(self):
        from listings.panels import register_detail_panel
        from matching import receivers  # noqa: F401
        from matching.panels import MATCHES_PANEL

        register_detail_panel(MATCHES_PANEL)
        # The core stays free of Django, so the app hands it Django's gettext: the reasons
        # shown with a match are in the request's language.
        explain.use_translation(gettext)

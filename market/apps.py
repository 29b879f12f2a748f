from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketConfig(AppConfig):
    name = "market"
    verbose_name = _("市场网络")

    def ready(self):
        from market.spreadsheets import protect_wagtail_exports

        protect_wagtail_exports()

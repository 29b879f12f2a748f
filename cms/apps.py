from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("门户网站")

    def ready(self):
        from cms import receivers  # noqa: F401
        from cms.selectors import ListingPages
        from listings.locations import register_router

        register_router(ListingPages())

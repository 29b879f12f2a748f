from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("检索")

    def ready(self):
        from listings.signals import listing_changed
        from search.services import on_listing_changed

        listing_changed.connect(on_listing_changed, dispatch_uid="search.on_listing_changed")

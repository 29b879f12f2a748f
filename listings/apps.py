from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ListingsConfig(AppConfig):
    name = "listings"
    verbose_name = _("科技成果与技术需求")

    def ready(self):
        from listings import receivers  # noqa: F401

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrokersConfig(AppConfig):
    name = "brokers"
    verbose_name = _("技术经纪与交易")

    def ready(self):
        from brokers import receivers  # noqa: F401
        from brokers.selectors import demand_broker_users
        from listings.audiences import register_audience

        register_audience(demand_broker_users)

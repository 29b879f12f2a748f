from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrokersConfig(AppConfig):
    name = "brokers"
    verbose_name = _("技术经纪与交易")

    def ready(self):
        from brokers import receivers  # noqa: F401
        from brokers.panels import THREAD_PANEL
        from brokers.selectors import demand_broker_users
        from listings.audiences import register_audience
        from listings.panels import register_detail_panel

        register_audience(demand_broker_users)
        register_detail_panel(THREAD_PANEL)

        from brokers.choices import PaymentPurpose
        from brokers.services.bidding import deposit_settle
        from brokers.services.payments import register_payment_handler

        register_payment_handler(PaymentPurpose.DEPOSIT, deposit_settle)

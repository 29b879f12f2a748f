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

        from django_fsm.signals import post_transition

        from brokers.choices import PaymentPurpose
        from brokers.models import Deal
        from brokers.services import register_payment_handler
        from brokers.services.commissions import commission_book_payment, deal_signed

        register_payment_handler(PaymentPurpose.SERVICE_FEE, commission_book_payment)
        post_transition.connect(deal_signed, sender=Deal, dispatch_uid="brokers.commission_sign")

        from brokers.services.bidding import deposit_settle

        register_payment_handler(PaymentPurpose.DEPOSIT, deposit_settle)

        from brokers.lot_panel import LOT_PANEL

        register_detail_panel(LOT_PANEL)

"""The deal page's commissions panel, as one inclusion tag so the deal page only includes
it: the ledger lines (for the deal's brokers and operators), the buyer's service-fee
payment, and the parties' rating of the lead broker once the deal is closed."""

from django import template

from brokers import selectors, services
from brokers.choices import DealStage, PaymentPurpose
from brokers.models import BrokerRating
from brokers.services.commissions import FEE_STAGES
from brokers.views.commissions import RatingForm, ServiceFeeForm

register = template.Library()


@register.inclusion_tag("brokers/_deal_commissions.html", takes_context=True)
def deal_commissions(context, deal):
    user = context["request"].user
    may_work = services.may_work_deal(deal, user)
    may_pay = services.may_pay_service_fee(deal, user)
    party = services.rating_party(deal, user)
    rated = (
        party is not None and BrokerRating.objects.filter(deal=deal, organization_id=party).exists()
    )
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "deal": deal,
        "lines": list(selectors.deal_commission_lines(deal)) if may_work else None,
        "may_pay": may_pay and deal.stage in FEE_STAGES,
        "fee_form": ServiceFeeForm(),
        "payments": (
            deal.payments.filter(purpose=PaymentPurpose.SERVICE_FEE)
            if may_pay or may_work
            else None
        ),
        "may_rate": party is not None and deal.stage == DealStage.CLOSED and not rated,
        "rated": rated,
        "rating_form": RatingForm(),
    }


@register.filter
def hours_of(wait) -> float:
    """A timedelta in hours, for "中位 3.5 小时"."""
    return wait.total_seconds() / 3600


@register.filter
def tech_field_labels(codes) -> list[str]:
    from listings.choices import TechField

    labels = dict(TechField.choices)
    return [str(labels[c]) for c in codes or [] if c in labels]

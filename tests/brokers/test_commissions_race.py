"""Two provider callbacks for one service fee arriving at the same moment, in two real
transactions on PostgreSQL: the payment's row lock lets one settle it, and the ledger gets
the fee's lines once."""

from decimal import Decimal

import pytest
from django.test import Client

from brokers import services
from brokers.choices import CommissionBasis, CommissionLineKind
from brokers.models import CommissionLine, CommissionRule, Payment
from market.choices import OrganizationKind
from tests.brokers.commissions_support import open_deal, sign
from tests.concurrency import race
from tests.factories import BrokerFactory, OrganizationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]


def test_two_callbacks_at_once_book_the_fee_once(enterprise, university, enterprise_user):
    institution = OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION, market=enterprise.market
    )
    lead, partner = BrokerFactory(institution=institution), BrokerFactory(institution=institution)
    CommissionRule.objects.create(basis=CommissionBasis.SERVICE_FEE, rate=Decimal("40"))
    deal = open_deal(lead, buyer=enterprise, seller=university)
    deal.deal_brokers.filter(broker=lead).update(share=Decimal("50"))
    deal.deal_brokers.create(broker=partner, share=Decimal("50"))
    deal = sign(deal, lead.user)
    payment = services.service_fee_start(deal=deal, actor=enterprise_user, amount=Decimal("8000"))
    callback = f"/payments/process/{payment.token}/?verification_result=confirmed"

    def call():
        return Client().get(callback).status_code

    assert race(call, call) == [302, 302]
    payment = Payment.objects.get(pk=payment.pk)
    assert payment.settled_at is not None
    lines = CommissionLine.objects.filter(kind=CommissionLineKind.PAYMENT)
    assert sorted(lines.values_list("broker_id", "amount")) == [
        (lead.pk, Decimal("1600.00")),
        (partner.pk, Decimal("1600.00")),
    ]

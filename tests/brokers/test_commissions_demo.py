"""The demo's commissions: rules at every level, lines for the signed deals, ratings for the
closed ones, and a second run adds nothing."""

from decimal import Decimal

import pytest

from brokers.choices import (
    CommissionLevel,
    CommissionLineKind,
    ContractType,
    DealStage,
    RegistrationStatus,
)
from brokers.models import BrokerRating, CommissionLine, CommissionRule, TransferInstitution
from demo.commissions import demo_commissions
from market.choices import OrganizationKind
from tests.brokers.commissions_support import add_contract, force_stage, open_deal
from tests.factories import BrokerFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_demo_commissions(main_market, enterprise, university, enterprise_user):
    MembershipFactory(organization=university)
    institution = OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market
    )
    broker = BrokerFactory(institution=institution, grade="senior")
    deals = []
    for stage in (DealStage.LEAD, DealStage.SIGNED, DealStage.REGISTERED, DealStage.CLOSED):
        deal = open_deal(broker, buyer=enterprise, seller=university, amount="50")
        add_contract(
            deal,
            amount="50",
            contract_type=ContractType.CONSULTING,
            status=RegistrationStatus.REGISTERED,
        )
        deals.append(force_stage(deal, stage))

    made = demo_commissions(deals=deals)

    levels = {rule.level for rule in CommissionRule.objects.all()}
    assert levels == set(CommissionLevel.values)
    signing = CommissionLine.objects.filter(kind=CommissionLineKind.SIGNING)
    assert signing.count() == 3  # every deal from signing on
    assert {line.rule_level for line in signing} == {CommissionLevel.BROKER}
    fees = CommissionLine.objects.filter(kind=CommissionLineKind.PAYMENT)
    assert fees.count() == 2  # the registered and the closed deal paid their fee
    assert all(line.base == Decimal("10000.00") for line in fees)  # 2% of 500,000 元
    assert BrokerRating.objects.count() == 2  # the closed deal, rated by both sides
    assert TransferInstitution.objects.get(organization=institution).level == "national"
    assert made == {"rules": 7, "lines": 5, "ratings": 2}
    assert demo_commissions(deals=deals) == {"rules": 7, "lines": 0, "ratings": 0}

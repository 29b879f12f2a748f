"""The signing's commission line for deals whose signing is not the sign step with an
amount: a deal opened from a match (no amount when signed) books it when its contract is
entered, on the contract amount; a deal a winning bid opens at the signed stage books it
when its lot closes. Each deal books its signing once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from brokers import services
from brokers.choices import CommissionBasis, CommissionLineKind, DealStage
from brokers.models import CommissionLine, CommissionRule, Lot
from listings.choices import ListingStatus
from tests.brokers.contract_helpers import contract_fields, make_world, signed_deal
from tests.factories import AchievementFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(main_market):
    CommissionRule.objects.create(basis=CommissionBasis.CONTRACT, rate=Decimal("3"))
    return make_world(main_market)


def signings(deal):
    return list(CommissionLine.objects.filter(deal=deal, kind=CommissionLineKind.SIGNING))


def test_a_deal_signed_without_an_amount_books_when_its_contract_is_entered(world):
    deal = signed_deal(world)  # a lead without an expected amount, like a match's deal
    assert deal.expected_amount is None and signings(deal) == []
    services.contract_create(deal=deal, by=world["seller_user"], **contract_fields())
    [line] = signings(deal)
    assert line.base == Decimal("3000000.00")  # 300 万元
    assert line.amount == Decimal("90000.00")
    assert line.note == "合同成交额"


def test_a_deal_booked_at_signing_is_not_booked_again_by_its_contract(world):
    by = world["broker"].user
    deal = services.deal_open_lead(
        actor=by,
        title="正极材料专利转让",
        buyer=world["buyer"],
        seller=world["seller"],
        expected_amount=Decimal("100"),
    )
    for step in ("contact", "negotiate", "sign"):
        deal = services.deal_advance(deal=deal, transition=step, by=by)
    [booked] = signings(deal)
    services.contract_create(deal=deal, by=world["seller_user"], **contract_fields())
    assert signings(deal) == [booked]


def test_a_winning_bid_books_the_signing_once_when_the_lot_closes(world):
    seller_user = world["seller_user"]
    achievement = AchievementFactory(
        owner=world["seller"], status=ListingStatus.PUBLISHED, published_at=timezone.now()
    )
    lot = services.lot_list(
        achievement=achievement,
        actor=seller_user,
        reserve_price=Decimal("50"),
        increment=Decimal("5"),
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=1),
        deposit=Decimal("1000"),
        broker=world["broker"],
    )
    bidder = OrganizationFactory(name="竞买企业")
    user = MembershipFactory(organization=bidder).user
    q = services.lot_qualify(lot=lot, organization=bidder, actor=user)
    services.deposit_settle(q.payment)
    services.bid_place(lot=lot, organization=bidder, actor=user, amount=Decimal("60"))
    Lot.objects.filter(pk=lot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    lot = services.lot_close(lot=lot)
    assert lot.deal.stage == DealStage.SIGNED
    [line] = signings(lot.deal)
    assert line.broker == world["broker"]
    assert line.base == Decimal("600000.00") and line.amount == Decimal("18000.00")
    services.lot_close(lot=lot)
    services.commission_book_signing(deal=lot.deal)
    assert len(signings(lot.deal)) == 1

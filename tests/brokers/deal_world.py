"""The people and listings of a deal, shared by the deal tests: a university selling, an
enterprise buying, two brokers of one institution, and the deal between them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from brokers import services
from brokers.choices import ContractType, RegistrationStatus
from brokers.models import Broker, Contract, Deal, Lot
from listings.choices import ListingStatus
from listings.models import Achievement, Demand
from market.choices import OrganizationKind
from market.models import Market, Organization, User
from matching.models import Match
from tests.factories import (
    AchievementFactory,
    BrokerFactory,
    DemandFactory,
    MembershipFactory,
    OrganizationFactory,
)


@dataclass
class World:
    market: Market
    buyer: Organization
    seller: Organization
    buyer_user: User
    seller_user: User
    broker: Broker
    colleague: Broker
    demand: Demand
    achievement: Achievement


def make_world(*, main_market, university, enterprise, enterprise_user, university_user):
    institution = OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market, name="光谷技术转移中心"
    )
    broker = BrokerFactory(institution=institution, user__name="李文博", fields=["new_materials"])
    colleague = BrokerFactory(institution=institution, user__name="王晓燕", fields=["new_energy"])
    now = timezone.now()
    demand = DemandFactory(
        owner=enterprise,
        status=ListingStatus.PUBLISHED,
        published_at=now - timedelta(days=2),
        title="寻求高镍正极材料量产技术",
    )
    achievement = AchievementFactory(
        owner=university,
        status=ListingStatus.PUBLISHED,
        published_at=now - timedelta(days=3),
        title="高镍三元正极材料共沉淀制备方法",
    )
    return World(
        market=main_market,
        buyer=enterprise,
        seller=university,
        buyer_user=enterprise_user,
        seller_user=university_user,
        broker=broker,
        colleague=colleague,
        demand=demand,
        achievement=achievement,
    )


def lead_deal(world: World, *, by: Broker | None = None, **fields) -> Deal:
    """A broker's own lead between the world's buyer and seller."""
    broker = by or world.broker
    deal = services.deal_open_lead(
        actor=broker.user,
        title=fields.pop("title", "高镍正极材料技术转让"),
        buyer=world.buyer,
        seller=world.seller,
        achievement=world.achievement,
        demand=world.demand,
        expected_amount=Decimal("120"),
    )
    if fields:
        Deal.objects.filter(pk=deal.pk).update(**fields)
        deal.refresh_from_db()
    return deal


def add_broker(deal: Deal, broker: Broker, share: str = "50") -> None:
    deal.deal_brokers.create(broker=broker, share=Decimal(share))


def match_between(world: World) -> Match:
    match, _created = Match.objects.update_or_create(
        demand=world.demand,
        achievement=world.achievement,
        defaults={"market": world.market, "score": 0.82, "computed_at": timezone.now()},
    )
    return match


def registered_contract(deal: Deal, number: str = "42010020260001") -> Contract:
    """The deal's contract as the registry leaves it once registered (技术合同认定登记)."""
    return Contract.objects.create(
        deal=deal,
        market=deal.market,
        contract_type=ContractType.TRANSFER_PATENT,
        title=deal.title,
        buyer=deal.buyer,
        seller=deal.seller,
        signed_on=date(2026, 11, 2),
        term_start=date(2026, 11, 2),
        term_end=date(2027, 11, 1),
        amount=Decimal("120"),
        tech_amount=Decimal("110"),
        registration_status=RegistrationStatus.REGISTERED,
        registered_on=date(2026, 11, 20),
        registration_no=number,
    )


def member_of(organization: Organization) -> User:
    return MembershipFactory(organization=organization).user


def list_lot(
    owner: Organization,
    user: User,
    *,
    title: str = "一种固态电解质",
    closes_at=None,
    deposit: str = "5000",
    broker: Broker | None = None,
    achievement: Achievement | None = None,
) -> Lot:
    """A published achievement of `owner` listed for bidding by `user`: reserve 100万元,
    increment 5万元, open since an hour ago, closing in a day unless told."""
    if achievement is None:
        achievement = AchievementFactory(
            owner=owner, title=title, status=ListingStatus.PUBLISHED, published_at=timezone.now()
        )
    return services.lot_list(
        achievement=achievement,
        actor=user,
        reserve_price=Decimal("100"),
        increment=Decimal("5"),
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=closes_at or timezone.now() + timedelta(days=1),
        deposit=Decimal(deposit),
        broker=broker,
    )

"""What the targets tests share: a province of a main market and two sub-markets, with rows
for every figure in each, and the count a figure's own page lists."""

from __future__ import annotations

import re
from decimal import Decimal

from django.utils import timezone

from brokers import services as broker_services
from listings.choices import ListingStatus
from market.choices import OrganizationKind, OrganizationStatus
from tests.brokers.contract_helpers import accepted_contract, make_world
from tests.factories import (
    AchievementFactory,
    BrokerFactory,
    DemandFactory,
    OrganizationFactory,
)


def province(main_market) -> dict:
    world = make_world(main_market)  # wuhan and yichang; a broker of the main market
    wuhan, yichang = world["sub"], world["other_sub"]
    now = timezone.now()
    for market, n in ((wuhan, 2), (yichang, 1)):
        OrganizationFactory.create_batch(
            n, kind=OrganizationKind.TRANSFER_INSTITUTION, market=market
        )
    OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION,
        market=wuhan,
        status=OrganizationStatus.PENDING,
    )
    wuhan_institution = OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION, market=wuhan, name="武汉转移中心"
    )
    BrokerFactory.create_batch(2, institution=wuhan_institution)
    wuhan_university = OrganizationFactory(kind=OrganizationKind.UNIVERSITY, market=wuhan)
    yichang_enterprise = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, market=yichang)
    for i in range(3):
        AchievementFactory(
            owner=wuhan_university,
            status=ListingStatus.PUBLISHED,
            published_at=now,
            title=f"武汉成果{i}",
        )
    AchievementFactory(
        owner=wuhan_university, status=ListingStatus.CLOSED, published_at=now, title="武汉已关闭"
    )
    DemandFactory(owner=yichang_enterprise, status=ListingStatus.PUBLISHED, published_at=now)
    DemandFactory(status=ListingStatus.PUBLISHED, published_at=now)  # of the main market
    for title, amount in (("甲", "300"), ("乙", "120.50")):
        contract = accepted_contract(world, title=title, amount=amount)
        broker_services.contract_register(contract=contract, by=world["clerk"])
    return {**world, "wuhan": wuhan, "yichang": yichang}


COUNT = re.compile(r'<p class="count">共 (\d+) 条记录')
AMOUNT_CELL = re.compile(r'<td class="amount">([\d.]+)</td><td class="amount">')


def rows_page(client, url: str) -> tuple[int, str]:
    """The number of rows a figure's page says it lists, and the page."""
    body = client.get(url).content.decode()
    return int(COUNT.search(body).group(1)), body


def listed_amount(body: str) -> Decimal:
    return sum((Decimal(a) for a in AMOUNT_CELL.findall(body)), Decimal(0))

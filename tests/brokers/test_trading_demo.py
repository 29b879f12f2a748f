"""The trading demo builds what it promises."""

import pytest
from django.utils import timezone

from brokers.choices import DealStage, LotStatus
from demo.trading import build_trading_demo
from listings.choices import ListingStatus
from market.choices import OrganizationKind
from tests.factories import AchievementFactory, BrokerFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def test_trading_demo(
    university, university_user, enterprise, enterprise_user, other_enterprise,
    other_enterprise_user, main_market,
):  # fmt: skip
    broker = BrokerFactory(
        institution=OrganizationFactory(
            kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market
        )
    )
    achievements = [
        AchievementFactory(
            owner=university, status=ListingStatus.PUBLISHED, published_at=timezone.now()
        )
        for _ in range(3)
    ]
    built = build_trading_demo(
        broker=broker,
        seller_user=university_user,
        achievements=achievements,
        buyers=[(enterprise, enterprise_user), (other_enterprise, other_enterprise_user)],
    )
    notice = built["notice"]
    assert notice.is_running and notice.objections.get().answered_at is not None
    assert built["open_lot"].status == LotStatus.LISTED and built["open_lot"].bids.count() == 2
    closed = built["closed_lot"]
    assert closed.status == LotStatus.SOLD
    assert closed.deal.stage == DealStage.SIGNED and closed.deal.buyer == enterprise

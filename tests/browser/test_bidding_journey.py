"""Issue 13's second journey, in a real browser: a listing with bidding (挂牌竞价) from the
listing to the winning deal.

The seller lists its achievement from the achievement's page, two buyers qualify by paying
their deposit through the dummy provider and bid (one bid, from a page that did not know of
the other's, is refused with its message), the lot closes as the scheduler closes it, the
winner finds its deal at the contract stage and the loser its deposit refunded. Screenshots
land in test-artifacts/browser/bidding_journey_*.png."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from brokers import services
from brokers.choices import CommissionBasis, CommissionLineKind, DealStage, LotStatus
from brokers.models import CommissionLine, CommissionRule, Lot
from cms.site_builder import site_build
from market.choices import OrganizationKind
from tests.browser.test_deal_journey import no_english, person, signed_in
from tests.factories import AchievementFactory, BrokerFactory, OrganizationFactory, UserFactory
from tests.matching.conftest import BATTERY, published

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def world(main_market):
    site_build()
    seller = OrganizationFactory(
        kind=OrganizationKind.UNIVERSITY, name="江城大学", market=main_market
    )
    first = OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE, name="光谷新能源有限公司", market=main_market
    )
    second = OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE, name="楚天电池材料有限公司", market=main_market
    )
    broker = BrokerFactory(
        user=UserFactory(username="libroker", name="李文博"),
        institution__market=main_market,
        institution__name="光谷技术转移中心",
    )
    CommissionRule.objects.create(basis=CommissionBasis.CONTRACT, rate=Decimal("2"))
    return {
        "achievement": published(AchievementFactory, owner=seller, **BATTERY),
        "broker": broker,
        "seller_user": person("jcseller", "王老师", seller),
        "first": first,
        "first_user": person("gxbuyer", "赵经理", first),
        "second": second,
        "second_user": person("ctbuyer", "钱经理", second),
    }


def local_input(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def qualify(page, achievement_url, org_name):
    """From the achievement's page to the lot, sign up and pay the deposit."""
    page.goto(achievement_url)
    page.get_by_role("link", name="报名参与竞价").click()
    section = page.locator("section.bidder", has=page.get_by_role("heading", name=org_name))
    section.get_by_role("button", name="报名并缴纳保证金").click()
    page.get_by_role("heading", name="缴纳保证金", level=1).wait_for()
    no_english(page)
    page.get_by_role("button", name="确认支付（演示支付通道）").click()
    page.get_by_role("button", name="出价").wait_for()
    return section


def bid(section, amount):
    section.get_by_label("出价（万元）").fill(amount)
    section.get_by_role("button", name="出价").click()


def test_a_lot_runs_from_listing_to_the_winning_deal(browser, live_server, world, screenshot):
    achievement = world["achievement"]
    achievement_url = reverse("listings:detail", args=["achievement", achievement.pk])

    # The seller lists its achievement for bidding from the achievement's page.
    seller = signed_in(browser, live_server, world["seller_user"].username)
    seller.goto(achievement_url)
    seller.locator("section.lot-panel").get_by_role("link", name="挂牌竞价").click()
    now = timezone.now()
    seller.get_by_label("底价（万元）").fill("50")
    seller.get_by_label("加价幅度（万元）").fill("5")
    seller.get_by_label("保证金（元）").fill("10000")
    seller.get_by_label("竞价开始").fill(local_input(now - timedelta(minutes=5)))
    seller.get_by_label("竞价截止").fill(local_input(now + timedelta(hours=2)))
    seller.get_by_label("技术经纪人").select_option(label="李文博")
    screenshot(seller, "bidding_journey_1_listing_form")
    seller.get_by_role("button", name="挂牌").click()
    seller.get_by_text("已挂牌竞价。").wait_for()
    lot = Lot.objects.get(achievement=achievement)
    assert seller.locator("p .tag").inner_text() == "挂牌中"
    no_english(seller)
    screenshot(seller, "bidding_journey_2_listed")

    # Two buyers qualify with their deposits, through the dummy provider.
    first = signed_in(browser, live_server, world["first_user"].username)
    first_section = qualify(first, achievement_url, "光谷新能源有限公司")
    second = signed_in(browser, live_server, world["second_user"].username)
    second_section = qualify(second, achievement_url, "楚天电池材料有限公司")
    screenshot(second, "bidding_journey_3_qualified")

    # The first bids the reserve; the second, on a page that does not know it yet, bids
    # under the best plus the increment and is told why, then bids again.
    bid(first_section, "50")
    first.get_by_text("出价成功。").wait_for()
    bid(second_section, "52")
    refusal = "当前最高出价为 50.00 万元，加价幅度 5.00 万元，出价不能低于 55.00 万元。"
    second.get_by_text(refusal).wait_for()
    screenshot(second, "bidding_journey_4_bid_refused")
    second_section = second.locator(
        "section.bidder", has=second.get_by_role("heading", name="楚天电池材料有限公司")
    )
    bid(second_section, "60")
    second.get_by_text("出价成功。").wait_for()
    assert "¥60万元" in second.locator("dl.record").inner_text()
    screenshot(second, "bidding_journey_5_best_bid")

    # The closing time passes and the scheduler closes the lot.
    Lot.objects.filter(pk=lot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert services.lots_close_due() == 1
    lot.refresh_from_db()
    assert lot.status == LotStatus.SOLD

    # The winner finds its deal at the contract stage ...
    second.reload()
    won = second.locator("section.bidder")
    assert "已竞得" in won.inner_text()
    screenshot(second, "bidding_journey_6_winner_lot")
    won.get_by_role("link", name="查看交易").click()
    second.get_by_role("heading", name=lot.deal.title, level=1).wait_for()
    assert second.locator("p .tag").first.inner_text() == "签约"
    assert "挂牌竞价" in second.locator("main").inner_text()
    panel = second.locator("section.contract-panel")
    assert "合同由卖方或技术经纪人填写" in panel.inner_text()
    assert panel.get_by_role("link").count() == 0  # the buyer does not enter the contract
    no_english(second)
    screenshot(second, "bidding_journey_7_winner_deal")
    assert lot.deal.stage == DealStage.SIGNED
    assert lot.deal.buyer_id == world["second"].pk
    # ... booked, as any deal is at its signing, once.
    signing = CommissionLine.objects.filter(deal=lot.deal, kind=CommissionLineKind.SIGNING)
    assert [line.amount for line in signing] == [Decimal("12000.00")]  # 2% of 60 万元

    # ... and the loser its deposit refunded.
    first.reload()
    lost = first.locator("section.bidder")
    assert lost.locator(".deposit-status").inner_text() == "已退款"
    assert "未竞得" in lost.inner_text()
    assert first.get_by_role("link", name="查看交易").count() == 0
    no_english(first)
    screenshot(first, "bidding_journey_8_loser_refunded")

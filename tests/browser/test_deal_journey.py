"""Issue 13's first "done when", in a real browser: a broker takes a match to a registered,
paid and closed deal, and the enterprise sees the deal on its side.

The world (markets, organisations, people, a published demand and achievement, the engine's
match and the demand's broker) is made with factories and services; every step a person
takes is taken on the page, signed in through the login page. Screenshots land in
test-artifacts/browser/deal_journey_*.png."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from brokers import services
from brokers.choices import (
    CommissionBasis,
    CommissionLineKind,
    DealStage,
    DocumentKind,
    RegistrationStatus,
)
from brokers.models import CommissionLine, CommissionRule, Contract, Deal
from cms.site_builder import site_build
from market.choices import OrganizationKind, Role
from market.models import Membership
from matching import services as matching_services
from matching.models import Match
from tests.factories import (
    AchievementFactory,
    BrokerFactory,
    DemandFactory,
    OrganizationFactory,
    SubMarketFactory,
    UserFactory,
)
from tests.matching.conftest import BATTERY, NEED, published

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def person(username, name, organization, role=Role.ORG_ADMIN, market=None):
    user = UserFactory(username=username, name=name)
    Membership.objects.create(user=user, organization=organization, role=role, market=market)
    return user


@pytest.fixture
def world(main_market):
    site_build()
    sub = SubMarketFactory(
        parent=main_market, name="武汉分市场", code="wuhan", region_code="420100"
    )
    seller = OrganizationFactory(kind=OrganizationKind.UNIVERSITY, name="江城大学", market=sub)
    buyer = OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE, name="光谷新能源有限公司", market=main_market
    )
    window = OrganizationFactory(
        kind=OrganizationKind.OPERATOR, name="武汉分市场服务窗口", market=sub
    )
    broker = BrokerFactory(
        user=UserFactory(username="libroker", name="李文博"),
        institution__market=main_market,
        institution__name="光谷技术转移中心",
        fields=["new_materials"],
    )
    achievement = published(AchievementFactory, owner=seller, **BATTERY)
    demand = published(DemandFactory, owner=buyer, market=main_market, **NEED)
    matching_services.rematch_all()
    match = Match.objects.get(demand=demand, achievement=achievement, demand_rank=1)
    assignment = services.demand_assign_broker(demand=demand, email=False)
    assert assignment.broker == broker
    CommissionRule.objects.create(basis=CommissionBasis.CONTRACT, rate=Decimal("2"))
    CommissionRule.objects.create(basis=CommissionBasis.SERVICE_FEE, rate=Decimal("50"))
    return {
        "match": match,
        "assignment": assignment,
        "broker": broker,
        "seller_user": person("jcseller", "王老师", seller),
        "buyer_user": person("gxbuyer", "赵经理", buyer),
        "clerk": person("whclerk", "窗口小陈", window, Role.WINDOW_CLERK, sub),
    }


def signed_in(browser, live_server, username):
    page = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/mine/$"))
    return page


def advance(page, label, stage_label):
    page.get_by_role("button", name=label, exact=True).click()
    page.get_by_text(f"已推进到“{stage_label}”。").wait_for()
    assert page.locator("p .tag").first.inner_text() == stage_label


def upload(page, *, stage, kind, name):
    documents = page.locator("#documents")
    documents.get_by_label("所属阶段").select_option(label=stage)
    documents.get_by_label("文件类型").select_option(label=kind)
    documents.locator("input[type=file]").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": PDF}
    )
    documents.get_by_role("button", name="上传文件").click()
    page.get_by_text("文件已上传。").wait_for()
    assert documents.get_by_role("link", name=name).is_visible()


# The names of file formats are what they are in Chinese too.
FORMAT_NAMES = {"PDF", "pdf", "Word", "Excel", "docx", "xlsx"}


def no_english(page):
    """No English word in the page's visible text (the UI is Chinese first)."""
    text = page.locator("main").inner_text()
    words = set(re.findall(r"[A-Za-z]{3,}", text)) - FORMAT_NAMES
    assert not words, words


def test_a_broker_takes_a_match_to_a_closed_deal_and_the_enterprise_sees_it(
    browser, live_server, world, screenshot
):
    match = world["match"]

    # The broker opens the demand given to them, marks the match contacted, then a deal.
    broker = signed_in(browser, live_server, world["broker"].user.username)
    broker.goto(f"/brokers/assignments/{world['assignment'].pk}/")
    row = broker.locator(f"#match-{match.pk}")
    row.get_by_text(BATTERY["title"], exact=True).wait_for()
    row.get_by_role("button", name="标记已联系").click()
    row.get_by_role("button", name="标记已成交").wait_for()
    screenshot(broker, "deal_journey_1_match_contacted")
    row.get_by_role("button", name="标记已成交").click()
    broker.get_by_text("已开启交易").wait_for()
    deal = Deal.objects.get(match=match)
    broker.wait_for_url(re.compile(rf"/brokers/deals/{deal.pk}/$"))
    assert broker.locator("p .tag").first.inner_text() == "线索"
    assert "江城大学" in broker.locator("dl.record").inner_text()
    screenshot(broker, "deal_journey_2_deal_opened")

    # lead → contacted → negotiation, the draft contract filed on the way, → signed.
    advance(broker, "已对接", "对接")
    advance(broker, "进入洽谈", "洽谈")
    upload(broker, stage="洽谈", kind="合同文本", name="专利实施许可合同.pdf")
    screenshot(broker, "deal_journey_3_negotiation_with_contract_text")
    advance(broker, "签订合同", "签约")
    screenshot(broker, "deal_journey_4_signed")

    # The contract, with its income assessment form (技术性收入核定表).
    broker.get_by_role("link", name="填写合同及技术性收入核定表").click()
    broker.get_by_role("heading", name="填写合同", level=1).wait_for()
    today = timezone.localdate()
    broker.get_by_label("合同类型").select_option(label="技术转让（专利实施许可）")
    broker.get_by_label("合同名称").fill("高镍三元正极材料制备技术专利实施许可合同")
    broker.get_by_label("签订日期").fill(today.isoformat())
    broker.get_by_label("履行期起").fill(today.isoformat())
    broker.get_by_label("履行期止").fill((today + timedelta(days=365)).isoformat())
    broker.get_by_label("成交额（万元）").fill("80")
    broker.locator("[name=lines-0-kind]").select_option(label="设备、仪器")
    broker.locator("[name=lines-0-description]").fill("中试反应釜一台")
    broker.locator("[name=lines-0-amount]").fill("12.5")
    screenshot(broker, "deal_journey_5_contract_form")
    broker.get_by_role("button", name="保存合同").click()
    broker.get_by_text("合同及技术性收入核定表已保存。").wait_for()
    assert broker.locator("#tech-amount").inner_text() == "¥67.5万元"
    checklist = broker.locator("ul.checklist")
    assert checklist.locator("li[data-met=false]").count() == 1  # the patent's proof
    screenshot(broker, "deal_journey_6_contract_checklist")
    contract = Contract.objects.get(deal=deal)

    # The seller files the proof and applies for registration with the checklist complete.
    seller = signed_in(browser, live_server, world["seller_user"].username)
    seller.goto(f"/brokers/deals/{deal.pk}/")
    upload(seller, stage="签约", kind="证明材料", name="专利证书.pdf")
    seller.get_by_role("link", name=contract.title).click()
    assert seller.locator("ul.checklist li[data-met=false]").count() == 0
    seller.get_by_role("button", name="申请认定登记").click()
    seller.get_by_text("已提交认定登记申请。").wait_for()
    assert seller.locator("[data-status]").inner_text() == "已申请"
    screenshot(seller, "deal_journey_7_seller_applied")

    # The registry (a clerk of the seller's sub-market) accepts and registers it ...
    clerk = signed_in(browser, live_server, world["clerk"].username)
    clerk.goto("/brokers/contracts/registry/")
    screenshot(clerk, "deal_journey_8_registry_queue")
    clerk.get_by_role("link", name=contract.title).click()
    clerk.get_by_role("button", name="受理").click()
    clerk.get_by_text("已受理，办结期限 30 日。").wait_for()
    assert clerk.locator("#decision-deadline").is_visible()
    clerk.get_by_role("button", name="予以登记").click()
    clerk.get_by_text("已予以登记。").wait_for()
    number = clerk.locator("#registration-no").inner_text()
    assert re.fullmatch(r"\d{4}420100\d{6}", number), number
    history = clerk.locator("main table").last.inner_text()
    assert "窗口小陈" in history and "王老师" in history and "whclerk" not in history
    screenshot(clerk, "deal_journey_9_registered")
    # ... and reads the deal it belongs to, without a step to take on it.
    clerk.locator("nav.crumbs").get_by_role("link").click()
    clerk.get_by_role("heading", name=deal.title, level=1).wait_for()
    assert clerk.locator("p .tag").first.inner_text() == "认定登记"
    assert clerk.get_by_role("link", name="专利证书.pdf").is_visible()
    steps = re.compile("推进|履约|上传|流失")
    assert clerk.get_by_role("button").filter(has_text=steps).count() == 0
    assert clerk.locator("#documents form").count() == 0
    assert clerk.locator("#registry-read-only").is_visible()
    assert clerk.get_by_role("heading", name="服务费与佣金").count() == 0
    no_english(clerk)
    screenshot(clerk, "deal_journey_10_registry_reads_the_deal")

    # The buyer pays the brokers' service fee through the dummy provider.
    buyer = signed_in(browser, live_server, world["buyer_user"].username)
    buyer.goto(f"/brokers/deals/{deal.pk}/")
    assert buyer.get_by_role("link", name="填写合同及技术性收入核定表").count() == 0
    buyer.get_by_label("服务费金额（元）").fill("8000")
    buyer.get_by_role("button", name="缴纳技术经纪服务费").click()
    buyer.get_by_role("heading", name="技术经纪服务费", level=1).wait_for()
    no_english(buyer)
    screenshot(buyer, "deal_journey_11_payment_page")
    buyer.get_by_role("button", name="确认支付（演示支付通道）").click()
    buyer.wait_for_url(re.compile(rf"/brokers/deals/{deal.pk}/$"))
    assert "已支付" in buyer.locator("table.fee-payments").inner_text()
    screenshot(buyer, "deal_journey_12_fee_paid")

    # The broker sees the ledger, and takes the deal to performed and closed.
    broker.goto(f"/brokers/deals/{deal.pk}/")
    ledger = broker.locator("table.commission-lines")
    assert "签约计提" in ledger.inner_text()
    assert "服务费到账计提" in ledger.inner_text()
    advance(broker, "履约完成", "履约")
    advance(broker, "关闭交易", "已完成")
    no_english(broker)
    screenshot(broker, "deal_journey_13_closed_with_ledger")
    lines = {line.kind: line for line in CommissionLine.objects.filter(deal=deal)}
    assert set(lines) == {CommissionLineKind.SIGNING, CommissionLineKind.PAYMENT}
    assert lines[CommissionLineKind.SIGNING].base == Decimal("800000.00")  # 80 万元
    assert lines[CommissionLineKind.SIGNING].amount == Decimal("16000.00")
    assert lines[CommissionLineKind.PAYMENT].amount == Decimal("4000.00")
    contract.refresh_from_db()
    assert contract.registration_status == RegistrationStatus.REGISTERED
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.CLOSED
    assert deal.documents.filter(kind=DocumentKind.PROOF).exists()

    # The enterprise finds the deal on its board, with its stage and its contract.
    buyer.goto("/brokers/deals/")
    assert buyer.get_by_text("可以把卡片拖到下一阶段").count() == 0
    closed = buyer.locator('section.deal-column[data-stage="closed"]')
    closed.scroll_into_view_if_needed()
    assert closed.locator(".deal-card").count() == 1
    screenshot(buyer, "deal_journey_14_enterprise_board")
    closed.get_by_role("link", name=deal.title).click()
    buyer.get_by_role("heading", name=deal.title, level=1).wait_for()
    assert buyer.locator("p .tag").first.inner_text() == "已完成"
    panel = buyer.locator("section.contract-panel")
    assert contract.title in panel.inner_text()
    assert "已登记" in panel.inner_text() and number in panel.inner_text()
    assert buyer.get_by_role("button", name=re.compile("推进|履约完成|关闭交易")).count() == 0
    no_english(buyer)
    screenshot(buyer, "deal_journey_15_enterprise_sees_the_deal")

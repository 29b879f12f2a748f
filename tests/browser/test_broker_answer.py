"""The promise the market makes: a demand's broker answers, the enterprise is told, reads
the answer on its demand's page and replies; the broker sees the reply. Screenshots land in
test-artifacts/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from brokers import services
from brokers.models import BrokerMessage
from cms.site_builder import site_build
from listings.choices import ListingStatus
from tests.factories import BrokerFactory, DemandFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"
ANSWER = (
    "您好，我是负责该需求的技术经纪人李文博。已为您初步匹配到3项隔膜涂覆相关成果，"
    "建议本周安排线上对接。"
)
OWNER_REPLY = "谢谢！周四下午两点线上对接可以，请把成果资料先发到我的邮箱。"


def login(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/mine/$"))


@pytest.fixture
def assignment(main_market, enterprise):
    site_build()
    broker = BrokerFactory(
        user=UserFactory(
            username="libroker", name="李文博", phone="13800000001", email="li@broker.example.cn"
        ),
        institution__market=main_market,
        institution__name="光谷技术转移中心",
        fields=["new_materials"],
    )
    demand = DemandFactory(
        owner=enterprise,
        market=main_market,
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=3),
        title="寻求锂电池隔膜陶瓷涂覆技术",
        field="new_materials",
    )
    assignment = services.demand_assign_broker(demand=demand, email=False)
    assert assignment.broker == broker
    return assignment


def test_broker_answers_owner_reads_and_replies_broker_sees_it(
    browser, live_server, page, assignment, enterprise_user, screenshot
):
    # The broker answers from the assignment page.
    broker_page = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    broker_page.set_default_timeout(15_000)
    login(broker_page, "libroker")
    broker_page.goto(f"/brokers/assignments/{assignment.pk}/")
    broker_page.get_by_label(re.compile(r"^答复内容")).fill(ANSWER)
    screenshot(broker_page, "answer-1-broker-writes")
    broker_page.get_by_role("button", name="发送答复").click()
    broker_page.get_by_text("答复已发送给需求方。").wait_for()
    assert broker_page.locator("#thread .thread-message").count() == 1

    # The enterprise's person signs in and is told, in the header and on the list.
    login(page, enterprise_user.username)
    badge = page.locator("#notifications-badge")
    assert badge.inner_text() == "1"
    assert page.locator("#notifications-badge-label").inner_text() == "1 条未读通知"
    screenshot(page, "answer-2-owner-header-badge")
    page.locator("#notifications-link").click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    notice = page.get_by_role("link", name="技术经纪人李文博答复了“寻求锂电池隔膜陶瓷涂覆技术”")
    notice.wait_for()
    assert page.locator("#notification-list li").count() == 1
    screenshot(page, "answer-3-owner-notification")

    # The notice opens the demand's page at the thread: the broker and the answer.
    notice.click()
    page.wait_for_url(re.compile(r"#broker-thread$"))
    panel = page.locator("#broker-thread")
    assert panel.locator(".broker-name").inner_text() == "李文博（初级）"
    assert panel.get_by_role("link", name="13800000001").is_visible()
    assert panel.get_by_role("link", name="li@broker.example.cn").is_visible()
    message = panel.locator(".thread-message").first
    assert message.locator(".author").inner_text() == "李文博"
    assert message.locator(".side").inner_text() == "技术经纪人"
    assert message.get_by_text(ANSWER).is_visible()
    screenshot(page, "answer-4-owner-reads-answer")

    # The owner replies; a double click still sends one message.
    panel.get_by_label(re.compile(r"^留言内容")).fill(OWNER_REPLY)
    panel.get_by_role("button", name="发送留言").dblclick()
    page.get_by_text("留言已发送给技术经纪人。").wait_for()
    page.wait_for_load_state("networkidle")
    thread = page.locator("#broker-thread .thread-message")
    assert thread.count() == 2
    assert thread.nth(1).locator(".side").inner_text() == "需求方"
    assert thread.nth(1).get_by_text(OWNER_REPLY).is_visible()
    screenshot(page, "answer-5-owner-replied")
    assert list(BrokerMessage.objects.order_by("pk").values_list("side", "body")) == [
        ("broker", ANSWER),
        ("owner", OWNER_REPLY),
    ]

    # The broker is told, and reads the reply on the assignment page; the "new demand"
    # notice shows as handled now that the demand has its answer.
    broker_page.goto("/notifications/")
    broker_page.get_by_role(
        "link", name="测试企业回复了需求“寻求锂电池隔膜陶瓷涂覆技术”"
    ).wait_for()
    done = broker_page.locator("#notification-list li.done")
    assert done.count() == 1
    assert done.get_by_text("已处理").is_visible()
    assert "新需求待答复" in done.inner_text()
    screenshot(broker_page, "answer-6-broker-notifications")
    broker_page.get_by_role("link", name="测试企业回复了需求“寻求锂电池隔膜陶瓷涂覆技术”").click()
    broker_page.wait_for_url(re.compile(rf"/brokers/assignments/{assignment.pk}/$"))
    reply = broker_page.locator("#thread .thread-message").nth(1)
    assert reply.locator(".side").inner_text() == "需求方"
    assert reply.get_by_text(OWNER_REPLY).is_visible()
    screenshot(broker_page, "answer-7-broker-sees-reply")
    broker_page.context.close()

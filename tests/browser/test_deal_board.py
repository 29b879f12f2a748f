"""The deal board in a real browser: a broker drags a card to the next stage, a refused drop
puts the card back with its message, and a colleague's move shows up without reloading.
daphne serves the site and the websocket in its own process, so the channel layer is Redis
and the database a real one."""

import os
import threading

import pytest
from channels.testing import ChannelsLiveServerTestCase
from django.db import connection

from brokers import services
from brokers.choices import DealStage
from brokers.models import Deal
from market.choices import OrganizationKind
from tests.brokers.deal_world import add_broker, lead_deal, make_world
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import MarketFactory, MembershipFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.postgres]


class DealBoardTests(ChannelsLiveServerTestCase):
    serialized_rollback = True

    @classmethod
    def setUpClass(cls):
        from django.conf import settings

        # pytest-django has already pointed NAME at the test database; the server process
        # would prefix it again.
        db = settings.DATABASES["default"]
        db["TEST"]["NAME"] = db["NAME"]
        super().setUpClass()

    def test_a_broker_drags_cards_and_sees_a_colleague_move_one(self):
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM beside Playwright's loop
        from playwright.sync_api import sync_playwright

        market = MarketFactory()
        university = OrganizationFactory(kind=OrganizationKind.UNIVERSITY, market=market)
        enterprise = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, market=market)
        world = make_world(
            main_market=market,
            university=university,
            enterprise=enterprise,
            enterprise_user=MembershipFactory(organization=enterprise).user,
            university_user=MembershipFactory(organization=university).user,
        )
        dragged = lead_deal(world, title="隔膜涂覆技术转让")
        skipped = lead_deal(world, title="固态电解质技术许可")
        shared = lead_deal(world, title="钠离子电池负极材料", stage=DealStage.CONTACTED)
        add_broker(shared, world.colleague)

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(base_url=self.live_server_url, locale="zh-CN")
            page.set_default_timeout(15_000)
            page.goto("/accounts/login/")
            page.get_by_label("用户名").fill(world.broker.user.username)
            page.get_by_label("密码").fill("pw-123456")
            page.get_by_role("button", name="登录").click()
            page.goto("/brokers/deals/")
            status = page.locator("#deal-board-status")

            page.locator(f"#deal-{dragged.pk} a").drag_to(
                page.locator('.deal-cards[data-stage="contacted"]')
            )
            page.locator(f'.deal-cards[data-stage="contacted"] #deal-{dragged.pk}').wait_for()
            page.get_by_text("已推进到“对接”。").wait_for()
            dragged.refresh_from_db()
            assert dragged.stage == DealStage.CONTACTED

            # Two stages at once is no step of the table: the card goes back.
            page.locator(f"#deal-{skipped.pk} a").drag_to(
                page.locator('.deal-cards[data-stage="negotiation"]')
            )
            page.get_by_text("只能把交易推进到下一阶段。", exact=False).wait_for()
            page.locator(f'.deal-cards[data-stage="lead"] #deal-{skipped.pk}').wait_for()
            assert "error" in (status.get_attribute("class") or "")
            skipped.refresh_from_db()
            assert skipped.stage == DealStage.LEAD

            # From another thread, as the colleague's own request would.
            def colleague_moves():
                services.deal_advance(
                    deal=Deal.objects.get(pk=shared.pk),
                    transition="negotiate",
                    by=world.colleague.user,
                    expected_stage="contacted",
                )
                connection.close()

            mover = threading.Thread(target=colleague_moves)
            mover.start()
            mover.join()
            page.locator(f'.deal-cards[data-stage="negotiation"] #deal-{shared.pk}').wait_for()
            page.get_by_text("王晓燕把“钠离子电池负极材料”推进到“洽谈”。").wait_for()
            browser.close()

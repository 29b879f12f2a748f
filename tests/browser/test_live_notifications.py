"""The header's notification badge, live in a real browser: daphne serves the site and the
websocket in its own process, the test sends a notification, the open page shows it without
reloading. Across processes the channel layer must be Redis, and the database a real one."""

import os
import threading

import pytest
from channels.testing import ChannelsLiveServerTestCase
from django.db import connection

from market.services import notify
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.postgres]


class LiveNotificationTests(ChannelsLiveServerTestCase):
    serialized_rollback = True

    @classmethod
    def setUpClass(cls):
        from django.conf import settings

        # pytest-django has already pointed NAME at the test database; the server process
        # would prefix it again.
        db = settings.DATABASES["default"]
        db["TEST"]["NAME"] = db["NAME"]
        super().setUpClass()

    def test_a_new_notification_appears_in_the_badge_and_the_list_without_reload(self):
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM beside Playwright's loop
        from playwright.sync_api import sync_playwright

        user = UserFactory(username="live-user")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            page = browser.new_page(base_url=self.live_server_url, locale="zh-CN")
            page.set_default_timeout(15_000)
            page.goto("/accounts/login/")
            page.get_by_label("用户名").fill(user.username)
            page.get_by_label("密码").fill("pw-123456")
            page.get_by_role("button", name="登录").click()
            page.goto("/notifications/")
            badge = page.locator("#notifications-badge")
            assert badge.is_hidden()
            page.get_by_text("暂无通知。").wait_for()
            page.wait_for_timeout(500)  # let the websocket connect

            # From another thread, as a worker would: this one runs Playwright's event loop.
            def send():
                notify(recipient=user, verb="match.new", title="新匹配：“高镍三元正极材料”")
                connection.close()

            sender = threading.Thread(target=send)
            sender.start()
            sender.join()
            badge.wait_for(state="visible")
            assert badge.inner_text() == "1"
            # what a screen reader says for the badge follows it
            assert page.locator("#notifications-badge-label").inner_text() == "1 条未读通知"
            page.locator("#notification-list").get_by_text("新匹配：“高镍三元正极材料”").wait_for()
            browser.close()

"""An operator opens the window compliance dashboard in a real browser: the charts are
drawn (ECharts), and the overdue figure opens the one overdue item behind it. Screenshots
land in test-artifacts/browser/."""

import re

import pytest
from django.utils import timezone

from tests.windows.compliance_rows import D, build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"


def test_operator_sees_the_charts_and_opens_the_overdue_items(
    page, main_market, operator, screenshot
):
    now = timezone.now()
    build_world(main_market, now)
    today = timezone.localdate()
    page.goto("/admin/login/")
    page.locator("#id_username").fill(operator.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto(f"/windows/compliance/?from={(today - 60 * D).isoformat()}&to={today.isoformat()}")

    for chart in ("chart-window", "chart-standard", "chart-month", "chart-levels"):
        drawn = page.locator(f'[data-chart="{chart}"]')
        drawn.locator("canvas").first.wait_for()
        assert drawn.is_visible()
    assert page.locator("#figure-share").inner_text() == "66.7%"
    screenshot(page, "window-compliance-dashboard")

    page.locator('#compliance-summary a[data-figure="overdue"]').click()
    page.wait_for_url(re.compile(r"/windows/compliance/rows/overdue/"))
    assert page.locator("#rows-count strong").inner_text() == "1"
    assert page.locator("#rows tbody tr[data-row]").count() == 1
    assert "TEST/A 事项0" in page.locator("#rows").inner_text()
    screenshot(page, "window-compliance-overdue-rows")

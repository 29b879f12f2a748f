"""An operator works the 48-hour dashboard: a demand months past its deadline stands out in
red with how long it is overdue, and the operator gives it to another broker than the one
proposed, through the confirm page. Screenshots land in test-artifacts/browser/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from brokers import services
from listings.choices import ListingStatus
from market.choices import OrganizationKind
from market.models import TransitionLog
from tests.factories import (
    BrokerFactory,
    DemandFactory,
    OrganizationFactory,
    SubMarketFactory,
    UserFactory,
    make_operator,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"


def test_operator_reassigns_an_overdue_demand_to_a_broker_of_their_choice(
    page, main_market, operator, operator_org, enterprise, screenshot
):
    sub = SubMarketFactory(parent=main_market, name="武汉分市场")
    near = OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market, name="省技术转移中心"
    )
    far = OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION, market=sub, name="武汉技术转移所"
    )
    slow = BrokerFactory(institution=near, fields=["new_materials"], user=UserFactory(name="王慢"))
    proposed = BrokerFactory(
        institution=far, fields=["new_materials"], user=UserFactory(name="李专家")
    )
    chosen = BrokerFactory(
        institution=near, fields=["bio_medicine"], user=UserFactory(name="赵通才")
    )
    # Published 70 days ago: its 48 hours ran out 68 days, 5 hours and some minutes ago.
    overdue = DemandFactory(
        owner=enterprise,
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now() - timedelta(days=70, hours=5, minutes=10),
        title="高镍正极材料循环寿命提升",
    )
    assignment = services.demand_assign_broker(demand=overdue)
    assert assignment.broker == slow
    fresh = DemandFactory(
        owner=enterprise,
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now(),
        title="电池回收湿法冶金工艺",
    )
    services.demand_assign_broker(demand=fresh)

    page.goto("/admin/login/")
    page.locator("#id_username").fill(operator.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/$"))
    page.goto("/admin/response/")

    row = page.locator(f'tr[data-demand="{overdue.pk}"]')
    assert row.get_attribute("class") == "response-row--overdue"
    assert row.locator(".response-overdue-by").inner_text() == "68天5小时"
    badge = row.locator(".response-badge--overdue")
    assert badge.inner_text() == "已超时"
    # Red, not Wagtail's light-blue label.
    assert badge.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(217, 48, 37)"
    other = page.locator(f'tr[data-demand="{fresh.pk}"]')
    assert other.get_attribute("class") is None
    assert other.locator("td[data-overdue-by]").inner_text() == "—"
    assert row.get_by_role("link", name=overdue.title).get_attribute("href") == (
        f"/listings/demand/{overdue.pk}/"
    )
    screenshot(page, "response-1-dashboard-overdue-red")

    row.get_by_role("link", name="改派").click()
    page.wait_for_url(re.compile(rf"/admin/response/{overdue.pk}/reassign/$"))
    page.get_by_text("逾期 68天5小时").wait_for()
    assert page.locator("li[data-proposed]").get_attribute("data-broker") == str(proposed.pk)
    assert page.get_by_label(re.compile("李专家")).is_checked()
    assert page.locator("#id_reason").input_value() == "超过48小时仍未答复"
    screenshot(page, "response-2-confirm-proposes")

    page.get_by_label(re.compile("赵通才")).check()
    page.locator("#id_reason").fill("请省中心的经纪人就近跟进")
    screenshot(page, "response-3-confirm-chosen")
    page.get_by_role("button", name="确认改派").click()
    page.wait_for_url(re.compile(r"/admin/response/$"))
    page.get_by_text("已改派给 赵通才。").wait_for()
    row = page.locator(f'tr[data-demand="{overdue.pk}"]')
    assert row.locator("td").nth(3).inner_text() == "赵通才"
    # The deadline is the demand's: still overdue by as long, now with the new broker.
    assert row.get_attribute("class") == "response-row--overdue"
    assert row.locator(".response-overdue-by").inner_text() == "68天5小时"
    screenshot(page, "response-4-reassigned")

    active = overdue.assignments.get(active=True)
    assert (active.broker, active.assigned_by) == (chosen, operator)
    log = TransitionLog.objects.get(object_id=overdue.pk, transition="reassign_broker")
    assert log.reason == "王慢 → 赵通才：请省中心的经纪人就近跟进"

    # Meanwhile a colleague gives the other demand away while this operator's page is open:
    # the operator's confirm is refused with who did what, and nothing changes twice.
    page.locator(f'tr[data-demand="{fresh.pk}"]').get_by_role("link", name="改派").click()
    page.wait_for_url(re.compile(rf"/admin/response/{fresh.pk}/reassign/$"))
    seen = fresh.assignments.get(active=True)
    services.demand_reassign(
        demand=fresh,
        actor=make_operator(operator_org, main_market, name="运营小王"),
        broker=proposed,
        seen_assignment_id=seen.pk,
        reason="换专家",
    )
    page.get_by_label(re.compile("赵通才")).check()
    page.locator("#id_reason").fill("换人")
    page.get_by_role("button", name="确认改派").click()
    page.get_by_text("该需求已被运营小王改派给李专家。您的操作未执行，请核对后再试。").wait_for()
    assert page.locator("dd[data-current]").inner_text().startswith("李专家（武汉技术转移所，")
    screenshot(page, "response-5-stale-refused")
    assert fresh.assignments.get(active=True).broker == proposed
    assert fresh.assignments.count() == 2

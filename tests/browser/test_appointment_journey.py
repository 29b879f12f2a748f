"""Booking a window in the browser: the clerk adds an evening slot (延时服务) and generates
the regular ones; a requester books the evening slot and keeps the reference; the clerk sees
the booking on the day's list with its 受理 link. Screenshots land in
test-artifacts/browser/."""

import re

import pytest
from django.utils import timezone

from market.choices import OrganizationKind, Role
from tests.browser.helpers import login
from tests.factories import MembershipFactory, OrganizationFactory, SubMarketFactory, UserFactory
from tests.factories.windows import ServiceWindowFactory
from windows.calendar import WorkingCalendar
from windows.choices import AppointmentStatus
from windows.models import Appointment, AppointmentSlot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def window(main_market):
    sub = SubMarketFactory(parent=main_market, name="武汉分市场")
    return ServiceWindowFactory(market=sub, name="武汉分市场一站式合作窗口")


@pytest.fixture
def clerk(window):
    org = OrganizationFactory(kind=OrganizationKind.OPERATOR, market=window.market)
    return MembershipFactory(
        role=Role.WINDOW_CLERK,
        market=window.market,
        organization=org,
        user=UserFactory(username="chenclerk", name="窗口小陈"),
    ).user


def test_clerk_opens_an_evening_slot_and_a_requester_books_it(
    browser, live_server, page, window, clerk, screenshot
):
    day = WorkingCalendar(window.market_id).next_working_day(timezone.localdate())
    desk = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    desk.set_default_timeout(15_000)
    login(desk, "chenclerk")
    desk.goto(f"/windows/desk/appointments/?day={day.isoformat()}")
    form = desk.locator("#add-slot")
    form.get_by_label(re.compile("^日期")).fill(day.isoformat())
    form.get_by_label(re.compile("^开始")).fill("17:00")
    form.get_by_label(re.compile("^结束")).fill("19:00")
    form.get_by_label(re.compile("^可预约人数")).fill("2")
    form.get_by_role("button", name="添加时段").click()
    desk.get_by_text("已添加延时服务时段。").wait_for()
    desk.get_by_role("button", name=re.compile("^生成今后 14 天的时段")).click()
    desk.get_by_text(re.compile(r"已生成 \d+ 个预约时段。")).wait_for()
    assert AppointmentSlot.objects.filter(extended=False).count() > 0
    evening = AppointmentSlot.objects.get(extended=True)

    page.goto(f"/windows/{window.pk}/book/")
    block = page.locator(f"#day-{day.isoformat()}")
    assert "17:00–19:00" in block.inner_text() and "延时服务" in block.inner_text()
    block.locator(f'input[value="{evening.pk}"]').check()
    page.get_by_label(re.compile("^办理事项")).select_option("contract_registration")
    page.get_by_label(re.compile("^预约人姓名")).fill("李四")
    page.get_by_label(re.compile("^联系电话")).fill("138 0000 0001")
    screenshot(page, "appointment-1-booking")
    page.get_by_role("button", name="提交预约").click()
    page.locator("#reference").wait_for()
    reference = page.locator("#reference").inner_text()
    assert re.fullmatch(rf"YY{day:%Y%m%d}-\d{{6}}", reference)
    assert page.locator("#status").inner_text() == "已预约"
    screenshot(page, "appointment-2-confirmation")
    appointment = Appointment.objects.get()
    assert appointment.slot == evening

    desk.goto(f"/windows/desk/appointments/?day={day.isoformat()}")
    row = desk.locator(f"#appointment-{appointment.pk}")
    assert "李四" in row.inner_text() and reference in row.inner_text()
    accept = row.get_by_role("button", name="受理")
    assert accept.is_visible()
    assert row.locator("form").first.get_attribute("action") == (
        f"/windows/cases/from-appointment/{appointment.pk}/"
    )
    screenshot(desk, "appointment-3-desk")
    desk.context.close()

    # The requester cancels with their own link; the place is free again.
    page.get_by_role("button", name="取消预约").click()
    page.get_by_text("预约已取消。").wait_for()
    assert page.locator("#status").inner_text() == "已取消"
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED

"""Issue 14's case journey in a real browser: a window clerk opens a walk-in 技术合同认定登记
case at the desk, completes each checklist item with its evidence, and shows the requester
the confirmation code; the requester, in their own browser and not signed in, confirms it;
the clerk closes the case and the requester rates the service. Screenshots land in
test-artifacts/browser/window_case_*.png."""

from __future__ import annotations

import re

import pytest

from tests.browser.helpers import login
from tests.windows.case_world import PDF, at, build
from windows.choices import CaseState, WindowService
from windows.models import CaseRating, ServiceCase
from windows.services import cases as services

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def signed_in(browser, live_server, username):
    page = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    login(page, username)
    return page


def complete(page, position, *, text="", file_name=""):
    item = page.locator(f"#item-{position}")
    if file_name:
        item.locator("input[type=file]").set_input_files(
            {"name": file_name, "mimeType": "application/pdf", "buffer": PDF}
        )
    if text:
        item.locator("textarea").fill(text)
    item.get_by_role("button", name="完成此项").click()
    page.get_by_text(f"已完成第 {position} 项。").wait_for()
    assert page.locator(f"#item-{position}").get_attribute("data-done") == "true"


def test_a_clerk_works_a_contract_registration_case_and_the_requester_confirms_and_rates(
    browser, live_server, main_market, screenshot
):
    world = build(main_market)
    # A reception case recorded after the fact, long overdue: the desk puts it on top, red.
    overdue = services.case_open(
        window=world.window,
        service=WindowService.RECEPTION,
        requester_name="赵经理",
        by=world.colleague,
        opened_at=at(2025, 3, 3, 9),
    )
    clerk = signed_in(browser, live_server, "clerk")

    clerk.goto("/windows/desk/")
    row = clerk.locator(f"#open-cases tr[data-case='{overdue.pk}']")
    assert row.get_attribute("data-overdue") == "true"
    assert "已超时" in row.inner_text()
    clerk.get_by_label("办理事项").select_option(label="技术合同认定登记")
    clerk.get_by_label("服务对象").fill("张工")
    clerk.get_by_label("联系电话").fill("13900000000")
    clerk.get_by_label("事项说明").fill("一项技术开发合同的认定登记")
    screenshot(clerk, "window_case_1_desk")
    clerk.get_by_role("button", name="受理").click()
    clerk.wait_for_url(re.compile(r"/windows/cases/\d+/$"))
    case = ServiceCase.objects.exclude(pk=overdue.pk).get()
    assert clerk.locator("#case-state").inner_text() == "办理中"
    assert clerk.locator("ol.case-items > li").count() == 6

    complete(clerk, 1, file_name="技术开发合同.pdf")
    complete(clerk, 2, text="合同要件、签章与附件齐全")
    complete(clerk, 3, text="材料齐全，无需补正")
    complete(clerk, 4, file_name="技术性收入核定表.pdf", text="技术交易额 80 万元")
    complete(clerk, 5, file_name="登记证明.pdf")
    assert clerk.locator("#item-1 a.evidence-file").count() == 1
    clerk.locator("#item-6").get_by_role("button", name="生成确认码").click()
    clerk.get_by_text("确认码已生成").wait_for()
    code = clerk.locator("#item-6 .confirm-code").inner_text().strip()
    assert len(code) >= 20
    screenshot(clerk, "window_case_2_items_done_code_shown")

    # The requester, in their own browser, not signed in, types the code they were shown.
    requester = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    requester.set_default_timeout(15_000)
    requester.goto("/windows/confirm/")
    requester.get_by_label("确认码").fill(code)
    requester.get_by_role("button", name="查看").click()
    assert requester.locator("#confirm-action").inner_text() == "申请人确认领取登记证明"
    screenshot(requester, "window_case_3_requester_confirms")
    requester.get_by_role("button", name="确认").click()
    requester.get_by_text("确认成功，感谢您的配合。").wait_for()
    assert requester.locator("#case-state").inner_text() == "办理中"

    clerk.reload()
    assert clerk.locator("#item-6").get_attribute("data-done") == "true"
    assert "服务对象本人于" in clerk.locator("#item-6").inner_text()
    clerk.get_by_role("button", name="办结").click()
    clerk.get_by_text("服务事项已办结，请邀请服务对象评价。").wait_for()
    assert clerk.locator("#case-state").inner_text() == "已办结"
    screenshot(clerk, "window_case_4_closed")

    requester.reload()
    requester.get_by_label("满意", exact=True).check()
    requester.get_by_label("评价意见").fill("材料一次讲清，办理很快")
    screenshot(requester, "window_case_5_rating_form")
    requester.get_by_role("button", name="提交评价").click()
    requester.get_by_text("感谢您的评价！", exact=True).wait_for()
    assert "满意" in requester.locator("#rating-done").inner_text()
    screenshot(requester, "window_case_6_rated")

    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    assert CaseRating.objects.get(case=case).level == 4
    clerk.reload()
    assert clerk.locator("#rating-level").get_attribute("data-level") == "4"
    steps = clerk.locator("#history tr[data-step]").evaluate_all(
        "rows => rows.map(r => r.dataset.step)"
    )
    assert steps == ["open"] + ["complete_item"] * 5 + [
        "request_confirmation",
        "confirm",
        "close",
        "rate",
    ]
    screenshot(clerk, "window_case_7_history")
    clerk.goto("/windows/desk/")
    assert clerk.locator("#open-cases tr[data-case]").count() == 1  # the closed one has left
    screenshot(clerk, "window_case_8_desk_after")
    requester.context.close()
    clerk.context.close()

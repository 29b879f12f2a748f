"""A complaint's whole journey in the browser: someone complains about a window without
giving their name and keeps the code; the sub-market's operator reads it, starts handling
and answers it; the complainant, in a fresh browser with nothing but the code, reads the
answer and rates it. Screenshots land in test-artifacts/browser/."""

import re

import pytest

from market.choices import OrganizationKind
from tests.browser.helpers import login
from tests.factories import OrganizationFactory, SubMarketFactory, make_operator
from tests.factories.windows import ServiceWindowFactory
from windows.choices import ComplaintState, RatingLevel
from windows.models import Complaint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

BODY = "11月20日上午在窗口办理技术合同登记，工作人员没有一次性告知所需材料，让我往返了三次。"
ANSWER = "经调查核实，情况属实。已对当班工作人员进行批评教育，并在窗口公示一次性告知清单。"


@pytest.fixture
def window(main_market):
    sub = SubMarketFactory(parent=main_market, name="武汉分市场")
    return ServiceWindowFactory(market=sub, name="武汉分市场一站式合作窗口")


@pytest.fixture
def sub_operator(window):
    org = OrganizationFactory(kind=OrganizationKind.OPERATOR, market=window.market)
    return make_operator(org, window.market, username="wangop", name="运营小王")


def test_anonymous_complaint_answered_and_rated_with_the_code_alone(
    browser, live_server, page, window, sub_operator, screenshot
):
    # Someone files an anonymous complaint about the window, from its "投诉" link.
    page.goto(f"/windows/complaints/new/?window={window.pk}")
    assert page.get_by_role("radio", name="服务窗口").is_checked()
    assert page.get_by_label(re.compile("^被投诉的窗口")).input_value() == str(window.pk)
    assert page.get_by_label(re.compile("^匿名投诉")).is_checked()
    page.get_by_label(re.compile("^投诉内容")).fill(BODY)
    screenshot(page, "complaint-1-filing")
    page.get_by_role("button", name="提交投诉").click()
    page.wait_for_url(re.compile(r"/windows/complaints/filed/$"))
    code = page.locator("#code").inner_text()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", code)
    assert "唯一凭据" in page.locator("#complaint-code").inner_text()
    screenshot(page, "complaint-2-code")
    complaint = Complaint.objects.get()
    assert (complaint.name, complaint.contact, complaint.filed_by_id) == ("", "", None)
    assert code not in page.url

    # The sub-market's operator is told, opens it and answers.
    operator_page = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    operator_page.set_default_timeout(15_000)
    login(operator_page, "wangop")
    operator_page.goto("/windows/complaints/")
    row = operator_page.locator(f"#complaint-{complaint.pk}")
    assert "服务窗口：武汉分市场一站式合作窗口" in row.inner_text()
    row.get_by_role("link").click()
    assert "匿名" in operator_page.locator("dl.record").inner_text()
    assert BODY in operator_page.locator("#body").inner_text()
    operator_page.get_by_role("button", name="开始处理").click()
    operator_page.get_by_text("已开始处理。").wait_for()
    operator_page.get_by_label(re.compile("^书面答复")).fill(ANSWER)
    screenshot(operator_page, "complaint-3-operator-answers")
    operator_page.get_by_role("button", name="答复", exact=True).click()
    operator_page.get_by_text("已答复，投诉人可凭查询码查看。").wait_for()
    assert operator_page.locator("#complaint-state").inner_text() == "已答复"
    operator_page.context.close()

    # The complainant, in a new browser with only the code, reads the answer and rates it.
    tracker = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    tracker.set_default_timeout(15_000)
    tracker.goto("/windows/complaints/track/")
    tracker.get_by_label(re.compile("^查询码")).fill(code.lower().replace("-", " "))
    tracker.get_by_role("button", name="查询").click()
    tracker.locator("#answer").wait_for()
    assert tracker.url.endswith("/windows/complaints/track/")
    assert ANSWER in tracker.locator("#answer").inner_text()
    assert tracker.locator("#complaint-state").inner_text() == "已答复"
    tracker.get_by_label("满意", exact=True).check()
    screenshot(tracker, "complaint-4-tracked-answer")
    tracker.get_by_role("button", name="提交评价").click()
    tracker.get_by_text("感谢您的评价。").wait_for()
    assert tracker.locator("#rating").inner_text() == "您对答复的评价：满意"
    assert tracker.locator("#rate-form").count() == 0
    screenshot(tracker, "complaint-5-rated")
    tracker.context.close()

    complaint.refresh_from_db()
    assert complaint.state == ComplaintState.ANSWERED
    assert complaint.satisfaction == RatingLevel.SATISFIED

    # The public statistics count it, without any of its words.
    page.goto("/windows/complaints/stats/")
    assert "共受理投诉 1 件，已答复 1 件，其中按时答复 1 件" in page.content()
    assert ANSWER not in page.content() and code not in page.content()
    page.locator("#stats-subject .chart canvas").first.wait_for()
    screenshot(page, "complaint-6-stats")

"""The forms as people use them: a region picked by name, an error summary that leads to the
field, and filters that fold away on a phone. Screenshots land in test-artifacts/browser/."""

import re

import pytest

from cms.site_builder import site_build
from listings.choices import ListingStatus
from listings.models import Demand
from tests.factories import AchievementFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"
PHONE = {"width": 390, "height": 844}


def login(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_owner_picks_a_region_fixes_a_missing_field_and_saves(page, enterprise_user, screenshot):
    login(page, enterprise_user.username)
    page.goto("/listings/demand/new/")
    # Every required field carries the mark, read out as 必填.
    assert page.locator('label[for="id_title"] .required-mark').inner_text() == "*"
    assert page.get_by_role("textbox", name=re.compile(r"^标题\s*（必填）$")).count() == 1
    assert page.get_by_role("textbox", name="摘要", exact=True).count() == 1
    page.get_by_label("标题").fill("寻求注塑件缩痕在线检测方案")
    page.get_by_label("问题描述").fill("注塑件表面缩痕靠人工目检，漏检率高。")
    page.get_by_label("技术领域").select_option(label="先进制造与自动化")
    # The region: three linked lists, province → city → district.
    city, district = page.get_by_label("城市"), page.get_by_label("区县")
    assert city.is_disabled() and district.is_disabled()
    page.get_by_label("省份").select_option(label="湖北省")
    city.select_option(label="武汉市")
    district.select_option(label="洪山区")
    assert page.locator('input[name="region_code"]').input_value() == "420111"
    page.get_by_label("预期目标").fill("漏检率低于0.5%")
    page.get_by_label("预算下限（万元）").fill("30")
    page.get_by_label("预算上限（万元）").fill("80")
    page.get_by_role("checkbox", name="技术服务").check()
    # 联系人 is left empty.
    page.get_by_role("button", name="保存草稿").click()

    summary = page.get_by_role("alert")
    summary.get_by_role("heading", name="请修改以下 1 处错误").wait_for()
    assert summary.get_by_role("link").all_inner_texts() == ["联系人：请填写“联系人”。"]
    # The choices made so far are kept, the region included.
    assert page.get_by_label("标题").input_value() == "寻求注塑件缩痕在线检测方案"
    assert page.get_by_label("区县").input_value() == "420111"
    assert Demand.objects.count() == 0
    screenshot(page, "forms-1-error-summary")

    summary.get_by_role("link", name="联系人：请填写“联系人”。").click()
    assert page.evaluate("document.activeElement.id") == "id_contact_name"
    page.get_by_label("联系人").fill("王经理")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_role("heading", name="寻求注塑件缩痕在线检测方案", level=1).wait_for()
    demand = Demand.objects.get()
    assert (demand.region_code, demand.status) == ("420111", ListingStatus.DRAFT)
    assert "湖北省武汉市洪山区" in page.locator("dl.record").inner_text()
    screenshot(page, "forms-2-saved-with-region")


def test_filters_fold_on_a_phone_and_stay_open_on_a_desktop(
    browser, live_server, main_market, university, screenshot
):
    site_build()
    for title in ("石墨烯导热膜", "单克隆抗体纯化工艺"):
        AchievementFactory(owner=university, title=title, status=ListingStatus.PUBLISHED)

    phone = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport=PHONE)
    page = phone.new_page()
    page.goto("/achievements/")
    filters = page.locator("form.filters details")
    assert filters.get_attribute("open") is None
    assert not page.get_by_label("技术领域").is_visible()
    # The results are on the first screen.
    first_result = page.get_by_role("link", name="石墨烯导热膜")
    assert first_result.bounding_box()["y"] < PHONE["height"]
    screenshot(page, "forms-3-phone-filters-folded")
    page.get_by_text("筛选条件").click()
    assert page.get_by_label("技术领域").is_visible()
    screenshot(page, "forms-4-phone-filters-opened")
    # The search page's facets fold the same way.
    page.goto("/search/?q=石墨烯")
    assert page.locator("aside.facets details").get_attribute("open") is None
    assert page.locator("aside.facets summary").is_visible()
    screenshot(page, "forms-6-phone-search-facets-folded")
    phone.close()

    desktop = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 800}
    )
    page = desktop.new_page()
    page.goto("/achievements/")
    assert page.locator("form.filters details").get_attribute("open") == ""
    assert page.get_by_label("技术领域").is_visible()
    screenshot(page, "forms-5-desktop-filters-open")
    desktop.close()

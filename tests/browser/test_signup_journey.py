"""A new university joins: it signs up, waits for review, the operator approves it in the
admin, and then it can submit a listing. Screenshots land in test-artifacts/."""

import re

import pytest

from cms.site_builder import site_build
from listings.choices import ListingStatus
from market.choices import OrganizationStatus
from market.models import Organization
from tests.factories import AchievementFactory, credit_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"
NEW_PASSWORD = "Guanggu-2026-lab"


def field(label):
    """A form label as Django renders it: the label, then its suffix (：)."""
    return re.compile(rf"^{label}\W*$")


def test_new_university_signs_up_is_approved_and_submits(
    browser, live_server, page, main_market, operator, screenshot
):
    site_build()
    # The login page leads to sign-up.
    page.goto("/accounts/login/")
    assert page.get_by_role("link", name="忘记密码？").is_visible()
    page.get_by_role("link", name="注册机构").click()
    page.wait_for_url(re.compile(r"/accounts/signup/$"))
    page.get_by_label(field("用户名")).fill("chenlab")
    page.get_by_label(field("姓名")).fill("陈老师")
    page.get_by_label(field("手机号")).fill("13900000000")
    page.get_by_label(field("邮箱")).fill("chen@jhu.example.cn")
    page.get_by_label(field("密码")).fill(NEW_PASSWORD)
    page.get_by_label(field("确认密码")).fill(NEW_PASSWORD)
    page.get_by_label(field("机构名称")).fill("江汉理工大学")
    page.get_by_label(field("机构类型")).select_option(label="高校")
    # First a code with a wrong check character: the form says which one it should be.
    good = credit_code(31337)
    page.get_by_label(field("统一社会信用代码")).fill(good[:-1] + ("0" if good[-1] != "0" else "1"))
    page.get_by_label(field("所属市场")).select_option(label=main_market.name)
    page.get_by_label("省份").select_option(label="湖北省")
    page.get_by_label("城市").select_option(label="武汉市")
    screenshot(page, "join-1-signup-form")
    page.get_by_role("button", name="提交注册").click()
    # The summary at the top and the field itself both say what is wrong.
    page.get_by_role("alert").get_by_text("校验位").wait_for()
    assert page.locator(".field-invalid").get_by_text("校验位").is_visible()
    screenshot(page, "join-2-signup-bad-credit-code")
    page.get_by_label(field("密码")).fill(NEW_PASSWORD)
    page.get_by_label(field("确认密码")).fill(NEW_PASSWORD)
    page.get_by_label(field("统一社会信用代码")).fill(good)
    page.get_by_role("button", name="提交注册").click()
    page.wait_for_url(re.compile(r"/organizations/mine/$"))
    assert page.locator(".status").first.inner_text() == "待审核"
    screenshot(page, "join-3-pending")
    org = Organization.objects.get(credit_code=good)
    assert org.status == OrganizationStatus.PENDING
    user = org.memberships.get().user

    # While pending, a draft cannot be submitted.
    draft = AchievementFactory(
        owner=org, market=main_market, created_by=user, title="低温固态电解质膜"
    )
    page.goto(f"/listings/achievement/{draft.pk}/")
    page.get_by_role("button", name="提交审核").click()
    page.get_by_text("机构尚未通过审核").first.wait_for()
    screenshot(page, "join-4-pending-cannot-submit")
    draft.refresh_from_db()
    assert draft.status == ListingStatus.DRAFT

    # The market's operator approves the organization in the admin.
    admin = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    admin.goto("/admin/login/")
    admin.locator("#id_username").fill(operator.username)
    admin.locator("#id_password").fill(PASSWORD)
    admin.locator("form button[type=submit]").first.click()
    admin.wait_for_url(re.compile(r"/admin/$"))
    admin.get_by_role("link", name=re.compile("机构审核")).first.click()
    admin.wait_for_url(re.compile(r"/admin/organization-review/$"))
    admin.get_by_text("江汉理工大学").first.wait_for()
    screenshot(admin, "join-5-operator-pending-list")
    admin.get_by_role("button", name="审核通过").click()
    admin.get_by_text("没有待审核的机构").wait_for()
    screenshot(admin, "join-6-operator-approved")
    admin.context.close()
    org.refresh_from_db()
    assert org.status == OrganizationStatus.APPROVED

    # The university is told, and now submits its listing.
    page.goto("/notifications/")
    page.get_by_text("已通过审核").first.wait_for()
    page.goto(f"/listings/achievement/{draft.pk}/")
    page.get_by_role("button", name="提交审核").click()
    page.get_by_text("已提交审核").first.wait_for()
    screenshot(page, "join-7-submitted")
    draft.refresh_from_db()
    assert draft.status == ListingStatus.SUBMITTED

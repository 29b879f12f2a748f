"""The public front's journeys, in a real browser. Screenshots land in test-artifacts/."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.site_builder import site_build
from listings.choices import ListingStatus
from listings.models import Achievement, Demand
from market.choices import OrganizationKind
from tests.factories import AchievementFactory, OrganizationFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "pw-123456"


@pytest.fixture
def market(main_market, university):
    site_build()
    now = timezone.now()
    fields = ["new_materials", "bio_medicine", "new_materials", "electronic_information"]
    titles = [
        "高镍三元正极材料制备方法",
        "单克隆抗体纯化工艺",
        "石墨烯导热膜",
        "工业视觉缺陷检测系统",
    ]
    for i, (field, title) in enumerate(zip(fields, titles, strict=True)):
        AchievementFactory(
            title=title,
            field=field,
            owner=university,
            status=ListingStatus.PUBLISHED,
            published_at=now - timedelta(hours=i),
            summary=f"{title}，已完成中试。",
        )
    return main_market


def login(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_visitor_browses_filters_and_opens_achievement(page, market, screenshot):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="科技成果").click()
    page.wait_for_url(re.compile(r"/achievements/$"))
    assert page.get_by_text("共 4 项").is_visible()
    page.get_by_label("技术领域").select_option(label="新材料")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"field=new_materials"))
    page.get_by_text("共 2 项").wait_for()
    assert page.get_by_role("link", name="单克隆抗体纯化工艺").count() == 0
    page.get_by_role("link", name="石墨烯导热膜").click()
    page.get_by_role("heading", name="石墨烯导热膜", level=1).wait_for()
    assert "新材料" in page.locator("dl.record").inner_text()
    screenshot(page, "1-visitor-achievement-detail")


def test_enterprise_posts_demand_operator_approves_visitor_sees_it(
    browser, live_server, page, market, enterprise_user, operator, screenshot
):
    # 2. An enterprise user signs in, posts a demand and submits it.
    login(page, enterprise_user.username)
    page.goto("/listings/demand/new/")
    page.get_by_label("标题").fill("寻求注塑件缩痕在线检测方案")
    page.get_by_label("问题描述").fill("注塑件表面缩痕靠人工目检，漏检率高，希望引进自动检测技术。")
    page.get_by_label("技术领域").select_option(label="先进制造与自动化")
    page.get_by_label("关键词").fill("注塑、缩痕、机器视觉")
    page.get_by_label("省份").select_option(label="湖北省")
    page.get_by_label("城市").select_option(label="武汉市")
    page.get_by_label("联系人").fill("王经理")
    page.get_by_label("预期目标").fill("漏检率低于0.5%，检测节拍不超过2秒")
    page.get_by_label("预算下限（万元）").fill("30")
    page.get_by_label("预算上限（万元）").fill("80")
    page.get_by_role("checkbox", name="技术服务").check()
    page.get_by_role("button", name="保存并提交审核").click()
    page.get_by_text("已提交审核").first.wait_for()
    assert page.locator(".status").first.inner_text() == "待审核"
    screenshot(page, "2-enterprise-demand-submitted")
    demand = Demand.objects.get(title="寻求注塑件缩痕在线检测方案")
    assert demand.status == ListingStatus.SUBMITTED

    # 3. An operator approves it in the admin ...
    admin = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    admin.goto("/admin/login/")
    admin.locator("#id_username").fill(operator.username)
    admin.locator("#id_password").fill(PASSWORD)
    admin.locator("form button[type=submit]").first.click()
    admin.wait_for_url(re.compile(r"/admin/$"))
    admin.goto("/admin/review-queue/")
    admin.get_by_role("link", name="寻求注塑件缩痕在线检测方案").click()
    admin.get_by_role("button", name="审核通过并发布").click()
    admin.wait_for_url(re.compile(r"/admin/review-queue/$"))
    screenshot(admin, "3-operator-review-queue-after-approval")
    admin.context.close()
    demand.refresh_from_db()
    assert demand.status == ListingStatus.PUBLISHED

    # ... and a visitor sees it published.
    visitor = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    visitor.goto("/demands/")
    visitor.get_by_role("link", name="寻求注塑件缩痕在线检测方案").click()
    visitor.get_by_role("heading", name="寻求注塑件缩痕在线检测方案", level=1).wait_for()
    assert "登录后查看联系方式" in visitor.content()
    screenshot(visitor, "3-visitor-sees-published-demand")
    visitor.context.close()


def test_visitor_switches_to_english_and_back(page, market, screenshot):
    page.goto("/achievements/")
    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    links = " ".join(
        page.get_by_role("navigation", name="Main navigation").get_by_role("link").all_inner_texts()
    )
    assert "Technology achievements" in links
    assert not re.search(r"[\u4e00-\u9fff]", links), links
    # Listing content stays as its owner wrote it.
    assert page.get_by_role("link", name="石墨烯导热膜").is_visible()
    screenshot(page, "4-english")
    page.get_by_role("button", name="中文").click()
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    assert page.get_by_role("link", name="科技成果").first.is_visible()
    screenshot(page, "4-back-to-chinese")


def test_interest_button_works_with_htmx(page, market, screenshot):
    buyer = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, name="光谷制造有限公司")
    from tests.factories import MembershipFactory

    user = MembershipFactory(organization=buyer).user
    login(page, user.username)
    page.goto("/achievements/")
    page.get_by_role("link", name="石墨烯导热膜").click()
    page.get_by_label("留言（可选）").fill("希望了解量产成本")
    page.get_by_role("button", name="发送对接意向").click()
    page.get_by_text("已把您的对接意向发送给发布方").wait_for()
    screenshot(page, "5-interest-sent")


def test_demand_owner_reads_match_reasons_and_acts_on_them(
    page, market, enterprise, enterprise_user, screenshot
):
    from matching.models import Match
    from matching.services import rematch_all
    from tests.factories import DemandFactory

    demand = DemandFactory(
        owner=enterprise,
        title="寻求锂离子电池正极材料技术",
        description="提高锂离子电池正极材料的循环寿命，希望引进高镍三元正极材料制备方法。",
        keywords=["正极材料"],
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=100),
    )
    rematch_all()
    top = Match.objects.get(demand=demand, demand_rank=1)
    assert top.achievement.title == "高镍三元正极材料制备方法"

    login(page, enterprise_user.username)
    page.goto(f"/listings/demand/{demand.pk}/")
    matches = page.locator("#matches")
    # a party opens a match with a button (a POST records "viewed"); visitors get a link
    matches.get_by_role("button", name="高镍三元正极材料制备方法").wait_for()
    assert "领域一致" in matches.inner_text()
    entry = page.locator(f"#match-{top.pk}")
    entry.get_by_text("得分明细").click()
    assert entry.get_by_text("文本相关度").is_visible()
    entry.get_by_role("button", name="标记已联系").click()
    entry.get_by_role("button", name="标记已成交").wait_for()
    assert "已联系" in entry.inner_text()
    screenshot(page, "5-demand-owner-match-list")
    top.refresh_from_db()
    assert top.status == "contacted"


def test_admin_edits_a_listing_and_the_public_site_and_search_show_it(
    page, market, superuser, screenshot
):
    achievement = Achievement.objects.get(title="石墨烯导热膜")
    login(page, superuser.username)
    page.goto(f"/admin/snippets/listings/achievement/edit/{achievement.pk}/")
    page.get_by_role("textbox", name="标题").fill("高导热石墨烯散热膜")
    page.get_by_role("button", name="保存").first.click()
    page.wait_for_url(re.compile(r"/admin/snippets/listings/achievement/$"))
    screenshot(page, "6-admin-listing-saved")

    page.goto(achievement.get_absolute_url())
    page.get_by_role("heading", name="高导热石墨烯散热膜", level=1).wait_for()
    page.goto("/search/?q=散热膜")
    page.get_by_role("link", name=re.compile("高导热石墨烯散热膜")).wait_for()
    screenshot(page, "6-search-finds-the-edited-title")

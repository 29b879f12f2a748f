"""A visitor switches the public site to English and back, in a real browser: the pages
are Wagtail's English translations, at the same addresses. Screenshots in test-artifacts/."""

import re

import pytest
from django.utils import timezone

from cms.site_builder import site_build
from listings.choices import ListingStatus
from tests.factories import AchievementFactory, SubMarketFactory
from windows.models import ServiceWindow

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def site(main_market, university):
    wuhan = SubMarketFactory(parent=main_market, name="武汉分市场", code="wuhan")
    ServiceWindow.objects.create(
        market=wuhan,
        name="武汉分市场一站式合作窗口",
        address="武汉市洪山区光谷大道1号",
        hours="周一至周五 9:00-17:00",
        phone="027-87654321",
        services="成果登记\n需求发布",
    )
    site_build()
    AchievementFactory(
        title="石墨烯导热膜",
        owner=university,
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now(),
    )


def test_visitor_switches_to_english_and_back(page, site, screenshot):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    hero = page.get_by_role("heading", level=1)
    assert hero.inner_text() == "让科技成果找到市场，让企业需求找到答案"
    assert page.get_by_role("heading", name="我们怎样服务").is_visible()
    nav = page.get_by_role("navigation", name="主导航")
    assert nav.get_by_role("link", name="分市场").is_visible()
    screenshot(page, "site-languages-1-home-zh")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "Technology achievements find their market, business demands find answers"
    )
    assert page.get_by_role("heading", name="How we serve").is_visible()
    assert page.get_by_text("我们怎样服务").count() == 0
    assert page.get_by_text("Achievements and demands collected in").is_visible()
    screenshot(page, "site-languages-2-home-en")

    page.get_by_role("link", name=re.compile("Achievements and demands collected in")).click()
    page.wait_for_url(re.compile(r"/targets/listings/$"))
    assert page.locator("p.count").inner_text().startswith("1 record")
    assert page.get_by_role("cell", name="石墨烯导热膜").is_visible()
    screenshot(page, "site-languages-2b-figure-rows-en")
    page.goto("/")

    nav = page.get_by_role("navigation", name="Main navigation")
    nav.get_by_role("link", name="Sub-markets").click()
    page.wait_for_url(re.compile(r"/markets/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Sub-markets"
    assert page.get_by_role("link", name="027-87654321").is_visible()
    screenshot(page, "site-languages-3-markets-en")

    page.get_by_role("link", name="Wuhan Sub-market").first.click()
    page.wait_for_url(re.compile(r"/markets/wuhan/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Wuhan Sub-market"
    nav.get_by_role("link", name="Technology achievements").click()
    page.wait_for_url(re.compile(r"/achievements/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Technology achievements"
    page.get_by_role("link", name="石墨烯导热膜").click()
    page.wait_for_url(re.compile(r"/achievements/\d+/$"))
    screenshot(page, "site-languages-4-achievement-en")

    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert re.search(r"/achievements/\d+/$", page.url)
    page.goto("/")
    assert page.get_by_role("heading", name="我们怎样服务").is_visible()
    screenshot(page, "site-languages-5-home-zh-again")

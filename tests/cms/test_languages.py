"""The public pages in both languages: Chinese by default, the English tree (Wagtail's
translations) after the reader switches with the language form, at the same URLs."""

import pytest
from django.utils import timezone

from cms.models import HomePage, SubMarketPage
from cms.site_builder import site_build
from listings.choices import ListingStatus
from tests.factories import AchievementFactory, DemandFactory, SubMarketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(main_market):
    SubMarketFactory(parent=main_market, name="武汉分市场", code="wuhan")
    return site_build()


def switch(client, language, next_url="/"):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


def test_english_pages_are_wagtail_translations_of_the_chinese_ones(site):
    english = site.get_translation(site.get_translations().get().locale)
    assert english.locale.language_code == "en"
    assert english.translation_key == site.translation_key
    sub_pages = SubMarketPage.objects.order_by("locale__language_code")
    assert [p.market.code for p in sub_pages] == ["wuhan", "wuhan"]
    assert [p.title for p in sub_pages] == ["Wuhan Sub-market", "武汉分市场"]


def test_home_page_is_chinese_by_default(client, site):
    body = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "<h1>让科技成果找到市场，让企业需求找到答案</h1>" in body
    assert "我们怎样服务" in body
    assert "How we serve" not in body


def test_home_page_in_english_after_switching(client, site):
    switch(client, "en")
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert (
        "<h1>Technology achievements find their market, business demands find answers</h1>" in body
    )
    assert "How we serve" in body
    assert "我们怎样服务" not in body
    assert "让科技成果找到市场" not in body
    assert '<a href="/markets/wuhan/">Wuhan Sub-market</a>' in body
    switch(client, "zh-hans")
    assert "我们怎样服务" in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("url", "chinese", "english"),
    [
        ("/markets/", "<h1>分市场</h1>", "<h1>Sub-markets</h1>"),
        ("/markets/wuhan/", "<h1>武汉分市场</h1>", "<h1>Wuhan Sub-market</h1>"),
        ("/policies/", "<h1>政策法规</h1>", "<h1>Policies</h1>"),
        ("/news/", "<h1>通知公告</h1>", "<h1>News</h1>"),
        ("/achievements/", "<h1>科技成果</h1>", "<h1>Technology achievements</h1>"),
        ("/demands/", "<h1>技术需求</h1>", "<h1>Technology demands</h1>"),
    ],
)
def test_section_titles_follow_the_language(client, site, url, chinese, english):
    zh = client.get(url)
    assert zh.status_code == 200
    assert chinese in zh.content.decode()
    switch(client, "en", url)
    en = client.get(url)
    assert en.status_code == 200
    assert english in en.content.decode()
    assert chinese not in en.content.decode()


def test_main_navigation_links_markets_policies_and_news_in_each_language(client, site):
    nav = client.get("/").content.decode().split("<nav", 1)[1].split("</nav>", 1)[0]
    assert '<a href="/markets/">分市场</a>' in nav
    assert '<a href="/policies/">政策法规</a>' in nav
    assert '<a href="/news/">通知公告</a>' in nav
    switch(client, "en")
    nav = client.get("/").content.decode().split("<nav", 1)[1].split("</nav>", 1)[0]
    assert '<a href="/markets/">Sub-markets</a>' in nav
    assert '<a href="/policies/">Policies</a>' in nav
    assert '<a href="/news/">News</a>' in nav
    assert '<a href="/achievements/">Technology achievements</a>' in nav


def test_listings_and_search_work_in_english(client, site):
    achievement = AchievementFactory(
        status=ListingStatus.PUBLISHED, published_at=timezone.now(), title="石墨烯导热膜"
    )
    demand = DemandFactory(status=ListingStatus.PUBLISHED, published_at=timezone.now())
    switch(client, "en")
    index = client.get("/achievements/").content.decode()
    assert f'<a href="/achievements/{achievement.pk}/">石墨烯导热膜</a>' in index
    detail = client.get(f"/achievements/{achievement.pk}/")
    assert detail.status_code == 200
    assert "石墨烯导热膜" in detail.content.decode()
    assert client.get(f"/demands/{demand.pk}/").status_code == 200
    assert achievement.get_absolute_url() == f"/achievements/{achievement.pk}/"
    assert client.get("/search/?q=石墨烯").status_code == 200


def test_a_second_build_adds_no_translations(site):
    site_build()
    assert HomePage.objects.count() == 2
    assert SubMarketPage.objects.count() == 2


def test_editors_see_both_trees_and_the_locales_in_the_admin(client, site, django_user_model):
    admin = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(admin)
    english = site.get_translations().get()
    explorer = client.get(f"/admin/pages/{english.pk}/")
    assert explorer.status_code == 200
    assert "Sub-markets" in explorer.content.decode()
    assert client.get(f"/admin/pages/{english.pk}/edit/").status_code == 200
    assert client.get("/admin/locales/").status_code == 200

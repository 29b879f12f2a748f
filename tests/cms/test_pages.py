from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms.models import AchievementIndexPage, DemandIndexPage, HomePage, SubMarketPage
from cms.site_builder import site_build
from listings.choices import ListingStatus
from market.choices import OrganizationKind
from tests.factories import (
    AchievementFactory,
    BrokerFactory,
    DemandFactory,
    OrganizationFactory,
    SubMarketFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def site(main_market):
    SubMarketFactory(parent=main_market, name="武汉分市场", code="wuhan")
    return site_build()


def publish(factory, n, **kwargs):
    now = timezone.now()
    return [
        factory(status=ListingStatus.PUBLISHED, published_at=now - timedelta(hours=i), **kwargs)
        for i in range(n)
    ]


def test_site_build_is_idempotent(site):
    site_build()
    # One of each in Chinese, and its English translation.
    for model in (HomePage, AchievementIndexPage, SubMarketPage):
        languages = model.objects.values_list("locale__language_code", flat=True)
        assert sorted(languages) == ["en", "zh-hans"]


def test_home_page_is_chinese_and_shows_computed_figures(client, site):
    OrganizationFactory.create_batch(3, kind=OrganizationKind.TRANSFER_INSTITUTION)
    BrokerFactory.create_batch(2)  # each broker brings its own institution: 5 in all
    publish(AchievementFactory, 2)
    body = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in body
    assert "“十百千”目标进度" in body
    assert 'aria-valuenow="5" aria-label="技术转移机构"' in body
    assert 'aria-valuenow="2" aria-label="技术经纪人"' in body
    assert "年度目标 10 · 完成 50%" in body


def test_achievement_index_lists_only_published(client, site):
    published = publish(AchievementFactory, 2)
    draft = AchievementFactory(title="尚未发布的草稿成果")
    body = client.get("/achievements/").content.decode()
    for listing in published:
        assert listing.title in body
    assert draft.title not in body
    assert "共 2 项" in body


def test_achievement_index_filters_by_field_and_sorts_by_price(client, site):
    AchievementFactory(
        status="published",
        published_at=timezone.now(),
        field="bio_medicine",
        title="一种抗体药物",
        asking_price=500,
    )
    AchievementFactory(
        status="published",
        published_at=timezone.now(),
        field="bio_medicine",
        title="一种疫苗佐剂",
        asking_price=80,
    )
    AchievementFactory(
        status="published", published_at=timezone.now(), field="new_materials", title="石墨烯导热膜"
    )
    body = client.get("/achievements/?field=bio_medicine&sort=price").content.decode()
    assert "石墨烯导热膜" not in body
    assert body.index("一种疫苗佐剂") < body.index("一种抗体药物")
    body = client.get("/achievements/?field=bio_medicine&sort=-price").content.decode()
    assert body.index("一种抗体药物") < body.index("一种疫苗佐剂")


def test_achievement_index_price_sorts_put_negotiable_last_both_ways(client, site):
    # A page and more of 面议, one of them with a price left from before it was ticked (the
    # form clears it, imports and old rows may not): after every priced listing, both ways.
    publish(AchievementFactory, 21, title="面议成果", asking_price=None, price_negotiable=True)
    publish(
        AchievementFactory, 1, title="面议但留有旧价格", asking_price=9999, price_negotiable=True
    )
    publish(AchievementFactory, 1, title="一种抗体药物", asking_price=500)
    publish(AchievementFactory, 1, title="一种疫苗佐剂", asking_price=80)
    for sort, order in (
        ("price", ["一种疫苗佐剂", "一种抗体药物"]),
        ("-price", ["一种抗体药物", "一种疫苗佐剂"]),
    ):
        first = client.get(f"/achievements/?sort={sort}").content.decode()
        cards = first.split('class="card listing-card"')[1:]
        assert len(cards) == 20
        assert [order[0] in cards[0], order[1] in cards[1]] == [True, True]
        assert all("面议" in card for card in cards[2:])
        assert "面议但留有旧价格" not in cards[0] + cards[1]


def test_demand_index_budget_sorts_put_negotiable_last_both_ways(client, site):
    publish(
        DemandFactory,
        1,
        title="预算面议的需求",
        budget_min=None,
        budget_max=None,
        budget_negotiable=True,
    )
    publish(DemandFactory, 1, title="只有预算下限", budget_min=300, budget_max=None)
    publish(DemandFactory, 1, title="小预算需求", budget_min=5, budget_max=10)
    for sort, order in (
        ("budget", ["小预算需求", "只有预算下限", "预算面议的需求"]),
        ("-budget", ["只有预算下限", "小预算需求", "预算面议的需求"]),
    ):
        body = client.get(f"/demands/?sort={sort}").content.decode()
        assert sorted(order, key=body.index) == order


def test_demand_index_filters_by_budget_and_mode(client, site):
    DemandFactory(
        status="published",
        published_at=timezone.now(),
        title="小预算需求",
        budget_min=5,
        budget_max=10,
        modes=["service"],
    )
    DemandFactory(
        status="published",
        published_at=timezone.now(),
        title="大预算需求",
        budget_min=200,
        budget_max=500,
        modes=["transfer"],
    )
    body = client.get("/demands/?budget_min=100").content.decode()
    assert "大预算需求" in body and "小预算需求" not in body
    body = client.get("/demands/?mode=service").content.decode()
    assert "小预算需求" in body and "大预算需求" not in body


def test_index_unknown_filter_values_do_not_500(client, site):
    response = client.get("/achievements/?field=nonsense&trl=abc&price_min=x&page=999999999")
    assert response.status_code == 200


def test_index_empty_results_show_clear_message(client, site):
    body = client.get("/achievements/?field=aerospace").content.decode()
    assert "没有符合条件的结果" in body


def test_index_paginates(client, site):
    publish(AchievementFactory, 25)
    first = client.get("/achievements/").content.decode()
    second = client.get("/achievements/?page=2").content.decode()
    assert "第 1 / 2 页" in first and 'rel="next"' in first
    assert "第 2 / 2 页" in second
    assert first.count('class="card listing-card"') == 20
    assert second.count('class="card listing-card"') == 5


def test_index_makes_constant_queries_whatever_the_page_size(client, site):
    def queries_for(n):
        AchievementFactory._meta.model.objects.all().delete()
        publish(AchievementFactory, n, modes=["transfer", "license"])
        client.get("/achievements/")  # warm the site/page caches
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/achievements/")
        assert response.status_code == 200
        return len(ctx.captured_queries)

    assert queries_for(3) == queries_for(20)


def test_htmx_request_returns_only_results(client, site):
    publish(AchievementFactory, 1)
    body = client.get("/achievements/", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in body
    assert "共 1 项" in body


def test_detail_is_routed_under_index(client, site):
    achievement = publish(AchievementFactory, 1)[0]
    response = client.get(f"/achievements/{achievement.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert achievement.title in body
    assert "TRL 6" in body
    assert "¥100万元" in body
    old = client.get(f"/listings/achievement/{achievement.pk}/")
    assert old.status_code == 302 and old["Location"] == f"/achievements/{achievement.pk}/"


def test_detail_of_expired_or_reviewed_listing_shows_clear_page(client, site):
    expired = AchievementFactory(status=ListingStatus.EXPIRED)
    submitted = AchievementFactory(status=ListingStatus.SUBMITTED)
    response = client.get(f"/achievements/{expired.pk}/")
    assert response.status_code == 404
    assert "已过期下架" in response.content.decode()
    assert "正在审核中" in client.get(f"/achievements/{submitted.pk}/").content.decode()
    missing = client.get("/achievements/999999/")
    assert missing.status_code == 404 and "没有找到这条信息" in missing.content.decode()


def test_demand_contact_visible_only_when_signed_in(client, site, outsider):
    demand = publish(DemandFactory, 1, contact_phone="13800001111")[0]
    assert "13800001111" not in client.get(f"/demands/{demand.pk}/").content.decode()
    client.force_login(outsider)
    assert "13800001111" in client.get(f"/demands/{demand.pk}/").content.decode()


def test_sub_market_page_shows_window_and_own_listings(client, site, main_market):
    from windows.models import ServiceWindow

    sub = SubMarketPage.objects.filter(locale__language_code="zh-hans").get().market
    ServiceWindow.objects.create(
        market=sub,
        name="武汉窗口",
        address="武汉市洪山区光谷大道1号",
        hours="周一至周五 9:00-17:00",
        phone="027-87654321",
        services="成果登记\n需求发布",
    )
    mine = publish(
        AchievementFactory,
        1,
        owner=OrganizationFactory(market=sub, kind=OrganizationKind.UNIVERSITY),
    )[0]
    other = publish(AchievementFactory, 1, title="主市场的成果")[0]
    body = client.get("/markets/wuhan/").content.decode()
    assert "武汉市洪山区光谷大道1号" in body and "需求发布" in body
    assert '<dd><a href="tel:02787654321">027-87654321</a></dd>' in body
    index = client.get("/markets/").content.decode()
    assert '<dd><a href="tel:02787654321">027-87654321</a></dd>' in index
    assert "<dd>周一至周五 9:00-17:00</dd>" in index
    assert mine.title in body
    assert other.title not in body


def test_news_and_policy_pages_render(client, site):
    assert "技术合同认定登记" in client.get("/policies/").content.decode()
    news = client.get("/news/").content.decode()
    assert "联百校 转千果" in news


@pytest.mark.parametrize("kind", ["achievement", "demand"])
def test_listing_absolute_url_is_the_page_wagtail_serves(client, site, kind):
    factory = AchievementFactory if kind == "achievement" else DemandFactory
    listing = publish(factory, 1)[0]
    index = {"achievement": AchievementIndexPage, "demand": DemandIndexPage}[kind]
    page = index.objects.live().filter(locale__language_code="zh-hans").get()
    url = listing.get_absolute_url()
    assert url == page.url + page.reverse_subpage("detail", args=[listing.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["page"].specific == page
    assert listing.title in response.content.decode()


def test_listing_absolute_url_without_a_site_is_the_plain_detail_view(client, main_market):
    listing = publish(AchievementFactory, 1)[0]
    assert listing.get_absolute_url() == f"/listings/achievement/{listing.pk}/"
    response = client.get(listing.get_absolute_url())
    assert response.status_code == 200
    assert listing.title in response.content.decode()

"""Each public page's query count stays the same as the market grows: every page is read
with a small market and again with four times as many listings, modes, matches and
organisations, under the same maximum, which is the count measured (not a loose bound).

The counts are of a cold request (an empty cache, so every fragment is computed); what
the fragment cache saves is tested in tests/cms/test_fragment_cache.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from cms.models import SubMarketPage
from cms.site_builder import site_build
from listings.choices import ListingStatus
from market.choices import OrganizationKind
from market.models import Market
from matching.services import rematch_all
from search.services import search_reindex
from tests.factories import (
    AchievementFactory,
    BrokerFactory,
    DemandFactory,
    OrganizationFactory,
    SubMarketFactory,
)

pytestmark = pytest.mark.django_db

SMALL, LARGE = 2, 8

BATTERY = {
    "description": "一种锂电池高镍三元正极材料的共沉淀制备方法，循环寿命提高30%。",
    "keywords": ["正极材料", "锂电池"],
    "field": "new_materials",
}

# The queries of each page, cold: (url, queries). The cards' owners and modes, the detail
# pages' panels and their matches, the figures and the search hits are each read in a
# fixed number of queries, whatever their number.
PAGES = {
    "home": ("/", 36),  # the figures read the main market's targets and snapshots too
    "achievements": ("/achievements/", 28),
    "achievements filtered": ("/achievements/?field=new_materials&trl=5&mode=license", 28),
    "achievements sorted": ("/achievements/?sort=-price&page=1", 28),
    "demands": ("/demands/", 28),
    "demands filtered": ("/demands/?field=new_materials&mode=license&budget_min=10", 28),
    "demands sorted": ("/demands/?sort=-budget", 28),
    "achievement detail": ("/achievements/{achievement}/", 30),  # with its bidding panel
    "demand detail": ("/demands/{demand}/", 28),
    "search": ("/search/?q=锂电池", 19),
    "markets": ("/markets/", 25),
    "sub-market": ("{sub_market}", 32),
    "policies": ("/policies/", 24),
    "news": ("/news/", 26),
    # The figures read the main market's targets and snapshots; the rows are not counted again.
    "target institutions": ("/targets/institutions/", 24),
    "target brokers": ("/targets/brokers/", 24),
    "target listings": ("/targets/listings/", 24),
    "api search": ("/api/v1/search?q=x", 1),
}


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """These tests measure what rendering a page costs; whole cached pages
    (market.pagecache, tested in tests/market/test_page_cache.py) would hide it."""
    settings.PAGE_CACHE_SECONDS = 0


def _published(factory, i, **kwargs):
    now = timezone.now()
    return factory(
        status=ListingStatus.PUBLISHED,
        published_at=now - timedelta(hours=i + 1),
        expires_at=now + timedelta(days=100),
        modes=["transfer", "license"],
        **BATTERY,
        **kwargs,
    )


def grow(n: int, market) -> dict:
    """A market of n of everything: achievements and demands (each with its own owner and
    two modes, in the main market and a sub-market), transfer institutions, brokers, and
    the matches between the listings."""
    sub = Market.objects.filter(parent=market).first()
    for i in range(n):
        where = market if i % 2 else sub
        OrganizationFactory(kind=OrganizationKind.TRANSFER_INSTITUTION, market=where)
        BrokerFactory()
        _published(
            AchievementFactory,
            i,
            title=f"锂电池正极材料制备技术{i}",
            owner=OrganizationFactory(kind=OrganizationKind.UNIVERSITY, market=where),
            trl=6,
            asking_price=80 + i,
        )
        _published(
            DemandFactory,
            i,
            title=f"寻求锂电池正极材料技术{i}",
            owner=OrganizationFactory(kind=OrganizationKind.ENTERPRISE, market=where),
            required_trl=5,
        )
    rematch_all()
    for kind in ("achievement", "demand"):
        search_reindex(kind=kind)
    from listings.models import Achievement, Demand

    return {
        "achievement": Achievement.objects.order_by("pk").first().pk,
        "demand": Demand.objects.order_by("pk").first().pk,
        "sub_market": SubMarketPage.objects.filter(locale__language_code="zh-hans").first().url,
    }


@pytest.fixture
def site(main_market):
    SubMarketFactory(parent=main_market, name="武汉分市场", code="wuhan")
    site_build()
    return main_market


# With Elasticsearch configured the search page and the API ask the node, not the database.
ON_ELASTICSEARCH = {"search": 16, "api search": 0}


def _pages():
    if not settings.ELASTICSEARCH_URL:
        return PAGES
    return {label: (url, ON_ELASTICSEARCH.get(label, most)) for label, (url, most) in PAGES.items()}


def assert_counts(client, ids, django_assert_max_num_queries) -> str:
    measured = {}
    pages = _pages()
    for label, (url, most) in pages.items():
        url = url.format(**ids)
        cache.clear()
        with django_assert_max_num_queries(most, info=label) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        # Tight: the maximum is the count, so a page that gets cheaper updates it here.
        measured[label] = len(captured)
        if label == "search":
            body = response.content.decode()
    assert measured == {label: most for label, (_, most) in pages.items()}
    return body


def test_every_public_page_reads_as_many_queries_with_four_times_the_data(
    client, site, django_assert_max_num_queries
):
    from listings.models import Achievement
    from matching.models import Match

    ids = grow(SMALL, site)
    assert Achievement.objects.count() == SMALL
    small_matches = Match.objects.count()
    assert "共 2 条结果" in assert_counts(client, ids, django_assert_max_num_queries)

    ids = grow(LARGE - SMALL, site)
    assert Achievement.objects.count() == LARGE
    assert Match.objects.count() > 4 * small_matches
    assert "共 8 条结果" in assert_counts(client, ids, django_assert_max_num_queries)

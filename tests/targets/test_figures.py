"""Every "十百千" figure is the count of the rows its own page lists, and says what it counts
and for which year, in both languages."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.site_builder import site_build
from listings.choices import ListingStatus
from market.choices import OrganizationKind, OrganizationStatus
from targets.selectors import FIGURES, market_figures
from tests.factories import (
    AchievementFactory,
    BrokerFactory,
    DemandFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(main_market):
    now = timezone.now()
    year = timezone.localdate().year
    last_year = now.replace(year=year - 1)
    OrganizationFactory.create_batch(2, kind=OrganizationKind.TRANSFER_INSTITUTION)
    OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION,
        status=OrganizationStatus.PENDING,
        name="待审核的转移机构",
    )
    BrokerFactory.create_batch(3)  # each with its own transfer institution: 5 approved in all
    BrokerFactory(active=False)  # not counted as a broker; its institution is
    for i in range(3):
        AchievementFactory(status=ListingStatus.PUBLISHED, published_at=now - timedelta(minutes=i))
    AchievementFactory(status=ListingStatus.CLOSED, published_at=now, title="今年发布后已关闭")
    AchievementFactory(
        status=ListingStatus.PUBLISHED, published_at=last_year, title="去年发布仍在线"
    )
    AchievementFactory(status=ListingStatus.DRAFT, title="尚未送审的草稿成果")
    DemandFactory(status=ListingStatus.PUBLISHED, published_at=now)
    DemandFactory(status=ListingStatus.EXPIRED, published_at=now, title="今年发布已过期")
    return year


def page_count(client, key):
    body = client.get(f"/targets/{key}/").content.decode()
    return int(re.search(r'<p class="count">共 (\d+) 条记录', body).group(1)), body


def test_each_figure_equals_the_count_of_its_rows_page(client, data):
    figures = {f.key: f.value for f in market_figures()}
    assert figures == {
        "institutions": 6,  # 2 + 4 brokers' institutions; not the pending one
        "brokers": 3,
        "listings": 6,  # 4 achievements and 2 demands published this year, in any state
        "achievements": 4,  # online now, whatever the year
        "demands": 1,
        # The sum of registered contracts (none here); tests/brokers/test_contracts_figures.py
        "registered_value": Decimal("0"),
    }
    for key, value in figures.items():
        if key != "registered_value":  # a sum of amounts, not a count of its rows
            assert page_count(client, key)[0] == value


def test_the_collected_rows_are_the_listings_published_this_year(client, data):
    _count, body = page_count(client, "listings")
    assert "今年发布后已关闭" in body and "今年发布已过期" in body
    assert "去年发布仍在线" not in body and "尚未送审的草稿成果" not in body
    assert "<td>已关闭</td>" in body and "<td>已过期</td>" in body
    _count, body = page_count(client, "institutions")
    assert "待审核的转移机构" not in body


def test_rows_pages_paginate_and_the_pages_add_up(client, main_market):
    now = timezone.now()
    for i in range(55):
        DemandFactory(status=ListingStatus.PUBLISHED, published_at=now - timedelta(minutes=i))
    first = client.get("/targets/demands/").content.decode()
    second = client.get("/targets/demands/?page=2").content.decode()
    assert '<p class="count">共 55 条记录' in first
    assert first.count("<tr>") - 1 == 50  # one header row
    assert second.count("<tr>") - 1 == 5
    assert "第 2 / 2 页" in second


def test_unknown_figure_is_404(client, main_market):
    assert client.get("/targets/nonsense/").status_code == 404


def test_home_page_defines_each_figure_and_its_year_in_both_languages(client, data):
    site_build()
    year = data
    body = client.get("/").content.decode()
    assert f"{year}年征集成果与需求" in body
    assert (
        f"{year}年内审核发布的科技成果与技术需求，无论现在是否仍在线"
        "（含此后已关闭、过期或重新送审的）；不含从未发布的草稿。"
    ) in body
    assert "此刻在线（已发布）的科技成果，不论哪一年发布。" in body
    assert f"{year}年度目标；" in body
    for key in FIGURES:
        assert f'href="/targets/{key}/"' in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client.get("/").content.decode()
    assert f"Achievements and demands collected in {year}" in body
    assert (
        f"Achievements and demands approved for publication in {year}, whether or not they "
        "are still online (including those since closed, expired or sent back for review); "
        "drafts never published are not counted."
    ) in body
    online = "Achievements online right now (published), whatever the year they were published."
    assert online in body
    assert f"Targets for {year};" in body
    en_page = client.get("/targets/listings/").content.decode()
    assert f"<h1>Achievements and demands collected in {year}</h1>" in en_page
    assert '<p class="count">6 records' in en_page

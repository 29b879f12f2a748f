"""Fixtures for the search tests: one contract, parametrised over both backends.

The Elasticsearch variant carries the `elasticsearch` marker, so it skips locally without a
reachable node and fails under CI=true. Its indexes use a prefix unique to this session and
are deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from listings.choices import ListingStatus
from market.choices import OrganizationKind
from search.services import search_reindex
from tests.factories import AchievementFactory, DemandFactory, OrganizationFactory

SESSION_PREFIX = f"test-{uuid.uuid4().hex[:10]}"
DEAD_NODE = "http://127.0.0.1:9"


@pytest.fixture(autouse=True)
def _clean_breaker():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def elasticsearch(settings):
    """Settings for the real node under a session-unique prefix; deletes its indexes after."""
    from search.backends import elastic

    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    settings.SEARCH_INDEX_PREFIX = SESSION_PREFIX
    settings.SEARCH_ES_REFRESH = True
    elastic.drop_all()
    yield settings
    elastic.drop_all()


@pytest.fixture(params=["embedded", pytest.param("elasticsearch", marks=pytest.mark.elasticsearch)])
def backend(request, settings):
    """The backend under test; the other one is switched off."""
    if request.param == "elasticsearch":
        request.getfixturevalue("elasticsearch")
    else:
        settings.ELASTICSEARCH_URL = ""
    return request.param


def published(factory, **kwargs):
    days = kwargs.pop("days_ago", 1)
    modes = kwargs.pop("modes", None)
    return factory(
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now() - timedelta(days=days),
        expires_at=timezone.now() + timedelta(days=100),
        modes=modes,
        **kwargs,
    )


@pytest.fixture
def institute(main_market):
    return OrganizationFactory(
        kind=OrganizationKind.INSTITUTE, name="测试研究所", market=main_market
    )


@pytest.fixture
def catalogue(backend, university, institute, enterprise):
    """A small market: achievements with known words, prices and facets, and one demand."""
    items = {
        "battery": published(
            AchievementFactory,
            title="锂离子电池正极材料的制备方法",
            description="提高电池循环寿命，能量密度提高20%。",
            keywords=["正极材料"],
            owner=university,
            trl=6,
            asking_price=100,
            modes=["transfer", "license"],
            days_ago=3,
        ),
        "led": published(
            AchievementFactory,
            title="LED芯片封装工艺",
            description="一种高效的封装方法，光效提高15%。",
            keywords=["芯片封装"],
            field="electronic_information",
            owner=institute,
            trl=8,
            asking_price=2000,
            modes=["license"],
            days_ago=2,
        ),
        "plc": published(
            AchievementFactory,
            title="智能产线控制系统",
            description="采用PLC控制，实现柔性制造。",
            keywords=["智能制造"],
            field="advanced_manufacturing",
            owner=university,
            trl=4,
            asking_price=None,
            price_negotiable=True,
            modes=["service"],
            days_ago=1,
        ),
        "draft": AchievementFactory(
            title="石墨烯散热膜的制备方法", owner=university, status=ListingStatus.DRAFT
        ),
        "demand": published(
            DemandFactory, title="寻求锂电池正极材料技术", owner=enterprise, days_ago=1
        ),
    }
    for kind in ("achievement", "demand"):
        search_reindex(kind=kind)
    return items

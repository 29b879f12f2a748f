"""Shared fixtures, and the rule for tests that need a real service.

A test marked `postgres`, `redis`, `elasticsearch` or `browser` skips with a reason when
its service is absent. Under CI=true a skipped service test is a failure instead: CI
starts every service, so a skip there means something is broken.
"""

from __future__ import annotations

import os
import shutil
import socket
from urllib.parse import urlparse

import pytest
from django.conf import settings

from market.choices import OrganizationKind, Role
from market.models import User
from tests.factories import (
    MarketFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_operator,
)

IN_CI = os.environ.get("CI", "").lower() == "true"


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def _service_missing(marker: str) -> str | None:
    """Why the service a marker names is unavailable, or None when it is there."""
    if marker == "postgres":
        if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
            return "needs PostgreSQL: set DATABASE_URL=postgres://..."
    elif marker == "redis":
        url = os.environ.get("REDIS_URL", "")
        if not url:
            return "needs Redis: set REDIS_URL=redis://..."
        if not _reachable(url, 6379):
            return f"Redis at {url} is not reachable"
    elif marker == "elasticsearch":
        url = os.environ.get("ELASTICSEARCH_URL", "")
        if not url:
            return "needs Elasticsearch: set ELASTICSEARCH_URL=http://..."
        if not _reachable(url, 9200):
            return f"Elasticsearch at {url} is not reachable"
    elif marker == "browser":
        if not shutil.which("chromium") and not os.path.exists("/usr/bin/chromium"):
            return "needs Debian's chromium at /usr/bin/chromium"
    return None


SERVICE_MARKERS = ("postgres", "redis", "elasticsearch", "browser")


def pytest_runtest_setup(item):
    for name in SERVICE_MARKERS:
        if item.get_closest_marker(name) is None:
            continue
        reason = _service_missing(name)
        if reason is None:
            continue
        if IN_CI:
            pytest.fail(f"CI=true and a service test cannot run: {reason}", pytrace=False)
        pytest.skip(reason)


@pytest.fixture
def main_market(db):
    return MarketFactory()


@pytest.fixture
def university(main_market):
    return OrganizationFactory(
        kind=OrganizationKind.UNIVERSITY, name="测试大学", market=main_market
    )


@pytest.fixture
def enterprise(main_market):
    return OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE, name="测试企业", market=main_market
    )


@pytest.fixture
def other_enterprise(main_market):
    return OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE, name="别家企业", market=main_market
    )


def _member(org, role=Role.ORG_ADMIN, **kwargs):
    return MembershipFactory(organization=org, role=role, **kwargs).user


@pytest.fixture
def university_user(university):
    return _member(university)


@pytest.fixture
def enterprise_user(enterprise):
    return _member(enterprise)


@pytest.fixture
def other_enterprise_user(other_enterprise):
    return _member(other_enterprise)


@pytest.fixture
def operator_org(main_market):
    return OrganizationFactory(
        kind=OrganizationKind.OPERATOR, name="市场运营中心", market=main_market
    )


@pytest.fixture
def operator(operator_org, main_market):
    """An operator of the main market, who oversees every sub-market too."""
    return make_operator(operator_org, main_market, name="运营小李")


@pytest.fixture
def superuser(db):
    """The market's administrator (the demo's `admin`): the one who edits listings' content
    in Wagtail's admin; operators only browse them there."""
    return User.objects.create_superuser("root", "root@example.cn", "pw-123456")


@pytest.fixture
def outsider(db):
    return UserFactory()


@pytest.fixture(autouse=True)
def fresh_match_index():
    """The matching index lives in the process; each test starts without one, so no test
    sees listings another test created (and rolled back)."""
    from matching.live import live_index

    live_index.reset()
    yield
    live_index.reset()


@pytest.fixture(autouse=True)
def empty_cache():
    """The cache (locmem in tests) outlives a test's rolled-back rows: each test starts
    with no fragment another test computed."""
    from django.core.cache import cache

    from market.fragments import fragments_forget_local

    cache.clear()
    fragments_forget_local()
    yield
    cache.clear()
    fragments_forget_local()


@pytest.fixture(autouse=True)
def default_language():
    """A request under English leaves English active in the thread; each test starts in
    the site's default language, as a new request would."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pytest_sessionfinish(session, exitstatus):
    """Delete this run's Elasticsearch indexes (market.settings.test gives them their own
    prefix), so runs never read each other's documents."""
    if not settings.ELASTICSEARCH_URL:
        return
    from search.backends import elastic

    try:
        elastic.drop_all()
    except Exception as exc:  # the node may be gone by now; the run's outcome stands
        print(f"\nCould not delete this run's Elasticsearch indexes: {exc}")

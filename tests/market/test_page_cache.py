"""The whole-page cache of the public pages (market.pagecache): anonymous pages are served
from the cache until what they show changes, and signed-in readers never meet it. Every
test runs on locmem and, marked `redis`, on Redis."""

from __future__ import annotations

import os
import re
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from django.test import Client
from django.utils import timezone

from cms.models import StandardPage
from cms.site_builder import site_build
from listings import services
from listings.choices import ListingStatus
from tests.factories import AchievementFactory, DemandFactory, UserFactory, make_operator


@pytest.fixture(params=["locmem", pytest.param("redis", marks=pytest.mark.redis)], ids=lambda p: p)
def cache_backend(request, settings):
    if request.param == "redis":
        # A database of its own: clearing it between tests touches nobody else's keys.
        url = urlparse(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
        location = url._replace(path="/13").geturl()
        backend = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
    else:
        backend = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    settings.CACHES = {"default": backend}
    from django.core.cache import cache

    cache.clear()
    yield request.param
    cache.clear()


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cache_backend")]

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def site(main_market):
    return site_build()


@pytest.fixture
def market_operator(operator_org, main_market):
    return make_operator(operator_org, main_market)


def published(factory, **kwargs):
    return factory(status=ListingStatus.PUBLISHED, published_at=timezone.now(), **kwargs)


def cached(client, url, django_assert_num_queries):
    """Fetch `url` twice: the first answer is rendered and stored, the second comes from the
    cache without a single query. Returns the cached body."""
    first = client.get(url)
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second.status_code == 200
    assert second["X-Page-Cache"] == "hit"
    return second.content.decode()


def test_edited_title_shows_on_detail_list_and_home_straight_after_the_edit(
    client, site, market_operator, django_assert_num_queries, django_capture_on_commit_callbacks
):
    achievement = published(AchievementFactory, title="旧标题的锂电池成果")
    pages = [f"/achievements/{achievement.pk}/", "/achievements/", "/"]
    for url in pages:
        assert "旧标题的锂电池成果" in cached(client, url, django_assert_num_queries)

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(
            listing=achievement, actor=market_operator, title="新标题的锂电池成果"
        )

    for url in pages:
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Page-Cache"] == "miss"
        body = response.content.decode()
        assert "新标题的锂电池成果" in body
        assert "旧标题的锂电池成果" not in body


def test_an_achievement_edit_leaves_the_demand_list_cached(
    client, site, market_operator, django_assert_num_queries, django_capture_on_commit_callbacks
):
    achievement = published(AchievementFactory)
    demand = published(DemandFactory, title="一条不相干的技术需求")
    cached(client, "/demands/", django_assert_num_queries)

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(listing=achievement, actor=market_operator, title="改过的成果")

    response = client.get("/demands/")
    assert response["X-Page-Cache"] == "hit"
    assert demand.title in response.content.decode()


def test_signed_in_name_never_in_a_cached_page_and_no_cached_page_for_them(
    client, site, django_assert_num_queries
):
    user = UserFactory(username="wangwu", name="王五")
    anonymous_body = cached(client, "/", django_assert_num_queries)
    assert "王" not in anonymous_body.split("<main")[0]

    signed_in = Client()
    signed_in.force_login(user)
    response = signed_in.get("/")
    assert response.status_code == 200
    assert "X-Page-Cache" not in response
    assert '<span class="who">王五</span>' in response.content.decode()

    again = client.get("/")
    assert again["X-Page-Cache"] == "hit"
    assert '<span class="who">' not in again.content.decode()
    assert "王五" not in again.content.decode()


def test_signed_in_page_is_not_stored_for_the_next_anonymous_reader(client, site):
    signed_in = Client()
    signed_in.force_login(UserFactory(name="赵六"))
    assert "赵六" in signed_in.get("/achievements/").content.decode()

    anonymous = client.get("/achievements/")
    assert anonymous["X-Page-Cache"] == "miss"
    assert "赵六" not in anonymous.content.decode()


def test_publication_shows_on_the_cached_list_and_home(
    client, site, market_operator, django_assert_num_queries, django_capture_on_commit_callbacks
):
    pending = AchievementFactory(status=ListingStatus.SUBMITTED, title="待审核的固态电池成果")
    for url in ("/achievements/", "/"):
        assert pending.title not in cached(client, url, django_assert_num_queries)

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_approve(listing=pending, actor=market_operator)

    for url in ("/achievements/", "/"):
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert pending.title in response.content.decode()


def test_closing_removes_the_listing_from_its_cached_pages(
    client, site, market_operator, django_assert_num_queries, django_capture_on_commit_callbacks
):
    achievement = published(AchievementFactory, title="将要关闭的成果")
    detail = f"/achievements/{achievement.pk}/"
    for url in (detail, "/achievements/"):
        assert achievement.title in cached(client, url, django_assert_num_queries)

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_close(listing=achievement, actor=market_operator)

    assert client.get(detail).status_code == 404
    assert achievement.title not in client.get("/achievements/").content.decode()


def test_expiry_removes_the_listing_from_its_cached_pages(
    client, site, django_assert_num_queries, django_capture_on_commit_callbacks
):
    demand = published(
        DemandFactory, title="快到期的需求", expires_at=timezone.now() + timedelta(days=1)
    )
    detail = f"/demands/{demand.pk}/"
    for url in (detail, "/demands/", "/"):
        assert demand.title in cached(client, url, django_assert_num_queries)

    with django_capture_on_commit_callbacks(execute=True):
        assert services.listings_expire_due(now=timezone.now() + timedelta(days=2)) == 1

    response = client.get(detail)
    assert response.status_code == 404
    assert "已过期下架" in response.content.decode()
    for url in ("/demands/", "/"):
        assert demand.title not in client.get(url).content.decode()


def test_cms_page_publish_shows_on_its_cached_page(
    client, site, django_assert_num_queries, django_capture_on_commit_callbacks
):
    page = StandardPage.objects.get(
        url_path__endswith="/policies/", locale__language_code="zh-hans"
    )
    assert page.title in cached(client, "/policies/", django_assert_num_queries)
    assert page.title in cached(client, "/", django_assert_num_queries)

    page.title = "政策法规与办事指南（修订）"
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    for url in ("/policies/", "/"):
        response = client.get(url)
        assert response["X-Page-Cache"] == "miss"
        assert "政策法规与办事指南（修订）" in response.content.decode()


def test_post_is_never_cached(client, site):
    response = client.post("/policies/")
    assert "X-Page-Cache" not in response
    assert client.get("/policies/")["X-Page-Cache"] == "miss"


def test_cached_page_carries_each_reader_their_own_working_csrf_token(client, site):
    first = Client(enforce_csrf_checks=True)
    first_token = CSRF_INPUT.search(first.get("/").content.decode()).group(1)

    second = Client(enforce_csrf_checks=True)
    response = second.get("/")
    assert response["X-Page-Cache"] == "hit"
    body = response.content.decode()
    tokens = CSRF_INPUT.findall(body)
    assert len(tokens) == 1
    assert tokens[0] != first_token
    assert first_token not in body
    assert "csrftoken" in response.cookies

    switched = second.post(
        "/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": tokens[0]}
    )
    assert switched.status_code == 302
    assert switched.cookies["django_language"].value == "en"
    english = second.get("/")
    assert english["X-Page-Cache"] == "miss"
    assert 'lang="en"' in english.content.decode()


def test_listing_page_answers_304_while_unchanged(
    client, site, market_operator, django_capture_on_commit_callbacks
):
    achievement = published(AchievementFactory, title="条件请求的成果")
    url = f"/achievements/{achievement.pk}/"
    response = client.get(url)
    etag, last_modified = response["ETag"], response["Last-Modified"]
    assert response["Cache-Control"] == "no-cache"

    for headers in ({"HTTP_IF_NONE_MATCH": etag}, {"HTTP_IF_MODIFIED_SINCE": last_modified}):
        not_modified = client.get(url, **headers)
        assert not_modified.status_code == 304
        assert not_modified["ETag"] == etag
        assert not_modified.content == b""

    # An address not in the cache yet (another query string): the view itself answers.
    from_view = client.get(url + "?from=share", HTTP_IF_NONE_MATCH=etag)
    assert from_view.status_code == 304
    assert "X-Page-Cache" not in from_view

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(
            listing=achievement, actor=market_operator, title="改过的条件请求成果"
        )

    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "改过的条件请求成果" in changed.content.decode()


def test_listing_page_etag_differs_by_language(client, site):
    achievement = published(AchievementFactory)
    url = f"/achievements/{achievement.pk}/"
    chinese = client.get(url)["ETag"]
    client.cookies["django_language"] = "en"
    english = client.get(url, HTTP_IF_NONE_MATCH=chinese)
    assert english.status_code == 200
    assert english["ETag"] != chinese


def test_signed_in_listing_page_has_no_etag(client, site, outsider):
    achievement = published(AchievementFactory)
    client.force_login(outsider)
    response = client.get(f"/achievements/{achievement.pk}/")
    assert response.status_code == 200
    assert "ETag" not in response


def test_password_protected_page_is_never_cached(client, site):
    from django.urls import reverse
    from wagtail.models import PageViewRestriction

    page = StandardPage.objects.get(
        url_path__endswith="/policies/", locale__language_code="zh-hans"
    )
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="kaimen-2026"
    )
    entered = client.post(
        reverse("wagtailcore_authenticate_with_password", args=[restriction.pk, page.pk]),
        {"password": "kaimen-2026", "return_url": "/policies/"},
    )
    assert entered.status_code == 302
    inside = client.get("/policies/")
    assert inside.status_code == 200
    assert "技术合同认定登记" in inside.content.decode()
    assert "X-Page-Cache" not in inside

    stranger = Client().get("/policies/")
    assert "X-Page-Cache" not in stranger
    assert "技术合同认定登记" not in stranger.content.decode()
    assert 'name="password"' in stranger.content.decode()


def test_htmx_results_and_the_full_list_are_cached_apart(client, site):
    published(AchievementFactory, title="分开缓存的成果")
    partial = client.get("/achievements/", HTTP_HX_REQUEST="true")
    assert partial["X-Page-Cache"] == "miss"
    assert "<html" not in partial.content.decode()
    full = client.get("/achievements/")
    assert full["X-Page-Cache"] == "miss"
    assert "<html" in full.content.decode() and "分开缓存的成果" in full.content.decode()
    again = client.get("/achievements/", HTTP_HX_REQUEST="true")
    assert again["X-Page-Cache"] == "hit"
    assert again.content == partial.content

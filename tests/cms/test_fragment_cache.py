"""The fragments computed once per change (the "十百千" figures, the home page's latest
listings, the indexes' counts): never stale straight after a listing is published, edited
or closed, and not computed again by the next request when nothing changed."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.selectors import listing_index_page
from cms.site_builder import site_build
from listings import services
from listings.choices import ListingStatus
from listings.models import Achievement
from listings.selectors import LISTINGS_FRAGMENTS
from listings.signals import announce_listing_changed
from market.choices import OrganizationKind, OrganizationStatus
from market.fragments import fragments_bump
from targets.selectors import FIGURES_FRAGMENTS
from tests.factories import AchievementFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

TITLE = "一种固态电解质薄膜的制备方法"


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """These tests measure what rendering a page costs; whole cached pages
    (market.pagecache, tested in tests/market/test_page_cache.py) would hide it."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture
def site(main_market):
    return site_build()


def figure(body: str, label: str) -> int:
    found = re.search(
        r'figure-value">(\d+)</span>(?:<span class="figure-of-target">[^<]*</span>)?'
        r'<span class="figure-unit">[^<]*</span>\s*'
        rf'<span class="figure-label">{label}</span>',
        body,
    )
    assert found, label
    return int(found.group(1))


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_figures_latest_and_count_change_straight_after_publish_edit_and_close(
    client, site, university, university_user, operator, django_capture_on_commit_callbacks
):
    draft = AchievementFactory(owner=university, title=TITLE)
    home = page(client, "/")
    assert figure(home, "在线科技成果") == 0
    assert TITLE not in home
    assert "共 0 项" in page(client, "/achievements/")

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_submit(listing=draft, actor=university_user)
        services.listing_approve(listing=draft, actor=operator)
    home = page(client, "/")
    assert figure(home, "在线科技成果") == 1
    assert TITLE in home
    assert "共 1 项" in page(client, "/achievements/")
    assert "共 1 项" in page(client, "/achievements/?field=new_materials")

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_update(
            listing=Achievement.objects.get(pk=draft.pk),
            actor=university_user,
            title="一种固态电解质薄膜的低温制备方法",
        )
    home = page(client, "/")
    assert "一种固态电解质薄膜的低温制备方法" in home
    assert TITLE + "</a>" not in home

    with django_capture_on_commit_callbacks(execute=True):
        services.listing_close(listing=Achievement.objects.get(pk=draft.pk), actor=university_user)
    home = page(client, "/")
    assert figure(home, "在线科技成果") == 0
    assert "一种固态电解质薄膜的低温制备方法" not in home
    assert "共 0 项" in page(client, "/achievements/")
    assert "共 0 项" in page(client, "/achievements/?field=new_materials")


def test_the_after_commit_signal_alone_refreshes_the_fragments(
    client, site, university, django_capture_on_commit_callbacks
):
    listing = AchievementFactory(owner=university, title=TITLE, status=ListingStatus.PUBLISHED)
    assert figure(page(client, "/"), "在线科技成果") == 1
    # A write that sends no post_save (a bulk update, as the expiry job may do): only
    # listing_changed, after commit, tells the fragments.
    with django_capture_on_commit_callbacks(execute=True):
        Achievement.objects.filter(pk=listing.pk).update(status=ListingStatus.EXPIRED)
        announce_listing_changed(listing)
    home = page(client, "/")
    assert figure(home, "在线科技成果") == 0
    assert TITLE not in home


def test_figures_follow_transfer_institutions(client, site):
    assert figure(page(client, "/"), "技术转移机构") == 0
    institution = OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION, status=OrganizationStatus.PENDING
    )
    assert figure(page(client, "/"), "技术转移机构") == 0
    institution.status = OrganizationStatus.APPROVED
    institution.save()
    assert figure(page(client, "/"), "技术转移机构") == 1


_CURSOR = re.compile(r'^DECLARE "[^"]+" NO SCROLL CURSOR (?:WITH HOLD )?FOR ')


def _queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    # PostgreSQL reads iterators through named server-side cursors; the name is a counter.
    return [_CURSOR.sub("", q["sql"]) for q in queries.captured_queries]


@pytest.mark.parametrize(
    ("url", "saved"),
    [
        # The six figures' counts with the main market's targets and snapshots, the latest
        # achievements with their modes, the latest demands (there are none, so no modes).
        ("/", 11),
        # The index's count ("共 N 项").
        ("/achievements/", 1),
        ("/demands/?field=new_materials", 1),
        # The six figures' counts and the main market's targets and snapshots (the figure's
        # own rows are counted by its page).
        ("/targets/listings/", 8),
    ],
)
def test_a_second_request_computes_no_fragment(client, site, university, url, saved):
    for i in range(3):
        AchievementFactory(owner=university, title=f"{TITLE}{i}", status=ListingStatus.PUBLISHED)
    # The first request also fills what Wagtail caches itself (the sites' root paths);
    # bumping the groups then leaves only the fragments to compute again.
    _queries(client, url)
    fragments_bump(LISTINGS_FRAGMENTS)
    fragments_bump(FIGURES_FRAGMENTS)
    cold = _queries(client, url)
    warm = _queries(client, url)
    assert len(cold) - len(warm) == saved
    assert [q for q in warm if q not in cold] == []


def test_listing_links_follow_the_page_tree(client, site):
    from cms.models import AchievementIndexPage

    assert 'href="/achievements/">找成果</a>' in page(client, "/")
    index = AchievementIndexPage.objects.get(locale__language_code="zh-hans")
    index.slug = "keji-chengguo"
    index.save_revision().publish()
    assert 'href="/keji-chengguo/">找成果</a>' in page(client, "/")
    index.unpublish()
    # Without the Chinese index the link falls back to its English translation, which
    # keeps the slug it was translated with.
    fallback = listing_index_page("achievement")
    assert fallback.locale.language_code == "en"
    home = page(client, "/")
    assert "/keji-chengguo/" not in home
    assert f'href="{fallback.url}">找成果</a>' in home


def test_navigation_follows_the_page_tree(client, site):
    from cms.models import StandardPage

    policies = StandardPage.objects.live().in_menu().filter(locale__language_code="zh-hans")[0]
    nav = re.compile(r"<nav aria-label=\"主导航\">.*?</nav>", re.S)
    before = page(client, "/")
    assert f'href="{policies.url}">{policies.title}</a>' in before
    policies.title = "政策与办事指南"
    policies.save_revision().publish()
    assert f'href="{policies.url}">政策与办事指南</a>' in page(client, "/")
    policies.unpublish()
    header = nav.search(page(client, "/achievements/"))
    assert header and "政策与办事指南" not in header.group(0)

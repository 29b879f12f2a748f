"""Where things live on the public site. `ListingPages` is the router cms registers with
`listings.locations`, so listings, search and matching link to the site's pages without
importing cms."""

from __future__ import annotations

from wagtail.models import Locale

from cms.models import (
    AchievementIndexPage,
    DemandIndexPage,
    HomePage,
    NewsIndexPage,
    StandardPage,
    SubMarketIndexPage,
)
from listings.locations import DetailUrl
from market.fragments import fragment

# The fragment group of what is read from the page tree on every page (the listing
# indexes' addresses); bumped by cms.receivers whenever a page or a site changes.
PAGES_FRAGMENTS = "pages"

INDEX_PAGES = {page.listing_kind.key: page for page in (AchievementIndexPage, DemandIndexPage)}


def active_locale() -> Locale | None:
    """The content locale of the language being shown, if the database has it."""
    try:
        return Locale.get_active()
    except (LookupError, Locale.DoesNotExist):
        return None


def in_active_locale(queryset):
    """The pages of a queryset in the reader's language, or in any language if that one has
    none (a page not translated yet is still better than no link)."""
    locale = active_locale()
    localized = queryset.filter(locale=locale) if locale is not None else queryset.none()
    return localized if localized.exists() else queryset


def listing_index_page(kind: str):
    return in_active_locale(INDEX_PAGES[kind].objects.live()).first()


def home_page() -> HomePage | None:
    return in_active_locale(HomePage.objects.live()).first()


def navigation_pages() -> list:
    """The sections the main navigation links after the listings: the sub-markets, the
    policies and the news, from the home page of the reader's language, in tree order."""
    home = home_page()
    if home is None:
        return []
    return list(
        home.get_children()
        .live()
        .in_menu()
        .type(SubMarketIndexPage, StandardPage, NewsIndexPage)
        .specific()
    )


def navigation_links() -> list[tuple[str, str]]:
    """(title, address) of each `navigation_pages` entry, read from the page tree once per
    change of the pages (every public page's header shows them)."""

    def compute() -> list[tuple[str, str]]:
        return [(page.title, page.url or "") for page in navigation_pages()]

    return fragment(PAGES_FRAGMENTS, "navigation", compute)


def listing_index_page_url(kind: str) -> str:
    """The address of a kind's live index page in the reader's language ("" when the site
    has none), read from the page tree once per change of the pages, not on every page
    that links to it."""

    def compute() -> str:
        page = listing_index_page(kind)
        return (page.url or "") if page is not None else ""

    return fragment(PAGES_FRAGMENTS, "index-url", compute, kind)


class ListingPages:
    """A listing's canonical page is routed under its kind's live index page."""

    def index_url(self, kind: str) -> str | None:
        return listing_index_page_url(kind) or None

    def detail_url(self, kind: str) -> DetailUrl | None:
        base = listing_index_page_url(kind)
        if not base:
            return None
        resolver = INDEX_PAGES[kind].get_resolver()
        return lambda pk: base + resolver.reverse("detail", pk)

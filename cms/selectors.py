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


class ListingPages:
    """A listing's canonical page is routed under its kind's live index page."""

    def index_url(self, kind: str) -> str | None:
        page = listing_index_page(kind)
        return page.url if page is not None else None

    def detail_url(self, kind: str) -> DetailUrl | None:
        page = listing_index_page(kind)
        if page is None or not page.url:
            return None
        base = page.url
        return lambda pk: base + page.reverse_subpage("detail", args=[pk])

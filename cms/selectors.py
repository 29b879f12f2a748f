"""Where things live on the public site. `ListingPages` is the router cms registers with
`listings.locations`, so listings, search and matching link to the site's pages without
importing cms."""

from __future__ import annotations

from cms.models import AchievementIndexPage, DemandIndexPage
from listings.locations import DetailUrl

INDEX_PAGES = {page.listing_kind.key: page for page in (AchievementIndexPage, DemandIndexPage)}


def listing_index_page(kind: str):
    return INDEX_PAGES[kind].objects.live().first()


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

"""The "matches" panel on a listing's page: the other side's listings that could meet it,
with reasons and the feedback buttons of the people who may act on them."""

from __future__ import annotations

from listings.choices import ListingStatus
from listings.panels import DetailPanel
from matching.choices import DismissReason
from matching.selectors import dismissed_match_count, matches_for_listing


def matches_panel_context(*, request, kind: str, listing) -> dict | None:
    if listing.status != ListingStatus.PUBLISHED:
        return None
    return {
        "match_entries": matches_for_listing(kind, listing, request.user),
        "reasons": DismissReason.choices,
        "dismissed_count": dismissed_match_count(kind, listing, request.user),
    }


MATCHES_PANEL = DetailPanel(
    key="matches", template="matching/_match_list.html", context=matches_panel_context, order=50
)

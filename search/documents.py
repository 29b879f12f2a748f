"""A listing as both backends index it: one flat dict built by one function, so the embedded
index and Elasticsearch can never disagree about what a listing says."""

from __future__ import annotations

from typing import Any

from listings.choices import ListingStatus
from listings.kinds import KINDS
from search.contract import price_band
from search.text import analyze

EXCERPT_CHARS = 600


def listings_for_index(kind: str):
    """Published listings of a kind with what the document needs, in primary-key order."""
    model = KINDS[kind].model
    return (
        model.objects.filter(status=ListingStatus.PUBLISHED)
        .select_related("owner")
        .prefetch_related(model.MODES_FIELD)
        .order_by("pk")
    )


TOKEN_FIELDS = ("title_tokens", "keywords_tokens", "body_tokens")


def segment(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cut the raw text a `listing_document(..., segmented=False)` left in the token fields.
    A plain function over plain dicts, so a reindex can run it in worker processes."""
    for doc in docs:
        for name in TOKEN_FIELDS:
            doc[name] = analyze(doc[name])
    return docs


def listing_document(kind: str, listing, *, segmented: bool = True) -> dict[str, Any] | None:
    """The document for a listing, or None when it must not be found (not published).

    With `segmented=False` the token fields hold the raw text still, for `segment` to cut
    later (a full reindex segments in parallel processes)."""
    if listing.status != ListingStatus.PUBLISHED:
        return None
    if kind == "achievement":
        extra = [listing.advantage, listing.economics, listing.inventors]
        price, negotiable, trl = listing.asking_price, listing.price_negotiable, listing.trl
    else:
        extra = [listing.expected_outcome]
        price = listing.budget_max if listing.budget_max is not None else listing.budget_min
        negotiable, trl = listing.budget_negotiable, None
    keywords = " ".join(listing.keywords or [])
    body = "\n".join([listing.summary, listing.description, *extra, listing.owner.name])
    excerpt = " ".join(t for t in (listing.summary, listing.description) if t)
    doc = {
        "kind": kind,
        "listing_id": listing.pk,
        "title": listing.title,
        "excerpt": excerpt[:EXCERPT_CHARS],
        "keywords": keywords[:700],
        "title_tokens": listing.title,
        "keywords_tokens": keywords,
        "body_tokens": body,
        "field": listing.field,
        "market_id": listing.market_id,
        "region_code": listing.region_code,
        "trl": trl,
        "modes": sorted(m.code for m in listing.modes.all()),
        "price": price,
        "price_negotiable": bool(negotiable),
        "price_band": price_band(price, negotiable),
        "holder_kind": listing.owner.kind,
        "published_at": listing.published_at,
    }
    return segment([doc])[0] if segmented else doc

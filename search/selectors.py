"""Reads for the search pages: where a hit links to, and a person's saved searches."""

from __future__ import annotations

from django.db.models import QuerySet

from listings.locations import listing_detail_url
from search.contract import SearchQuery, SearchResults, filters_key
from search.models import SavedSearch


def hit_urls(results: SearchResults) -> SearchResults:
    """Fill each hit's URL with its listing's public page, resolving each kind's pages once
    per page of hits rather than once a hit."""
    builders = {}
    for hit in results.hits:
        if hit.kind not in builders:
            builders[hit.kind] = listing_detail_url(hit.kind)
        hit.url = builders[hit.kind](hit.pk)
    return results


def saved_searches_of_user(user) -> QuerySet[SavedSearch]:
    """A person's saved searches (我的订阅), newest first; nobody else's."""
    if not user.is_authenticated:
        return SavedSearch.objects.none()
    return SavedSearch.objects.filter(user=user).order_by("-created_at", "-id")


def saved_search_for_query(user, query: SearchQuery) -> SavedSearch | None:
    """The person's saved search that is this query, if they saved it already."""
    q = " ".join(query.q.split())
    return (
        saved_searches_of_user(user)
        .filter(kind=query.kind, q=q, filters_key=filters_key(query.filters))
        .first()
    )

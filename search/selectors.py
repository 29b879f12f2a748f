"""Reads for the search pages: where a hit links to, and a person's saved searches."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from search.contract import SearchQuery, SearchResults, filters_key
from search.models import SavedSearch


def hit_urls(results: SearchResults) -> SearchResults:
    """Fill each hit's URL: its detail page routed under the CMS index page (as
    cms.selectors.listing_url builds it, with the index page looked up once per page of
    hits), else the plain detail view when no site exists."""
    from cms.selectors import listing_index_page

    index_pages: dict[str, object] = {}
    for hit in results.hits:
        if hit.kind not in index_pages:
            index_pages[hit.kind] = listing_index_page(hit.kind)
        page = index_pages[hit.kind]
        if page is not None and page.url:
            hit.url = page.url + page.reverse_subpage("detail", args=[hit.pk])
        else:
            hit.url = reverse("listings:detail", args=[hit.kind, hit.pk])
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

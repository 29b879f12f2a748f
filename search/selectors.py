"""Reads for the search pages: where a hit links to."""

from __future__ import annotations

from django.urls import reverse

from search.contract import SearchResults


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

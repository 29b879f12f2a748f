"""Where things live on the public site."""

from __future__ import annotations

from django.urls import reverse

from cms.models import AchievementIndexPage, DemandIndexPage

INDEX_PAGES = {"achievement": AchievementIndexPage, "demand": DemandIndexPage}


def listing_index_page(kind: str):
    return INDEX_PAGES[kind].objects.live().first()


def listing_url(kind: str, pk: int) -> str | None:
    """The canonical URL of a listing's detail page: routed under its index page."""
    index_page = listing_index_page(kind)
    if index_page is None:
        return None
    return index_page.url + index_page.reverse_subpage("detail", args=[pk])


def listing_public_url(kind: str, pk: int) -> str:
    """A listing's public address: under its CMS index page, else the plain detail view."""
    return listing_url(kind, pk) or reverse("listings:detail", args=[kind, pk])

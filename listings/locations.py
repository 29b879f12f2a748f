"""Where a listing lives on the public site.

listings knows only its own plain detail view. The site above it (cms) knows that a
listing's canonical page is routed under its index page, and registers a router here from
its `AppConfig.ready()`, the way Wagtail keeps hooks: lower apps ask this module, never cms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from django.urls import reverse

DetailUrl = Callable[[int], str]


class ListingRouter(Protocol):
    """What the public site tells listings about its pages."""

    def index_url(self, kind: str) -> str | None:
        """The public index of a kind, or None when the site has none."""

    def detail_url(self, kind: str) -> DetailUrl | None:
        """A function from a listing's pk to its page, looked up once per kind, or None."""


_router: ListingRouter | None = None


def register_router(router: ListingRouter) -> None:
    global _router
    _router = router


def listing_index_url(kind: str) -> str:
    """The public index of a kind of listing; "" when the site has none."""
    return (_router.index_url(kind) if _router else None) or ""


def listing_detail_url(kind: str) -> DetailUrl:
    """The function from pk to public page for one kind: one lookup, then called per listing
    (a page of search hits or cards resolves its index page once, not once a row)."""
    build = _router.detail_url(kind) if _router else None
    if build is not None:
        return build
    return lambda pk: reverse("listings:detail", args=[kind, pk])


def listing_url(kind: str, pk: int) -> str:
    """A listing's public page: under its index page on the site, else the plain view."""
    return listing_detail_url(kind)(pk)


def listing_site_url(kind: str, pk: int) -> str | None:
    """The listing's page on the site, or None when no site page routes it (then the plain
    detail view is the page, and must not redirect to itself)."""
    build = _router.detail_url(kind) if _router else None
    return build(pk) if build is not None else None

"""Reads of listings that return QuerySets: what the public, owners and operators see."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from listings.choices import ListingStatus
from listings.models import Achievement, Attachment, Demand, Listing
from market import permissions
from market.fragments import fragment

# The fragment group of everything computed from the public listings; bumped by
# listings.receivers on every change of a listing or its owner.
LISTINGS_FRAGMENTS = "listings"

ListingModel = type[Achievement] | type[Demand]


def listings_public(model: ListingModel) -> QuerySet:
    """Published listings, which anyone may read."""
    return model.objects.filter(status=ListingStatus.PUBLISHED).select_related("owner", "market")


def listing_cards(model: ListingModel) -> QuerySet:
    """Published listings with what their cards show (owner, market, modes), in a fixed
    number of queries however many cards a page has."""
    return listings_public(model).prefetch_related(model.modes_relation())


def listings_latest(model: ListingModel, *, limit: int = 6) -> list[Listing]:
    """The newest published listings with their cards' data, computed once per change."""
    return fragment(
        LISTINGS_FRAGMENTS,
        f"latest:{model._meta.model_name}",
        lambda: list(listing_cards(model)[:limit]),
        limit,
    )


def listings_count(model: ListingModel, queryset: QuerySet, params) -> int:
    """How many listings a filtered index holds (its "共 N 项"), computed once per change
    for each set of filters. `params` are the request's query parameters; the page and the
    order do not change the count."""
    parts = tuple(
        sorted((k, tuple(sorted(v))) for k, v in params.lists() if k not in ("page", "sort"))
    )
    return fragment(LISTINGS_FRAGMENTS, f"count:{model._meta.model_name}", queryset.count, *parts)


def listings_of_user(model: ListingModel, user) -> QuerySet:
    """Every listing of the organizations this user writes for, in any state."""
    return model.objects.filter(
        owner_id__in=permissions.editable_organization_ids(user)
    ).select_related("owner", "market")


def listing_status_counts(model: ListingModel, user) -> list[dict]:
    """How many of this user's listings of a kind are in each state, in the states' order:
    one GROUP BY, however many listings the organisations hold."""
    counts = dict(
        listings_of_user(model, user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [
        {"status": value, "label": label, "count": counts[value]}
        for value, label in ListingStatus.choices
        if counts.get(value)
    ]


def listings_review_queue(model: ListingModel, user) -> QuerySet:
    """Submitted listings in the markets this user operates, oldest first."""
    return (
        model.objects.filter(
            status=ListingStatus.SUBMITTED, market_id__in=permissions.operated_market_ids(user)
        )
        .select_related("owner", "market")
        .order_by("submitted_at", "id")
    )


def listing_visible_to(listing: Listing, user) -> bool:
    """The public sees published listings; owners and the market's operators see all of theirs."""
    if listing.status == ListingStatus.PUBLISHED:
        return True
    return permissions.is_org_editor(user, listing.owner_id) or permissions.is_market_operator(
        user, listing.market_id
    )


def attachment_visible_to(key, user) -> Attachment | None:
    """The attachment with this key, if this person may see its listing (the rule of
    `listing_visible_to`); None for a key that does not exist and for one they may not see,
    so the two cannot be told apart."""
    attachment = Attachment.objects.select_related("content_type").filter(key=key).first()
    if attachment is None:
        return None
    listing = attachment.listing
    if listing is None or not listing_visible_to(listing, user):
        return None
    return attachment

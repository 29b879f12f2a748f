"""The public side of listing with bidding (挂牌竞价): what is on the block now, and what
closed lately, each with its best bid, in a constant number of queries."""

from __future__ import annotations

from django.db.models import Count, Max, QuerySet
from django.utils import timezone

from brokers.choices import LotStatus
from brokers.models import Lot

RECENT_CLOSED = 20


def _with_bids(lots: QuerySet[Lot]) -> QuerySet[Lot]:
    return lots.select_related("achievement", "seller").annotate(
        best_amount=Max("bids__amount"), bid_count=Count("bids")
    )


def lots_open() -> QuerySet[Lot]:
    """Lots still listed whose bidding has not closed, the soonest closing first."""
    return _with_bids(
        Lot.objects.filter(status=LotStatus.LISTED, closes_at__gt=timezone.now())
    ).order_by("closes_at", "pk")


def lots_recently_closed(limit: int = RECENT_CLOSED) -> list[Lot]:
    """The latest results: sold and unsold lots, the newest close first."""
    closed = Lot.objects.exclude(status=LotStatus.LISTED).filter(closed_at__isnull=False)
    return list(_with_bids(closed).order_by("-closed_at", "-pk")[:limit])

"""The "十百千" figures, computed from data: transfer institutions, brokers and the listings
collected, each against its yearly target. They read brokers and listings, so they live
above both; events and their "转千果" counts (a later app beside this one) will join them."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokers.models import Broker
from listings.choices import ListingStatus
from listings.kinds import ACHIEVEMENT, DEMAND
from market.choices import OrganizationKind
from market.models import Organization


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int
    target: int | None
    unit: str

    @property
    def percent(self) -> int:
        if not self.target:
            return 0
        return min(100, round(100 * self.value / self.target))

    @property
    def met(self) -> bool:
        return self.target is not None and self.value >= self.target


def market_figures(*, year: int | None = None) -> list[Figure]:
    """The "十百千" ecosystem figures: transfer institutions, brokers, and achievements and
    demands collected this year, each against its yearly target. Never typed in."""
    year = year or timezone.localdate().year
    targets = settings.MARKET_TARGETS
    institutions = Organization.objects.filter(kind=OrganizationKind.TRANSFER_INSTITUTION).count()
    brokers = Broker.objects.filter(active=True).count()
    collected = Q(published_at__year=year)
    listing_counts = {
        model._meta.model_name: model.objects.aggregate(
            collected=Count("pk", filter=collected),
            live=Count("pk", filter=Q(status=ListingStatus.PUBLISHED)),
        )
        for model in (ACHIEVEMENT.model, DEMAND.model)
    }
    achievements, demands = listing_counts["achievement"], listing_counts["demand"]
    return [
        Figure("institutions", _("技术转移机构"), institutions, targets["institutions"], _("家")),
        Figure("brokers", _("技术经纪人"), brokers, targets["brokers"], _("名")),
        Figure(
            "listings",
            _("本年征集成果与需求"),
            achievements["collected"] + demands["collected"],
            targets["listings"],
            _("项"),
        ),
        Figure("achievements", _("在线科技成果"), achievements["live"], None, _("项")),
        Figure("demands", _("在线技术需求"), demands["live"], None, _("项")),
    ]

"""The "十百千" figures, computed from data: transfer institutions, brokers and the listings
collected, each against its yearly target. They read brokers and listings, so they live
above both; events and their "转千果" counts (a later app beside this one) will join them.

Each figure is the count of one queryset, `figure_rows(key)`: the page behind a figure lists
exactly the rows it counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import CharField, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokers.models import Broker
from brokers.selectors import registered_contracts, registered_value
from listings.choices import ListingStatus
from listings.kinds import ACHIEVEMENT, DEMAND
from market.choices import OrganizationKind, OrganizationStatus
from market.fragments import fragment
from market.models import Organization

# The fragment group of the figures; bumped by targets.receivers whenever a row any figure
# counts changes (a listing, a transfer institution, a broker).
FIGURES_FRAGMENTS = "figures"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: int | Decimal
    target: int | None
    unit: str
    definition: str
    year: int

    @property
    def percent(self) -> int:
        if not self.target:
            return 0
        return min(100, round(100 * self.value / self.target))

    @property
    def met(self) -> bool:
        return self.target is not None and self.value >= self.target


def _institutions(year: int) -> QuerySet:
    return (
        Organization.objects.filter(
            kind=OrganizationKind.TRANSFER_INSTITUTION, status=OrganizationStatus.APPROVED
        )
        .select_related("market")
        .order_by("name", "pk")
    )


def _brokers(year: int) -> QuerySet:
    return (
        Broker.objects.filter(active=True)
        .select_related("user", "institution")
        .order_by("institution__name", "certificate_no")
    )


def _listing_rows(model, kind: str, **filters) -> QuerySet:
    return (
        model.objects.filter(**filters)
        .annotate(kind=Value(kind, output_field=CharField()))
        .values("pk", "kind", "title", "status", "published_at")
    )


def _collected(year: int) -> QuerySet:
    """Achievements and demands published (approved) in the year, in whatever state they are
    in now, as one queryset of dicts, newest first."""
    # The parts of a union may not be ordered (the models' default ordering is cleared).
    achievements = _listing_rows(ACHIEVEMENT.model, ACHIEVEMENT.key, published_at__year=year)
    demands = _listing_rows(DEMAND.model, DEMAND.key, published_at__year=year)
    return (
        achievements.order_by().union(demands.order_by(), all=True).order_by("-published_at", "-pk")
    )


def _online(kind) -> Callable[[int], QuerySet]:
    def rows(year: int) -> QuerySet:
        return _listing_rows(kind.model, kind.key, status=ListingStatus.PUBLISHED).order_by(
            "-published_at", "-pk"
        )

    return rows


def _registered(year: int) -> QuerySet:
    """Contracts registered in the year (技术合同认定登记), newest first."""
    return (
        registered_contracts(year=year)
        .select_related("market", "seller")
        .order_by("-registered_on", "-pk")
    )


def _registered_amount(rows: QuerySet) -> Decimal:
    return registered_value(rows)["amount"]


@dataclass(frozen=True)
class FigureSpec:
    """What a figure counts: its rows, its words and its yearly target, if it has one."""

    key: str
    label: str
    unit: str
    definition: str
    rows: Callable[[int], QuerySet]
    target_setting: str | None = None
    # The figure's value from its rows; their count unless it says otherwise.
    value: Callable[[QuerySet], int | Decimal] | None = None


FIGURES: dict[str, FigureSpec] = {
    spec.key: spec
    for spec in (
        FigureSpec(
            "institutions",
            _("技术转移机构"),
            _("家"),
            _("在平台登记并通过审核的技术转移机构，累计至今，不限年份。"),
            _institutions,
            "institutions",
        ),
        FigureSpec(
            "brokers",
            _("技术经纪人"),
            _("名"),
            _("当前在岗的技术经纪人，累计至今，不限年份。"),
            _brokers,
            "brokers",
        ),
        FigureSpec(
            "listings",
            _("%(year)s年征集成果与需求"),
            _("项"),
            _(
                "%(year)s年内审核发布的科技成果与技术需求，无论现在是否仍在线"
                "（含此后已关闭、过期或重新送审的）；不含从未发布的草稿。"
            ),
            _collected,
            "listings",
        ),
        FigureSpec(
            "achievements",
            _("在线科技成果"),
            _("项"),
            _("此刻在线（已发布）的科技成果，不论哪一年发布。"),
            _online(ACHIEVEMENT),
        ),
        FigureSpec(
            "demands",
            _("在线技术需求"),
            _("项"),
            _("此刻在线（已发布）的技术需求，不论哪一年发布。"),
            _online(DEMAND),
        ),
        FigureSpec(
            "registered_value",
            _("%(year)s年技术合同成交额"),
            _("万元"),
            _(
                "%(year)s年内经技术合同登记机构认定登记的技术合同成交额合计；"
                "已申请、已受理、退回补正或不予登记的合同不计入。"
            ),
            _registered,
            value=_registered_amount,
        ),
    )
}


def figure_rows(key: str, *, year: int | None = None) -> QuerySet:
    """The rows one figure counts. Raises KeyError for an unknown figure."""
    return FIGURES[key].rows(year or timezone.localdate().year)


def market_figure(key: str, *, year: int | None = None) -> Figure:
    """One figure: its rows' count, in the active language's words."""
    spec = FIGURES[key]
    year = year or timezone.localdate().year
    target = settings.MARKET_TARGETS[spec.target_setting] if spec.target_setting else None
    return Figure(
        key=spec.key,
        label=str(spec.label) % {"year": year},
        value=spec.value(spec.rows(year)) if spec.value else spec.rows(year).count(),
        target=target,
        unit=str(spec.unit),
        definition=str(spec.definition) % {"year": year},
        year=year,
    )


def market_figures(*, year: int | None = None) -> list[Figure]:
    """The "十百千" ecosystem figures: transfer institutions, brokers, and achievements and
    demands collected this year, each against its yearly target. Never typed in."""
    return [market_figure(key, year=year) for key in FIGURES]


def market_figures_shown() -> list[Figure]:
    """The figures as the public pages show them: this year's, computed once per change of
    what they count rather than once per request."""
    year = timezone.localdate().year
    return fragment(FIGURES_FRAGMENTS, "all", lambda: market_figures(year=year), year)


def market_figure_shown(key: str) -> Figure:
    """One of `market_figures_shown()`. Raises KeyError for an unknown figure."""
    for figure in market_figures_shown():
        if figure.key == key:
            return figure
    raise KeyError(key)

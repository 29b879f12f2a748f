"""The "十百千" figures, computed from data: transfer institutions, brokers and the listings
collected, each against its yearly target. They read brokers and listings, so they live
above both; events and their "转千果" counts (a later app beside this one) will join them.

Each figure is the count of one queryset, `figure_rows(key)`: the page behind a figure lists
exactly the rows it counts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import CharField, QuerySet, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokers.models import Broker
from brokers.selectors import registered_contracts, registered_value
from listings.choices import ListingStatus
from listings.kinds import ACHIEVEMENT, DEMAND
from market.choices import MarketKind, OrganizationKind, OrganizationStatus
from market.fragments import fragment
from market.models import Market, Organization

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
    market_code: str = ""
    # When the year's snapshot froze it; None while it is computed live.
    frozen_at: datetime | None = None

    @property
    def percent(self) -> int:
        if not self.target:
            return 0
        return min(100, round(100 * self.value / self.target))

    @property
    def met(self) -> bool:
        return self.target is not None and self.value >= self.target


def in_market(rows: QuerySet, lookup: str, market: Market | None) -> QuerySet:
    """A sub-market's figure counts its own rows; the main market's (or no market) counts
    the whole province."""
    if market is None or market.parent_id is None:
        return rows
    return rows.filter(**{lookup: market.pk})


def _institutions(year: int, market: Market | None = None) -> QuerySet:
    return (
        in_market(
            Organization.objects.filter(
                kind=OrganizationKind.TRANSFER_INSTITUTION, status=OrganizationStatus.APPROVED
            ),
            "market_id",
            market,
        )
        .select_related("market")
        .order_by("name", "pk")
    )


def _brokers(year: int, market: Market | None = None) -> QuerySet:
    return (
        in_market(Broker.objects.filter(active=True), "institution__market_id", market)
        .select_related("user", "institution")
        .order_by("institution__name", "certificate_no")
    )


def _listing_rows(model, kind: str, market: Market | None, **filters) -> QuerySet:
    return (
        in_market(model.objects.filter(**filters), "market_id", market)
        .annotate(kind=Value(kind, output_field=CharField()))
        .values("pk", "kind", "title", "status", "published_at")
    )


def _collected(year: int, market: Market | None = None) -> QuerySet:
    """Achievements and demands published (approved) in the year, in whatever state they are
    in now, as one queryset of dicts, newest first."""
    # The parts of a union may not be ordered (the models' default ordering is cleared).
    achievements = _listing_rows(
        ACHIEVEMENT.model, ACHIEVEMENT.key, market, published_at__year=year
    )
    demands = _listing_rows(DEMAND.model, DEMAND.key, market, published_at__year=year)
    return (
        achievements.order_by().union(demands.order_by(), all=True).order_by("-published_at", "-pk")
    )


def _online(kind) -> Callable[..., QuerySet]:
    def rows(year: int, market: Market | None = None) -> QuerySet:
        return _listing_rows(kind.model, kind.key, market, status=ListingStatus.PUBLISHED).order_by(
            "-published_at", "-pk"
        )

    return rows


def _registered(year: int, market: Market | None = None) -> QuerySet:
    """Contracts registered in the year (技术合同认定登记) by the market's registry (the
    province's: all of them), newest first."""
    rows = registered_contracts(year=year)
    return (
        in_market(rows, "market_id", market)
        .select_related("market", "seller")
        .order_by("-registered_on", "-pk")
    )


def _registered_amount(rows: QuerySet) -> Decimal:
    return registered_value(rows)["amount"]


def _get(row, name: str):
    return row[name] if isinstance(row, dict) else getattr(row, name)


def _day(value) -> str:
    return value.date().isoformat() if hasattr(value, "date") else value.isoformat()


def _institution_cells(org) -> list:
    return [org.name, org.market.name, org.address or "—"]


def _broker_cells(broker) -> list:
    name = broker.user.get_full_name() or broker.user.username
    return [name, broker.institution.name, str(broker.get_grade_display())]


def _listing_cells(row) -> list:
    kind = _("科技成果") if row["kind"] == ACHIEVEMENT.key else _("技术需求")
    try:
        status = ListingStatus(row["status"]).label
    except ValueError:
        status = row["status"]
    published = _day(timezone.localtime(row["published_at"])) if row["published_at"] else "—"
    return [row["title"], str(kind), str(status), published]


def _contract_cells(c) -> list:
    return [
        c.registration_no,
        c.title,
        str(c.get_contract_type_display()),
        c.seller.name,
        c.market.name,
        c.registered_on.isoformat(),
        str(c.amount),
        str(c.tech_amount),
    ]


_LISTING_COLUMNS = (_("名称"), _("类别"), _("状态"), _("发布日期"))


@dataclass(frozen=True)
class FigureSpec:
    """What a figure counts: its rows, its words and its yearly target, if it has one.

    `rows(year, market)` is the one definition of the figure; everything else (its value,
    its page, its month-by-month chart, its export and its year-end snapshot) reads it."""

    key: str
    label: str
    unit: str
    definition: str
    rows: Callable[..., QuerySet]
    target_setting: str | None = None
    # The figure's value from its rows; their count unless it says otherwise.
    value: Callable[[QuerySet], int | Decimal] | None = None
    # Each row as the page, the export and the snapshot show it, under these headings.
    columns: tuple = _LISTING_COLUMNS
    cells: Callable[[object], list] = _listing_cells
    # The row's date, for the month-by-month chart, and what one row adds to the figure.
    date_field: str = "published_at"
    amount_field: str | None = None
    # The columns (from 0) that hold amounts, right-aligned as on the live page.
    amount_columns: tuple[int, ...] = ()

    def label_for(self, year: int | None) -> str:
        return str(self.label) % {"year": year or "YYYY"}

    def row_id(self, row):
        """The row's key in a snapshot: its pk, or "kind:pk" for a figure of two models."""
        if isinstance(row, dict):
            return f"{row['kind']}:{row['pk']}"
        return row.pk

    def frozen_row(self, row) -> dict:
        when = _get(row, self.date_field)
        amount = _get(row, self.amount_field) if self.amount_field else None
        return {
            "id": self.row_id(row),
            "cells": [str(cell) for cell in self.cells(row)],
            "date": _day(timezone.localtime(when) if hasattr(when, "tzinfo") else when)
            if when
            else None,
            "amount": str(amount) if amount is not None else None,
        }


# Events held, meetings held and intentions signed (the "联百校 转千果" counts) join this
# registry after events land: each as one more FigureSpec whose rows are the events app's
# own querysets, scoped to the event's sub-market like the figures below.
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
            columns=(_("名称"), _("所属市场"), _("地址")),
            cells=_institution_cells,
            date_field="created_at",
        ),
        FigureSpec(
            "brokers",
            _("技术经纪人"),
            _("名"),
            _("当前在岗的技术经纪人，累计至今，不限年份。"),
            _brokers,
            "brokers",
            columns=(_("技术经纪人"), _("所属机构"), _("等级")),
            cells=_broker_cells,
            date_field="created_at",
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
            columns=(
                _("登记编号"),
                _("合同名称"),
                _("合同类型"),
                _("卖方"),
                _("登记机构"),
                _("登记日期"),
                _("成交额（万元）"),
                _("技术交易额（万元）"),
            ),
            cells=_contract_cells,
            date_field="registered_on",
            amount_field="amount",
            amount_columns=(6, 7),
        ),
    )
}


def _year(year: int | None) -> int:
    return year or timezone.localdate().year


def _plain(number: Decimal | None) -> int | Decimal | None:
    """1000.00 as 1000: targets and counts are whole numbers but for money."""
    if number is None:
        return None
    return int(number) if number == number.to_integral_value() else number.normalize()


def figure_rows(key: str, *, year: int | None = None, market: Market | None = None) -> QuerySet:
    """The live rows one figure counts, for one market (None: the province). Raises KeyError
    for an unknown figure."""
    return FIGURES[key].rows(_year(year), market)


def figure_snapshot(key: str, *, year: int, market: Market | None = None):
    """The year's frozen figure for the market (None: the main market), if it was taken."""
    from targets.models import TargetSnapshot

    return _for_market(TargetSnapshot.objects.filter(key=key, year=year), market).first()


def _for_market(rows: QuerySet, market: Market | None) -> QuerySet:
    # None is the province, whose figures and targets are the main market's.
    return (
        rows.filter(market__kind=MarketKind.MAIN) if market is None else rows.filter(market=market)
    )


def _targets(year: int, market: Market | None) -> dict[str, Decimal]:
    from targets.models import Target

    rows = _for_market(Target.objects.filter(year=year), market)
    return dict(rows.values_list("key", "target"))


def _snapshots(year: int, market: Market | None) -> dict:
    from targets.models import TargetSnapshot

    rows = _for_market(TargetSnapshot.objects.filter(year=year), market)
    return {s.key: s for s in rows.only("key", "value", "taken_at")}


def _figure(spec, year, market, targets, snapshots) -> Figure:
    snapshot = snapshots.get(spec.key)
    if snapshot is not None:
        value = snapshot.value if spec.value else int(snapshot.value)
    else:
        rows = spec.rows(year, market)
        value = spec.value(rows) if spec.value else rows.count()
    target = targets.get(spec.key)
    if target is None and spec.target_setting and (market is None or market.parent_id is None):
        # The province's standing "十百千" commitment, until an operator sets the year's.
        target = settings.MARKET_TARGETS[spec.target_setting]
    return Figure(
        key=spec.key,
        label=spec.label_for(year),
        value=value,
        target=_plain(Decimal(target)) if target is not None else None,
        unit=str(spec.unit),
        definition=str(spec.definition) % {"year": year},
        year=year,
        market_code=market.code if market is not None else "",
        frozen_at=snapshot.taken_at if snapshot is not None else None,
    )


def market_figure(key: str, *, year: int | None = None, market: Market | None = None) -> Figure:
    """One figure for one market (None: the province): its rows' count (or sum), frozen at
    the year's snapshot once taken, against the market's target for the year."""
    year = _year(year)
    return _figure(FIGURES[key], year, market, _targets(year, market), _snapshots(year, market))


def market_figures(*, year: int | None = None, market: Market | None = None) -> list[Figure]:
    """The "十百千" ecosystem figures: transfer institutions, brokers, and achievements and
    demands collected this year, each against its yearly target. Never typed in."""
    year = _year(year)
    targets, snapshots = _targets(year, market), _snapshots(year, market)
    return [_figure(spec, year, market, targets, snapshots) for spec in FIGURES.values()]


def market_figures_shown() -> list[Figure]:
    """The figures as the public pages show them: this year's, computed once per change of
    what they count (or of a target) rather than once per request."""
    year = timezone.localdate().year
    return fragment(FIGURES_FRAGMENTS, "all", lambda: market_figures(year=year), year)


def market_figure_shown(key: str) -> Figure:
    """One of `market_figures_shown()`. Raises KeyError for an unknown figure."""
    for figure in market_figures_shown():
        if figure.key == key:
            return figure
    raise KeyError(key)


def figure_frozen_rows(key: str, *, year: int, market: Market | None = None) -> list[dict] | None:
    """The rows of the year's snapshot as they were frozen, or None if none was taken."""
    snapshot = figure_snapshot(key, year=year, market=market)
    return None if snapshot is None else snapshot.rows


def figure_row_records(key: str, *, year: int, market: Market | None = None) -> list[dict]:
    """The rows behind a figure as {"id", "cells", "date", "amount"}: the frozen ones once
    the year is snapshotted, the live ones before."""
    frozen = figure_frozen_rows(key, year=year, market=market)
    if frozen is not None:
        return frozen
    spec = FIGURES[key]
    return [spec.frozen_row(row) for row in spec.rows(year, market)]


def figure_by_month(key: str, *, year: int, market: Market | None = None) -> list:
    """The figure month by month through the year, cumulative by each row's date, so the
    last month shown is the figure itself: rows dated before the year count from January,
    rows dated after it (a figure "累计至今" looked at later) in December. Months still to
    come are left out."""
    spec = FIGURES[key]
    today = timezone.localdate()
    months = 12 if year < today.year else (today.month if year == today.year else 0)
    added = [Decimal(0)] * 12
    for record in figure_row_records(key, year=year, market=market):
        day = record["date"] or f"{year}-12-31"
        month = 0 if day < f"{year}" else 11 if day > f"{year}-12-31" else int(day[5:7]) - 1
        added[min(month, max(months - 1, 0))] += (
            Decimal(record["amount"]) if spec.amount_field else 1
        )
    values, total = [], Decimal(0)
    for month in range(months):
        total += added[month]
        values.append(_plain(total))
    return values


def dashboard_figures(*, year: int, markets: list[Market], focus: Market, url) -> list[dict]:
    """Each figure for each of `markets` against its target, with `url(key, year=, market=)`
    to the rows behind it, and the figure month by month for the `focus` market."""
    per_market = {m.pk: market_figures(year=year, market=m) for m in markets}
    shown = []
    for index, spec in enumerate(FIGURES.values()):
        rows = [
            {
                "market": m,
                "figure": per_market[m.pk][index],
                "href": url(spec.key, year=year, market=m),
            }
            for m in markets
        ]
        focus_figure = per_market[focus.pk][index]
        months = figure_by_month(spec.key, year=year, market=focus)
        shown.append(
            {
                "key": spec.key,
                "label": spec.label_for(year),
                "unit": str(spec.unit),
                "definition": str(spec.definition) % {"year": year},
                "markets": rows,
                "months": {
                    "labels": [
                        str(_("%(month)s月")) % {"month": month}
                        for month in range(1, len(months) + 1)
                    ],
                    "values": months,
                    "target": focus_figure.target,
                },
            }
        )
    return shown

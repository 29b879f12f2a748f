"""Deal statistics for operators: registered contract value (成交额, 技术交易额) and counts by
sub-market, month, field and contract type; the pipeline funnel; brokers ranked by value.

Every figure comes from an aggregate query (values / annotate / Sum / Count), never a loop
over rows, and every figure has a drill-down: `contracts_behind` and `deals_behind` return
the rows that make it up, under the same filters.

The figures are computed once per change, not once per request: `deal_figures` keeps them
(and the drill-downs keep their counts) as `DEAL_FIGURES` fragments (market.fragments),
whose version brokers.receivers bumps when a deal, a contract, a deduction or a broker
link is saved or deleted, at once and again on commit. So a figure is never older than
the last change; `figures_compute` is the uncached path.

The funnel uses the stage order of `DealStage`: a deal now at a stage has passed every stage
before it, and a lost deal counts up to the stage it was lost at (`lost_at_stage`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from brokers.choices import ContractType, DealStage, RegistrationStatus
from brokers.models import Broker, Contract, Deal, DealBroker
from listings.choices import TechField
from market.fragments import fragment
from market.models import Market
from market.permissions import operated_market_ids

# The pipeline's stages in order, without the lost state.
FUNNEL_STAGES = [s for s in DealStage if s != DealStage.LOST]
DIMENSIONS = ("market", "month", "field", "contract_type")
BROKER_RANKING_SIZE = 20
# The fragments (market.fragments) of every figure here and of its drill-down's count: bumped
# when a deal, its contract, a deduction from it or its brokers change (brokers.receivers).
DEAL_FIGURES = "deal-figures"

_ZERO = Value(Decimal("0"), output_field=DecimalField(max_digits=16, decimal_places=2))


@dataclass(frozen=True)
class StatsFilter:
    """The markets a person may see, narrowed by the form's sub-market and dates."""

    market_ids: frozenset[int]
    market_id: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None

    @property
    def markets(self) -> set[int]:
        if self.market_id is not None:
            return {self.market_id} & set(self.market_ids)
        return set(self.market_ids)

    def parts(self) -> tuple:
        """What tells one filter's figures from another's, for the fragment cache."""
        return (tuple(sorted(self.market_ids)), self.market_id, self.date_from, self.date_to)

    def query(self) -> dict[str, str]:
        """The filter as GET parameters, for drill-down and export links."""
        out = {}
        if self.market_id is not None:
            out["market"] = str(self.market_id)
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        return out


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def stats_filter(user, params) -> StatsFilter:
    """The filter from GET parameters: market, year, or from/to (ISO dates); a bad value is
    ignored rather than an error."""
    ids = frozenset(operated_market_ids(user))
    market_id = None
    raw_market = params.get("market") or ""
    if raw_market.isdigit() and int(raw_market) in ids:
        market_id = int(raw_market)
    date_from, date_to = _date(params.get("from")), _date(params.get("to"))
    year = params.get("year") or ""
    if year.isdigit() and 1900 < int(year) < 3000:
        date_from = datetime.date(int(year), 1, 1)
        date_to = datetime.date(int(year), 12, 31)
    return StatsFilter(ids, market_id, date_from, date_to)


def stats_markets(flt: StatsFilter) -> QuerySet[Market]:
    return Market.objects.filter(id__in=flt.market_ids).order_by("parent_id", "code")


def registered_contracts(flt: StatsFilter) -> QuerySet[Contract]:
    qs = Contract.objects.filter(
        registration_status=RegistrationStatus.REGISTERED, market_id__in=flt.markets
    )
    if flt.date_from:
        qs = qs.filter(registered_on__gte=flt.date_from)
    if flt.date_to:
        qs = qs.filter(registered_on__lte=flt.date_to)
    return qs


CENT = Decimal("0.01")


def _cents(value) -> Decimal:
    """A sum in 万元 to the cent: SQLite sums decimals as floats (18350.1000000000)."""
    return Decimal(value or 0).quantize(CENT)


def _rounded(row: dict) -> dict:
    row["amount_sum"] = _cents(row["amount_sum"])
    row["tech_sum"] = _cents(row["tech_sum"])
    return row


def contract_totals_of(qs) -> dict:
    return _rounded(
        qs.order_by().aggregate(
            n=Count("id"),
            amount_sum=Coalesce(Sum("amount"), _ZERO),
            tech_sum=Coalesce(Sum("tech_amount"), _ZERO),
        )
    )


def _zero_row() -> dict:
    return {"n": 0, "amount_sum": Decimal("0.00"), "tech_sum": Decimal("0.00")}


def _add(row: dict, group: dict) -> None:
    row["n"] += group["n"]
    row["amount_sum"] += _cents(group["amount_sum"])
    row["tech_sum"] += _cents(group["tech_sum"])


def _month(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def contract_figures(flt: StatsFilter) -> dict:
    """The totals and the four tables of registered contracts from two grouped queries, each
    rolled up here into two tables: (sub-market, field) and (month, type), a few hundred
    groups at most. One query by all four at once makes thousands of groups, slower to read
    than two scans; one query per table scans the contracts four times."""
    qs = registered_contracts(flt).order_by()
    sums = {"n": Count("id"), "amount_sum": Sum("amount"), "tech_sum": Sum("tech_amount")}
    totals = _zero_row()
    by: dict[str, dict] = {dim: {} for dim in DIMENSIONS}

    def roll(dim, key, group):
        row = by[dim].get(key)
        if row is None:
            row = by[dim][key] = _zero_row()
        _add(row, group)

    for g in qs.values("market_id", "field").annotate(**sums):
        _add(totals, g)
        roll("market", g["market_id"], g)
        roll("field", g["field"], g)
    months = qs.annotate(m=TruncMonth("registered_on")).values("m", "contract_type")
    for g in months.annotate(**sums):
        roll("month", _month(g["m"]), g)
        roll("contract_type", g["contract_type"], g)
    return {"totals": totals, "by": {dim: sorted(rows.items()) for dim, rows in by.items()}}


def broker_figures(flt: StatsFilter, limit: int = 20) -> list[dict]:
    """Brokers by the registered value of the deals they are on: one grouped join of the
    contracts with their deals' broker links. A contract counts in full for each of its
    brokers (the shares split commission, not credit); a broker is on a deal once, so each
    joined row is one contract."""
    rows = (
        registered_contracts(flt)
        .order_by()
        .filter(deal__deal_brokers__isnull=False)
        .values(broker_id=F("deal__deal_brokers__broker_id"))
        .annotate(
            n=Count("id"),
            amount_sum=Coalesce(Sum("amount"), _ZERO),
            tech_sum=Coalesce(Sum("tech_amount"), _ZERO),
        )
        .order_by("-amount_sum", "broker_id")[:limit]
    )
    return [_rounded(row) for row in rows]


def funnel_figures(flt: StatsFilter) -> list[int]:
    """How many deals are (or were lost) at each stage of `FUNNEL_STAGES`: one grouped query;
    the sums run over at most 9×9 groups."""
    groups = _deals(flt).order_by().values("stage", "lost_at_stage").annotate(n=Count("id"))
    order = {s.value: i for i, s in enumerate(FUNNEL_STAGES)}
    at = [0] * len(FUNNEL_STAGES)
    for g in groups:
        stage = g["lost_at_stage"] if g["stage"] == DealStage.LOST else g["stage"]
        if stage in order:
            at[order[stage]] += g["n"]
    return at


def figures_compute(flt: StatsFilter) -> dict:
    """Every figure of the statistics page, uncached: three aggregate queries."""
    return {
        **contract_figures(flt),
        "brokers": broker_figures(flt, BROKER_RANKING_SIZE),
        "funnel": funnel_figures(flt),
    }


def deal_figures(flt: StatsFilter) -> dict:
    """Every figure of the statistics page under this filter, computed once per change of
    the deals, contracts and their brokers (the `DEAL_FIGURES` fragments, bumped by
    brokers.receivers), not once per request. Numbers and keys only: the labels (market
    and broker names, translated choices) are put on by the functions below, fresh."""
    return fragment(DEAL_FIGURES, "figures", lambda: figures_compute(flt), *flt.parts())


def contract_totals(flt: StatsFilter) -> dict:
    return dict(deal_figures(flt)["totals"])


def _market_names(ids) -> dict[int, str]:
    return dict(Market.objects.filter(id__in=ids).values_list("id", "name"))


def contracts_by(flt: StatsFilter, dimension: str) -> list[dict]:
    """Count, 成交额 and 技术交易额 of registered contracts by one dimension; each row has
    `key` (the drill-down value) and `label`."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    rows = deal_figures(flt)["by"][dimension]
    if dimension == "market":
        names = _market_names([k for k, _ in rows])
        out = [
            dict(r, market_id=k, market__name=names.get(k, ""), key=str(k), label=names.get(k, ""))
            for k, r in rows
        ]
        return sorted(out, key=lambda r: (r["label"], r["market_id"]))
    if dimension == "month":
        return [dict(r, m=k, key=k.strftime("%Y-%m"), label=k.strftime("%Y-%m")) for k, r in rows]
    if dimension == "field":
        labels = dict(TechField.choices)
        return [dict(r, field=k, key=k or "-", label=labels.get(k, k or "—")) for k, r in rows]
    labels = dict(ContractType.choices)
    return [dict(r, contract_type=k, key=k, label=labels.get(k, "—")) for k, r in rows]


def contracts_behind(flt: StatsFilter, dimension: str | None, key: str | None):
    """The registered contracts behind one figure of `contracts_by` (or `broker_ranking`)."""
    qs = registered_contracts(flt).select_related("market")
    if not dimension:
        return qs
    if dimension == "market":
        return qs.filter(market_id=int(key)) if key and key.isdigit() else qs.none()
    if dimension == "month":
        try:
            first = datetime.date.fromisoformat(f"{key}-01")
        except (TypeError, ValueError):
            return qs.none()
        nxt = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return qs.filter(registered_on__gte=first, registered_on__lt=nxt)
    if dimension == "field":
        return qs.filter(field="" if key == "-" else key)
    if dimension == "contract_type":
        return qs.filter(contract_type=key)
    if dimension == "broker":
        if not (key and key.isdigit()):
            return qs.none()
        # The broker's deals first (an indexed lookup), not a join made distinct again.
        deals = DealBroker.objects.filter(broker_id=int(key)).values("deal_id")
        return qs.filter(deal_id__in=deals)
    return qs.none()


def contracts_behind_totals(flt: StatsFilter, dimension: str | None, key: str | None) -> dict:
    """Count and sums of `contracts_behind`, computed once per change like the figures: the
    drill-down shows them, and its pages hold exactly that many rows."""
    qs = contracts_behind(flt, dimension, key)
    parts = (*flt.parts(), dimension, key)
    return fragment(DEAL_FIGURES, "contracts-behind", lambda: contract_totals_of(qs), *parts)


def broker_ranking(flt: StatsFilter, limit: int = BROKER_RANKING_SIZE) -> list[dict]:
    """Brokers by the registered value of the deals they are on (`broker_figures`)."""
    if limit <= BROKER_RANKING_SIZE:
        rows = deal_figures(flt)["brokers"][:limit]
    else:
        rows = broker_figures(flt, limit)
    names = {
        b["id"]: b["user__name"] or b["user__username"]
        for b in Broker.objects.filter(id__in=[r["broker_id"] for r in rows]).values(
            "id", "user__name", "user__username"
        )
    }
    return [
        dict(
            r,
            broker__user__name=names.get(r["broker_id"], ""),
            key=str(r["broker_id"]),
            label=names.get(r["broker_id"], ""),
        )
        for r in rows
    ]


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _deals(flt: StatsFilter) -> QuerySet[Deal]:
    # A range on the creation time (in the site's time zone), which an index can serve,
    # rather than the date of it, which it cannot.
    qs = Deal.objects.filter(market_id__in=flt.markets)
    if flt.date_from:
        qs = qs.filter(created_at__gte=_day_start(flt.date_from))
    if flt.date_to:
        qs = qs.filter(created_at__lt=_day_start(flt.date_to + datetime.timedelta(days=1)))
    return qs


def funnel(flt: StatsFilter) -> list[dict]:
    """Deals that reached each stage (by the stage order), with the conversion rate from the
    stage before, in percent (`funnel_figures`)."""
    at = deal_figures(flt)["funnel"]
    rows, reached, previous = [], sum(at), None
    for i, stage in enumerate(FUNNEL_STAGES):
        rate = None
        if previous:
            rate = round(Decimal(reached) * 100 / previous, 1)
        rows.append({"key": stage.value, "label": stage.label, "n": reached, "rate": rate})
        previous = reached
        reached -= at[i]
    return rows


def deals_behind(flt: StatsFilter, stage: str | None) -> QuerySet[Deal]:
    """The deals that reached `stage`: those now at it or a later stage, and those lost at it
    or later."""
    qs = _deals(flt).select_related("market").order_by("-created_at", "-id")
    values = [s.value for s in FUNNEL_STAGES]
    if not stage:
        return qs
    if stage not in values:
        return qs.none()
    later = values[values.index(stage) :]
    return qs.filter(Q(stage__in=later) | Q(stage=DealStage.LOST, lost_at_stage__in=later))


def deals_behind_count(flt: StatsFilter, stage: str | None) -> int:
    """How many `deals_behind` there are, computed once per change like the figures."""
    qs = deals_behind(flt, stage)
    return fragment(DEAL_FIGURES, "deals-behind", qs.count, *flt.parts(), stage)

"""Deal statistics for operators: registered contract value (成交额, 技术交易额) and counts by
sub-market, month, field and contract type; the pipeline funnel; brokers ranked by value.

Every figure is one aggregate query (values / annotate / Sum / Count), never a loop over rows,
and every figure has a drill-down: `contracts_behind` and `deals_behind` return the rows that
make it up, under the same filters.

The funnel uses the stage order of `DealStage`: a deal now at a stage has passed every stage
before it, and a lost deal counts up to the stage it was lost at (`lost_at_stage`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from brokers.choices import ContractType, DealStage, RegistrationStatus
from brokers.models import Contract, Deal, DealBroker
from listings.choices import TechField
from market.models import Market
from market.permissions import operated_market_ids

# The pipeline's stages in order, without the lost state.
FUNNEL_STAGES = [s for s in DealStage if s != DealStage.LOST]
DIMENSIONS = ("market", "month", "field", "contract_type")

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


def _sums(qs):
    return qs.annotate(
        n=Count("id"),
        amount_sum=Coalesce(Sum("amount"), _ZERO),
        tech_sum=Coalesce(Sum("tech_amount"), _ZERO),
    )


def contract_totals(flt: StatsFilter) -> dict:
    return contract_totals_of(registered_contracts(flt))


def contract_totals_of(qs) -> dict:
    return qs.order_by().aggregate(
        n=Count("id"),
        amount_sum=Coalesce(Sum("amount"), _ZERO),
        tech_sum=Coalesce(Sum("tech_amount"), _ZERO),
    )


def contracts_by(flt: StatsFilter, dimension: str) -> list[dict]:
    """Count, 成交额 and 技术交易额 of registered contracts by one dimension; each row has
    `key` (the drill-down value) and `label`."""
    qs = registered_contracts(flt).order_by()
    if dimension == "market":
        rows = _sums(qs.values("market_id", "market__name")).order_by("market__name")
        return [dict(r, key=str(r["market_id"]), label=r["market__name"]) for r in rows]
    if dimension == "month":
        rows = _sums(qs.annotate(m=TruncMonth("registered_on")).values("m")).order_by("m")
        return [dict(r, key=r["m"].strftime("%Y-%m"), label=r["m"].strftime("%Y-%m")) for r in rows]
    if dimension == "field":
        labels = dict(TechField.choices)
        rows = _sums(qs.values("field")).order_by("field")
        return [
            dict(r, key=r["field"] or "-", label=labels.get(r["field"], r["field"] or "—"))
            for r in rows
        ]
    if dimension == "contract_type":
        labels = dict(ContractType.choices)
        rows = _sums(qs.values("contract_type")).order_by("contract_type")
        return [
            dict(r, key=r["contract_type"], label=labels.get(r["contract_type"], "—")) for r in rows
        ]
    raise ValueError(dimension)


def contracts_behind(flt: StatsFilter, dimension: str | None, key: str | None):
    """The registered contracts behind one figure of `contracts_by` (or `broker_ranking`)."""
    qs = registered_contracts(flt).select_related("market", "seller", "buyer")
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
        return qs.filter(deal__deal_brokers__broker_id=int(key)).distinct()
    return qs.none()


def broker_ranking(flt: StatsFilter, limit: int = 20) -> list[dict]:
    """Brokers by the registered value of the deals they are on. A contract counts in full
    for each of its brokers (the shares split commission, not credit)."""
    contracts = registered_contracts(flt)
    rows = (
        DealBroker.objects.filter(deal__contract__in=contracts)
        .values("broker_id", "broker__user__name", "broker__user__username")
        .annotate(
            n=Count("deal__contract", distinct=True),
            amount_sum=Coalesce(Sum("deal__contract__amount"), _ZERO),
            tech_sum=Coalesce(Sum("deal__contract__tech_amount"), _ZERO),
        )
        .order_by("-amount_sum", "broker_id")[:limit]
    )
    return [
        dict(
            r,
            key=str(r["broker_id"]),
            label=r["broker__user__name"] or r["broker__user__username"],
        )
        for r in rows
    ]


def _deals(flt: StatsFilter) -> QuerySet[Deal]:
    qs = Deal.objects.filter(market_id__in=flt.markets)
    if flt.date_from:
        qs = qs.filter(created_at__date__gte=flt.date_from)
    if flt.date_to:
        qs = qs.filter(created_at__date__lte=flt.date_to)
    return qs


def funnel(flt: StatsFilter) -> list[dict]:
    """Deals that reached each stage (by the stage order), with the conversion rate from the
    stage before, in percent. One grouped query; the sums run over at most 9×9 groups."""
    groups = _deals(flt).order_by().values("stage", "lost_at_stage").annotate(n=Count("id"))
    order = {s.value: i for i, s in enumerate(FUNNEL_STAGES)}
    at = [0] * len(FUNNEL_STAGES)
    for g in groups:
        stage = g["lost_at_stage"] if g["stage"] == DealStage.LOST else g["stage"]
        if stage in order:
            at[order[stage]] += g["n"]
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
    qs = _deals(flt).select_related("market", "buyer", "seller").order_by("-created_at", "-id")
    values = [s.value for s in FUNNEL_STAGES]
    if not stage:
        return qs
    if stage not in values:
        return qs.none()
    later = values[values.index(stage) :]
    return qs.filter(Q(stage__in=later) | Q(stage=DealStage.LOST, lost_at_stage__in=later))

"""Reads for the public broker directory (技术经纪人名录): brokers with their track record
computed from deals, never typed in.

A page of brokers costs a constant number of queries: the brokers with every count and sum
as subquery annotations (one query), their sub-markets (one), and the median first answer of
all of them (one). Nothing is asked per broker.

The registered contract value counts each registered contract's amount (成交额) times the
broker's share of the deal, so two brokers who share a deal do not both claim it: the
brokers' values add up to the market's registered value, as the rankings in statistics need.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import (
    Avg,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from brokers.choices import DealStage, RegistrationStatus
from brokers.models import Assignment, Broker, BrokerRating, DealBroker
from listings.choices import TechField
from market.models import Market

ZERO = Decimal("0")


def _count(qs: QuerySet) -> Subquery:
    return Coalesce(
        Subquery(
            qs.order_by().values("broker_id").annotate(n=Count("pk")).values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_track_record(brokers: QuerySet[Broker]) -> QuerySet[Broker]:
    """Annotate each broker with deals_led, deals_closed, registered_value (万元, by share),
    rating_avg and rating_count, in the same query as the brokers."""
    roles = DealBroker.objects.filter(broker_id=OuterRef("pk"))
    registered = (
        roles.filter(deal__contract__registration_status=RegistrationStatus.REGISTERED)
        .order_by()
        .values("broker_id")
        .annotate(
            v=Sum(
                ExpressionWrapper(
                    F("deal__contract__amount") * F("share") / Value(Decimal("100")),
                    output_field=DecimalField(max_digits=20, decimal_places=4),
                )
            )
        )
        .values("v")
    )
    ratings = BrokerRating.objects.filter(broker_id=OuterRef("pk")).order_by().values("broker_id")
    return brokers.annotate(
        deals_led=_count(roles.filter(is_lead=True)),
        deals_closed=_count(roles.filter(deal__stage=DealStage.CLOSED)),
        registered_value=Coalesce(
            Subquery(registered, output_field=DecimalField(max_digits=20, decimal_places=4)),
            Value(ZERO),
            output_field=DecimalField(max_digits=20, decimal_places=4),
        ),
        rating_avg=Subquery(
            ratings.annotate(a=Avg("score")).values("a"),
            output_field=DecimalField(max_digits=4, decimal_places=2),
        ),
        rating_count=_count(BrokerRating.objects.filter(broker_id=OuterRef("pk"))),
    )


def median_first_response(broker_ids: list[int]) -> dict[int, timedelta]:
    """Each broker's median first answer (first_response_at − assigned_at) over the
    assignments they answered, in one query for all of them. The 48-hour rule counts from
    publication; this counts from the moment the demand was theirs, so a reassigned broker
    is not charged with a predecessor's delay."""
    rows = Assignment.objects.filter(
        broker_id__in=broker_ids, first_response_at__isnull=False
    ).values_list("broker_id", "assigned_at", "first_response_at")
    waits: dict[int, list[float]] = {}
    for broker_id, assigned_at, answered_at in rows:
        waits.setdefault(broker_id, []).append((answered_at - assigned_at).total_seconds())
    return {b: timedelta(seconds=statistics.median(w)) for b, w in waits.items()}


def attach_median_response(brokers: list[Broker]) -> list[Broker]:
    medians = median_first_response([b.pk for b in brokers])
    for broker in brokers:
        broker.median_response = medians.get(broker.pk)
    return brokers


@dataclass(frozen=True)
class DirectoryFilters:
    q: str = ""
    field: str = ""
    grade: str = ""
    market_id: int | None = None
    institution_id: int | None = None
    level: str = ""


def brokers_directory(filters: DirectoryFilters = DirectoryFilters()) -> QuerySet[Broker]:
    """Active brokers, filtered, with their track record, the busiest record first."""
    qs = Broker.objects.filter(active=True)
    if filters.q:
        qs = qs.filter(
            Q(user__name__icontains=filters.q)
            | Q(user__first_name__icontains=filters.q)
            | Q(user__last_name__icontains=filters.q)
            | Q(user__username__icontains=filters.q)
        )
    if filters.field in TechField.values:
        # fields is a JSON list of codes; its text holds the quoted code (SQLite and PG alike)
        qs = qs.filter(fields__icontains=f'"{filters.field}"')
    if filters.grade:
        qs = qs.filter(grade=filters.grade)
    if filters.market_id:
        serves = Broker.markets_served.through.objects.filter(
            broker_id=OuterRef("pk"), market_id=filters.market_id
        )
        qs = qs.filter(Q(Exists(serves)) | Q(institution__market_id=filters.market_id))
    if filters.institution_id:
        qs = qs.filter(institution_id=filters.institution_id)
    if filters.level:
        qs = qs.filter(institution__transfer_institution__level=filters.level)
    return (
        with_track_record(qs)
        .select_related("user", "institution__transfer_institution")
        .prefetch_related(Prefetch("markets_served", queryset=Market.objects.order_by("code")))
        .order_by("-deals_closed", "-registered_value", "id")
    )


def broker_profile(pk: int) -> Broker:
    """One active broker with the same track record as in the directory."""
    broker = brokers_directory().get(pk=pk)
    attach_median_response([broker])
    return broker


def broker_public_record(broker: Broker) -> QuerySet[DealBroker]:
    """The deals the broker worked that closed, for the public: title, when, contract type
    and amount, and the broker's role. No parties, shares, notes or documents."""
    return (
        DealBroker.objects.filter(broker=broker, deal__stage=DealStage.CLOSED)
        .select_related("deal__contract")
        .order_by("-deal__stage_changed_at", "-id")
    )


def broker_recent_ratings(broker: Broker, limit: int = 10) -> QuerySet[BrokerRating]:
    return BrokerRating.objects.filter(broker=broker).only("score", "comment", "created_at")[:limit]

"""Reads for commissions: the rules in force, a deal's ledger, and each broker's monthly
earnings statement (月度佣金结算单), summed from the ledger lines and nothing else."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from brokers.choices import CommissionLineKind
from brokers.models import Broker, CommissionLine, Deal

ZERO = Decimal("0.00")


def deal_commission_lines(deal: Deal) -> QuerySet[CommissionLine]:
    return CommissionLine.objects.filter(deal=deal).select_related("broker__user", "payment")


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """A calendar month in the market's time zone, as aware datetimes [start, end)."""
    tz = timezone.get_current_timezone()
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def broker_statement_months(broker: Broker) -> list[dict]:
    """The months the broker has ledger lines in, newest first, with their totals: one
    query."""
    return list(
        CommissionLine.objects.filter(broker=broker)
        .annotate(month=TruncMonth("booked_at"))
        .values("month")
        .annotate(total=Sum("amount"), lines=Count("pk"))
        .order_by("-month")
    )


@dataclass
class Statement:
    broker: Broker
    month: date
    lines: list[CommissionLine]
    by_kind: dict[str, Decimal] = field(default_factory=dict)
    total: Decimal = ZERO


def broker_statement(broker: Broker, *, year: int, month: int) -> Statement:
    """One broker's lines booked in one month, with the total per kind and the month's
    total. Reversals count as negative amounts in the month they are booked."""
    start, end = month_bounds(year, month)
    lines = list(
        CommissionLine.objects.filter(broker=broker, booked_at__gte=start, booked_at__lt=end)
        .select_related("deal", "payment", "reverses")
        .order_by("booked_at", "id")
    )
    by_kind = {kind: ZERO for kind in CommissionLineKind.values}
    for line in lines:
        by_kind[line.kind] += line.amount
    return Statement(
        broker=broker,
        month=date(year, month, 1),
        lines=lines,
        by_kind=by_kind,
        total=sum((line.amount for line in lines), ZERO),
    )

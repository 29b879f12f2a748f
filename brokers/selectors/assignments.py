"""Reads about brokers and the 48-hour rule."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from brokers.models import Assignment, Broker, BrokerMessage
from listings.choices import ListingStatus
from listings.models import Demand
from market import permissions
from market.choices import LISTING_EDITOR_ROLES
from market.models import User

SAME_MARKET_EDGE = 3


@dataclass(frozen=True)
class Candidate:
    broker: Broker
    field_match: bool
    same_market: bool
    load: int

    @property
    def rank_key(self):
        # Expertise first; then load, where a broker in the demand's own market counts as
        # carrying SAME_MARKET_EDGE fewer demands, so local brokers win until they are busier.
        edge = 0 if self.same_market else SAME_MARKET_EDGE
        return (not self.field_match, self.load + edge, self.broker.pk)


def broker_candidates(demand: Demand, *, exclude_ids: set[int] = frozenset()) -> list[Candidate]:
    """Active brokers ranked for a demand: by field expertise, the demand's sub-market, and
    how many demands each is already answering."""
    brokers = (
        Broker.objects.filter(active=True)
        .exclude(pk__in=exclude_ids)
        .select_related("institution__market", "user")
        .annotate(load=Count("assignments", filter=Q(assignments__active=True)))
    )
    candidates = [
        Candidate(
            broker=broker,
            field_match=demand.field in (broker.fields or []),
            same_market=broker.institution.market_id == demand.market_id,
            load=broker.load,
        )
        for broker in brokers
    ]
    return sorted(candidates, key=lambda c: c.rank_key)


def active_assignment(demand: Demand) -> Assignment | None:
    """The demand's current assignment, with its broker and who made it."""
    return (
        Assignment.objects.filter(demand=demand, active=True)
        .select_related("broker__user", "broker__institution", "assigned_by")
        .first()
    )


def reassign_candidates(demand: Demand, user) -> list[Candidate]:
    """The brokers an operator may give a demand to, best first: the automatic ranking
    (`broker_candidates`, without the broker who has it now), kept to active brokers of
    the markets the operator runs. The first is the one to propose."""
    current = Assignment.objects.filter(demand=demand, active=True).values_list(
        "broker_id", flat=True
    )
    markets = permissions.operated_market_ids(user)
    return [
        c
        for c in broker_candidates(demand, exclude_ids=set(current))
        if c.broker.institution.market_id in markets
    ]


def response_due(published_at: datetime) -> datetime:
    return published_at + timedelta(hours=settings.DEMAND_RESPONSE_HOURS)


def demands_awaiting_response(user) -> QuerySet:
    """Published demands in the user's markets whose broker has not replied yet, most
    urgent first. Unassigned demands count too: they are the most urgent of all."""
    answered = Assignment.objects.filter(
        demand=OuterRef("pk"), active=True, first_response_at__isnull=False
    )
    return (
        Demand.objects.filter(
            status=ListingStatus.PUBLISHED,
            market_id__in=permissions.operated_market_ids(user),
        )
        .filter(~Exists(answered))
        # the 48-hour rule's first item: the demand's match list
        .annotate(match_count=Count("matches", filter=Q(matches__demand_rank__isnull=False)))
        .select_related("owner", "market")
        .prefetch_related("assignments__broker__user")
        .order_by("published_at", "id")
    )


@dataclass(frozen=True)
class ResponseCompliance:
    answered_on_time: int
    answered_late: int
    waiting: int
    due_soon: int
    overdue: int

    @property
    def total(self) -> int:
        return (
            self.answered_on_time + self.answered_late + self.waiting + self.due_soon + self.overdue
        )


def response_compliance(user, *, now: datetime | None = None) -> ResponseCompliance:
    """How the user's markets keep the 48-hour rule: one query, counted in SQL."""
    now = now or timezone.now()
    warning = timedelta(hours=settings.DEMAND_RESPONSE_WARNING_HOURS)
    active = Assignment.objects.filter(
        active=True,
        demand__status=ListingStatus.PUBLISHED,
        demand__market_id__in=permissions.operated_market_ids(user),
    )
    counts = active.aggregate(
        on_time=Count("pk", filter=Q(first_response_at__lte=F("due_at"))),
        late=Count("pk", filter=Q(first_response_at__gt=F("due_at"))),
        waiting=Count("pk", filter=Q(first_response_at__isnull=True, due_at__gt=now + warning)),
        due_soon=Count(
            "pk",
            filter=Q(first_response_at__isnull=True, due_at__gt=now, due_at__lte=now + warning),
        ),
        overdue=Count("pk", filter=Q(first_response_at__isnull=True, due_at__lte=now)),
    )
    return ResponseCompliance(
        answered_on_time=counts["on_time"],
        answered_late=counts["late"],
        waiting=counts["waiting"],
        due_soon=counts["due_soon"],
        overdue=counts["overdue"],
    )


def assignments_of_broker(user) -> QuerySet:
    return (
        Assignment.objects.filter(broker__user=user, active=True)
        .select_related("demand__owner", "demand__market")
        .prefetch_related("messages")
        .order_by("first_response_at", "due_at")
    )


def demand_broker_users(kind: str, pks: Iterable[int]) -> dict[int, set[int]]:
    """The user of each demand's active broker: the broker acts for the demand, so hears
    about its matches (registered with `listings.audiences` in `BrokersConfig.ready()`)."""
    out: dict[int, set[int]] = defaultdict(set)
    if kind != "demand":
        return out
    for demand_id, user_id in Assignment.objects.filter(
        demand_id__in=set(pks), active=True
    ).values_list("demand_id", "broker__user_id"):
        out[demand_id].add(user_id)
    return out


def demand_owner_people(demand: Demand) -> QuerySet:
    """The people of the demand's owner organisation who act for it (its editors): they see
    the broker and the thread on the demand's page, and hear of the broker's messages."""
    return (
        User.objects.filter(
            memberships__organization_id=demand.owner_id,
            memberships__role__in=LISTING_EDITOR_ROLES,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def demand_thread(demand: Demand) -> QuerySet:
    """Every message between the demand's owner and its brokers, oldest first, across
    reassignments: the thread is the demand's record, not one broker's."""
    return (
        BrokerMessage.objects.filter(assignment__demand_id=demand.pk)
        .select_related("author", "assignment__broker__user")
        .order_by("created_at", "id")
    )


def demand_current_assignment(demand: Demand) -> Assignment | None:
    return (
        Assignment.objects.filter(demand_id=demand.pk, active=True)
        .select_related("broker__user", "broker__institution")
        .first()
    )

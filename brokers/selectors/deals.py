"""Reads for deals: a person's deals by stage (the board), one deal with its history."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from brokers.choices import OPEN_DEAL_STAGES, DealStage
from brokers.models import Deal, DealBroker
from market import permissions
from market.models import User
from market.services import transition_history


def deals_visible_to(user: User) -> QuerySet[Deal]:
    """Every deal this person may see: the ones they broker, the ones of the organizations
    they act for (buyer or seller), and the ones of the markets they operate.

    Broker first: the deals they broker are read by their broker links (an indexed lookup),
    and each other part is added only when the person has it, so the deals are filtered by
    indexed columns alone, with no join to make distinct again."""
    if not user or not user.is_authenticated:
        return Deal.objects.none()
    orgs = permissions.editable_organization_ids(user)
    markets = permissions.operated_market_ids(user)
    brokered = list(DealBroker.objects.filter(broker__user=user).values_list("deal_id", flat=True))
    visible = Q(pk__in=brokered)
    if orgs:
        visible |= Q(buyer_id__in=orgs) | Q(seller_id__in=orgs)
    if markets:
        visible |= Q(market_id__in=markets)
    return Deal.objects.filter(visible)


def deals_of_broker(user: User) -> QuerySet[Deal]:
    return Deal.objects.filter(deal_brokers__broker__user=user)


def deal_board(deals: QuerySet[Deal]) -> list[dict]:
    """The board: one column per open stage in the pipeline's order, then the finished ones.
    One query for the cards, whatever the number of deals."""
    rows = list(
        deals.select_related("buyer", "seller")
        .prefetch_related("deal_brokers__broker__user")
        .order_by("-updated_at", "-id")
    )
    columns = []
    for stage in (*OPEN_DEAL_STAGES, DealStage.CLOSED, DealStage.LOST):
        cards = [d for d in rows if d.stage == stage]
        columns.append({"stage": stage, "label": DealStage(stage).label, "deals": cards})
    return columns


def deal_for_page(pk: int) -> Deal:
    return Deal.objects.select_related(
        "buyer", "seller", "market", "demand", "achievement", "match", "created_by"
    ).get(pk=pk)


def deal_history(deal: Deal):
    return transition_history(deal)

"""Reads for the broker's board (交易看板): the columns by stage, and on each card the forward
steps this person may take now, with the model's own transition table deciding both."""

from __future__ import annotations

from django.db.models import QuerySet

from brokers.models import Deal
from brokers.models.deals import FORWARD_TRANSITIONS, may_work_deal
from brokers.selectors.deals import deal_board
from market import permissions
from market.models import User
from market.services import transition_label


def stage_moves() -> dict[str, dict[str, str]]:
    """The forward steps of the transition table as source stage → target stage → step: what
    dropping a card on a column asks for. Who may take it, and whether it may be taken now,
    is the service's to say."""
    moves: dict[str, dict[str, str]] = {}
    for name in FORWARD_TRANSITIONS:
        for t in getattr(Deal, name)._django_fsm.transitions.values():
            moves.setdefault(str(t.source), {})[str(t.target)] = name
    return moves


def _may_work(deal: Deal, user: User, operated: set[int]) -> bool:
    # The rule of `may_work_deal`, answered from the prefetched brokers and the markets the
    # person operates, so a board of hundreds of cards costs no query per card.
    if deal.market_id in operated:
        return True
    return any(role.broker.user_id == user.pk for role in deal.deal_brokers.all())


def card_steps(deal: Deal, user: User, *, operated: set[int] | None = None) -> list[dict]:
    """The forward steps this person may take on the deal now: the transitions out of its
    stage whose conditions hold (a negotiated price under notice cannot be signed yet) and
    whose permission this person has."""
    if not deal.is_open:
        return []
    if operated is None:
        operated = permissions.operated_market_ids(user)
    available = {t.name: t for t in deal.get_available_stage_transitions()}
    steps = []
    for name in FORWARD_TRANSITIONS:
        t = available.get(name)
        if t is None:
            continue
        if t.permission is may_work_deal:
            allowed = _may_work(deal, user, operated)
        else:
            allowed = t.has_perm(deal, user)
        if allowed:
            steps.append({"name": name, "label": transition_label(name, Deal), "target": t.target})
    return steps


def _cards(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    return deals.select_related("buyer", "seller", "contract", "notice").prefetch_related(
        "deal_brokers__broker__user"
    )


def board_columns(deals: QuerySet[Deal], user: User) -> list[dict]:
    """The board's columns (`deal_board`), each card carrying its `steps` for this person."""
    columns = deal_board(_cards(deals))
    operated = permissions.operated_market_ids(user)
    for column in columns:
        for deal in column["deals"]:
            deal.steps = card_steps(deal, user, operated=operated)
    return columns


def board_card(deals: QuerySet[Deal], pk: int, user: User) -> Deal | None:
    """One card of this person's board, with its steps; None when the deal is not theirs to
    see (or does not exist)."""
    deal = _cards(deals).filter(pk=pk).first()
    if deal is not None:
        deal.steps = card_steps(deal, user)
    return deal

"""Who reaches a deal, and how: its parties work it, the registry its contract is filed
with reads it, anyone else gets the answer for a deal that does not exist."""

from __future__ import annotations

from typing import Literal

from brokers.models import Deal
from brokers.models.deals import is_deal_party
from brokers.selectors.contracts import is_contract_registry
from market import permissions
from market.models import User

DealAccess = Literal["party", "registry"] | None


def deal_access(deal: Deal, user: User) -> DealAccess:
    """ "party" for its brokers, the buyer's and the seller's editors and its market's
    operators; "registry" for the clerks and operators of the market its contract is filed
    with, once filed (they read the deal, its contract, documents and history, and edit
    none of them); None for anyone else."""
    if is_deal_party(deal, user):
        return "party"
    if is_contract_registry(deal, user):
        return "registry"
    return None


def may_move_cards(user: User) -> bool:
    """Whether the board's cards move for this person (its drag hint): brokers and market
    operators work deals; buyers, sellers and the registry only watch theirs."""
    if not user or not user.is_authenticated:
        return False
    return hasattr(user, "broker_profile") or permissions.is_market_operator(user)

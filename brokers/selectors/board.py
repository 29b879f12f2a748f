"""Reads for the broker's board (交易看板): the columns by stage, and on each card the forward
steps this person may take now, with the model's own transition table deciding both."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.functional import cached_property

from brokers.choices import OPEN_DEAL_STAGES, DealStage
from brokers.models import Deal, DealBroker
from brokers.models.deals import FORWARD_TRANSITIONS, may_register_deal, may_work_deal
from market import permissions
from market.choices import Role
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


def _may_work(deal: Deal, user: User, operated: set[int], brokered: set[int] | None) -> bool:
    # The rule of `may_work_deal`, answered from the deals this person brokers (one query
    # for the board) and the markets they operate, so a board of hundreds of cards costs no
    # query per card.
    if deal.market_id in operated:
        return True
    if brokered is not None:
        return deal.pk in brokered
    return any(role.broker.user_id == user.pk for role in deal.deal_brokers.all())


def _may_register(deal: Deal, operated: set[int], clerk_markets: set[int]) -> bool:
    # The rule of `may_register_deal`: the operators and window clerks of the market where
    # the seller applies (the seller's own market), answered from this person's roles.
    market_id = deal.registry_market_id
    return market_id in operated or market_id in clerk_markets


class _Person:
    """What the board needs to know of the person, read once for all the cards: the markets
    they operate, the deals they broker, and (when a card asks) where they are a window
    clerk."""

    def __init__(self, user: User, brokered: set[int] | None = None):
        self.user = user
        self.operated = permissions.operated_market_ids(user)
        self.brokered = brokered

    @cached_property
    def clerk_markets(self) -> set[int]:
        return set(
            self.user.memberships.filter(role=Role.WINDOW_CLERK).values_list("market_id", flat=True)
        )


def card_steps(
    deal: Deal, user: User, *, operated: set[int] | None = None, person: _Person | None = None
) -> list[dict]:
    """The forward steps this person may take on the deal now: the transitions out of its
    stage whose conditions hold (a negotiated price under notice cannot be signed yet) and
    whose permission this person has."""
    if not deal.is_open:
        return []
    if person is None and operated is None:
        operated = permissions.operated_market_ids(user)
    available = {t.name: t for t in deal.get_available_stage_transitions()}
    steps = []
    for name in FORWARD_TRANSITIONS:
        t = available.get(name)
        if t is None:
            continue
        if t.permission is may_work_deal:
            if person is not None:
                allowed = _may_work(deal, user, person.operated, person.brokered)
            else:
                allowed = _may_work(deal, user, operated, None)
        elif t.permission is may_register_deal and person is not None:
            allowed = _may_register(deal, person.operated, person.clerk_markets)
        else:
            allowed = t.has_perm(deal, user)
        if allowed:
            steps.append({"name": name, "label": transition_label(name, Deal), "target": t.target})
    return steps


# What a card shows (title, parties, stage) and what its steps' conditions read (the trade
# mode, the contract's registration, the notice's end, the registry's market).
CARD_FIELDS = (
    "id",
    "title",
    "stage",
    "trade_mode",
    "market_id",
    "buyer_id",
    "seller_id",
    "updated_at",
    "buyer__id",
    "buyer__name",
    "seller__id",
    "seller__name",
    "seller__market_id",
    "contract__id",
    "contract__deal_id",
    "contract__registration_status",
    "notice__id",
    "notice__deal_id",
    "notice__ends_at",
)


def _cards(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    return deals.select_related("buyer", "seller", "contract", "notice").only(*CARD_FIELDS)


class _Urls:
    """The card's links, reversed once per board rather than once per card and step: the
    template puts a step's name between `advance_prefix` and `advance_suffix`."""

    _PK = 987654321

    def __init__(self):
        self.deal = reverse("brokers:deal", args=[self._PK])
        self.advance = reverse("brokers:deal_advance", args=[self._PK, "STEP"])
        self.board = reverse("brokers:deals")

    def decorate(self, deal: Deal) -> None:
        pk = str(deal.pk)
        deal.card_url = self.deal.replace(str(self._PK), pk)
        deal.card_next = f"{self.board}#deal-{pk}"
        prefix, _step, suffix = self.advance.replace(str(self._PK), pk).partition("STEP")
        deal.advance_prefix, deal.advance_suffix = prefix, suffix


BOARD_STAGES = (*OPEN_DEAL_STAGES, DealStage.CLOSED, DealStage.LOST)
# A column shows its newest cards; the rest are a link away, on the stage's own list.
CARDS_PER_COLUMN = 50
STAGE_PAGE_SIZE = 100


def board_columns(
    deals: QuerySet[Deal],
    user: User,
    *,
    stage: str | None = None,
    page: str | int | None = None,
    per_column: int | None = None,
) -> list[dict]:
    """The board's columns, one per open stage in the pipeline's order, then the finished
    ones, each with its newest `per_column` cards, its `total` and, when there are more, a
    link (`more`) to the stage's full list; each card carries its `steps` for this person.
    With `stage`, that stage's full list alone, a page of `STAGE_PAGE_SIZE` cards (`page`).

    Queries, whatever the number of deals: the cards (the newest of each stage, by a window
    over the stage), the count by stage when a column is full, the deals this person
    brokers and their roles; none per card."""
    cards = _cards(deals).order_by("-updated_at", "-id")
    board = reverse("brokers:deals")
    pager = None
    if stage is not None:
        stages = [stage] if stage in BOARD_STAGES else []
        mine = cards.filter(stage=stage)
        pager = Paginator(mine, STAGE_PAGE_SIZE).get_page(page)
        rows = list(pager)
        totals = {stage: pager.paginator.count}
    else:
        stages = list(BOARD_STAGES)
        order = [F("updated_at").desc(), F("id").desc()]
        newest = Window(RowNumber(), partition_by=[F("stage")], order_by=order)
        limit = CARDS_PER_COLUMN if per_column is None else per_column
        rows = list(cards.annotate(rank=newest).filter(rank__lte=limit))
        rows.sort(key=lambda d: (d.updated_at, d.pk), reverse=True)
        shown = Counter(d.stage for d in rows)
        totals = dict(shown)
        if any(n >= limit for n in shown.values()):
            # Only a full column may have more: then count them all, by stage.
            totals = dict(deals.order_by().values_list("stage").annotate(n=Count("id")))
    brokered = set(DealBroker.objects.filter(broker__user=user).values_list("deal_id", flat=True))
    person = _Person(user, brokered)
    urls = _Urls()
    for deal in rows:
        deal.steps = card_steps(deal, user, person=person)
        urls.decorate(deal)
    columns = []
    for s in stages:
        mine = [d for d in rows if d.stage == s]
        total = totals.get(s, 0)
        more = f"{board}?{urlencode({'stage': s})}" if pager is None and total > len(mine) else ""
        columns.append(
            {
                "stage": s,
                "label": DealStage(s).label,
                "deals": mine,
                "total": total,
                "more": more,
                "page": pager,
            }
        )
    return columns


def board_card(deals: QuerySet[Deal], pk: int, user: User) -> Deal | None:
    """One card of this person's board, with its steps; None when the deal is not theirs to
    see (or does not exist)."""
    deal = _cards(deals).filter(pk=pk).first()
    if deal is not None:
        brokered = set(
            DealBroker.objects.filter(deal=deal, broker__user=user).values_list(
                "deal_id", flat=True
            )
        )
        deal.steps = card_steps(deal, user, person=_Person(user, brokered))
        _Urls().decorate(deal)
    return deal

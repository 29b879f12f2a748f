"""The broker's board at scale: a constant number of queries whatever the deals and their
stages, the newest cards of each column with the rest a link away (every deal reachable),
and the cards' steps still the deal page's steps where the board answers them itself."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from brokers import selectors, services
from brokers.choices import DealStage
from brokers.models import Deal
from brokers.selectors import board
from market.choices import Role
from market.models import Membership
from tests.brokers.deal_world import add_broker, lead_deal, registered_contract
from tests.factories import SubMarketFactory, UserFactory

pytestmark = pytest.mark.django_db

# A card at every stage, and the states whose steps read more than the deal row: a signed
# deal with its contract registered (the registry's step), a negotiation under notice.
STAGES = [
    DealStage.LEAD,
    DealStage.CONTACTED,
    DealStage.NEGOTIATION,
    DealStage.SIGNED,
    DealStage.REGISTERED,
    DealStage.PERFORMED,
    DealStage.CLOSED,
    DealStage.LOST,
]


@pytest.fixture
def clerk(world):
    user = UserFactory(name="登记窗口")
    Membership.objects.create(
        user=user,
        organization=world.seller,
        role=Role.WINDOW_CLERK,
        market=world.seller.market,
    )
    return user


def _registered(deal):
    """A registered contract (its own number) on a deal the registry has yet to move on."""
    return registered_contract(deal, number=f"4201{deal.pk:010d}")


def _deals(world, n, *, title="交易"):
    made = []
    for i in range(n):
        stage = STAGES[i % len(STAGES)]
        deal = lead_deal(world, title=f"{title}{i}", stage=stage)
        if stage == DealStage.SIGNED and i % 2:
            _registered(deal)
        made.append(deal)
    return made


def _board_queries(client, django_assert_max_num_queries, n=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if n is None:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("brokers:deals")).status_code == 200
        return len(ctx)
    with django_assert_max_num_queries(n):
        assert client.get(reverse("brokers:deals")).status_code == 200
    return n


@pytest.mark.parametrize("who", ["broker", "operator", "clerk", "buyer"])
def test_the_boards_queries_do_not_grow_with_its_deals(
    client, world, operator, clerk, who, django_assert_max_num_queries, monkeypatch
):
    user = {
        "broker": world.broker.user,
        "operator": operator,
        "clerk": clerk,
        "buyer": world.buyer_user,
    }[who]
    monkeypatch.setattr(board, "CARDS_PER_COLUMN", 4)
    client.force_login(user)
    _deals(world, 8)
    few = _board_queries(client, django_assert_max_num_queries)
    _deals(world, 56, title="更多")  # seven per stage: every column full, so counted too
    _board_queries(client, django_assert_max_num_queries, few + 1)
    _deals(world, 40, title="再多")
    _board_queries(client, django_assert_max_num_queries, few + 1)


def test_a_column_shows_its_newest_cards_and_links_to_the_whole_stage(client, world, monkeypatch):
    monkeypatch.setattr(board, "CARDS_PER_COLUMN", 3)
    monkeypatch.setattr(board, "STAGE_PAGE_SIZE", 2)
    deals = [lead_deal(world, title=f"对接{i}", stage=DealStage.CONTACTED) for i in range(5)]
    lead = lead_deal(world, title="线索", stage=DealStage.LEAD)
    client.force_login(world.broker.user)
    response = client.get(reverse("brokers:deals"))
    columns = {c["stage"]: c for c in response.context["columns"]}
    contacted = columns[DealStage.CONTACTED]
    newest = sorted(deals, key=lambda d: (Deal.objects.get(pk=d.pk).updated_at, d.pk))[-3:]
    assert [d.pk for d in contacted["deals"]] == [d.pk for d in reversed(newest)]
    assert contacted["total"] == 5
    assert columns[DealStage.LEAD]["deals"][0].pk == lead.pk
    assert columns[DealStage.LEAD]["more"] == ""
    soup = BeautifulSoup(response.text, "html.parser")
    more = soup.select_one('section[data-stage="contacted"] .deal-column-more a')
    assert "5" in more.text
    # The stage's full list, page by page, holds every deal of the stage and no other.
    seen, url = [], more["href"]
    while url:
        page = client.get(url)
        assert page.status_code == 200
        soup = BeautifulSoup(page.text, "html.parser")
        seen += [int(li["data-deal"]) for li in soup.select("li.deal-card")]
        nxt = soup.select_one("a[rel=next]")
        url = reverse("brokers:deals") + nxt["href"] if nxt else None
    assert sorted(seen) == sorted(d.pk for d in deals)
    assert client.get(reverse("brokers:deals") + "?stage=nope").status_code == 404


def test_the_steps_the_board_answers_itself_are_the_deal_pages(world, operator, clerk):
    """May work (the brokers, the market's operators) and may register (the seller's
    market's clerks and operators) are answered from rows read once for the board."""
    deals = _deals(world, 16)
    far_clerk = UserFactory(name="别处窗口")
    other = SubMarketFactory(parent=world.market)
    Membership.objects.create(
        user=far_clerk, organization=world.seller, role=Role.WINDOW_CLERK, market=other
    )
    checked = 0
    for user in (world.broker.user, world.colleague.user, operator, clerk, far_clerk):
        columns = board.board_columns(Deal.objects.filter(pk__in=[d.pk for d in deals]), user)
        for card in (d for c in columns for d in c["deals"]):
            expected = services.deal_next_steps(Deal.objects.get(pk=card.pk), user)
            assert [s["name"] for s in card.steps] == [s["name"] for s in expected], (user, card)
            checked += bool(expected)
    assert checked, "some steps must be allowed, or the comparison proves nothing"
    registry_steps = [
        s["name"]
        for c in board.board_columns(selectors.deals_visible_to(operator), operator)
        for d in c["deals"]
        for s in d.steps
    ]
    assert "register" in registry_steps


def test_the_visible_deals_are_the_same_without_the_join(world, operator, clerk):
    """deals_visible_to reads the broker's deals first; the set is still the brokers', the
    parties' and the operators' deals, each once."""
    mine = _deals(world, 4)
    theirs = lead_deal(world, by=world.colleague, title="同事的交易")
    for deal in mine:
        add_broker(deal, world.colleague)
    broker = list(selectors.deals_visible_to(world.broker.user))
    assert sorted(d.pk for d in broker) == sorted(d.pk for d in mine)
    colleague = list(selectors.deals_visible_to(world.colleague.user))
    assert sorted(d.pk for d in colleague) == sorted([*(d.pk for d in mine), theirs.pk])
    buyer = list(selectors.deals_visible_to(world.buyer_user))
    assert sorted(d.pk for d in buyer) == sorted([*(d.pk for d in mine), theirs.pk])
    assert selectors.deals_visible_to(clerk).count() == 0
    assert selectors.deals_visible_to(operator).count() == 5

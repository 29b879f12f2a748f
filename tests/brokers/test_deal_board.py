"""The broker's board by stage: it works without JS (each card has a button per step the
person may take), and a dragged card posts the same step and learns the answer as JSON."""

import json

import pytest
from django.urls import reverse

from brokers import selectors, services
from brokers.choices import OPEN_DEAL_STAGES, DealStage, TradeMode
from brokers.models import Deal
from tests.brokers.deal_world import add_broker, lead_deal

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def column_of(columns, stage):
    return next(c for c in columns if c["stage"] == stage)


def test_the_board_has_a_column_per_stage_and_a_button_per_allowed_step(client, world):
    contacted = lead_deal(world, title="隔膜涂覆技术", stage=DealStage.CONTACTED)
    signed = lead_deal(world, title="固态电解质技术", stage=DealStage.SIGNED)
    client.force_login(world.broker.user)
    response = client.get(reverse("brokers:deals"))
    assert response.status_code == 200
    stages = [c["stage"] for c in response.context["columns"]]
    assert stages == [*OPEN_DEAL_STAGES, DealStage.CLOSED, DealStage.LOST]
    html = response.text
    # The contacted deal's one step, as a form that posts with the stage the broker saw.
    negotiate = reverse("brokers:deal_advance", args=[contacted.pk, "negotiate"])
    assert f'action="{negotiate}"' in html
    assert html.count(f"/deals/{contacted.pk}/advance/") == 1
    # A signed deal waits for the registry: no button for its broker.
    assert reverse("brokers:deal_advance", args=[signed.pk, "register"]) not in html
    column = column_of(response.context["columns"], DealStage.CONTACTED)
    assert [d.steps for d in column["deals"]] == [
        [{"name": "negotiate", "label": "进入洽谈", "target": "negotiation"}]
    ]


def test_a_button_on_the_board_moves_the_deal_and_returns_to_the_board(client, world):
    deal = lead_deal(world)
    client.force_login(world.broker.user)
    board = reverse("brokers:deals")
    response = client.post(
        reverse("brokers:deal_advance", args=[deal.pk, "contact"]),
        {"stage": "lead", "next": f"{board}#deal-{deal.pk}"},
        follow=True,
    )
    assert response.redirect_chain == [(f"{board}#deal-{deal.pk}", 302)]
    assert "已推进到“对接”。" in response.text
    column = column_of(response.context["columns"], DealStage.CONTACTED)
    assert [d.pk for d in column["deals"]] == [deal.pk]


def test_the_cards_steps_are_the_deal_pages_steps(world, operator):
    """The board answers from prefetched rows; it must agree with the deal's own rules."""
    deals = [
        lead_deal(world, stage=stage)
        for stage in (DealStage.LEAD, DealStage.CONTACTED, DealStage.NEGOTIATION)
    ]
    deals.append(
        lead_deal(world, stage=DealStage.NEGOTIATION, trade_mode=TradeMode.NEGOTIATED_NOTICE)
    )
    deals.append(lead_deal(world, stage=DealStage.PERFORMED))
    deals.append(lead_deal(world, stage=DealStage.LOST))
    add_broker(deals[0], world.colleague)
    people = [world.broker.user, world.colleague.user, world.buyer_user, operator]
    for user in people:
        columns = selectors.board_columns(selectors.deals_visible_to(user), user)
        cards = {d.pk: d for c in columns for d in c["deals"]}
        for deal in deals:
            if deal.pk not in cards:
                continue
            expected = services.deal_next_steps(Deal.objects.get(pk=deal.pk), user)
            assert [s["name"] for s in cards[deal.pk].steps] == [s["name"] for s in expected]
    broker_board = selectors.board_columns(
        selectors.deals_visible_to(world.broker.user), world.broker.user
    )
    notice = column_of(broker_board, DealStage.NEGOTIATION)["deals"]
    assert sorted(tuple(s["name"] for s in d.steps) for d in notice) == [
        ("open_notice",),
        ("sign",),
    ]


def test_the_board_costs_the_same_queries_for_few_or_many_deals(
    client, world, django_assert_max_num_queries
):
    client.force_login(world.broker.user)
    for _ in range(3):
        lead_deal(world, stage=DealStage.CONTACTED)
    with django_assert_max_num_queries(21) as few:
        client.get(reverse("brokers:deals"))
    for _ in range(30):
        lead_deal(world, stage=DealStage.CONTACTED)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("brokers:deals"))


def test_the_board_page_carries_the_transition_table_for_dragging(client, world):
    client.force_login(world.broker.user)
    response = client.get(reverse("brokers:deals"))
    moves = response.context["stage_moves"]
    assert moves["lead"] == {"contacted": "contact"}
    assert moves["negotiation"] == {"notice": "open_notice", "signed": "sign"}
    assert moves["notice"] == {"signed": "sign"}
    assert "lost" not in json.dumps(moves)
    assert 'id="deal-stage-moves"' in response.text
    assert "vendor/sortablejs/Sortable.min.js" in response.text
    assert "js/deal-board.js" in response.text


def test_a_dropped_card_is_advanced_and_answered_in_json(client, world):
    deal = lead_deal(world)
    client.force_login(world.broker.user)
    url = reverse("brokers:deal_advance", args=[deal.pk, "contact"])
    response = client.post(url, {"stage": "lead"}, **JSON)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "messages": ["已推进到“对接”。"], "stage": "contacted"}
    # The message went into the answer, not into the next page's messages.
    page = client.get(reverse("brokers:deals"))
    assert "已推进到“对接”。" not in page.text


def test_a_refused_drop_is_answered_with_the_message(client, world):
    deal = lead_deal(world, stage=DealStage.CONTACTED)
    client.force_login(world.broker.user)
    stale = client.post(
        reverse("brokers:deal_advance", args=[deal.pk, "contact"]), {"stage": "lead"}, **JSON
    )
    assert stale.status_code == 409
    assert stale.json() == {
        "ok": False,
        "messages": ["这笔交易已被李文博推进到“对接”，请刷新后查看。"],
    }
    client.force_login(world.buyer_user)
    refused = client.post(
        reverse("brokers:deal_advance", args=[deal.pk, "negotiate"]),
        {"stage": "contacted"},
        **JSON,
    )
    assert refused.status_code == 409
    assert refused.json()["messages"] == ["您没有权限推进这笔交易。"]
    deal.refresh_from_db()
    assert deal.stage == DealStage.CONTACTED


def test_a_card_is_rendered_for_the_person_who_asks(client, world):
    deal = lead_deal(world)
    url = reverse("brokers:deal_card", args=[deal.pk])
    client.force_login(world.broker.user)
    card = client.get(url)
    assert card.status_code == 200
    assert f'id="deal-{deal.pk}"' in card.text and 'data-stage="lead"' in card.text
    assert reverse("brokers:deal_advance", args=[deal.pk, "contact"]) in card.text
    client.force_login(world.buyer_user)
    card = client.get(url)
    assert card.status_code == 200
    assert "deal_advance" not in card.text and "/advance/" not in card.text
    client.force_login(world.colleague.user)
    assert client.get(url).status_code == 404

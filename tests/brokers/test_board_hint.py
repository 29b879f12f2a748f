"""The board's drag hint is for who may move a card: the deal's broker sees it, the buyer
(who only watches its deals) sees what it can do instead."""

import pytest
from django.urls import reverse

from tests.brokers.deal_world import lead_deal

pytestmark = pytest.mark.django_db
DRAG = "也可以把卡片拖到下一阶段"
WATCH = "交易由技术经纪人推进"


def test_the_drag_hint_shows_to_the_broker_and_not_to_the_buyer(client, world):
    deal = lead_deal(world)
    client.force_login(world.broker.user)
    html = client.get(reverse("brokers:deals")).content.decode()
    assert DRAG in html and WATCH not in html
    client.force_login(world.buyer_user)
    html = client.get(reverse("brokers:deals")).content.decode()
    assert deal.title in html
    assert DRAG not in html and WATCH in html
    assert "data-movable" not in html


def test_a_broker_without_an_open_deal_still_sees_how_cards_move(client, world):
    """The hint follows who may move cards, not whether a card on screen happens to
    have a step left: a broker's empty board still tells them how it works."""
    client.force_login(world.broker.user)
    html = client.get(reverse("brokers:deals")).content.decode()
    assert DRAG in html and WATCH not in html
    client.force_login(world.buyer_user)
    html = client.get(reverse("brokers:deals")).content.decode()
    assert DRAG not in html

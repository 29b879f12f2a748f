"""Operators set their market's public-notice period (交易规则) in the admin, only for the
markets they operate, and the next notice there runs for that many days."""

from datetime import timedelta
from decimal import Decimal

import pytest

from brokers import services
from brokers.choices import DealStage, TradeMode
from brokers.models import TradeSettings
from market.choices import OrganizationKind
from tests.brokers.deal_world import lead_deal
from tests.factories import OrganizationFactory, SubMarketFactory, make_operator

pytestmark = pytest.mark.django_db

BASE = "/admin/snippets/brokers/tradesettings/"


def test_an_operator_sets_the_notice_period_of_a_market_they_operate(client, operator, main_market):
    client.force_login(operator)
    assert client.get(BASE).status_code == 200
    response = client.post(f"{BASE}add/", {"market": main_market.pk, "notice_days": "10"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TradeSettings.objects.get(market=main_market).notice_days == 10
    assert services.notice_days(main_market) == 10
    # A sub-market without its own rules follows its parent's.
    assert services.notice_days(SubMarketFactory(parent=main_market)) == 10


def test_the_next_notice_runs_for_the_period_the_operator_set(client, operator, world):
    client.force_login(operator)
    response = client.post(f"{BASE}add/", {"market": world.market.pk, "notice_days": "10"})
    assert response.status_code == 302, response.content.decode()[:2000]
    deal = lead_deal(world, stage=DealStage.NEGOTIATION, trade_mode=TradeMode.NEGOTIATED_NOTICE)
    notice = services.deal_notice_publish(
        deal=deal, by=world.broker.user, proposed_price=Decimal("120")
    )
    assert notice.ends_at - notice.starts_at == timedelta(days=10)


def test_an_operator_cannot_set_another_markets_rules(client, main_market):
    other = SubMarketFactory(parent=main_market)
    mine = SubMarketFactory(parent=main_market)
    sub_operator = make_operator(
        OrganizationFactory(kind=OrganizationKind.OPERATOR, market=mine), mine
    )
    TradeSettings.objects.create(market=other, notice_days=20)
    client.force_login(sub_operator)
    listing = client.get(BASE).content.decode()
    assert str(other) not in listing
    response = client.post(f"{BASE}add/", {"market": other.pk, "notice_days": "3"})
    assert response.status_code == 200  # the form refuses a market outside theirs
    assert not TradeSettings.objects.filter(market=other, notice_days=3).exists()
    assert services.notice_days(other) == 20

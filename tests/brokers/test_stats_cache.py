"""The statistics page's figures are computed once per change, never served stale: a contract
registered, its amount corrected, a deal moved on or a broker added shows on the page at
once; and a page read while the change was not yet committed does not keep the old figure.

Runs on SQLite and PostgreSQL alike (the race with a second connection on PostgreSQL only)."""

from __future__ import annotations

import re
import threading
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from brokers import services
from brokers.models import Contract, DealBroker
from tests.brokers.contract_helpers import accepted_contract, make_world
from tests.factories import BrokerFactory, OrganizationFactory, make_operator

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(main_market):
    return make_world(main_market)


@pytest.fixture
def operator(main_market):
    return make_operator(OrganizationFactory(market=main_market), main_market)


def _soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.text, "html.parser")


def _totals(client) -> tuple[int, Decimal, Decimal, str]:
    """The page's registered count, 成交额 and 技术交易额, and the count's drill-down link."""
    p = _soup(client.get(reverse("brokers:stats"))).select_one("#stats-totals")
    amounts = re.findall(r"（万元）\s*([0-9.]+)", p.text)
    return int(p.a.text), Decimal(amounts[0]), Decimal(amounts[1]), p.a["href"]


def _funnel(client) -> dict[str, int]:
    soup = _soup(client.get(reverse("brokers:stats")))
    return {
        tr.td.text: int(tr.find_all("td")[1].a.text) for tr in soup.select("#stats-funnel tbody tr")
    }


def _drill_count(client, href) -> tuple[int, int]:
    """The count a drill-down shows, and the rows it lists over all its pages."""
    soup = _soup(client.get(href))
    shown = int(re.search(r"(\d+)", soup.select_one("#drill-totals").text).group(1))
    rows = 0
    while True:
        rows += len(soup.select("#drill-rows tr[data-contract], #drill-rows tr[data-deal]"))
        nxt = soup.select_one("a[rel=next]")
        if nxt is None:
            return shown, rows
        soup = _soup(client.get(href.split("?")[0] + nxt["href"]))


def _aggregates(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "SUM(" in q["sql"].upper()]


def test_the_figures_are_read_from_the_cache_until_something_changes(world, operator, client):
    contract = accepted_contract(world)
    services.contract_register(contract=contract, by=world["clerk"])
    client.force_login(operator)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("brokers:stats"))
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("brokers:stats"))
    assert _aggregates(first), "the first request computes the figures"
    assert _aggregates(second) == [], "the second reads them"
    assert len(second) < len(first)
    # A save of a figure's row makes the next request compute them again.
    Contract.objects.get(pk=contract.pk).save()
    with CaptureQueriesContext(connection) as third:
        client.get(reverse("brokers:stats"))
    assert _aggregates(third)


def test_a_registration_and_a_corrected_amount_show_at_once(world, operator, client):
    client.force_login(operator)
    assert _totals(client)[:3] == (0, 0, 0)  # computed, and cached, before the change
    contract = accepted_contract(world, amount=Decimal("300"))
    assert _totals(client)[:3] == (0, 0, 0), "accepted is not registered yet"
    services.contract_register(contract=contract, by=world["clerk"])
    n, amount, tech, href = _totals(client)
    assert (n, amount, tech) == (1, Decimal("300.00"), Decimal("300.00"))
    assert _drill_count(client, href) == (1, 1)
    # The registry corrects the amounts of the registered contract (in the admin).
    contract = Contract.objects.get(pk=contract.pk)
    contract.amount, contract.tech_amount = Decimal("450.50"), Decimal("400.25")
    contract.save()
    assert _totals(client)[:3] == (1, Decimal("450.50"), Decimal("400.25"))
    export = client.get(reverse("brokers:stats_export") + "?table=month")
    assert export.status_code == 200
    contract.delete()
    assert _totals(client)[:3] == (0, 0, 0)


def test_a_deal_moved_on_shows_in_the_funnel_and_its_drill_down_at_once(world, operator, client):
    client.force_login(operator)
    by = world["broker"].user
    deal = services.deal_open_lead(actor=by, title="钠电正极", buyer=world["buyer"])
    before = _funnel(client)
    assert before["对接"] == 0
    services.deal_advance(deal=deal, transition="contact", by=by)
    after = _funnel(client)
    assert after["线索"] == before["线索"] and after["对接"] == 1
    href = reverse("brokers:stats_deals") + "?stage=contacted"
    assert _drill_count(client, href) == (1, 1)


def test_a_broker_added_to_a_deal_shows_in_the_ranking_at_once(world, operator, client):
    contract = accepted_contract(world, amount=Decimal("120"))
    services.contract_register(contract=contract, by=world["clerk"])
    client.force_login(operator)
    soup = _soup(client.get(reverse("brokers:stats")))
    assert len(soup.select("#stats-brokers tbody tr td a")) == 2  # one broker: count, amount
    newcomer = BrokerFactory(user__name="新来的经纪人")
    DealBroker.objects.create(deal=contract.deal, broker=newcomer, share=Decimal("20"))
    soup = _soup(client.get(reverse("brokers:stats")))
    names = [tr.td.text for tr in soup.select("#stats-brokers tbody tr")]
    assert "新来的经纪人" in names
    row = next(tr for tr in soup.select("#stats-brokers tbody tr") if tr.td.text == "新来的经纪人")
    assert _drill_count(client, row.find_all("td")[1].a["href"]) == (1, 1)


def test_every_figure_is_its_drill_downs_count_after_a_change(world, operator, client, monkeypatch):
    from brokers.views import stats as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(operator)
    for i in range(5):
        contract = accepted_contract(world, title=f"合同{i}", amount=Decimal(100 + i))
        services.contract_register(contract=contract, by=world["clerk"])
        soup = _soup(client.get(reverse("brokers:stats")))
        for tr in soup.select("#stats-market tbody tr, #stats-month tbody tr"):
            link = tr.find_all("td")[1].a
            assert _drill_count(client, link["href"]) == (int(link.text), int(link.text))
    assert _totals(client)[0] == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_page_read_before_the_commit_does_not_keep_the_old_figure(main_market, client):
    """Another request reads the rows while a registration is being saved but not yet
    committed: it sees (and caches) the old figure; the bump on commit makes it stale."""
    world = make_world(main_market)
    operator = make_operator(OrganizationFactory(market=main_market), main_market)
    contract = accepted_contract(world, amount=Decimal("300"))
    client.force_login(operator)
    assert _totals(client)[0] == 0
    seen = {}

    def other_request():
        try:
            seen["n"] = _totals(client)[0]
        finally:
            connection.close()

    with transaction.atomic():
        services.contract_register(contract=contract, by=world["clerk"])
        reader = threading.Thread(target=other_request)
        reader.start()
        reader.join()
    assert seen["n"] == 0, "the other request read the committed rows, before this commit"
    assert _totals(client)[:3] == (1, Decimal("300.00"), Decimal("300.00"))

"""Deal statistics: figures against sums computed here, drill-downs adding up to them, the
.xlsx export read back, who may see what, and a query count that does not grow with data."""

from __future__ import annotations

import datetime
import io
import random
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse
from openpyxl import load_workbook

from brokers.choices import ContractType, DealStage, RegistrationStatus
from brokers.models import Contract, Deal, DealBroker
from brokers.selectors import stats
from tests.factories import (
    BrokerFactory,
    OrganizationFactory,
    SubMarketFactory,
    make_operator,
)

pytestmark = pytest.mark.django_db

STAGES = [s.value for s in DealStage]
FIELDS = ["new_materials", "bio_medicine", ""]
TYPES = [ContractType.DEVELOPMENT_COMMISSIONED, ContractType.TRANSFER_PATENT]
STATUSES = [RegistrationStatus.REGISTERED, RegistrationStatus.REGISTERED, RegistrationStatus.DRAFT]


def build(markets, orgs, brokers, n, seed=1, title="合同"):
    """n deals, each with a contract, spread over markets, months, fields, types, stages."""
    rnd = random.Random(seed)
    deals = Deal.objects.bulk_create(
        [
            Deal(
                market=rnd.choice(markets),
                title=f"{title}{i}",
                buyer=orgs[0],
                seller=orgs[1],
                stage=(stage := rnd.choice(STAGES)),
                lost_at_stage=rnd.choice(STAGES[:-1]) if stage == DealStage.LOST else "",
            )
            for i in range(n)
        ]
    )
    DealBroker.objects.bulk_create(
        [DealBroker(deal=d, broker=rnd.choice(brokers), share=100, is_lead=True) for d in deals]
    )
    contracts = []
    for i, d in enumerate(deals):
        amount = Decimal(rnd.randint(100, 99999)) / 100
        status = rnd.choice(STATUSES)
        contracts.append(
            Contract(
                deal=d,
                market=d.market,
                field=rnd.choice(FIELDS),
                contract_type=rnd.choice(TYPES),
                title=f"{title}{i}",
                buyer=orgs[0],
                seller=orgs[1],
                signed_on=datetime.date(2025, 1, 1),
                term_start=datetime.date(2025, 1, 1),
                term_end=datetime.date(2026, 1, 1),
                amount=amount,
                tech_amount=(amount * Decimal("0.8")).quantize(Decimal("0.01")),
                registration_status=status,
                registered_on=(
                    datetime.date(2025, rnd.randint(1, 12), rnd.randint(1, 28))
                    if status == RegistrationStatus.REGISTERED
                    else None
                ),
            )
        )
    Contract.objects.bulk_create(contracts)
    return deals


@pytest.fixture
def world(main_market, operator_org, university, enterprise):
    subs = [SubMarketFactory(parent=main_market), SubMarketFactory(parent=main_market)]
    brokers = [BrokerFactory(), BrokerFactory()]
    build([main_market, *subs], [enterprise, university], brokers, 60)
    return {"main": main_market, "subs": subs, "brokers": brokers}


def _soup(response):
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


def _registered(**filters):
    return [
        c
        for c in Contract.objects.filter(**filters)
        if c.registration_status == RegistrationStatus.REGISTERED
    ]


def _filter(user, **params):
    return stats.stats_filter(user, params)


def test_figures_match_independent_sums(world, operator):
    flt = _filter(operator)
    registered = _registered()
    assert registered, "the data must hold registered contracts"
    totals = stats.contract_totals(flt)
    assert totals["n"] == len(registered)
    assert totals["amount_sum"] == sum(c.amount for c in registered)
    by_market = {r["market_id"]: r for r in stats.contracts_by(flt, "market")}
    for market in [world["main"], *world["subs"]]:
        mine = [c for c in registered if c.market_id == market.pk]
        assert by_market[market.pk]["n"] == len(mine)
        assert by_market[market.pk]["tech_sum"] == sum(c.tech_amount for c in mine)
    by_month = {r["key"]: r["amount_sum"] for r in stats.contracts_by(flt, "month")}
    expected = {}
    for c in registered:
        key = c.registered_on.strftime("%Y-%m")
        expected[key] = expected.get(key, 0) + c.amount
    assert by_month == expected
    by_type = {r["key"]: r["n"] for r in stats.contracts_by(flt, "contract_type")}
    assert by_type == {
        t: n for t in TYPES if (n := sum(1 for c in registered if c.contract_type == t))
    }
    ranking = stats.broker_ranking(flt)
    for row in ranking:
        mine = [
            c for c in registered if c.deal.deal_brokers.filter(broker_id=row["broker_id"]).exists()
        ]
        assert row["amount_sum"] == sum(c.amount for c in mine)
    assert [r["amount_sum"] for r in ranking] == sorted(
        (r["amount_sum"] for r in ranking), reverse=True
    )


def test_funnel_counts_every_stage_before(world, operator):
    flt = _filter(operator)
    order = [s.value for s in stats.FUNNEL_STAGES]
    reached_index = {}
    for d in Deal.objects.all():
        stage = d.lost_at_stage if d.stage == DealStage.LOST else d.stage
        reached_index[d.pk] = order.index(stage)
    rows = stats.funnel(flt)
    for i, row in enumerate(rows):
        assert row["n"] == sum(1 for r in reached_index.values() if r >= i)
        if i and rows[i - 1]["n"]:
            assert row["rate"] == round(Decimal(row["n"]) * 100 / rows[i - 1]["n"], 1)
    assert rows[0]["n"] == Deal.objects.count()


def test_year_and_market_filters(world, operator):
    sub = world["subs"][0]
    flt = _filter(operator, market=str(sub.pk), year="2025")
    mine = [c for c in _registered(market=sub)]
    assert stats.contract_totals(flt)["n"] == len(mine)
    assert stats.contract_totals(_filter(operator, year="2024"))["n"] == 0
    flt = _filter(operator, **{"from": "2025-03-01", "to": "2025-03-31"})
    march = [c for c in _registered() if c.registered_on.month == 3]
    assert stats.contract_totals(flt)["amount_sum"] == sum(c.amount for c in march)


def _drill_sum(client, url):
    """Walk every page of a drill-down and add up its rows."""
    n, total = 0, Decimal("0")
    while url:
        soup = _soup(client.get(url))
        for tr in soup.select(
            "#drill-rows tbody tr[data-contract], #drill-rows tbody tr[data-deal]"
        ):
            n += 1
            cell = tr.select_one(".amount")
            total += Decimal(cell.text) if cell else 0
        nxt = soup.select_one("a[rel=next]")
        url = url.split("?")[0] + nxt["href"] if nxt else None
    return n, total


def test_page_figures_link_to_rows_that_add_up(world, operator, client, monkeypatch):
    from brokers.views import stats as views

    monkeypatch.setattr(views, "PAGE_SIZE", 7)  # several pages from 60 deals
    client.force_login(operator)
    soup = _soup(client.get(reverse("brokers:stats")))
    checked = 0
    for tr in soup.select("#stats-market tbody tr, #stats-month tbody tr, #stats-brokers tbody tr"):
        cells = tr.find_all("td")
        n, total = _drill_sum(client, cells[1].a["href"])
        assert n == int(cells[1].a.text)
        assert total == Decimal(cells[2].a.text)
        checked += 1
    for tr in soup.select("#stats-funnel tbody tr"):
        cells = tr.find_all("td")
        n, _ = _drill_sum(client, cells[1].a["href"])
        assert n == int(cells[1].a.text)
        checked += 1
    assert checked > 10
    assert soup.select_one("script#chart-month")


def test_export_reads_back_with_formulas_neutralised(world, operator, client):
    contract = Contract.objects.filter(registration_status=RegistrationStatus.REGISTERED).first()
    contract.market.name = '=HYPERLINK("http://x")'
    contract.market.save()
    client.force_login(operator)
    response = client.get(reverse("brokers:stats_export") + "?table=market")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=2))
    expected = {r["label"]: r for r in stats.contracts_by(_filter(operator), "market")}
    assert len(rows) == len(expected)
    for label, n, amount, _tech in rows:
        assert label.data_type == "s"
        assert n.value == expected[label.value]["n"]
        assert Decimal(str(amount.value)) == expected[label.value]["amount_sum"]
    bad = next(r[0] for r in rows if r[0].value.startswith("="))
    assert bad.quotePrefix and bad.data_type == "s"
    for table in ("funnel", "brokers", "month", "field", "contract_type"):
        assert client.get(reverse("brokers:stats_export") + f"?table={table}").status_code == 200
    assert client.get(reverse("brokers:stats_export") + "?table=nope").status_code == 404


def test_sub_market_operator_sees_only_theirs(world, client):
    sub = world["subs"][0]
    user = make_operator(OrganizationFactory(market=sub), sub)
    client.force_login(user)
    soup = _soup(client.get(reverse("brokers:stats")))
    names = [tr.td.text for tr in soup.select("#stats-market tbody tr")]
    assert names == [sub.name]
    other = world["subs"][1]
    flt = _filter(user, market=str(other.pk))
    assert stats.contract_totals(flt)["n"] == len(_registered(market=sub))
    response = client.get(reverse("brokers:stats_contracts") + f"?by=market&key={other.pk}")
    assert _soup(response).select("#drill-rows tr[data-contract]") == []


@pytest.mark.parametrize("name", ["stats", "stats_contracts", "stats_deals", "stats_export"])
def test_others_may_not(world, client, enterprise_user, name):
    assert client.get(reverse(f"brokers:{name}")).status_code == 302
    client.force_login(enterprise_user)
    assert client.get(reverse(f"brokers:{name}")).status_code == 403


def test_empty_data_renders(operator, client):
    client.force_login(operator)
    soup = _soup(client.get(reverse("brokers:stats")))
    assert "暂无已登记合同" in soup.text
    assert _soup(client.get(reverse("brokers:stats_contracts"))).select("#drill-totals")
    assert _soup(client.get(reverse("brokers:stats_deals") + "?stage=signed"))


def test_queries_do_not_grow(
    world, operator, client, django_assert_max_num_queries, university, enterprise
):
    client.force_login(operator)
    urls = [
        reverse("brokers:stats"),
        reverse("brokers:stats_contracts") + "?by=month&key=2025-03",
        reverse("brokers:stats_deals") + "?stage=negotiation",
    ]
    counts = []
    for url in urls:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        counts.append(len(ctx))
    build(
        [world["main"], *world["subs"]],
        [enterprise, university],
        world["brokers"] + [BrokerFactory()],
        120,
        seed=2,
        title="又",
    )
    for url, n in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(n):
            assert client.get(url).status_code == 200


def test_sums_show_to_the_cent_on_every_database(client, world, operator):
    """SQLite sums decimals as floats; the page and the drill-downs show 万元 to the cent."""
    import re

    client.force_login(operator)
    page = client.get(reverse("brokers:stats")).content.decode()
    registered = _registered()
    total = sum(c.amount for c in registered).quantize(Decimal("0.01"))
    assert f"{total}" in page
    figures = re.findall(r">(\d+\.\d+)<", page)
    assert figures, "the tables show sums"
    # Sums to the cent, conversion rates to one decimal; never a float's tail.
    assert all(len(f.split(".")[1]) <= 2 for f in figures), figures[:5]
    for row in stats.broker_figures(_filter(operator)):
        assert row["amount_sum"].as_tuple().exponent == -2

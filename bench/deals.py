"""Deal statistics and the broker's board at scale.

Builds 100,000 registered-or-not contracts (each on its own deal, as a contract belongs to
one deal) and 20,000 more deals still in the pipeline, with bulk_create, on the configured
database (DATABASE_URL; migrate it first). Then times, through Django's test client as an
operator of the bench market, the statistics page and each figure's drill-down, and a
broker's board with 500 deals: p50 and p95 over N requests after one warm-up.

The page's figures and the drill-downs' counts are computed once per change (the
"deal-figures" fragments, bumped when a deal, contract or broker link is saved), so the
timed requests after the warm-up read them from the cache, as every request does until
the next change. The first request after a change computes them: the row "statistics
page, after a change" bumps the version before each request and times that path. The
board shows the newest 50 cards of each stage (the rest a link away); the row "broker
board, one stage's full list" times that list's first page.

The baseline, measured in the same run: the same figures computed in Python over the ORM
objects (every registered contract, every deal, every broker link loaded and summed),
against the aggregate queries behind the cache (`stats.figures_compute`, uncached).

    DATABASE_URL=postgres://…/techmarket_stats .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://…/techmarket_stats .venv/bin/python bench/deals.py [--small] [--runs 20]

Targets: the page and drill-downs p95 < 300 ms; the board with 500 deals p95 < 200 ms.
The bench rows live under markets coded bench-*, removed and rebuilt on each run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market.settings.test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _clear():
    from brokers.models import Broker, Contract, Deal, DealBroker
    from market.models import Market, Membership, Organization, User

    markets = Market.objects.filter(code__startswith="bench-")
    Contract.objects.filter(market__in=markets).delete()
    DealBroker.objects.filter(deal__market__in=markets).delete()
    Deal.objects.filter(market__in=markets).delete()
    Broker.objects.filter(user__username__startswith="bench-").delete()
    Membership.objects.filter(user__username__startswith="bench-").delete()
    Organization.objects.filter(market__in=markets).delete()
    User.objects.filter(username__startswith="bench-").delete()
    markets.filter(parent__isnull=False).delete()
    markets.delete()


def build(n_contracts: int, n_deals: int, board: int, seed: int = 13):
    from brokers.choices import ContractType, DealStage, RegistrationStatus
    from brokers.models import Broker, Contract, Deal, DealBroker
    from listings.choices import TechField
    from market.choices import MarketKind, OrganizationKind, Role
    from market.models import Market, Organization, User
    from market.services import membership_grant

    rnd = random.Random(seed)
    main = Market.objects.create(name="基准市场", code="bench-main", kind=MarketKind.MAIN)
    subs = [
        Market.objects.create(
            name=f"基准分市场{i}", code=f"bench-{i}", kind=MarketKind.SUB, parent=main
        )
        for i in range(8)
    ]
    markets = [main, *subs]
    orgs = [
        Organization.objects.create(
            name=f"基准机构{i}",
            kind=OrganizationKind.ENTERPRISE,
            market=rnd.choice(markets),
            credit_code=f"91BENCH{i:011d}",
            region_code="420100",
        )
        for i in range(40)
    ]
    institution = Organization.objects.create(
        name="基准技术转移机构",
        kind=OrganizationKind.TRANSFER_INSTITUTION,
        market=main,
        credit_code="91BENCHINST0000000",
        region_code="420100",
    )
    users = User.objects.bulk_create(
        [User(username=f"bench-broker{i}", name=f"经纪人{i}") for i in range(60)]
    )
    brokers = Broker.objects.bulk_create(
        [
            Broker(user=u, institution=institution, grade="junior", certificate_no=f"BENCH-{i}")
            for i, u in enumerate(users)
        ]
    )
    operator = User.objects.create(username="bench-operator", name="基准运营")
    membership_grant(organization=institution, user=operator, role=Role.OPERATOR, market=main)

    late = [DealStage.SIGNED, DealStage.REGISTERED, DealStage.PERFORMED, DealStage.CLOSED]
    early = [DealStage.LEAD, DealStage.CONTACTED, DealStage.NEGOTIATION, DealStage.NOTICE]
    fields = [f.value for f in TechField]
    types = [t.value for t in ContractType]
    batch = 5000
    for start in range(0, n_contracts + n_deals, batch):
        deals = []
        for i in range(start, min(start + batch, n_contracts + n_deals)):
            with_contract = i < n_contracts
            stage = rnd.choice(late if with_contract else [*early, DealStage.LOST])
            buyer, seller = rnd.sample(orgs, 2)
            deals.append(
                Deal(
                    market=rnd.choice(markets),
                    title=f"基准交易{i}",
                    buyer=buyer,
                    seller=seller,
                    stage=stage,
                    lost_at_stage=rnd.choice(early) if stage == DealStage.LOST else "",
                )
            )
        deals = Deal.objects.bulk_create(deals)
        links, contracts = [], []
        for d in deals:
            # The first `board` deals are the board broker's (brokers[0]).
            index = int(d.title.removeprefix("基准交易"))
            broker = brokers[0] if index < board else rnd.choice(brokers[1:])
            links.append(DealBroker(deal=d, broker=broker, share=100, is_lead=True))
            if index >= n_contracts:
                continue
            registered = d.stage != DealStage.SIGNED
            amount = Decimal(rnd.randint(1000, 500000)) / 100
            day = datetime.date(2025, 1, 1) + datetime.timedelta(days=rnd.randint(0, 364))
            contracts.append(
                Contract(
                    deal=d,
                    market_id=d.market_id,
                    field=rnd.choice(fields),
                    contract_type=rnd.choice(types),
                    title=d.title,
                    buyer_id=d.buyer_id,
                    seller_id=d.seller_id,
                    signed_on=day,
                    term_start=day,
                    term_end=day + datetime.timedelta(days=365),
                    amount=amount,
                    tech_amount=(amount * Decimal("0.7")).quantize(Decimal("0.01")),
                    registration_status=(
                        RegistrationStatus.REGISTERED if registered else RegistrationStatus.DRAFT
                    ),
                    registered_on=day if registered else None,
                    registration_no=f"BENCH{index:08d}" if registered else None,
                )
            )
        DealBroker.objects.bulk_create(links)
        Contract.objects.bulk_create(contracts)
    return operator, brokers[0].user, subs


def python_baseline(operator) -> dict:
    """The page's figures, the slow way: every row loaded as an object and summed here."""
    from brokers.choices import DealStage, RegistrationStatus
    from brokers.models import Contract, Deal
    from brokers.selectors.stats import FUNNEL_STAGES
    from market.permissions import operated_market_ids

    ids = operated_market_ids(operator)
    figures: dict = {"market": {}, "month": {}, "field": {}, "contract_type": {}, "broker": {}}
    contracts = (
        Contract.objects.filter(market_id__in=ids)
        .select_related("market")
        .prefetch_related("deal__deal_brokers")
    )
    for c in contracts:
        if c.registration_status != RegistrationStatus.REGISTERED:
            continue
        for dim, key in (
            ("market", c.market.name),
            ("month", c.registered_on.strftime("%Y-%m")),
            ("field", c.field),
            ("contract_type", c.contract_type),
        ):
            figures[dim][key] = figures[dim].get(key, Decimal(0)) + c.amount
        for link in c.deal.deal_brokers.all():
            figures["broker"][link.broker_id] = figures["broker"].get(link.broker_id, 0) + c.amount
    order = [s.value for s in FUNNEL_STAGES]
    reached = [0] * len(order)
    for d in Deal.objects.filter(market_id__in=ids):
        stage = d.lost_at_stage if d.stage == DealStage.LOST else d.stage
        for i in range(order.index(stage) + 1):
            reached[i] += 1
    figures["funnel"] = reached
    return figures


def time_get(client, url: str, runs: int, before=None) -> list[float]:
    assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, url
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="2,000 contracts, 400 deals")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="reuse the bench rows if present")
    args = parser.parse_args(argv)
    n_contracts, n_deals = (2_000, 400) if args.small else (100_000, 20_000)
    _setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from market.models import User

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; load average {load}")
    started = time.perf_counter()
    if args.keep and User.objects.filter(username="bench-operator").exists():
        from market.models import Market

        operator = User.objects.get(username="bench-operator")
        board_user = User.objects.get(username="bench-broker0")
        subs = list(Market.objects.filter(code__startswith="bench-", parent__isnull=False))
    else:
        _clear()
        operator, board_user, subs = build(n_contracts, n_deals, board=500)
    print(
        f"{n_contracts:,} contracts + {n_deals:,} pipeline deals ready in "
        f"{time.perf_counter() - started:.1f} s (not timed below)"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from brokers.selectors.stats import DEAL_FIGURES
    from market.fragments import fragments_bump

    # bulk_create sends no post_save: the figures cached before the build are stale.
    fragments_bump(DEAL_FIGURES)

    client = Client()
    client.force_login(operator)
    stats_url = reverse("brokers:stats")
    contracts_url = reverse("brokers:stats_contracts")
    deals_url = reverse("brokers:stats_deals")
    pages = [
        ("statistics page", stats_url),
        ("statistics page, one sub-market, 2025", f"{stats_url}?market={subs[0].pk}&year=2025"),
        ("drill-down: all registered", contracts_url),
        ("drill-down: one sub-market", f"{contracts_url}?by=market&key={subs[0].pk}"),
        ("drill-down: one month", f"{contracts_url}?by=month&key=2025-06"),
        ("drill-down: one field", f"{contracts_url}?by=field&key=new_materials"),
        ("drill-down: one contract type", f"{contracts_url}?by=contract_type&key=transfer_patent"),
        ("drill-down: one broker", f"{contracts_url}?by=broker&key={board_user.broker_profile.pk}"),
        ("drill-down: funnel stage 洽谈", f"{deals_url}?stage=negotiation"),
        ("drill-down: funnel stage 认定登记, page 50", f"{deals_url}?stage=registered&page=50"),
        ("export: by month (.xlsx)", reverse("brokers:stats_export") + "?table=month"),
    ]
    rows = []
    worst = 0.0
    for label, url in pages:
        samples = time_get(client, url, args.runs)
        worst = max(worst, p(samples, 0.95))
        rows.append((label, statistics.median(samples), p(samples, 0.95)))
    after_change = time_get(
        client, stats_url, args.runs, before=lambda: fragments_bump(DEAL_FIGURES)
    )
    board_client = Client()
    board_client.force_login(board_user)
    board = time_get(board_client, reverse("brokers:deals"), args.runs)
    stage_list = time_get(board_client, reverse("brokers:deals") + "?stage=performed", args.runs)

    baseline = []
    for _ in range(max(1, min(3, args.runs))):
        t = time.perf_counter()
        python_baseline(operator)
        baseline.append((time.perf_counter() - t) * 1000)
    aggregate = []
    from brokers.selectors import stats

    flt = stats.stats_filter(operator, {})
    for _ in range(max(1, min(3, args.runs))):
        t = time.perf_counter()
        stats.figures_compute(flt)  # every figure of the page, not cached
        aggregate.append((time.perf_counter() - t) * 1000)

    print(f"\n{'request':<45} {'p50 ms':>8} {'p95 ms':>8}")
    for label, p50, p95 in rows:
        print(f"{label:<45} {p50:8.0f} {p95:8.0f}")
    print(
        f"{'statistics page, after a change (uncached)':<45} "
        f"{statistics.median(after_change):8.0f} {p(after_change, 0.95):8.0f}"
    )
    print(f"{'broker board, 500 deals':<45} {statistics.median(board):8.0f} {p(board, 0.95):8.0f}")
    print(
        f"{'broker board, one stage full list':<45} "
        f"{statistics.median(stage_list):8.0f} {p(stage_list, 0.95):8.0f}"
    )
    base, agg = statistics.median(baseline), statistics.median(aggregate)
    print(f"\nfigures, aggregate queries (median):  {agg:8.0f} ms")
    print(f"figures, Python over ORM objects:     {base:8.0f} ms   (baseline)")
    print(f"ratio baseline / aggregate:           {base / agg:8.1f}x")
    ok_pages, ok_board = worst < 300, p(board, 0.95) < 200
    print(
        f"\ntarget page and drill-downs p95 < 300 ms: {'met' if ok_pages else 'MISSED'} "
        f"(worst {worst:.0f} ms)"
    )
    print(f"target board with 500 deals p95 < 200 ms: {'met' if ok_board else 'MISSED'}")
    print(
        f"statistics page after a change (not a target row): p95 {p(after_change, 0.95):.0f} ms; "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    return 0 if ok_pages and ok_board else 1


if __name__ == "__main__":
    sys.exit(main())

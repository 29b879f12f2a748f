"""Window compliance at scale: the dashboard, its rows pages and a month's PDF report.

Builds 100,000 service cases with 1,000,000 checklist items (10 a case) over 10 windows,
with their ratings, follow-ups and complaints, by bulk_create in batches, on DATABASE_URL
when it is set (migrate it first; the bench rows live under markets coded bench-w*, removed
and rebuilt on each run) or else on a throwaway SQLite file under a temporary folder,
migrated here. Cases open over this year so far, so the dashboard's default period (this
year) covers every row. Then times, through Django's test client as an operator of the ten
markets: the dashboard (all windows; one window; one standard), three rows pages, and the
PDF report of one sub-market for last month: p50 and p95 over N requests after a warm-up.

The figures that only a change of rows changes are computed once per change (the
"window-compliance" fragments, bumped when a case, an item, a rating, a follow-up or a
complaint is saved, and keyed by the audit log's latest step), so the timed requests after
the warm-up read them from the cache; what the clock changes (items and follow-ups overdue
now) is counted on every request. The row "dashboard, after a change" bumps the version
before each request and times the path that computes everything.

The baseline, measured in the same run: the dashboard's figures computed in Python over
the ORM objects (every item, case, rating and complaint of the ten windows loaded and
counted), against the aggregate queries (`compliance.compliance_figures`).

    .venv/bin/python bench/windows.py [--cases 100000] [--runs 20]
    DATABASE_URL=postgres://…/techmarket_windows .venv/bin/python bench/windows.py --keep

Targets: the dashboard p95 < 300 ms; a month's PDF report of one sub-market < 10 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ITEMS_PER_CASE = 10
WINDOWS = 10
BATCH = 2_000


def p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _setup() -> str | None:
    """Django on DATABASE_URL, or on a migrated throwaway SQLite file (its folder returned,
    to be removed at the end)."""
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "market.settings.test"
    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="bench-windows-")
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    import django

    django.setup()
    if tmp:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
    return tmp


def _clear():
    from market.models import Market, Membership, Organization, User
    from windows.models import (
        CaseItem,
        CaseRating,
        Complaint,
        FollowUp,
        ServiceCase,
        ServiceStandard,
        ServiceWindow,
        StandardItem,
    )

    markets = Market.objects.filter(code__startswith="bench-w")
    windows = ServiceWindow.objects.filter(market__in=markets)
    Complaint.objects.filter(market__in=markets).delete()
    FollowUp.objects.filter(rating__case__window__in=windows).delete()
    CaseRating.objects.filter(case__window__in=windows).delete()
    CaseItem.objects.filter(case__window__in=windows).delete()
    ServiceCase.objects.filter(window__in=windows).delete()
    StandardItem.objects.filter(standard__code__startswith="BENCH/").delete()
    ServiceStandard.objects.filter(code__startswith="BENCH/").delete()
    windows.delete()
    Membership.objects.filter(user__username__startswith="bench-w").delete()
    Organization.objects.filter(market__in=markets).delete()
    User.objects.filter(username__startswith="bench-w").delete()
    markets.filter(kind="sub").delete()
    markets.delete()


EVIDENCE = ["file", "text", "confirmation", "none", "none", "text", "none", "file", "none", "none"]


def build(n_cases: int, seed: int = 14):
    from django.utils import timezone

    from market.choices import MarketKind, OrganizationKind, Role
    from market.models import Market, Membership, Organization, User
    from windows.choices import CaseState, ComplaintState, ComplaintSubject, WindowService
    from windows.models import (
        CaseItem,
        CaseRating,
        Complaint,
        FollowUp,
        ServiceCase,
        ServiceStandard,
        ServiceWindow,
        StandardItem,
    )

    rnd = random.Random(seed)
    main = Market.objects.filter(kind=MarketKind.MAIN).first() or Market.objects.create(
        name="基准总市场", code="bench-wmain", kind=MarketKind.MAIN, region_code="420000"
    )
    markets = [
        Market.objects.create(
            name=f"基准分市场{i}",
            code=f"bench-w{i}",
            kind=MarketKind.SUB,
            parent=main,
            region_code="420100",
        )
        for i in range(WINDOWS)
    ]
    windows = [
        ServiceWindow.objects.create(
            market=m, name=f"基准窗口{i}", address="科技大道 1 号", hours="9:00-17:00"
        )
        for i, m in enumerate(markets)
    ]
    # One operator organisation per market: a person holds one role per organisation.
    orgs = [
        Organization.objects.create(
            name=f"基准运营机构{i}",
            kind=OrganizationKind.OPERATOR,
            market=m,
            credit_code=f"91BENCHWIN{i:08d}",
            region_code="420100",
        )
        for i, m in enumerate(markets)
    ]
    operator = User.objects.create(username="bench-woperator", name="基准运营")
    clerks = User.objects.bulk_create(
        [User(username=f"bench-wclerk{i}", name=f"窗口{i}") for i in range(WINDOWS)]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=operator, organization=o, role=Role.OPERATOR, market=m)
            for o, m in zip(orgs, markets, strict=True)
        ]
        + [
            Membership(user=c, organization=o, role=Role.WINDOW_CLERK, market=m)
            for c, o, m in zip(clerks, orgs, markets, strict=True)
        ]
    )
    services = list(WindowService)
    standards = []
    for i in range(5):
        std = ServiceStandard.objects.create(
            code=f"BENCH/{i}",
            title=f"基准服务规范{i}",
            version=1,
            service=services[i],
            effective_date=datetime.date(2026, 1, 1),
        )
        items = StandardItem.objects.bulk_create(
            [
                StandardItem(
                    standard=std,
                    sort_order=k,
                    action=f"基准事项{i}-{k}",
                    role="clerk",
                    limit_amount=1,
                    evidence=EVIDENCE[k],
                )
                for k in range(ITEMS_PER_CASE)
            ]
        )
        standards.append((std, items))

    items_of = {std.pk: items for std, items in standards}
    now = timezone.now()
    year_start = timezone.make_aware(datetime.datetime(now.year, 1, 1))
    span = (now - year_start).total_seconds() - 3 * 86400
    hour = datetime.timedelta(hours=1)
    for start in range(0, n_cases, BATCH):
        cases = []
        for i in range(start, min(start + BATCH, n_cases)):
            w = i % WINDOWS
            std, _items = standards[rnd.randrange(5)]
            opened = year_start + datetime.timedelta(seconds=rnd.uniform(0, span))
            roll = rnd.random()
            state = (
                CaseState.OPEN
                if roll < 0.10 or opened > now - datetime.timedelta(days=5)
                else CaseState.WITHDRAWN
                if roll < 0.15
                else CaseState.CLOSED
            )
            closed = (
                min(now, opened + rnd.randint(2, 240) * hour) if state != CaseState.OPEN else None
            )
            cases.append(
                ServiceCase(
                    window=windows[w],
                    standard=std,
                    service=std.service,
                    requester_name=f"服务对象{i}",
                    opened_by=clerks[w],
                    opened_at=opened,
                    state=state,
                    closed_at=closed,
                    requester_key=f"bench-w{i:09d}",
                )
            )
        cases = ServiceCase.objects.bulk_create(cases)
        items, ratings = [], []
        for case in cases:
            std_items = items_of[case.standard_id]
            done_upto = ITEMS_PER_CASE if case.state == CaseState.CLOSED else rnd.randrange(11)
            for k, si in enumerate(std_items):
                due = case.opened_at + (k + 1) * 8 * hour
                done = None
                if k < done_upto:
                    done = due + rnd.uniform(-6, 2 if rnd.random() < 0.85 else 48) * hour
                    done = min(done, now)
                has_evidence = done is not None and rnd.random() < 0.95
                items.append(
                    CaseItem(
                        case=case,
                        standard_item=si,
                        position=k + 1,
                        due_at=due,
                        done_at=done,
                        done_by_id=case.opened_by_id if done else None,
                        evidence_file=(
                            "windows/evidence/bench.pdf"
                            if has_evidence and si.evidence == "file"
                            else ""
                        ),
                        evidence_text="已核验" if has_evidence and si.evidence == "text" else "",
                        confirmed_at=done
                        if has_evidence and si.evidence == "confirmation"
                        else None,
                    )
                )
            if case.state == CaseState.CLOSED and rnd.random() < 0.6:
                level = rnd.choices([5, 4, 3, 2, 1], weights=[50, 30, 12, 5, 3])[0]
                ratings.append(CaseRating(case=case, level=level, rated_at=case.closed_at))
        CaseItem.objects.bulk_create(items, batch_size=5000)
        ratings = CaseRating.objects.bulk_create(ratings)
        FollowUp.objects.bulk_create(
            [
                FollowUp(
                    rating=r,
                    due_at=r.rated_at + datetime.timedelta(days=5),
                    visited_at=(
                        r.rated_at + datetime.timedelta(days=3) if rnd.random() < 0.7 else None
                    ),
                )
                for r in ratings
                if r.level <= 2
            ]
        )
    complaints = []
    for i in range(max(10, n_cases // 200)):
        window = windows[i % WINDOWS]
        received = year_start + datetime.timedelta(seconds=rnd.uniform(0, span))
        state = rnd.choice(list(ComplaintState))
        complaints.append(
            Complaint(
                code=f"bench-w{i:08d}",
                subject=ComplaintSubject.WINDOW,
                market_id=window.market_id,
                window=window,
                standard=standards[4][0],
                body="基准投诉",
                received_at=received,
                handling_due_at=received + datetime.timedelta(days=1),
                answer_due_at=received + datetime.timedelta(days=5),
                state=state,
            )
        )
    Complaint.objects.bulk_create(complaints)
    return operator, markets, windows


def python_baseline(operator) -> dict:
    """The dashboard's figures, the slow way: every row of the period loaded as an object
    and counted here."""
    from django.utils import timezone

    from windows.choices import CaseState, ComplaintState
    from windows.models import CaseItem, CaseRating, Complaint, ServiceCase
    from windows.selectors.compliance import compliance_filter

    flt = compliance_filter(operator, {})
    starts, ends, now = flt.starts, flt.ends, timezone.now()
    keys = ("done", "on_time", "overdue", "missing", "closed", "hours", "rated", "fu", "cmp")
    by: dict = {}

    def add(window_id, code, name, n=1):
        for key in (("w", window_id), ("s", code), ("t", None)):
            row = by.setdefault(key, dict.fromkeys(keys, 0))
            row[name] += n

    items = CaseItem.objects.filter(case__window_id__in=flt.windows).select_related(
        "case__standard", "standard_item"
    )
    for item in items.iterator(chunk_size=5000):
        case = item.case
        code = case.standard.code
        if item.done_at is not None and starts <= item.done_at < ends:
            add(case.window_id, code, "done")
            if item.done_at <= item.due_at:
                add(case.window_id, code, "on_time")
            kind = item.standard_item.evidence
            if (
                (kind == "file" and not item.evidence_file)
                or (kind == "text" and not item.evidence_text)
                or (kind == "confirmation" and item.confirmed_at is None)
            ):
                add(case.window_id, code, "missing")
        elif (
            item.done_at is None
            and case.state == CaseState.OPEN
            and starts <= item.due_at < min(ends, now)
        ):
            add(case.window_id, code, "overdue")
    cases = ServiceCase.objects.filter(window_id__in=flt.windows).select_related("standard")
    for case in cases.iterator(chunk_size=5000):
        if case.state == CaseState.CLOSED and starts <= case.closed_at < ends:
            add(case.window_id, case.standard.code, "closed")
            add(
                case.window_id,
                case.standard.code,
                "hours",
                (case.closed_at - case.opened_at).total_seconds() / 3600,
            )
    ratings = CaseRating.objects.filter(case__window_id__in=flt.windows).select_related(
        "case__standard", "follow_up"
    )
    for r in ratings.iterator(chunk_size=5000):
        if starts <= r.rated_at < ends:
            add(r.case.window_id, r.case.standard.code, "rated")
            fu = getattr(r, "follow_up", None)
            if fu is not None and fu.visited_at is None:
                add(r.case.window_id, r.case.standard.code, "fu")
    complaints = Complaint.objects.filter(market__window__id__in=flt.windows).select_related(
        "standard", "market__window"
    )
    for c in complaints.iterator(chunk_size=5000):
        if c.state != ComplaintState.CLOSED and starts <= c.received_at < ends:
            add(c.market.window.id, c.standard.code, "cmp")
    return by


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
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="10 items each")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--report-runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="reuse the bench rows if present")
    args = parser.parse_args(argv)
    tmp = _setup()
    try:
        return run(args)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


def run(args) -> int:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from market.models import Market, User
    from windows.models import CaseItem, ServiceCase, ServiceWindow
    from windows.selectors import compliance

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; load average {load}")
    started = time.perf_counter()
    if args.keep and User.objects.filter(username="bench-woperator").exists():
        operator = User.objects.get(username="bench-woperator")
        markets = list(Market.objects.filter(code__startswith="bench-w", kind="sub"))
        windows = list(ServiceWindow.objects.filter(market__in=markets))
    else:
        _clear()
        operator, markets, windows = build(args.cases)
    n_cases = ServiceCase.objects.filter(window__in=windows).count()
    n_items = CaseItem.objects.filter(case__window__in=windows).count()
    print(
        f"{n_cases:,} cases, {n_items:,} items over {len(windows)} windows ready in "
        f"{time.perf_counter() - started:.1f} s (not timed below)"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elif connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from market.fragments import fragments_bump

    # bulk_create sends no post_save: the figures cached before the build are stale.
    fragments_bump(compliance.COMPLIANCE_FIGURES)
    client = Client()
    client.force_login(operator)
    page = reverse("windows:compliance")
    rows = reverse("windows:compliance_rows", args=["overdue"])
    today = timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    requests = [
        ("dashboard, ten windows, this year", page),
        ("dashboard, one window", f"{page}?window={windows[0].pk}"),
        ("dashboard, one standard", f"{page}?standard=BENCH/2"),
        ("dashboard, one month", f"{page}?month={last_month}"),
        ("rows: overdue items", rows),
        (
            "rows: items done, page 200",
            reverse("windows:compliance_rows", args=["done"]) + "?page=200",
        ),
        (
            "rows: cases rated 不满意",
            reverse("windows:compliance_rows", args=["rated"]) + "?level=2",
        ),
    ]
    results = []
    for label, url in requests:
        samples = time_get(client, url, args.runs)
        results.append((label, statistics.median(samples), p(samples, 0.95)))

    after_change = time_get(
        client,
        page,
        max(3, args.runs // 4),
        before=lambda: fragments_bump(compliance.COMPLIANCE_FIGURES),
    )

    report_url = (
        reverse("windows:compliance_report")
        + f"?market={markets[0].code}&month={last_month}&format=pdf"
    )
    report = []
    for _ in range(args.report_runs):
        t = time.perf_counter()
        response = client.get(report_url)
        report.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    pdf_size = len(response.content)

    flt = compliance.compliance_filter(operator, {})
    aggregate = []
    for _ in range(3):
        t = time.perf_counter()
        figures = compliance.compliance_figures(flt, cached=False)
        aggregate.append((time.perf_counter() - t) * 1000)
    baseline = []
    for _ in range(1 if n_items > 200_000 else 3):
        t = time.perf_counter()
        slow = python_baseline(operator)
        baseline.append((time.perf_counter() - t) * 1000)
    total = slow[("t", None)]
    same = (total["done"], total["on_time"], total["overdue"], total["missing"]) == (
        figures.total.done,
        figures.total.on_time,
        figures.total.overdue,
        figures.total.missing_evidence,
    ) and (total["closed"], total["rated"], total["cmp"]) == (
        figures.total.closed,
        figures.total.rated,
        figures.total.complaints_open,
    )

    print(f"\n{'request':<40} {'p50 ms':>8} {'p95 ms':>8}")
    for label, p50, p95 in results:
        print(f"{label:<40} {p50:8.0f} {p95:8.0f}")
    print(
        f"{'dashboard, after a change (uncached)':<40} "
        f"{statistics.median(after_change):8.0f} {p(after_change, 0.95):8.0f}   (not a target row)"
    )
    print(
        f"{'PDF report, one sub-market, ' + last_month:<40} "
        f"{statistics.median(report):8.0f} {max(report):8.0f}   (median / max of "
        f"{len(report)}; {pdf_size / 1024:.0f} KiB)"
    )
    t = figures.total
    print(
        f"\nfigures: {t.done:,} items done, {t.on_time_share}% on time, {t.overdue:,} overdue, "
        f"{t.missing_evidence:,} missing evidence, {t.closed:,} closed in "
        f"{t.handling_hours} h on average, {t.rated:,} rated, {t.followups_open:,} follow-ups "
        f"open, {t.complaints_open:,} complaints open"
    )
    base, agg = statistics.median(baseline), statistics.median(aggregate)
    print(f"figures, aggregate queries (median):  {agg:9.0f} ms")
    print(f"figures, Python over ORM objects:     {base:9.0f} ms   (baseline)")
    print(f"ratio baseline / aggregate:           {base / agg:9.1f}x")
    print(f"baseline and aggregate figures agree: {'yes' if same else 'NO'}")
    dashboard_p95 = max(p95 for label, _p50, p95 in results if label.startswith("dashboard"))
    rows_p95 = max(p95 for label, _p50, p95 in results if label.startswith("rows"))
    ok_page, ok_report = dashboard_p95 < 300, max(report) < 10_000
    print(
        f"\ntarget dashboard p95 < 300 ms: {'met' if ok_page else 'MISSED'} "
        f"(worst {dashboard_p95:.0f} ms; rows pages worst p95 {rows_p95:.0f} ms)"
    )
    print(
        f"target month's PDF report < 10 s: {'met' if ok_report else 'MISSED'} "
        f"(worst {max(report) / 1000:.1f} s)"
    )
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0 if ok_page and ok_report and same else 1


if __name__ == "__main__":
    sys.exit(main())

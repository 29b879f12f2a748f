"""Benchmark the site under load (issue 12): pages per second against the stack's own ceiling.

Sets up a PostgreSQL database with the demo market plus bulk-created achievements up to N
listings (default 100,000), rebuilds the embedded search index, and starts
scripts/serve-production.sh (gunicorn with uvicorn workers, production settings, Redis cache
and channel layer) on a free loopback port. Then, all from loopback:

1. c = 1: the median of an uncached detail page (each page fetched once), beside /healthz.
2. Locust, headless, as a library in a subprocess (bench/load_locust.py), bounded in time
   and request count, the same users each time:
   - the ceiling: /healthz alone, a static response through the full middleware stack;
   - the mix: 60% home, list and detail pages, 20% search, 10% API, 10% signed-in owner
     pages (/listings/mine/ and the like, a session cookie made for the server's key);
   - signed-in owner pages alone.
   Per page group: req/s, median, p95, failures, and req/s as a fraction of the ceiling.
3. Websockets: C clients (default 500) on /ws/notifications/ across the worker processes,
   one notification to their user, and the time until each client has it.

    /work/main/.venv/bin/python bench/load.py --quick          # 10,000 listings, 20 s runs
    /work/main/.venv/bin/python bench/load.py [--listings 100000] [--seconds 60] [--reuse]

Targets (2 cores, 50 users): anonymous pages >= 300 req/s with p95 < 200 ms; signed-in pages
>= 100 req/s; an uncached detail page's median < 15 ms at c = 1; every websocket client
receives the broadcast within 1 s. Locust runs on the same two cores as the server, so the
figures are what this machine does with its load generator on it.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # before bench/, whose search.py would shadow the search app

from tqdm import tqdm  # noqa: E402

SECRET = "bench-load-throwaway-secret-key-Qm4Zt8Lw2Rx6Vn0Pc5Hs9Jk3Fb7Yd1Ga"
PROXY = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy in front would say
OWNER = "university"  # the demo's university administrator: owns listings, has notifications
OWNER_PATHS = ["/listings/mine/", "/notifications/", "/organizations/mine/", "/search/saved/"]
FIELD_CODES = [
    "electronic_information", "bio_medicine", "aerospace", "new_materials",
    "high_tech_services", "new_energy", "resources_environment", "advanced_manufacturing",
]  # fmt: skip
TARGET_ANON_RPS, TARGET_ANON_P95, TARGET_SIGNED_RPS, TARGET_DETAIL_MS = 300, 200, 100, 15


# ── The database ──────────────────────────────────────────────────────────────────────────────


def prepare_database(url: str, reuse: bool) -> None:
    """Create (or, without --reuse, drop and recreate) the benchmark's own database."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    assert re.fullmatch(r"[a-z0-9_]+", name), name
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not reuse:
            admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
            exists = None
        if not exists:
            admin.execute(f"CREATE DATABASE {name}")


def setup_django(database_url: str, redis_url: str) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="market.settings.production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
    )
    os.environ.pop("ELASTICSEARCH_URL", None)  # the embedded search, as the issue measures
    import django

    django.setup()


def fill(n: int) -> bool:
    """Migrate, load the demo market, bulk-create achievements up to n listings. Returns
    whether anything was added (so the search index needs rebuilding)."""
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from listings.models import Achievement, Demand, Mode

    sys.path.append(str(ROOT / "bench"))
    from import_listings import METHODS, QUALITIES, SUBJECTS

    call_command("migrate", verbosity=0, interactive=False)
    before = Achievement.objects.count() + Demand.objects.count()
    started = time.perf_counter()
    call_command("load_demo", quiet=True, stdout=open(os.devnull, "w"))
    have = Achievement.objects.count() + Demand.objects.count()
    if have > before:
        print(f"demo market loaded in {time.perf_counter() - started:.0f} s", flush=True)
    missing = n - have
    if missing <= 0:
        return have > before
    # The demo's own owners and their markets, so the new listings sit in the real network.
    owners = list(
        Achievement.objects.filter(status="published")
        .values_list("owner_id", "market_id", "region_code")
        .distinct()
    )
    modes = list(Mode.objects.all())
    through = Achievement.transfer_modes.through
    rng = random.Random(20261203)
    now = timezone.now()
    words = SUBJECTS + QUALITIES + METHODS
    with tqdm(total=missing, desc="bulk-creating achievements", unit="listing") as bar:
        for start in range(0, missing, 5000):
            batch = []
            for i in range(start, min(missing, start + 5000)):
                owner_id, market_id, region = rng.choice(owners)
                negotiable = rng.random() < 0.3
                subject, method = rng.choice(SUBJECTS), rng.choice(METHODS)
                text = "，".join(
                    "".join(rng.sample(words, rng.randint(3, 6))) for _ in range(rng.randint(4, 9))
                )
                batch.append(
                    Achievement(
                        title=f"一种{rng.choice(QUALITIES)}{subject}{method}（{i + 1}）",
                        summary=f"{subject}的{rng.choice(QUALITIES)}{method}。",
                        description=text + "。",
                        field=rng.choice(FIELD_CODES),
                        keywords=[subject, method],
                        region_code=region,
                        market_id=market_id,
                        owner_id=owner_id,
                        contact_name="张老师",
                        status="published",
                        published_at=now - timezone.timedelta(minutes=i),
                        trl=rng.randint(1, 9),
                        maturity="pilot",
                        price_negotiable=negotiable,
                        asking_price=None if negotiable else rng.randint(10, 5000),
                    )
                )
            with transaction.atomic():
                created = Achievement.objects.bulk_create(batch)
                through.objects.bulk_create(
                    through(achievement_id=a.pk, mode_id=m.pk)
                    for a in created
                    for m in rng.sample(modes, rng.randint(1, 3))
                )
            bar.update(len(batch))
    return True


def reindex() -> None:
    from search import services

    for kind in ("achievement", "demand"):
        with tqdm(desc=f"embedded reindex, {kind}s", unit="listing") as bar:

            def on_batch(done, total, bar=bar):
                bar.total = total
                bar.n = done
                bar.refresh()

            services.search_reindex(
                kind=kind, batch_size=2000, backends=["embedded"], on_batch=on_batch
            )


def session_cookie(user) -> str:
    """A signed-in session as the server stores it (same SECRET_KEY, same database)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


# ── The server ────────────────────────────────────────────────────────────────────────────────


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None, connection=None):
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={**PROXY, **(headers or {})})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        if own:
            connection.close()


def start_server(port: int, workers: int | None, log_path: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DJANGO_SETTINGS_MODULE="market.settings.production",
        HOST="127.0.0.1",
        PORT=str(port),
        TASK_WORKERS="0",
        VENV=sys.prefix,
    )
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    log = log_path.open("w")
    process = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "serve-production.sh")], env=env, stdout=log,
        stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT,
    )  # fmt: skip
    deadline = time.monotonic() + 600  # check --deploy and collectstatic first
    while True:
        try:
            if get(port, "/healthz")[0] == 200:
                return process
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_server(process)
            sys.exit(f"serve-production.sh did not start:\n{log_path.read_text()}")
        time.sleep(0.5)


def stop_server(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


# ── Measurements ──────────────────────────────────────────────────────────────────────────────


def median_c1(port: int, paths: list[str]) -> float:
    """Median ms of GETs one after another on one keep-alive connection."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    try:
        for path in paths:
            started = time.perf_counter()
            status, _body = get(port, path, connection=connection)
            times.append((time.perf_counter() - started) * 1000)
            assert status == 200, (path, status)
    finally:
        connection.close()
    return statistics.median(times)


def locust_run(plan: dict, label: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        plan_path, out_path = Path(tmp) / "plan.json", Path(tmp) / "out.json"
        plan_path.write_text(json.dumps(plan, ensure_ascii=False), encoding="utf-8")
        print(f"locust: {label}, {plan['users']} users, {plan['seconds']} s ...", flush=True)
        subprocess.run(
            [sys.executable, str(ROOT / "bench" / "load_locust.py"), str(plan_path),
             str(out_path)], check=True, cwd=ROOT,
        )  # fmt: skip
        return json.loads(out_path.read_text(encoding="utf-8"))


async def websocket_broadcast(port: int, cookie: str, user, clients: int) -> dict:
    """`clients` sockets for one user, one notification, each client's delay in ms."""
    from asgiref.sync import sync_to_async
    from websockets.asyncio.client import connect

    from market.services import notify

    url = f"ws://127.0.0.1:{port}/ws/notifications/"
    headers = {"Cookie": cookie, "Origin": "https://127.0.0.1"}
    gate = asyncio.Semaphore(50)  # handshakes in flight at once
    bar = tqdm(total=clients, desc="websocket clients connecting", unit="client")

    async def open_one():
        async with gate:
            ws = await connect(url, additional_headers=headers, open_timeout=60, max_queue=None)
            bar.update(1)
            return ws

    sockets = await asyncio.gather(*(open_one() for _ in range(clients)))
    bar.close()
    title = f"负载测试广播 {uuid.uuid4().hex[:8]}"
    arrived: list[float] = []
    await asyncio.sleep(2)  # each consumer joins its group after the handshake

    async def wait_for(ws, started):
        async for raw in ws:
            message = json.loads(raw)
            if message.get("notification", {}).get("title") == title:
                arrived.append((time.perf_counter() - started) * 1000)
                return
        closed.append(f"{ws.close_code} {ws.close_reason}".strip())

    closed: list[str] = []
    for ws in sockets:
        if ws.close_code is not None:
            closed.append(f"{ws.close_code} {ws.close_reason} before the broadcast".strip())

    started = time.perf_counter()
    waiting = [asyncio.create_task(wait_for(ws, started)) for ws in sockets]
    await sync_to_async(notify, thread_sensitive=False)(
        recipient=user, verb="match.new", title=title
    )
    await asyncio.wait(waiting, timeout=10)
    for task in waiting:
        task.cancel()
    await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
    return {"clients": clients, "arrived": sorted(arrived), "closed": closed}


# ── Report ────────────────────────────────────────────────────────────────────────────────────


def verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def ms(value) -> str:
    return "—" if value is None else f"{value:,.0f}"


def print_table(title: str, result: dict, ceiling_rps: float, names: list[str]) -> None:
    print(f"\n{title} ({result['seconds']:.0f} s)")
    print(f"{'group':<12} {'requests':>9} {'req/s':>8} {'median ms':>10} {'p95 ms':>8} "
          f"{'failures':>9} {'of ceiling':>11}")  # fmt: skip
    rows = [(g, result["groups"][g]) for g in names if g in result["groups"]]
    rows += [(k, result[k]) for k in ("anonymous", "signed_in", "total") if result[k]["requests"]]
    for name, row in rows:
        fraction = row["rps"] / ceiling_rps if ceiling_rps else 0
        print(f"{name:<12} {row['requests']:>9,} {row['rps']:>8.1f} {ms(row['median_ms']):>10} "
              f"{ms(row['p95_ms']):>8} {row['failures']:>9,} {fraction:>10.1%}")  # fmt: skip
    for error in result["errors"]:
        print(f"  failure: {error['name']}: {error['error']} ×{error['count']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, help="listings in the database (100,000)")
    parser.add_argument("--seconds", type=int, help="each Locust run's length (60)")
    parser.add_argument("--quick", action="store_true", help="10,000 listings, 20 s runs")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database (topped up to --listings)"
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--max-requests", type=int, default=200_000, help="per Locust run")
    parser.add_argument("--web-workers", type=int, help="WEB_CONCURRENCY (script default)")
    parser.add_argument("--ws-clients", type=int, default=500)
    parser.add_argument("--websockets-only", action="store_true", help="skip the page runs")
    parser.add_argument("--c1-requests", type=int, default=100)
    parser.add_argument(
        "--database-url", default="postgres://postgres:techmarket@127.0.0.1:5432/techmarket_load"
    )
    parser.add_argument(
        "--redis-url",
        default="redis://127.0.0.1:6379/7",
        help="a Redis database of its own (cache and channel layer)",
    )
    args = parser.parse_args()
    listings = args.listings or (10_000 if args.quick else 100_000)
    seconds = args.seconds or (20 if args.quick else 60)

    prepare_database(args.database_url, args.reuse)
    setup_django(args.database_url, args.redis_url)
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    from listings.models import Achievement, Demand

    if fill(listings):
        reindex()
    cache.clear()  # the Redis database is the benchmark's own; start every run cold
    total = Achievement.objects.count() + Demand.objects.count()
    published = [
        *(("achievement", pk) for pk in Achievement.objects.filter(status="published")
          .order_by("?").values_list("pk", flat=True)[:3000]),
        *(("demand", pk) for pk in Demand.objects.filter(status="published")
          .order_by("?").values_list("pk", flat=True)[:300]),
    ]  # fmt: skip
    random.Random(1).shuffle(published)
    c1_details, details = published[: args.c1_requests], published[args.c1_requests :]
    owner = get_user_model().objects.get(username=OWNER)
    cookie = session_cookie(owner)
    from import_listings import METHODS, SUBJECTS

    terms = SUBJECTS + METHODS + [f"{s} {m}" for s in SUBJECTS[:6] for m in METHODS[:3]]

    port = free_port()
    log_path = Path(tempfile.mkdtemp(prefix="bench-load-")) / "server.log"
    print(f"starting scripts/serve-production.sh on 127.0.0.1:{port} (log {log_path})",
          flush=True)  # fmt: skip
    server = start_server(port, args.web_workers, log_path)
    try:
        worker_count = len(re.findall(r"Booting worker with pid", log_path.read_text()))
        for path, headers in [("/", {}), ("/achievements/", {}), ("/search/?q=x", {}),
                              ("/api/v1/search?q=x", {}),
                              *((p, {"Cookie": cookie}) for p in OWNER_PATHS)]:  # fmt: skip
            status, body = get(port, path, headers)
            if status != 200:
                sys.exit(f"{path} answered {status}, not 200: {body[:300]!r}")
        kind, pk = details[0]
        assert get(port, f"/{kind}s/{pk}/")[0] == 200

        healthz_c1 = median_c1(port, ["/healthz"] * args.c1_requests)
        detail_c1 = median_c1(port, [f"/{k}s/{pk}/" for k, pk in c1_details])

        plan = {
            "host": f"http://127.0.0.1:{port}", "users": args.users, "spawn_rate": args.users,
            "seconds": seconds, "max_requests": args.max_requests, "details": details,
            "terms": terms, "cookie": cookie, "owner_paths": OWNER_PATHS,
        }  # fmt: skip
        if args.websockets_only:
            ws = asyncio.run(websocket_broadcast(port, cookie, owner, args.ws_clients))
            print(f"{len(ws['arrived'])} of {args.ws_clients} received; closed: {ws['closed']}")
            print(f"arrival ms: {ws['arrived'][:3]} … {ws['arrived'][-3:]}")
            return 0
        ceiling = locust_run({**plan, "classes": "ceiling"}, "ceiling, /healthz alone")
        mix = locust_run({**plan, "classes": "mix"}, "the mix")
        signed_in = locust_run({**plan, "classes": "signed_in"}, "signed-in owner pages alone")
        ws = asyncio.run(websocket_broadcast(port, cookie, owner, args.ws_clients))
    finally:
        stop_server(server)

    import django
    from django.db import connection

    ceiling_rps = ceiling["total"]["rps"]
    print()
    print(f"Django {django.get_version()}, PostgreSQL {connection.pg_version // 10000}, "
          f"{os.cpu_count()} CPUs, {total:,} listings, {worker_count} worker processes "
          f"(gunicorn + uvicorn), Locust on the same machine, {args.users} users")  # fmt: skip
    print(f"\nc = 1, median: /healthz {healthz_c1:.1f} ms; uncached detail page "
          f"{detail_c1:.1f} ms ({len(c1_details)} pages, each fetched once)")  # fmt: skip
    print_table("ceiling: /healthz", ceiling, ceiling_rps, ["healthz"])
    print_table("the mix", mix, ceiling_rps, ["home", "list", "detail", "search", "api", "owner"])
    print_table("signed-in owner pages alone", signed_in, ceiling_rps, ["owner"])

    arrived = ws["arrived"]
    within = sum(1 for t in arrived if t <= 1000)
    print(f"\nwebsockets: {ws['clients']} clients, {len(arrived)} received the broadcast", end="")
    if arrived:
        p95 = arrived[min(len(arrived) - 1, int(round(0.95 * (len(arrived) - 1))))]
        print(f"; p50 {statistics.median(arrived):.0f} ms, p95 {p95:.0f} ms, "
              f"max {arrived[-1]:.0f} ms; {within} within 1 s")  # fmt: skip
    else:
        print()
    for reason, count in Counter(ws["closed"]).most_common():
        print(f"  closed without it: {reason} ×{count}")

    anon, signed = mix["anonymous"], signed_in["signed_in"]
    checks = [
        (f"anonymous pages >= {TARGET_ANON_RPS} req/s (the mix's anonymous part)",
         f"{anon['rps']:.0f} req/s", anon["rps"] >= TARGET_ANON_RPS),
        (f"anonymous p95 < {TARGET_ANON_P95} ms", f"{ms(anon['p95_ms'])} ms",
         (anon["p95_ms"] or 1e9) < TARGET_ANON_P95),
        (f"signed-in pages >= {TARGET_SIGNED_RPS} req/s (owner pages alone)",
         f"{signed['rps']:.0f} req/s", signed["rps"] >= TARGET_SIGNED_RPS),
        (f"uncached detail median < {TARGET_DETAIL_MS} ms at c = 1", f"{detail_c1:.1f} ms",
         detail_c1 < TARGET_DETAIL_MS),
        (f"{ws['clients']} websocket clients within 1 s", f"{within} of {ws['clients']}",
         within == ws["clients"]),
        ("no failed requests", f"{mix['total']['failures'] + signed_in['total']['failures']}",
         mix["total"]["failures"] + signed_in["total"]["failures"] == 0),
    ]  # fmt: skip
    print()
    for name, figure, ok in checks:
        print(f"target {name}: {figure} — {verdict(ok)}")
    return 0 if all(ok for _name, _figure, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Where a public page's time goes: each page rendered through Django's test client on the
demo market, with its SQL queries counted and timed and a pyinstrument profile split into
queries, template rendering, Wagtail routing and the home page's live figures.

Loads the demo (`manage.py migrate` and `manage.py load_demo`) into a throwaway SQLite
database unless --db names one that already holds it, then renders each page N times
(after one warm-up request) and prints per page: the median ms, the number of SQL queries
of a cold request (empty cache) and of a warm one, the warm one's SQL time, and the
share of the profiled time spent in each part.

    .venv/bin/python bench/profile_pages.py [--runs 20] [--db /tmp/demo.sqlite3] [--top 8]

pyinstrument is a dev dependency; nothing in the app imports it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Which frames a profiled sample is charged to, first match wins (innermost frame first,
# walking outwards): a query inside template rendering is a query.
PARTS = (
    ("queries", ("django/db/backends/", "django/db/models/sql/compiler.py")),
    ("figures", ("targets/selectors.py", "targets/templatetags/")),
    ("templates", ("django/template/", "wagtail/templatetags/", "templatetags/")),
    ("wagtail routing", ("wagtail/views.py", "wagtail/models/sites.py", "routable_page")),
)


def _setup(db_path: Path, fresh: bool) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "market.settings.dev")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    if fresh:
        manage = [sys.executable, str(ROOT / "manage.py")]
        env = {**os.environ}
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], check=True, env=env, cwd=ROOT)
        started = time.perf_counter()
        subprocess.run([*manage, "load_demo", "--quiet"], check=True, env=env, cwd=ROOT)
        print(f"demo loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _pages() -> list[tuple[str, str]]:
    from cms.models import SubMarketPage
    from listings.choices import ListingStatus
    from listings.models import Achievement, Demand

    achievement = Achievement.objects.filter(status=ListingStatus.PUBLISHED).order_by("pk").first()
    demand = Demand.objects.filter(status=ListingStatus.PUBLISHED).order_by("pk").first()
    sub = SubMarketPage.objects.live().filter(locale__language_code="zh-hans").first()
    pages = [
        ("home", "/"),
        ("achievements", "/achievements/"),
        ("achievements filtered+sorted", "/achievements/?field=new_energy&trl=5&sort=-price"),
        ("demands", "/demands/"),
        ("demands filtered+sorted", "/demands/?field=new_energy&mode=license&sort=-budget"),
        ("achievement detail", f"/achievements/{achievement.pk}/"),
        ("demand detail", f"/demands/{demand.pk}/"),
        ("search 锂电池", "/search/?q=锂电池"),
        ("markets", "/markets/"),
        ("sub-market", sub.url),
        ("policies", "/policies/"),
        ("news", "/news/"),
        ("targets/listings", "/targets/listings/"),
        ("api search", "/api/v1/search?q=x"),
    ]
    return pages


def _split(session) -> dict[str, float]:
    """Seconds of a pyinstrument session charged to each part (self time of each frame,
    charged to the innermost enclosing frame that names a part)."""
    totals = dict.fromkeys([name for name, _ in PARTS], 0.0)
    totals["other"] = 0.0

    def walk(frame, part):
        path = frame.file_path or ""
        here = part
        for name, needles in PARTS:
            if any(n in path for n in needles) or (
                name == "wagtail routing" and frame.function in ("route", "find_for_request")
            ):
                # An outer "queries" never gives way; inner frames refine other parts.
                if part != "queries":
                    here = name
                break
        children = frame.children
        child_time = sum(c.time for c in children)
        totals[here or "other"] += max(0.0, frame.time - child_time)
        for child in children:
            walk(child, here)

    root = session.root_frame()
    if root is not None:
        walk(root, None)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--db", help="an SQLite file that already holds the demo")
    parser.add_argument("--top", type=int, default=0, help="also print pyinstrument's tree")
    args = parser.parse_args()

    tmp = None
    if args.db:
        db_path, fresh = Path(args.db), not Path(args.db).exists()
    else:
        tmp = tempfile.mkdtemp(prefix="profile-pages-")
        db_path, fresh = Path(tmp) / "demo.sqlite3", True
    _setup(db_path, fresh)

    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pyinstrument import Profiler

    client = Client()
    print(
        f"{'page':<30} {'median ms':>9} {'cold q':>6} {'queries':>7} {'SQL ms':>7}  "
        "profiled share: queries / templates / wagtail routing / figures / other"
    )
    for label, url in _pages():
        cache.clear()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        timings = []
        for _ in range(args.runs):
            started = time.perf_counter()
            client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        # Read each capture at once: the next request clears the log it slices.
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        cold = len(queries.captured_queries)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        captured = list(queries.captured_queries)
        sql_ms = sum(float(q["time"]) for q in captured) * 1000
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(args.runs):
            client.get(url)
        session = profiler.stop()
        parts = _split(session)
        total = sum(parts.values()) or 1.0
        shares = " / ".join(
            f"{100 * parts[name] / total:.0f}%"
            for name in ("queries", "templates", "wagtail routing", "figures", "other")
        )
        print(
            f"{label:<30} {statistics.median(timings):>9.1f} {cold:>6} {len(captured):>7} "
            f"{sql_ms:>7.1f}  {shares}"
        )
        if args.top:
            print(profiler.output_text(unicode=True, color=False, show_all=False)[:4000])
    if tmp:
        print(f"(demo database: {db_path})", file=sys.stderr)


if __name__ == "__main__":
    main()

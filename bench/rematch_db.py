"""Benchmark of matching through the database (issue 5): what `manage.py rematch` and the
matching worker really do, with reads, segmentation, explanations and writes.

    python bench/rematch_db.py                 # the demo market (650 achievements, 450 demands)
    python bench/rematch_db.py --edits 50      # more incremental samples

`bench/matching.py` measures the engine at the issue's scale (100,000 × 10,000, synthetic
text). This one measures the production path on the demo market's realistic Chinese text,
in a throwaway SQLite database: the full rematch, then one listing's rematch after an edit,
as the worker runs it (`matching.services.listing_rematch`), for demands and achievements.
The baseline, measured in the same run, is what a change would cost without the incremental
path: a full rematch.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def setup_django(db_dir: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "market.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_dir}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30, help="edited listings per kind")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(tmp)
        from demo.builder import load_demo
        from listings.kinds import KINDS
        from matching import adapter
        from matching.live import live_index
        from matching.models import Match
        from matching.services import listing_rematch, rematch_all

        load_demo()
        n_a = adapter.published("achievement").count()
        n_d = adapter.published("demand").count()
        print(f"matching through the database: {n_a:,} achievements × {n_d:,} demands (demo)")

        started = time.perf_counter()
        rematch_all(workers=args.workers)
        full = time.perf_counter() - started
        pairs = Match.objects.exclude(demand_rank=None).count()

        timings: dict[str, list[float]] = {}
        for kind in ("demand", "achievement"):
            model = KINDS[kind].model
            pks = list(adapter.published(kind).order_by("?").values_list("pk", flat=True))
            samples = []
            for pk in pks[: args.edits]:
                listing = model.objects.get(pk=pk)
                listing.title = listing.title + "（修订）"
                listing.save(update_fields=["title", "updated_at"])
                t = time.perf_counter()
                listing_rematch(kind=kind, pk=pk, live=live_index)
                samples.append((time.perf_counter() - t) * 1000)
            timings[kind] = samples

    rows = [
        ("full rematch (fit, rank, explain, write)", f"{full:.1f} s", f"{pairs:,} pairs stored"),
    ]
    for kind, samples in timings.items():
        p95 = percentile(samples, 0.95)
        rows.append(
            (
                f"one edited {kind}, rematched: p50 / p95",
                f"{statistics.median(samples):.0f} / {p95:.0f} ms",
                f"{full * 1000 / p95:.0f}× faster than a full rematch",
            )
        )
    width = max(len(r[0]) for r in rows) + 2
    for label, value, note in rows:
        print(f"{label:<{width}}{value:>16}  {note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

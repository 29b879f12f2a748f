"""manage.py rematch [--workers N] [--chunk-size N] [--notify]

Refit the matching index on every published achievement, rank every published demand's
list again, then every published achievement's own list of demands.

Run nightly (it also refreshes IDF and lengths, which incremental updates keep
frozen) and after bulk loads."""

import os
import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from matching import adapter
from matching.services import rematch_all


class Command(BaseCommand):
    help = "Recompute every demand's and every achievement's match list, with a progress bar."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="processes that fit and rank side by side (default: up to 2 cores)",
        )
        parser.add_argument("--chunk-size", type=int, default=500, help="demands per write")
        parser.add_argument(
            "--notify", action="store_true", help="notify owners of new matches above threshold"
        )

    def handle(self, *args, workers=2, chunk_size=500, notify=False, **options):
        if workers < 1 or chunk_size < 1:
            raise CommandError("--workers and --chunk-size must be at least 1")
        # One step per demand list, then one per achievement list.
        total = adapter.published("demand").count() + adapter.published("achievement").count()
        quiet = options["verbosity"] < 1
        started = time.perf_counter()
        if not quiet:
            self.stdout.write("fitting the index on published achievements…")
        with tqdm(total=total, desc="rematch", unit="list", disable=quiet) as bar:
            result = rematch_all(
                progress=bar.update,
                chunk_size=chunk_size,
                workers=workers,
                notify_owners=notify,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.demands} demands and {result.achievements} achievements ranked "
                f"in {time.perf_counter() - started:.1f} s: "
                f"{len(result.created)} new matches, {result.updated} updated, "
                f"{result.removed} removed"
            )
        )

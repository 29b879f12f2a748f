"""manage.py reindex [--kind achievement|demand] [--backend all|embedded|es] [--resume]
[--batch-size N]"""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from listings.kinds import KEYS
from search.backends import BackendUnavailable
from search.services import elasticsearch_configured, search_reindex

BACKEND_CHOICES = {
    "embedded": ("embedded",),
    "es": ("elasticsearch",),
    "elasticsearch": ("elasticsearch",),
}


class Command(BaseCommand):
    help = "Rebuild the search indexes (embedded, and Elasticsearch when configured)."

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=sorted(KEYS), help="one kind only")
        parser.add_argument(
            "--backend",
            choices=["all", *BACKEND_CHOICES],
            default="all",
            help="rebuild only this index (default: embedded, and Elasticsearch when configured)",
        )
        parser.add_argument(
            "--resume", action="store_true", help="continue the last interrupted run"
        )
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, kind=None, backend="all", resume=False, batch_size=1000, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        if backend == "all":
            backends = ("embedded", "elasticsearch") if elasticsearch_configured() else None
            backends = backends or ("embedded",)
        else:
            backends = BACKEND_CHOICES[backend]
        if "elasticsearch" in backends and not elasticsearch_configured():
            raise CommandError("ELASTICSEARCH_URL is not set")
        target = " + ".join("Elasticsearch" if b == "elasticsearch" else b for b in backends)
        for k in [kind] if kind else sorted(KEYS):
            bar = tqdm(desc=f"{k} ({target})", unit="listing", disable=options["verbosity"] < 1)

            def progress(done, total, bar=bar):
                bar.total = total
                bar.n = done
                bar.refresh()

            try:
                run = search_reindex(
                    kind=k,
                    resume=resume,
                    batch_size=batch_size,
                    on_batch=progress,
                    backends=backends,
                )
            except BackendUnavailable as exc:
                raise CommandError(
                    f"Elasticsearch is unavailable ({exc}); run again with --resume later"
                ) from exc
            finally:
                bar.close()
            self.stdout.write(
                f"{k}: {run.done} listings indexed"
                + (f" into {run.index_name}" if run.index_name else "")
            )

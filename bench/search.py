"""Benchmark search: the embedded backend and Elasticsearch against a naive SQL icontains.

Generates N published achievements (default 100,000) with bulk_create into a throwaway
SQLite database, times a full reindex of each backend on its own (embedded, then Elasticsearch when
ELASTICSEARCH_URL is set), and runs a fixed set of ~200 queries through our contract layer
(search.services.search: cleaning, segmentation, query, facets, highlighting), reporting
p50/p95 latency next to the baseline `title__icontains | description__icontains` with the
same page size, measured in the same run.

    .venv/bin/python bench/search.py [--listings 100000] [--queries 200]

Targets: embedded p95 < 50 ms, Elasticsearch p95 < 30 ms, Elasticsearch reindex < 90 s.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_listings import FIELDS, METHODS, SUBJECTS

FIELD_CODES = [
    "electronic_information", "bio_medicine", "aerospace", "new_materials",
    "high_tech_services", "new_energy", "resources_environment", "advanced_manufacturing",
]  # fmt: skip
assert len(FIELD_CODES) == len(FIELDS)


VOCABULARY_SIZE = 6000
ZIPF_S = 1.0
# Query terms skip the most frequent ranks: in jieba's frequency order they are function words
# (主要, 这些, 不是, 因为, 通过, 其中, 可能...) that nobody types into a technology search box.
QUERY_SKIP_RANKS = 100


class Vocabulary:
    """A Zipf-distributed vocabulary of real Chinese words: VOCABULARY_SIZE two-to-four
    character words sampled (fixed seed) from jieba's dictionary, ranked by jieba's corpus
    frequency, drawn with weight 1/rank**ZIPF_S. The domain words of import_listings are mixed
    in at mid ranks so the issue's example queries still find something."""

    def __init__(self, seed: int = 20260401) -> None:
        import re

        import jieba

        path = Path(jieba.__file__).with_name("dict.txt")
        candidates = []
        for line in path.read_text(encoding="utf-8").splitlines():
            word, freq, *_ = line.split()
            if 2 <= len(word) <= 4 and re.fullmatch(r"[\u4e00-\u9fff]+", word) and int(freq) >= 200:
                candidates.append((int(freq), word))
        rng = random.Random(seed)
        chosen = sorted(rng.sample(sorted(candidates), VOCABULARY_SIZE), reverse=True)
        words = [w for _, w in chosen]
        for i, word in enumerate(SUBJECTS + METHODS):
            words.insert(200 + 40 * i, word)
        self.words = words
        total, cumulative = 0.0, []
        for rank in range(1, len(words) + 1):
            total += 1 / rank**ZIPF_S
            cumulative.append(total)
        self.cumulative = cumulative

    def draw(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)

    def query_terms(self, rng: random.Random, k: int) -> list[str]:
        """k distinct terms with the same Zipf weights, function-word ranks excluded."""
        words = self.words[QUERY_SKIP_RANKS:]
        base = self.cumulative[QUERY_SKIP_RANKS - 1]
        cumulative = [c - base for c in self.cumulative[QUERY_SKIP_RANKS:]]
        terms: list[str] = []
        while len(terms) < k:
            word = rng.choices(words, cum_weights=cumulative)[0]
            if word not in terms:
                terms.append(word)
        return terms

    def sentence(self, rng: random.Random) -> str:
        return "".join(self.draw(rng, rng.randint(6, 14))) + rng.choice("，。；")

    def text(self, rng: random.Random, sentences: int) -> str:
        return "".join(self.sentence(rng) for _ in range(sentences)).rstrip("，；") + "。"


def setup_django(db_dir: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ["DJANGO_SETTINGS_MODULE"] = "market.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{db_dir}/bench.sqlite3"
    os.environ.setdefault("SEARCH_INDEX_PREFIX", f"bench-{uuid.uuid4().hex[:8]}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def generate(n: int, vocabulary: Vocabulary) -> None:
    from django.db import transaction
    from django.utils import timezone

    from listings.models import Achievement, Mode
    from market.choices import OrganizationKind
    from market.models import Market, Organization

    rng = random.Random(20260401)
    market = Market.objects.create(
        name="省技术市场", code="main", kind="main", region_code="420000"
    )
    owners = [
        Organization.objects.create(
            name=f"机构{i}",
            kind=kind,
            credit_code=f"9142010000000{i:04d}X"[:18],
            market=market,
            region_code="420100",
        )  # fmt: skip
        for i, kind in enumerate(
            [OrganizationKind.UNIVERSITY, OrganizationKind.INSTITUTE, OrganizationKind.ENTERPRISE]
        )
    ]
    modes = list(Mode.objects.all())
    now = timezone.now()
    through = Achievement.transfer_modes.through
    with transaction.atomic():
        for start in range(0, n, 5000):
            batch = []
            for i in range(start, min(n, start + 5000)):
                negotiable = rng.random() < 0.3
                trl = rng.randint(1, 9)
                batch.append(
                    Achievement(
                        title="一种"
                        + "".join(vocabulary.draw(rng, rng.randint(2, 4)))
                        + rng.choice(METHODS),
                        summary=vocabulary.text(rng, 1),
                        description=vocabulary.text(rng, rng.randint(3, 7)),
                        field=rng.choice(FIELD_CODES),
                        keywords=vocabulary.draw(rng, 3),
                        region_code="420100",
                        market=market,
                        owner=rng.choice(owners),
                        contact_name="张老师",
                        status="published",
                        published_at=now - timezone.timedelta(minutes=i),
                        trl=trl,
                        maturity="pilot",
                        price_negotiable=negotiable,
                        asking_price=None if negotiable else rng.randint(10, 5000),
                    )
                )
            created = Achievement.objects.bulk_create(batch)
            through.objects.bulk_create(
                through(achievement_id=a.pk, mode_id=m.pk)
                for a in created
                for m in rng.sample(modes, rng.randint(1, 3))
            )


def queries(count: int, vocabulary: Vocabulary) -> list[dict]:
    """Queries as people type them: mostly two or three terms (some one), each term drawn
    from the same Zipf vocabulary as the documents (minus its function-word head, see
    QUERY_SKIP_RANKS), plus a few fixed cases every 40th query (the issue's examples,
    full-width text, Latin text, the empty query that browses everything)."""
    rng = random.Random(7)
    fixed = ["锂电池 正极材料", "ＬＥＤ　芯片", "plc", "电池", ""]
    out = []
    for i in range(count):
        if i % 40 == 0:
            q = fixed[(i // 40) % len(fixed)]
        else:
            q = " ".join(vocabulary.query_terms(rng, rng.choice([1, 2, 2, 2, 3, 3])))
        filters = {}
        if i % 4 == 0:
            filters["field"] = rng.choice(FIELD_CODES)
        if i % 5 == 0:
            filters["mode"] = rng.choice(["transfer", "license", "service"])
        sort = ["relevance", "newest", "price"][i % 3]
        out.append({"q": q, "filters": filters, "sort": sort, "page": 1 + i % 3})
    return out


def measure(fn, cases) -> list[float]:
    times = []
    for case in cases:
        started = time.perf_counter()
        fn(case)
        times.append((time.perf_counter() - started) * 1000)
    return times


def p(values: list[float], pct: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(pct / 100 * (len(values) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    db_dir = tempfile.mkdtemp(prefix="bench-search-")
    try:
        setup_django(db_dir)
        return run(args.listings, args.queries)
    finally:
        shutil.rmtree(db_dir, ignore_errors=True)


def run(n: int, query_count: int) -> int:
    from django.conf import settings
    from django.db import connection
    from django.db.models import Q

    from listings.models import Achievement
    from search import services
    from search.backends import elastic
    from search.contract import SearchQuery

    vocabulary = Vocabulary()
    started = time.perf_counter()
    generate(n, vocabulary)
    print(f"generated {n:,} listings in {time.perf_counter() - started:.1f} s", flush=True)

    es_url = settings.ELASTICSEARCH_URL
    started = time.perf_counter()
    services.search_reindex(kind="achievement", batch_size=2000, backends=["embedded"])
    embedded_reindex = time.perf_counter() - started
    print(f"embedded reindex: {embedded_reindex:.1f} s", flush=True)
    es_reindex = None
    if es_url:
        started = time.perf_counter()
        services.search_reindex(kind="achievement", batch_size=2000, backends=["elasticsearch"])
        es_reindex = time.perf_counter() - started
        print(f"Elasticsearch reindex: {es_reindex:.1f} s", flush=True)

    cases = queries(query_count, vocabulary)

    def ours(case):
        return services.search(SearchQuery.clean(kind="achievement", **case))

    def baseline(case):
        qs = Achievement.objects.filter(status="published")
        for word in case["q"].split():
            qs = qs.filter(Q(title__icontains=word) | Q(description__icontains=word))
        if "field" in case["filters"]:
            qs = qs.filter(field=case["filters"]["field"])
        if "mode" in case["filters"]:
            qs = qs.filter(transfer_modes__code=case["filters"]["mode"])
        total = qs.count()
        page = case["page"]
        list(qs.order_by("-published_at")[(page - 1) * 20 : page * 20].values("pk", "title"))
        return total

    rows = []
    ours(cases[0]), baseline(cases[0])  # warm caches and jieba
    settings.ELASTICSEARCH_URL = ""
    rows.append(("embedded", measure(ours, cases)))
    if es_url:
        settings.ELASTICSEARCH_URL = es_url
        services.breaker_reset()
        ours(cases[0])
        rows.append(("elasticsearch", measure(ours, cases)))
        assert ours(cases[1]).backend == "elasticsearch"
    rows.append(("baseline icontains", measure(baseline, cases)))

    print()
    print(f"SQLite {connection.Database.sqlite_version}, {os.cpu_count()} CPUs, {n:,} "
          f"listings, {len(cases)} queries (with facets, highlighting, page of 20)")  # fmt: skip
    print(f"{'backend':<20} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95 vs baseline':>16}")
    base95 = p(rows[-1][1], 95)
    for name, times in rows:
        print(f"{name:<20} {statistics.median(times):>8.1f} {p(times, 95):>8.1f} "
              f"{max(times):>8.1f} {base95 / p(times, 95):>15.1f}x")  # fmt: skip
    print()
    print(f"reindex embedded: {embedded_reindex:.1f} s ({n / embedded_reindex:,.0f} listings/s)")
    verdicts = [p(rows[0][1], 95) < 50]
    print(f"target embedded p95 < 50 ms: {'PASS' if verdicts[-1] else 'FAIL'}")
    if es_reindex is not None:
        verdicts.append(p(rows[1][1], 95) < 30)
        print(f"target elasticsearch p95 < 30 ms: {'PASS' if verdicts[-1] else 'FAIL'}")
        verdicts.append(es_reindex < 90 * n / 100_000)
        print(f"reindex Elasticsearch: {es_reindex:.1f} s; target < 90 s per 100,000: "
              f"{'PASS' if verdicts[-1] else 'FAIL'}")  # fmt: skip
        elastic.drop_all()
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())

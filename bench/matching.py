"""Benchmark of the matching engine (issue 5): full rematch and incremental rematch.

    python bench/matching.py                      # 100,000 achievements × 10,000 demands
    python bench/matching.py --achievements 20000 --demands 2000   # a quick run

Text is synthetic Chinese: a vocabulary of 1–4 character words over a 3,500-character
alphabet (frequent characters more likely), words drawn Zipf(1.1) and written without
spaces, with punctuation. The timed part is the production engine with the production
views (jieba words, CJK character bigrams and trigrams; `engine.views.DEFAULT_VIEWS`) and the
same code path as `manage.py rematch`. The one difference is where the word view's tokens
come from: the generator knows its segmentation, and feeds it through `text.TokenCache`
(the documented way to give the index stored tokens instead of running jieba, at about 2 ms
a listing). Bigrams and trigrams are computed from the text by the production code.
Printed next to the naive loop: rank_bm25's get_scores per demand over the word tokens,
timed on a sample and extrapolated (said so in the table).

The full rematch runs twice: timed, then again with the memory sampler (`TreeMemory`) for
the memory figures. The sampler reads every process's page tables 20 times a second; on
two busy cores that costs the timed work about 4 s, so it is not running while it is timed.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import resource
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.engine.index import Index
from matching.engine.views import DEFAULT_VIEWS
from matching.records import Record
from matching.text import TokenCache

MODES = ("transfer", "license", "equity", "joint_development", "service")
FIELDS = tuple(f"field{i}" for i in range(8))


def make_vocab(rng: np.random.Generator, n_words: int, n_chars: int = 3500) -> list[str]:
    """Distinct 1–4 character words; characters drawn with weight 1/(rank + 30)."""
    chars = [chr(0x4E00 + int(i)) for i in rng.permutation(20000)[:n_chars]]
    p = 1.0 / (np.arange(n_chars) + 30.0)
    lens = rng.choice([1, 2, 3, 4], size=n_words * 4, p=[0.03, 0.62, 0.22, 0.13])
    picks = rng.choice(n_chars, size=int(lens.sum()), p=p / p.sum())
    seen: set[str] = set()
    out: list[str] = []
    at = 0
    for n in lens:
        word = "".join(chars[j] for j in picks[at : at + n])
        at += n
        if word not in seen:
            seen.add(word)
            out.append(word)
            if len(out) == n_words:
                break
    return out


def zipf_text(rng, vocab: list[str], lengths: np.ndarray, cache: TokenCache) -> list[str]:
    # Zipf(1.1) ranks folded into the vocabulary: a few very common words, a long tail.
    ids = (rng.zipf(1.1, size=int(lengths.sum())) - 1) % len(vocab)
    out, start = [], 0
    for n in lengths:
        words = [vocab[t] for t in ids[start : start + n]]
        start += n
        parts = []
        for i in range(0, len(words), 8):  # a clause of 8 words, then punctuation
            parts.append("".join(words[i : i + 8]))
        value = "，".join(parts) + ("。" if parts else "")
        cache.put(value, words)
        out.append(value)
    return out


def make_records(rng, n: int, prefix: str, *, demand: bool, vocab, cache) -> list[Record]:
    title = zipf_text(rng, vocab, rng.integers(4, 12, n), cache)
    desc = zipf_text(
        rng, vocab, rng.integers(15, 40, n) if demand else rng.integers(60, 160, n), cache
    )
    n_kw = rng.integers(0, 5, n)
    kw_ids = (rng.zipf(1.1, size=int(n_kw.sum())) - 1) % len(vocab)
    trl = rng.integers(1, 10, n)
    price = rng.lognormal(4, 1, n)
    records, at = [], 0
    for i in range(n):
        keywords = tuple(vocab[t] for t in kw_ids[at : at + n_kw[i]])
        at += n_kw[i]
        for kw in keywords:
            cache.put(kw, [kw])
        modes = frozenset(m for m in MODES if rng.random() < 0.4)
        records.append(
            Record(
                id=f"{prefix}{i}",
                title=title[i],
                description=desc[i],
                keywords=keywords,
                field=FIELDS[i % len(FIELDS)],
                trl=int(trl[i]) if rng.random() < 0.8 else None,
                modes=modes,
                price=float(price[i]) if rng.random() < 0.7 else None,
                region=f"{42 + i % 3}0100",
                market=f"m{i % 11}",
            )
        )
    return records


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def peak_worker_rss_mb() -> float:
    # The largest forked worker's peak (fit and rank workers are waited for, so they are
    # counted). It includes the pages it shares copy-on-write with the parent.
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


SHM_FILES = "/dev/shm/matching-fit-"  # see matching.engine.sharedmem._to_shared


class TreeMemory:
    """Peak memory of this process and its children together, sampled every `interval` s.

    ru_maxrss counts pages shared between a parent and its forked children (copy-on-write)
    in every process, and each process's peak whenever it happened. This sums each
    process's proportional share (PSS: a page shared by two counts half in each) of its
    private and file memory, plus the whole of the shared-memory files through which fit
    workers hand over their results (linked, or unlinked and still mapped), once, whoever
    maps them and even while nobody does. Linux only; None elsewhere."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.available = Path("/proc/self/smaps_rollup").exists()

    @staticmethod
    def _field(path: str, name: str) -> int:
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith(name):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _pids(self) -> list[int]:
        pids, todo = [], [os.getpid()]
        while todo:
            pid = todo.pop()
            pids.append(pid)
            for task in Path(f"/proc/{pid}/task").glob("*/children"):
                try:
                    todo.extend(int(c) for c in task.read_text().split())
                except OSError:
                    pass
        return pids

    def sample(self) -> int:
        pss, shm = 0, {}
        for pid in self._pids():
            rollup = f"/proc/{pid}/smaps_rollup"
            pss += self._field(rollup, "Pss:") - self._field(rollup, "Pss_Shmem:")
            # Files the fit workers handed over, already unlinked, mapped by the parent.
            try:
                with open(f"/proc/{pid}/maps") as f:
                    for line in f:
                        if SHM_FILES in line and line.rstrip().endswith("(deleted)"):
                            span, _perm, _off, _dev, inode = line.split()[:5]
                            start, end = (int(x, 16) for x in span.split("-"))
                            shm[inode] = shm.get(inode, 0) + (end - start) // 1024
            except OSError:
                pass
        # Files in shared memory not unlinked yet (written by a worker, not mapped yet).
        for path in Path("/dev/shm").glob(SHM_FILES.rsplit("/", 1)[1] + "*"):
            with contextlib.suppress(OSError):
                shm[path.stat().st_ino] = path.stat().st_blocks // 2
        kb = pss + sum(shm.values())
        self.peak_kb = max(self.peak_kb, kb)
        return kb

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def __enter__(self) -> TreeMemory:
        if self.available:
            self.sample()
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        if self.available:
            self._stop.set()
            self._thread.join()
            self.sample()

    def peak_mb(self) -> float | None:
        return self.peak_kb / 1024 if self.available else None


def _mb(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f} MB"


def p95_ms(samples: list[float]) -> float:
    return float(np.percentile(np.asarray(samples) * 1000, 95))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--achievements", type=int, default=100_000)
    parser.add_argument("--demands", type=int, default=10_000)
    parser.add_argument("--vocab", type=int, default=50_000)
    parser.add_argument("--k", type=int, default=20)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    # The same options `manage.py rematch` passes (Index.fit and rank_many `workers=`).
    parser.add_argument("--fit-workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--naive-sample", type=int, default=50)
    parser.add_argument("--trials", type=int, default=50)
    args = parser.parse_args(argv)

    rng = np.random.default_rng(5)
    t = time.perf_counter()
    vocab = make_vocab(rng, args.vocab)
    # The word view's stored tokens (see the module docstring); texts it does not know
    # would fall back to jieba, and none are asked for here.
    words = TokenCache()
    achievements = make_records(rng, args.achievements, "A", demand=False, vocab=vocab, cache=words)
    demands = make_records(rng, args.demands, "D", demand=True, vocab=vocab, cache=words)
    new_demands = make_records(rng, args.trials, "ND", demand=True, vocab=vocab, cache=words)
    new_achievements = make_records(rng, args.trials, "NA", demand=False, vocab=vocab, cache=words)
    generate_s = time.perf_counter() - t
    views = {**DEFAULT_VIEWS, "word": words}
    assert list(views) == ["word", "bigram", "trigram"]

    def full_rematch(memory: bool):
        """Fit the achievement index and rank every demand: (index, batch, results, fit s,
        rank s, peak of all processes during the fit, during the rank)."""
        with TreeMemory() if memory else contextlib.nullcontext() as fit_tree:
            t = time.perf_counter()
            index = Index("achievement", views=views).fit(achievements, workers=args.fit_workers)
            fit_s = time.perf_counter() - t
        with TreeMemory() if memory else contextlib.nullcontext() as rank_tree:
            t = time.perf_counter()
            batch = index.encode(demands)
            results = index.rank_many(batch, args.k, workers=args.workers)
            rank_s = time.perf_counter() - t
        peaks = (fit_tree.peak_mb(), rank_tree.peak_mb()) if memory else (None, None)
        return index, batch, results, fit_s, rank_s, *peaks

    # Timed without the memory sampler: it reads every process's page tables 20 times a
    # second, which takes CPU from the two cores being measured and blocks the processes'
    # page faults while it reads. Memory is measured on a second, identical run.
    index, batch, results, fit_s, rank_s, _, _ = full_rematch(memory=False)
    full_s = fit_s + rank_s
    del index, batch, results
    gc.collect()
    index, batch, results, m_fit_s, m_rank_s, fit_peak, rank_peak = full_rematch(memory=True)
    full_rss = peak_rss_mb()
    full_worker_rss = peak_worker_rss_mb()
    assert len(results) == len(demands)

    # The other direction, once the demand lists are written: every achievement's own top
    # k demands (`Index.top_queries`, in the same workers as the rank). Not part of the
    # full rematch figure above, which is the demand lists the target is about.
    # Memory sampled twice a second here, not 20 times: it costs the timing little.
    with TreeMemory(interval=0.5) as own_tree:
        t = time.perf_counter()
        # Consumed a step at a time, as `manage.py rematch` writes them.
        n_own = n_full = 0
        floors = np.full(len(index.ids), -np.inf)  # each list's lowest score, when full
        for lists in index.iter_top_queries([(batch, index.weights)], args.k, workers=args.workers):
            n_own += len(lists)
            for tid, v in lists.items():
                if len(v) >= args.k:
                    n_full += 1
                    floors[index.row(tid)] = v[-1].score
        own_s = time.perf_counter() - t
    own_filled = n_full / max(1, n_own)

    # One new demand: its own list against the fitted index, explanation included (what a
    # page shows), and its score against every achievement, to enter the achievements' own
    # lists whose floor it beats (as `matching.services.rematch._fold_demand` does).
    new_demand_times, entered_own = [], 0
    for d in new_demands:
        t = time.perf_counter()
        index.rank(d, args.k, explain=True)
        total, _contrib, _text = index.score_all(d)
        entered_own += len(np.flatnonzero(total > floors))
        new_demand_times.append(time.perf_counter() - t)

    # One new achievement folded into the existing demands' top-k lists: add it to the
    # index, score it against every demand, and update the lists it now enters.
    floor = np.array([r[-1].score if len(r) >= args.k else -np.inf for r in results])
    new_achievement_times, entered = [], 0
    for a in new_achievements:
        t = time.perf_counter()
        index.add(a)
        scores = index.score_target(a.id, batch)
        hits = np.flatnonzero(scores > floor)
        entered += len(hits)
        new_achievement_times.append(time.perf_counter() - t)

    # The naive loop: rank_bm25 per demand over the same tokens, on a sample.
    from rank_bm25 import BM25Okapi

    def tokens(r: Record) -> list[str]:
        return words(r.title) + words(r.description) + [k for k in r.keywords]

    t = time.perf_counter()
    bm25 = BM25Okapi([tokens(a) for a in achievements])
    naive_fit_s = time.perf_counter() - t
    sample = demands[: args.naive_sample]
    t = time.perf_counter()
    for d in sample:
        scores = bm25.get_scores(tokens(d))
        np.argpartition(-scores, args.k)[: args.k]
    naive_per = (time.perf_counter() - t) / len(sample)
    naive_full_s = naive_fit_s + naive_per * len(demands)

    n_a, n_d = f"{args.achievements:,}", f"{args.demands:,}"
    rows = [
        ("synthetic data generation (not timed below)", f"{generate_s:.1f} s", ""),
        (f"engine: fit index of {n_a} achievements", f"{fit_s:.1f} s", ""),
        (f"engine: rank {n_d} demands, top {args.k}", f"{rank_s:.1f} s", ""),
        ("engine: full rematch (fit + rank)", f"{full_s:.1f} s", "target < 30 s"),
        (
            "engine: full rematch again, memory sampled (not the figure above)",
            f"{m_fit_s + m_rank_s:.1f} s",
            "sampler costs CPU",
        ),
        ("engine: peak memory (ru_maxrss) after rematch", f"{full_rss:,.0f} MB", "< 2,048 MB"),
        (
            "engine: largest worker process's peak (incl. pages shared with the parent)",
            f"{full_worker_rss:,.0f} MB",
            "",
        ),
        (
            "engine: all processes together, peak during fit (PSS + shm)",
            _mb(fit_peak),
            "< 2,048 MB",
        ),
        (
            "engine: all processes together, peak during rank (PSS + shm)",
            _mb(rank_peak),
            "< 2,048 MB",
        ),
        (
            f"achievement lists: each of {n_a} achievements' top {args.k} demands",
            f"{own_s:.1f} s",
            f"{own_filled:.0%} of lists full",
        ),
        (
            "achievement lists: all processes together, peak (PSS + shm, sampled at 2 Hz)",
            _mb(own_tree.peak_mb()),
            "",
        ),
        (
            f"naive rank_bm25 loop: full rematch (extrapolated from {len(sample)} demands)",
            f"{naive_full_s:.0f} s",
            f"engine is {naive_full_s / full_s:.0f}× faster",
        ),
        (
            "incremental: one new demand, both directions, p95 (with explanation)",
            f"{p95_ms(new_demand_times):.0f} ms",
            f"target < 200 ms; entered {entered_own / len(new_demands):.1f} achievement lists each",
        ),
        (
            "incremental: one new achievement folded into demand lists, p95",
            f"{p95_ms(new_achievement_times):.0f} ms",
            f"entered {entered / len(new_achievements):.1f} lists each",
        ),
        ("naive: one demand, rank_bm25 get_scores", f"{naive_per * 1000:.0f} ms", ""),
        ("peak memory, whole run (ru_maxrss)", f"{peak_rss_mb():,.0f} MB", ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(
        f"matching benchmark: {n_a} achievements × {n_d} demands, "
        f"workers={args.workers}, fit workers={args.fit_workers}"
    )
    for label, value, note in rows:
        print(f"{label:<{width}}  {value:>10}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

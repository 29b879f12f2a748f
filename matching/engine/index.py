"""`Index`: the listings of one side fitted for ranking against records of the other side,
with the pruned top-k search (MaxScore over the fused postings), the other direction's
lists, and explanations; and `Engine`, both directions at once."""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from itertools import chain
from typing import Literal

import numpy as np
import scipy.sparse as sp

from matching import text
from matching.engine.criteria import (
    _Codes,
    _criterion,
    _Meta,
    _province,
    _timestamp,
    criterion_values,
)
from matching.engine.postings import _Postings, _Scratch
from matching.engine.views import (
    DEFAULT_VIEWS,
    FIELD_WEIGHTS,
    ViewSpec,
    _FitTexts,
    _make_view,
    _NgramView,
    _Split,
    _TokenView,
)
from matching.engine.weights import Weights
from matching.engine.workers import _can_fork, _fit_forked, _imap_forked, _map_forked
from matching.explain import Criterion, Explanation
from matching.records import Record

Side = Literal["achievement", "demand"]


@dataclass(frozen=True)
class Match:
    """One ranked target for one query record."""

    target_id: str
    score: float
    explanation: Explanation | None


@dataclass
class QueryBatch:
    """Encoded query records, kept so a new target can be scored against all of them at
    once (folding a new listing into existing match lists)."""

    ids: list[str]
    records: list[Record]
    q: dict[str, sp.csr_matrix]
    bound: dict[str, np.ndarray]
    meta: _Meta
    # The fused query weights (`_Postings.query`) for the postings they were computed
    # against (held weakly: a refit must not keep the old postings alive). Folding new
    # listings into existing lists scores the same batch again and again.
    _fused: tuple | None = field(default=None, repr=False, compare=False)

    def take(self, rows: slice | Sequence[int]) -> QueryBatch:
        """The queries at `rows` (a slice, or positions in order), without encoding again."""
        if isinstance(rows, slice):
            ids, records = self.ids[rows], self.records[rows]
        else:
            rows = np.asarray(rows, dtype=np.int64)
            ids = [self.ids[i] for i in rows.tolist()]
            records = [self.records[i] for i in rows.tolist()]
        return QueryBatch(
            ids=ids,
            records=records,
            q={k: v[rows] for k, v in self.q.items()},
            bound={k: v[rows] for k, v in self.bound.items()},
            meta=self.meta.take(rows),
        )


class Index:
    """Listings of one side, fitted for ranking against records of the other side."""

    def __init__(
        self,
        side: Side = "achievement",
        weights: Weights | None = None,
        *,
        views: dict[str, ViewSpec] | None = None,
        candidates: int = 200,
        common_df: int | None = None,
    ) -> None:
        if side not in ("achievement", "demand"):
            raise ValueError(f"side must be 'achievement' or 'demand', not {side!r}")
        self.side: Side = side
        self.weights = weights or Weights()
        self.views = {name: _make_view(spec) for name, spec in (views or DEFAULT_VIEWS).items()}
        # Criteria re-rank only the best text candidates: they add at most a few tenths,
        # so a listing far down the text ranking cannot climb into the top 20 anyway.
        self.candidates = candidates
        # Terms in more rows than this are "common" (see `_Postings`); by default 1/64 of
        # the rows, which keeps them to a few hundred per view at 100,000 listings.
        self.common_df = common_df
        self._postings = _Postings([], 0)
        self.ids: list[str] = []
        self.records: list[Record] = []
        self._pos: dict[str, int] = {}
        self.alive = np.zeros(0, dtype=bool)
        self._codes = {k: _Codes() for k in ("field", "industry", "market", "mode")}
        self.meta = self._meta([])

    def __len__(self) -> int:
        return int(self.alive.sum())

    # Building

    def fit(self, records: Iterable[Record], *, workers: int = 1) -> Index:
        """Fit on `records`. `workers` > 1 fits the views side by side in that many forked
        processes, this one fitting a view meanwhile (`_fit_forked`; threads where fork is
        unavailable): the same index to the bit, faster on several cores. Default 1, as for
        `rank_many`; a full rematch on 2 cores should pass 2. Each worker holds its view's
        temporaries (up to about 700 MB for the trigrams of 100,000 listings)."""
        records = list(records)
        self.ids = [r.id for r in records]
        self.records = records
        self._pos = {rid: i for i, rid in enumerate(self.ids)}
        self.alive = np.ones(len(records), dtype=bool)
        if len(self._pos) != len(records):
            raise ValueError("duplicate record ids in fit()")
        common_df = self.common_df if self.common_df is not None else max(64, len(records) // 64)
        views = list(self.views.values())
        texts = _FitTexts(records)
        if workers > 1 and len(views) > 1 and _can_fork():
            if any(isinstance(v, _NgramView) for v in views):
                texts.encoded()  # before the fork (see `_FitTexts`)
            splits = _fit_forked(texts, views, common_df, workers)
        elif workers > 1 and len(views) > 1:
            # No fork: the n-gram views are mostly numpy sorts and searches, which release
            # the GIL, so a thread overlaps them with the word view's Python-level counting.
            lanes = [
                [i for i, v in enumerate(views) if not isinstance(v, _NgramView)],
                [i for i, v in enumerate(views) if isinstance(v, _NgramView)],
            ]

            def run_lane(lane: list[int]) -> list[tuple[int, _Split]]:
                return [(i, views[i].fit(texts, common_df)) for i in lane]

            with ThreadPoolExecutor(max_workers=2) as pool:
                done = dict(chain.from_iterable(pool.map(run_lane, [la for la in lanes if la])))
            splits = [done.pop(i) for i in range(len(views))]
        else:
            # One view's full weights alive at a time: split, then let them go.
            splits = [v.fit(texts, common_df) for v in views]
        texts.release()  # before the postings are stacked: the peak of the fit
        self._postings = _Postings(splits, len(records))
        self.meta = self._meta(records)
        return self

    def add(self, record: Record) -> None:
        """Add or replace one listing without refitting (IDF and lengths stay frozen until
        the next full fit, which a nightly rematch does)."""
        if record.id in self._pos:
            self.remove(record.id)
        for view in self.views.values():
            view.add(record)
        self._pos[record.id] = len(self.ids)
        self.ids.append(record.id)
        self.records.append(record)
        self.alive = np.append(self.alive, True)
        self.meta = self.meta.concat(self._meta([record]))

    def row(self, record_id: str) -> int | None:
        """The index row of a listing it matches, None if it does not (or no longer)."""
        return self._pos.get(record_id)

    def remove(self, record_id: str) -> None:
        """Stop matching a listing (closed, expired, edited): its row is masked out."""
        i = self._pos.pop(record_id, None)
        if i is not None:
            self.alive[i] = False

    def _meta(self, records: Sequence[Record], *, grow: bool = True) -> _Meta:
        c = self._codes

        def arr(values, dtype):
            return np.fromiter(values, dtype=dtype, count=len(records))

        def modes(r: Record) -> int:
            bits = 0
            for m in r.modes:
                # Modes always get a bit, even from a query: a mode no target offers must
                # still read as "has modes, none shared", not as "no modes given".
                code = c["mode"].code(m)
                if code >= 0:
                    bits |= 1 << code
            return bits

        nan = math.nan
        return _Meta(
            field=arr((c["field"].code(r.field, grow=grow) for r in records), np.int32),
            industry=arr((c["industry"].code(r.industry, grow=grow) for r in records), np.int32),
            trl=arr((nan if r.trl is None else r.trl for r in records), np.float64),
            price=arr(
                (nan if r.price is None or r.negotiable else r.price for r in records),
                np.float64,
            ),
            price_min=arr(
                (nan if r.price_min is None or r.negotiable else r.price_min for r in records),
                np.float64,
            ),
            negotiable=arr((r.negotiable for r in records), bool),
            modes=arr((modes(r) for r in records), np.int64),
            province=arr((_province(r.region) for r in records), np.int32),
            market=arr((c["market"].code(r.market, grow=grow) for r in records), np.int32),
            published=arr((_timestamp(r.published_at) for r in records), np.float64),
        )

    # Querying

    def encode(self, queries: Sequence[Record]) -> QueryBatch:
        q, bound = {}, {}
        for name, view in self.views.items():
            q[name], bound[name] = view.encode(queries)
        return QueryBatch(
            ids=[r.id for r in queries],
            records=list(queries),
            q=q,
            bound=bound,
            meta=self._meta(queries, grow=False),
        )

    def _fused(self, batch: QueryBatch) -> tuple[sp.csr_matrix, np.ndarray]:
        """`_Postings.query` of the batch, computed once per batch and fitted index."""
        post = self._postings
        cached = batch._fused
        if cached is not None and cached[0]() is post:
            return cached[1], cached[2]
        qr, qc = post.query(batch.q, batch.bound)
        batch._fused = (weakref.ref(post), qr, qc)
        return qr, qc

    def text_scores_for(self, batch: QueryBatch, i: int) -> np.ndarray:
        """Text relevance in [0, 1) of indexed row `i` for every query in `batch`."""
        n_main = self._postings.n_docs
        if i < n_main:
            qr, qc = self._fused(batch)
            return self._postings.pair_scores(qr, qc, i)
        return self._extra_text(batch, [i - n_main])[:, 0]

    def _extra_text(self, batch: QueryBatch, rows: list[int] | None = None) -> np.ndarray:
        """Text relevance of the rows added since the fit (or of those `rows` of them),
        (queries × rows), float64."""
        n_extra = len(self.ids) - self._postings.n_docs if rows is None else len(rows)
        total = np.zeros((len(batch.ids), n_extra), dtype=np.float64)
        if not n_extra:
            return total
        for name, view in self.views.items():
            scale = 1.0 / (np.maximum(batch.bound[name], 1e-9) * len(self.views))
            total += view.extra_scores(batch.q[name], rows) * scale[:, None]
        return total

    def rank(
        self, query: Record, k: int = 20, *, now: datetime | None = None, explain: bool = True
    ) -> list[Match]:
        return self.rank_many([query], k, now=now, explain=explain)[0]

    def rank_many(
        self,
        queries: Sequence[Record] | QueryBatch,
        k: int = 20,
        *,
        now: datetime | None = None,
        explain: bool = False,
        batch_size: int = 128,
        workers: int = 1,
        exclude: dict[str, set[str]] | None = None,
        exhaustive: bool = False,
        weights: Weights | None = None,
    ) -> list[list[Match]]:
        """Top `k` targets for each query. `explain=False` is the fast path for a full
        rematch: store scores, and build explanations with `explain()` when shown.

        `exhaustive=True` scores every row for every query instead of pruning; the results
        are the same (the tests check it), only slower. It is the reference.

        `weights` overrides the index's weights for these queries: a market's tuned weights
        apply to the listings of that market, on one shared index.

        `workers` > 1 ranks the batches in that many forked processes, which share the
        fitted index copy-on-write (most of the time is numpy work that holds the GIL, so
        threads would not help). Default 1: forking is for a full rematch (a management
        command), not for a web request; a full rematch on 2 cores should pass 2. Each
        worker needs a few hundred MB of its own at 100,000 listings."""
        batch = queries if isinstance(queries, QueryBatch) else self.encode(queries)
        now_ts = _timestamp(now or datetime.now(UTC))
        w = weights or self.weights
        n = len(batch.ids)
        parts = [_slice(batch, s, min(s + batch_size, n)) for s in range(0, n, batch_size)]

        def run(part: QueryBatch) -> list[list[Match]]:
            return self._rank_part(part, k, now_ts, explain, exclude, exhaustive, w)

        if workers > 1 and len(parts) > 1 and _can_fork():

            def job(i: int) -> list[list[tuple]]:
                # Plain tuples pickle several times faster than dataclasses.
                return [[(m.target_id, m.score, m.explanation) for m in q] for q in run(parts[i])]

            return [
                [Match(*m) for m in matches]
                for chunk in _map_forked(job, len(parts), workers)
                for matches in chunk
            ]
        if workers > 1 and len(parts) > 1:
            # No fork (not POSIX): threads overlap only the parts that release the GIL.
            with ThreadPoolExecutor(max_workers=workers) as pool:
                chunks = list(pool.map(run, parts))
        else:
            chunks = [run(p) for p in parts]
        return [matches for chunk in chunks for matches in chunk]

    # MaxScore split (see `_pruned_pool`): the query's common terms are scanned until the
    # bound of those left is at most this fraction of the first θ estimate. Lower scans more
    # postings, higher leaves more rows to score one by one; the cost is flat around 0.4
    # on the benchmark's text (θ only grows, so results never depend on it).
    MAXSCORE_SPLIT = 0.4
    # Absolute slack on bounds for float64 summation-order differences (scores are ~1e-2;
    # rounding differences ~1e-16): only ever lets more rows through.
    _EPS = 1e-9

    def _text_candidates(
        self, part: QueryBatch, c: int, exhaustive: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """The `c` rows with the highest text score for each query (ties: lower row first),
        as (rows, scores) arrays of shape (queries, c), padded with score 0.

        The text score of a fitted row is S_rare + S_common: S_rare from one sparse product
        over the rare terms' postings (every row), S_common summed from the row's common
        terms (see `_Postings.common_scores`). Both paths compute exactly these numbers for
        the rows they consider, and take the c best; they differ in which rows they
        consider (see `_pruned_pool` and `_exhaustive_pool`). A query sharing a rare term
        with fewer than c rows takes the exhaustive path.
        """
        post = self._postings
        n_q, n_main = len(part.ids), post.n_docs
        qr, qc = self._fused(part)
        alive_main = self.alive[:n_main]
        dead = np.flatnonzero(~alive_main)
        # Not sorted: nothing below needs a query's rows in order.
        rare = (qr @ post.rare_t).tocsr() if n_main else sp.csr_matrix((n_q, 1))
        scratch = _Scratch(n_main)
        extra = self._extra_text(part)
        extra_rows = np.arange(n_main, n_main + extra.shape[1])
        extra_alive = self.alive[n_main:]

        out_rows = np.zeros((n_q, c), dtype=np.int64)
        out_scores = np.zeros((n_q, c), dtype=np.float64)
        for qi in range(n_q):
            rows_l: list[np.ndarray] = []
            scores_l: list[np.ndarray] = []
            if n_main:
                a, b = rare.indptr[qi], rare.indptr[qi + 1]
                rows = rare.indices[a:b].astype(np.int64)
                sr = rare.data[a:b]
                keep = alive_main[rows] & (sr > 0)
                rows, sr = rows[keep], sr[keep]
                if exhaustive or len(rows) < c or c == 0:
                    pr, ps = self._exhaustive_pool(qc[qi], rows, sr, c, dead, scratch)
                else:
                    pr, ps = self._pruned_pool(qc[qi], rows, sr, c, dead, scratch)
                rows_l.append(pr)
                scores_l.append(ps)
            if extra.shape[1]:
                e = extra[qi]
                ok = extra_alive & (e > 0)
                rows_l.append(extra_rows[ok])
                scores_l.append(e[ok])
            if not rows_l:
                continue
            rows, scores = np.concatenate(rows_l), np.concatenate(scores_l)
            order = np.lexsort((rows, -scores))[:c]
            out_rows[qi, : len(order)] = rows[order]
            out_scores[qi, : len(order)] = scores[order]
        return out_rows, out_scores

    def _pruned_pool(
        self,
        qc_row: np.ndarray,
        rows: np.ndarray,
        sr: np.ndarray,
        c: int,
        dead: np.ndarray,
        scratch: _Scratch,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows with exact scores that include every row of the query's top `c` (MaxScore).

        `rows` are the live rows sharing a rare term with the query, `sr` their
        S_rare; there are at least `c` of them.

        1. The c rows with the highest S_rare get exact scores; the lowest, θ, is a lower
           bound of the c-th best score (θ only ever rises below, and stays a lower bound:
           it is always the c-th best of exact scores of distinct rows).
        2. The query's common terms by bound (weight × the term's largest weight in any
           row), largest first; the first ones ("essential") are scanned over every row
           until the bound R of the others is at most `MAXSCORE_SPLIT`·θ. A row's score is
           at most P = S_rare + (its essential terms' sum) + R.
        3. The c rows with the highest P get exact scores: θ rises to the c-th best score
           seen so far (usually close to the final one).
        4. Every row with P ≥ θ gets an exact score; no other row can be in the top c.
        """
        post = self._postings
        eps = self._EPS
        top = np.argpartition(sr, len(sr) - c)[len(sr) - c :]
        seen_rows = rows[top]
        seen = sr[top].astype(np.float64) + post.row_scores(qc_row, seen_rows)
        theta = float(seen.min())

        terms = np.flatnonzero(qc_row)
        ub = qc_row[terms] * post.common_max[terms] * (1.0 + 1e-6) + 1e-12
        order = np.argsort(-ub, kind="stable")
        terms, ub = terms[order], ub[order]
        rest = np.concatenate([np.cumsum(ub[::-1])[::-1], [0.0]])  # rest[m] = Σ ub[m:]
        m = int(np.searchsorted(-rest, -self.MAXSCORE_SPLIT * theta, side="left"))
        left = float(rest[m])
        if m:
            bound = post.scan(qc_row, terms[:m], scratch)
            bound[rows] += sr
            bound[dead] = 0.0
            cand = np.flatnonzero(bound >= theta - left - eps)
            cand_bound = bound[cand]
            del bound
        else:
            keep = sr.astype(np.float64) >= theta - left - eps
            cand, cand_bound = rows[keep], sr[keep].astype(np.float64)

        sr_dense, done = scratch.sr, scratch.done
        sr_dense[rows] = sr
        done[seen_rows] = True

        def exact(these: np.ndarray) -> np.ndarray:
            done[these] = True
            return sr_dense[these].astype(np.float64) + post.row_scores(qc_row, these)

        try:
            if len(cand) > c:
                best = cand[np.argpartition(cand_bound, len(cand) - c)[len(cand) - c :]]
                new = best[~done[best]]
                if len(new):
                    seen_rows = np.concatenate([seen_rows, new])
                    seen = np.concatenate([seen, exact(new)])
                    theta = max(theta, float(np.partition(seen, len(seen) - c)[len(seen) - c]))
                    cand = cand[cand_bound >= theta - left - eps]
            new = cand[~done[cand]]
            if len(new):
                seen_rows = np.concatenate([seen_rows, new])
                seen = np.concatenate([seen, exact(new)])
        finally:
            sr_dense[rows] = 0.0
            done[seen_rows] = False
        return seen_rows, seen

    def _exhaustive_pool(
        self,
        qc_row: np.ndarray,
        rows: np.ndarray,
        sr: np.ndarray,
        c: int,
        dead: np.ndarray,
        scratch: _Scratch,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every fitted row that can be in the query's top `c`, with its exact score:
        approximate scores for every row (one pass over the query's common postings), then
        exact scores for every row within 1e-4 of the c-th approximate score (float32
        rounding is orders of magnitude below that)."""
        post = self._postings
        n_main = post.n_docs
        if not n_main:
            return np.zeros(0, np.int64), np.zeros(0)
        approx = post.scan(qc_row, np.flatnonzero(qc_row), scratch)
        approx[rows] += sr
        approx[dead] = 0.0
        positive = np.flatnonzero(approx > 0)
        if len(positive) > c:
            kth = np.partition(approx[positive], len(positive) - c)[len(positive) - c]
            positive = positive[approx[positive] >= kth - 1e-4]
        sr_dense = scratch.sr
        sr_dense[rows] = sr
        exact = sr_dense[positive].astype(np.float64) + post.row_scores(qc_row, positive)
        sr_dense[rows] = 0.0
        return positive, exact

    def _rank_part(
        self, part, k, now_ts, explain, exclude, exhaustive, weights: Weights
    ) -> list[list[Match]]:
        c = min(self.candidates, len(self.ids))
        if c == 0:
            return [[] for _ in part.ids]
        cand, cand_text = self._text_candidates(part, c, exhaustive)
        contrib = self._criteria(part.meta, cand, now_ts, weights)
        total = weights.text * cand_text
        for values in contrib.values():
            total += values
        total[cand_text <= 0] = -np.inf  # nothing in common: not a match
        # Each query's top k, best first, handed to the loop below as Python lists.
        top = _best(total, cand, k)
        by = np.arange(len(part.ids))[:, None]
        top_l, total_l, cand_l = top.tolist(), total[by, top].tolist(), cand[by, top].tolist()
        ids = self.ids
        out: list[list[Match]] = []
        for qi, qid in enumerate(part.ids):
            skip = exclude.get(qid, set()) if exclude else set()
            matches = []
            for j, score, target in zip(top_l[qi], total_l[qi], cand_l[qi], strict=True):
                if not math.isfinite(score):
                    break
                tid = ids[target]
                if tid in skip or tid == qid:
                    continue
                expl = None
                if explain:
                    expl = self._explanation(
                        part.records[qi],
                        target,
                        float(cand_text[qi, j]),
                        {name: float(v[qi, j]) for name, v in contrib.items()},
                        part.meta.take(qi),
                        score,
                        weights,
                    )
                matches.append(Match(tid, score, expl))
            out.append(matches)
        return out

    def _criteria(
        self, qmeta: _Meta, cand: np.ndarray, now_ts: float, weights: Weights
    ) -> dict[str, np.ndarray]:
        """Each criterion's contribution for (query, candidate), shape like `cand`."""
        q = _Meta(**{f.name: getattr(qmeta, f.name)[:, None] for f in fields(qmeta)})
        return self._contributions(q, self.meta.take(cand), now_ts, weights)

    def _contributions(
        self, q: _Meta, t: _Meta, now_ts: float, weights: Weights
    ) -> dict[str, np.ndarray]:
        """Each criterion's contribution for query and target attributes that broadcast
        together (a column of queries against a matrix of targets, or the other way)."""
        demand, offer = (q, t) if self.side == "achievement" else (t, q)
        values = criterion_values(
            demand, offer, t.published, now_ts, weights.freshness_half_life_days
        )
        w = weights.criterion_weights()
        return {name: w[name] * np.nan_to_num(v, nan=0.0) for name, v in values.items()}

    # Incremental: a new target folded into existing match lists

    def score_target(
        self, target_id: str, batch: QueryBatch, *, weights: Weights | None = None
    ) -> np.ndarray:
        """Total score of one indexed target for every query in `batch` (−inf where no text
        is shared). Used to fold a newly added listing into existing top-k lists."""
        i = self._pos[target_id]
        text_s = self.text_scores_for(batch, i)
        cand = np.full((len(batch.ids), 1), i)
        w = weights or self.weights
        contrib = self._criteria(batch.meta, cand, _timestamp(datetime.now(UTC)), w)
        total = w.text * text_s
        for v in contrib.values():
            total += v[:, 0]
        total[text_s <= 0] = -np.inf
        return total

    def top_queries(
        self, groups: Sequence[tuple[QueryBatch, Weights]], k: int = 20, **options
    ) -> dict[str, list[Match]]:
        """`iter_top_queries`, all at once."""
        out: dict[str, list[Match]] = {}
        for part in self.iter_top_queries(groups, k, **options):
            out.update(part)
        return out

    def iter_top_queries(
        self,
        groups: Sequence[tuple[QueryBatch, Weights]],
        k: int = 20,
        *,
        targets: Sequence[str] | None = None,
        now: datetime | None = None,
        exclude: dict[str, set[str]] | None = None,
        workers: int = 1,
        max_targets: int = 1000,
        pairs_per_step: int = 2_000_000,
    ) -> Iterator[dict[str, list[Match]]]:
        """The other direction: for each indexed target (every live one, or `targets`),
        its best `k` queries, with the same score `rank_many` gives the pair (the query's
        weights: each group of queries is scored with its own). Here `Match.target_id` is
        the query's id. Yields the lists a step of targets at a time (at most `max_targets`,
        and `pairs_per_step` pairs: it bounds the dense arrays), in target order.

        The text scores of a step of targets against every query come from two sparse
        products (rare terms, then common terms); as in `rank_many`, the criteria then
        re-rank each target's best `candidates` queries by text (exact against brute force
        when `candidates` covers every query; the tests check both). `exclude[target]`
        lists queries to leave out (dismissed). `workers` > 1 computes the steps in forked
        processes, as `rank_many` does, while the caller consumes the results."""
        now_ts = _timestamp(now or datetime.now(UTC))
        post = self._postings
        n_main = post.n_docs
        if targets is None:
            rows = np.flatnonzero(self.alive)
        else:
            rows = np.array([self._pos[t] for t in targets], dtype=np.int64)
        groups = [(b, w) for b, w in groups if b.ids]
        if not groups or not len(rows) or k <= 0:
            yield {self.ids[i]: [] for i in rows.tolist()}
            return
        ids = [qid for b, _w in groups for qid in b.ids]
        col_of = {qid: j for j, qid in enumerate(ids)}
        fused = []
        for batch, w in groups:
            # Term-major query weights, sparse throughout: the common terms' weights are
            # dense per query in `_Postings.query` (150 MB for 10,000 queries), so they are
            # made a slice of queries at a time.
            qr_parts, qc_parts = [], []
            for start in range(0, len(batch.ids), 1024):
                part = _slice(batch, start, min(start + 1024, len(batch.ids)))
                qr, qc = post.query(part.q, part.bound)
                qr_parts.append(qr)
                qc_parts.append(sp.csr_matrix(qc))
                del qc
            qr_t = sp.vstack(qr_parts, format="csr").T.tocsr()
            qc_t = sp.vstack(qc_parts, format="csr").T.tocsr()
            fused.append((batch, w, qr_t, qc_t))
        # Rows × rare terms, made once (the fitted postings are term-major).
        rare_rows = post.rare_t.T.tocsr() if np.any(rows < n_main) else None
        step = max(1, min(max_targets, pairs_per_step // len(ids)))
        steps = [rows[start : start + step] for start in range(0, len(rows), step)]
        c = max(k, self.candidates)

        def run(i: int) -> list[tuple[str, list[tuple[str, float]]]]:
            these = steps[i]
            main = these < n_main
            by = np.arange(len(these))[None, :]
            offer = self.meta.take(these[None, :])
            totals, cols = [], []
            offset = 0
            for batch, w, qr_t, qc_t in fused:
                text_s = np.zeros((len(these), len(batch.ids)), dtype=np.float64)
                if main.any():
                    m = these[main]
                    assert rare_rows is not None
                    text_s[main] = (rare_rows[m] @ qr_t).toarray()
                    text_s[main] += (post.common[m] @ qc_t).toarray()
                if not main.all():
                    text_s[~main] = self._extra_text(batch, (these[~main] - n_main).tolist()).T
                text_s = text_s.T  # queries × targets
                # As `rank_many` does: the criteria re-rank the best text candidates only.
                cg = min(c, len(batch.ids))
                cand = (
                    np.argpartition(-text_s, cg - 1, axis=0)[:cg]
                    if cg < len(batch.ids)
                    else np.tile(np.arange(cg)[:, None], (1, len(these)))
                )
                ctext = text_s[cand, by]
                total = w.text * ctext
                for values in self._contributions(batch.meta.take(cand), offer, now_ts, w).values():
                    total += values
                total[ctext <= 0] = -np.inf
                totals.append(total)
                cols.append(cand + offset)
                offset += len(batch.ids)
            total = np.concatenate(totals)
            cand = np.concatenate(cols)
            if exclude:
                for j, row in enumerate(these.tolist()):
                    skip = {col_of[q] for q in exclude.get(self.ids[row], ()) if q in col_of}
                    if skip:
                        total[np.isin(cand[:, j], list(skip)), j] = -np.inf
            total, cand = total.T, cand.T  # targets × candidates
            top = _best(total, cand, k)
            rows_by = np.arange(len(these))[:, None]
            scores, queries = total[rows_by, top].tolist(), cand[rows_by, top].tolist()
            # Plain tuples: they pickle several times faster than dataclasses.
            return [
                (
                    self.ids[row],
                    [
                        (ids[q], sc)
                        for q, sc in zip(queries[j], scores[j], strict=True)
                        if math.isfinite(sc)
                    ],
                )
                for j, row in enumerate(these.tolist())
            ]

        if workers > 1 and len(steps) > 1 and _can_fork():
            parts = _imap_forked(run, len(steps), workers)
        else:
            parts = (run(i) for i in range(len(steps)))
        for part in parts:
            yield {tid: [Match(q, sc, None) for q, sc in lists] for tid, lists in part}

    def score_all(
        self, query: Record, *, weights: Weights | None = None, now: datetime | None = None
    ) -> tuple[np.ndarray, dict[str, np.ndarray], np.ndarray]:
        """One query against every indexed row: (total, each criterion's contribution,
        text score), −inf total where nothing is shared or the row is removed. The same
        numbers `rank_many` gives each pair, for folding one query into the targets' own
        lists; one pass over the query's postings, the criteria vectorised."""
        w = weights or self.weights
        batch = self.encode([query])
        post = self._postings
        n_main = post.n_docs
        text_s = np.zeros(len(self.ids), dtype=np.float64)
        if n_main:
            qr, qc = self._fused(batch)
            text_s[:n_main] = post.scan(qc[0], np.flatnonzero(qc[0]))
            text_s[:n_main] += (qr @ post.rare_t).toarray()[0]
        if len(self.ids) > n_main:
            text_s[n_main:] = self._extra_text(batch)[0]
        now_ts = _timestamp(now or datetime.now(UTC))
        contrib = {
            name: v[0]
            for name, v in self._criteria(
                batch.meta, np.arange(len(self.ids))[None, :], now_ts, w
            ).items()
        }
        total = w.text * text_s
        for values in contrib.values():
            total += values
        total[(text_s <= 0) | ~self.alive] = -np.inf
        return total, contrib, text_s

    def explain_targets(
        self,
        query: Record,
        target_ids: Sequence[str],
        *,
        weights: Weights | None = None,
        now: datetime | None = None,
    ) -> list[Match]:
        """`explain` for one query and many targets: one `score_all` for all of them."""
        if not target_ids:
            return []
        w = weights or self.weights
        total, contrib, text_s = self.score_all(query, weights=w, now=now)
        qmeta = self._meta([query], grow=False).take(0)
        out = []
        for target_id in target_ids:
            i = self._pos[target_id]
            parts = {name: float(v[i]) for name, v in contrib.items()}
            score = w.text * float(text_s[i]) + sum(parts.values())
            expl = self._explanation(query, i, float(text_s[i]), parts, qmeta, score, w)
            out.append(Match(target_id, score, expl))
        return out

    # Explanations

    def explain(
        self,
        query: Record,
        target_id: str,
        *,
        now: datetime | None = None,
        weights: Weights | None = None,
    ) -> Match:
        """The match of one (query, target) pair with its explanation, e.g. for display."""
        return self.explain_queries(target_id, [query], [weights or self.weights], now=now)[0]

    def explain_queries(
        self,
        target_id: str,
        queries: Sequence[Record],
        weights: Sequence[Weights],
        *,
        now: datetime | None = None,
    ) -> list[Match]:
        """`explain` for one target and many queries (`weights[j]` for `queries[j]`): one
        encoding and one text scoring for all of them, as when a listing's list is written."""
        if not queries:
            return []
        i = self._pos[target_id]
        batch = self.encode(queries)
        text_s = self.text_scores_for(batch, i)
        now_ts = _timestamp(now or datetime.now(UTC))
        out: list[Match | None] = [None] * len(queries)
        groups: dict[int, list[int]] = {}
        for j, w in enumerate(weights):
            groups.setdefault(id(w), []).append(j)
        for idx in groups.values():
            w = weights[idx[0]]
            contrib = self._criteria(
                batch.meta.take(np.array(idx)), np.full((len(idx), 1), i), now_ts, w
            )
            for row, j in enumerate(idx):
                parts = {name: float(v[row, 0]) for name, v in contrib.items()}
                score = w.text * float(text_s[j]) + sum(parts.values())
                expl = self._explanation(
                    queries[j], i, float(text_s[j]), parts, batch.meta.take(j), score, w
                )
                out[j] = Match(target_id, score, expl)
        return [m for m in out if m is not None]

    def _explanation(
        self,
        query: Record,
        target: int,
        text_score: float,
        contrib: dict[str, float],
        qmeta: _Meta,
        score: float,
        weights: Weights,
    ) -> Explanation:
        rec = self.records[target]
        demand, offer = (query, rec) if self.side == "achievement" else (rec, query)
        terms, by_field = self._shared_terms(query, rec)
        text_contribution = weights.text * text_score
        total = sum(by_field.values()) or 1.0
        criteria = [
            Criterion(
                "text",
                "met" if text_score > 0 else "missed",
                text_contribution,
                {f: round(text_contribution * v / total, 6) for f, v in by_field.items()},
            )
        ]
        for name in ("field", "industry", "maturity", "price", "modes", "region", "freshness"):
            criteria.append(_criterion(name, contrib[name], demand, offer))
        return Explanation(score=score, shared_terms=terms, criteria=tuple(criteria))

    def _shared_terms(self, query: Record, rec: Record) -> tuple[tuple[str, ...], dict]:
        """Content words the two listings share (`text.is_content_word`: no filler such as
        目前、希望、武汉、2), the target's own keywords first, most specific first; and how
        much of the word match each of the target's fields carries (every shared word
        counts there, as it does in the score)."""
        token_views = [v for v in self.views.values() if isinstance(v, _TokenView)]
        word = self.views.get("word")
        if not isinstance(word, _TokenView):
            if not token_views:
                return (), {"title": 0.0, "keywords": 0.0, "description": 0.0}
            word = token_views[0]
        qtext = text.join_fields([query.title, query.description, *query.keywords])
        qnorm = text.normalize(qtext)
        qtokens = set(word.tokenizer(qtext))
        chosen: list[str] = [
            k for k in rec.keywords if k and text.normalize(k) in qnorm and text.is_content_word(k)
        ]
        by_field: dict[str, float] = {}
        idf = word.idf
        scored: dict[str, float] = {}
        for fname, value in (
            ("title", rec.title),
            ("keywords", text.join_fields(rec.keywords)),
            ("description", rec.description),
        ):
            weight = 0.0
            for tok in word.tokenizer(value):
                if tok in qtokens:
                    j = word.vocab.get(tok)
                    w = float(idf[j]) if j is not None and j < idf.shape[0] else 0.0
                    scored[tok] = w
                    weight += FIELD_WEIGHTS[fname] * w
            by_field[fname] = weight
        for tok, _w in sorted(scored.items(), key=lambda kv: (-kv[1], -len(kv[0]))):
            if len(chosen) >= 5:
                break
            if any(tok in c for c in chosen) or not text.is_content_word(tok):
                continue
            chosen = [c for c in chosen if c not in tok] + [tok]
        return tuple(chosen[:5]), by_field


def _best(total: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Column positions of each row's `k` highest totals, best first (ties: lower id
    first), for all rows at once."""
    n_rows, n = total.shape
    kk = min(k, n)
    top = (
        np.argpartition(-total, kk - 1, axis=1)[:, :kk]
        if kk < n
        else np.tile(np.arange(n), (n_rows, 1))
    )
    by = np.arange(n_rows)[:, None]
    order = np.lexsort((ids[by, top], -total[by, top]), axis=-1)
    return np.take_along_axis(top, order, axis=1)


def _slice(batch: QueryBatch, start: int, stop: int) -> QueryBatch:
    return batch.take(slice(start, stop))


class Engine:
    """Both directions of the market: achievements for a demand, demands for an
    achievement. Each direction is an `Index` on one side queried by the other side."""

    def __init__(self, weights: Weights | None = None, **index_options) -> None:
        self.weights = weights or Weights()
        self.achievements = Index("achievement", self.weights, **index_options)
        self.demands = Index("demand", self.weights, **index_options)

    def fit(self, achievements: Iterable[Record], demands: Iterable[Record] = ()) -> Engine:
        self.achievements.fit(achievements)
        demands = list(demands)
        if demands:
            self.demands.fit(demands)
        return self

    def fit_demands(self, demands: Iterable[Record]) -> Engine:
        self.demands.fit(demands)
        return self

    def rank(self, demand: Record, k: int = 20, **options) -> list[Match]:
        """The achievements that could meet a demand, best first."""
        return self.achievements.rank(demand, k, **options)

    def rank_demands_for(self, achievement: Record, k: int = 20, **options) -> list[Match]:
        """The demands an achievement could serve, best first."""
        if not self.demands.ids:
            raise ValueError("no demands fitted: call fit(achievements, demands) first")
        return self.demands.rank(achievement, k, **options)

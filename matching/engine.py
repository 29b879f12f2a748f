"""The ranking core: text relevance plus the market's criteria, on plain `Record`s.

One `Index` is fitted on one side of the market and queried by records of the other side:
an index of achievements ranks achievements for a demand, an index of demands ranks demands
for an achievement. Criteria are directional (a demand needs a TRL, an achievement offers
one), so every pair is read as (demand, achievement) whichever side was indexed.

Text relevance is BM25F fused over three views of the same text: jieba words, CJK
character bigrams and trigrams. Words carry meaning; character n-grams recover matches that
segmentation splits differently in a short colloquial demand and in a long abstract. Each
view's score is divided by the query's upper bound for that view (every query term
saturated in the listing), so the text score lies in [0, 1) and means the same for every
query: stored scores stay comparable and owners' notification thresholds make sense.

The other criteria add a bounded contribution in [-weight, +weight] and are 0 when either
side lacks the data: a listing without a TRL or a price is neither rewarded nor punished.
A pair with no text in common is never a match; criteria only re-rank text candidates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from typing import Literal

import numpy as np
import scipy.sparse as sp

from matching import text
from matching.explain import Criterion, Explanation
from matching.records import Record

Side = Literal["achievement", "demand"]
Tokenizer = Callable[[str], list[str]]

# Standard BM25 constants; the evaluation did not need them tuned and held-out data will
# not reward tuning them.
K1 = 1.2
B = 0.75
# BM25F field weights: a term in the title or keywords says more about what the listing is
# than the same term somewhere in a long description.
FIELD_WEIGHTS = {"title": 2.0, "keywords": 2.0, "description": 1.0}
TEXT_FIELDS = tuple(FIELD_WEIGHTS)

DEFAULT_VIEWS: dict[str, Tokenizer] = {
    "word": text.words,
    "bigram": text.cjk_bigrams,
    "trigram": text.cjk_trigrams,
}


class WeightsError(ValueError):
    """A weight outside the bounds operators may tune it within."""

    def __init__(self, name: str, value: float, low: float, high: float):
        self.name, self.value, self.low, self.high = name, value, low, high
        super().__init__(f"weight {name}={value} is outside its bounds [{low}, {high}]")


def _bounded(default: float, low: float, high: float):
    from dataclasses import field

    return field(default=default, metadata={"bounds": (low, high)})


@dataclass(frozen=True)
class Weights:
    """How much each criterion counts. Operators tune these per market, within bounds.

    Text relevance lies in [0, 1) and stays the backbone (its weight cannot drop below
    0.5); each other criterion adds at most ± its weight, so together they re-rank close
    text candidates rather than override the text.
    """

    text: float = _bounded(1.0, 0.5, 2.0)
    field: float = _bounded(0.10, 0.0, 0.3)
    industry: float = _bounded(0.05, 0.0, 0.2)
    maturity: float = _bounded(0.10, 0.0, 0.3)
    price: float = _bounded(0.08, 0.0, 0.3)
    modes: float = _bounded(0.06, 0.0, 0.2)
    region: float = _bounded(0.05, 0.0, 0.2)
    freshness: float = _bounded(0.03, 0.0, 0.1)
    freshness_half_life_days: float = _bounded(180.0, 30.0, 730.0)

    def __post_init__(self) -> None:
        for f in fields(self):
            low, high = f.metadata["bounds"]
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or math.isnan(value):
                raise WeightsError(f.name, value, low, high)
            if not low <= value <= high:
                raise WeightsError(f.name, value, low, high)

    @classmethod
    def bounds(cls) -> dict[str, tuple[float, float]]:
        return {f.name: f.metadata["bounds"] for f in fields(cls)}

    def criterion_weights(self) -> dict[str, float]:
        return {
            name: getattr(self, name)
            for name in ("field", "industry", "maturity", "price", "modes", "region", "freshness")
        }


@dataclass(frozen=True)
class Match:
    """One ranked target for one query record."""

    target_id: str
    score: float
    explanation: Explanation | None


class _Codes:
    """Small dictionary encoding strings (fields, industries, markets, modes) as ints."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}

    def code(self, value: str, *, grow: bool = True) -> int:
        if not value:
            return -1
        if value in self._codes:
            return self._codes[value]
        if not grow:
            return -2  # known to the query, unknown to every target: never equal
        self._codes[value] = len(self._codes)
        return self._codes[value]


@dataclass
class _Meta:
    """The non-text attributes of many records as arrays, for vectorised criteria."""

    field: np.ndarray
    industry: np.ndarray
    trl: np.ndarray
    price: np.ndarray
    price_min: np.ndarray
    negotiable: np.ndarray
    modes: np.ndarray
    province: np.ndarray
    market: np.ndarray
    published: np.ndarray

    def take(self, idx) -> _Meta:
        return _Meta(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    def concat(self, other: _Meta) -> _Meta:
        return _Meta(
            **{
                f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])
                for f in fields(self)
            }
        )


def _timestamp(moment: datetime | None) -> float:
    if moment is None:
        return math.nan
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _province(region: str) -> int:
    return int(region[:2]) if len(region) >= 2 and region[:2].isdigit() else -1


class _View:
    """One tokenisation of the text, as a BM25F weight matrix over the indexed side."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        self.tokenizer = tokenizer
        self.vocab: dict[str, int] = {}
        self.idf = np.zeros(0, dtype=np.float32)
        self.avg_len: dict[str, float] = {}
        self.n_docs = 0
        self.main = sp.csr_matrix((0, 0), dtype=np.float32)
        self.extra_rows: list[sp.csr_matrix] = []
        self.extra = sp.csr_matrix((0, 0), dtype=np.float32)
        self._main_t: sp.csr_matrix | None = None

    def _tokens(self, records: Sequence[Record]) -> dict[str, list[list[str]]]:
        tok = self.tokenizer
        return {
            "title": [tok(r.title) for r in records],
            "keywords": [tok(text.join_fields(r.keywords)) for r in records],
            "description": [tok(r.description) for r in records],
        }

    def _counts(self, docs: list[list[str]], *, grow: bool) -> sp.csr_matrix:
        vocab = self.vocab
        cols: list[int] = []
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        if grow:
            for d in docs:
                cols.extend(vocab.setdefault(t, len(vocab)) for t in d)
        else:
            for d in docs:
                cols.extend(vocab.get(t, -1) for t in d)
        rows = np.repeat(np.arange(len(docs)), lengths)
        col_arr = np.asarray(cols, dtype=np.int64)
        keep = col_arr >= 0
        m = sp.csr_matrix(
            (np.ones(int(keep.sum()), dtype=np.float32), (rows[keep], col_arr[keep])),
            shape=(len(docs), max(len(vocab), 1)),
        )
        m.sum_duplicates()
        return m

    def _weights(self, tokens: dict[str, list[list[str]]], *, grow: bool) -> sp.csr_matrix:
        counts = {name: self._counts(docs, grow=grow) for name, docs in tokens.items()}
        width = max(len(self.vocab), 1)
        acc = None
        for name, docs in tokens.items():
            m = counts[name]
            m.resize((m.shape[0], width))
            lengths = np.fromiter((len(d) for d in docs), dtype=np.float32, count=len(docs))
            avg = self.avg_len.get(name) or 1.0
            norm = 1.0 - B + B * lengths / avg
            scaled = sp.diags((FIELD_WEIGHTS[name] / norm).astype(np.float32)) @ m
            acc = scaled if acc is None else acc + scaled
        assert acc is not None
        return acc.tocsr()

    def fit(self, records: Sequence[Record]) -> sp.csr_matrix:
        tokens = self._tokens(records)
        self.vocab = {}
        self.n_docs = len(records)
        for name, docs in tokens.items():
            total = sum(len(d) for d in docs)
            self.avg_len[name] = total / len(docs) if docs and total else 1.0
        acc = self._weights(tokens, grow=True)
        df = np.bincount(acc.indices, minlength=acc.shape[1]).astype(np.float64)
        self.idf = np.log((self.n_docs - df + 0.5) / (df + 0.5) + 1.0).astype(np.float32)
        self.main = self._saturate(acc)
        self._main_t = None
        self.extra_rows, self.extra = [], sp.csr_matrix((0, self.main.shape[1]), dtype=np.float32)
        return self.main

    def _saturate(self, acc: sp.csr_matrix) -> sp.csr_matrix:
        out = acc.copy()
        out.data = (out.data * (K1 + 1.0) / (out.data + K1)).astype(np.float32)
        return (out @ sp.diags(self.idf[: out.shape[1]])).tocsr()

    def add(self, record: Record) -> None:
        """Append one row with the fitted statistics frozen (IDF, average lengths), as an
        incremental index does; terms never seen get the IDF of a term in one listing."""
        acc = self._weights(self._tokens([record]), grow=True)
        width = len(self.vocab)
        if width > self.idf.shape[0]:
            rare = math.log((self.n_docs - 0.5) / 1.5 + 1.0)
            grow = np.full(width - self.idf.shape[0], rare, dtype=np.float32)
            self.idf = np.concatenate([self.idf, grow])
        self.extra_rows.append(self._saturate(acc))
        for m in self.extra_rows:
            m.resize((m.shape[0], width))
        self.main.resize((self.main.shape[0], width))
        if self._main_t is not None:
            self._main_t.resize((width, self._main_t.shape[1]))
        self.extra = sp.vstack(self.extra_rows, format="csr", dtype=np.float32)

    def encode(self, records: Sequence[Record]) -> tuple[sp.csr_matrix, np.ndarray]:
        """Query term weights (term frequency over title, keywords and description: what a
        listing repeats is what it is about) and each query's score upper bound."""
        docs = [
            self.tokenizer(text.join_fields([r.title, r.description, *r.keywords])) for r in records
        ]
        q = self._counts(docs, grow=False)
        q.resize((q.shape[0], max(len(self.vocab), 1)))
        bound = np.asarray(q @ self.idf[: q.shape[1]], dtype=np.float64).ravel() * (K1 + 1.0)
        return q, bound

    def scores(self, q: sp.csr_matrix) -> np.ndarray:
        """Dense (queries × indexed rows) BM25F scores, float32."""
        if self._main_t is None or self._main_t.shape[0] != q.shape[1]:
            # Transposed once (terms × rows, CSR), not per batch: a product with `.T` would
            # convert the whole index again for every batch of queries.
            main = self.main
            if main.shape[1] < q.shape[1]:
                main.resize((main.shape[0], q.shape[1]))
            self._main_t = main.T.tocsr()
        out = (q @ self._main_t).toarray()
        if self.extra.shape[0]:
            out = np.hstack([out, (q @ self.extra.T.tocsr()).toarray()])
        return out

    def row(self, i: int) -> sp.csr_matrix:
        n_main = self.main.shape[0]
        return self.main[i] if i < n_main else self.extra[i - n_main]


@dataclass
class QueryBatch:
    """Encoded query records, kept so a new target can be scored against all of them at
    once (folding a new listing into existing match lists)."""

    ids: list[str]
    records: list[Record]
    q: dict[str, sp.csr_matrix]
    bound: dict[str, np.ndarray]
    meta: _Meta


class Index:
    """Listings of one side, fitted for ranking against records of the other side."""

    def __init__(
        self,
        side: Side = "achievement",
        weights: Weights | None = None,
        *,
        views: dict[str, Tokenizer] | None = None,
        candidates: int = 200,
    ) -> None:
        if side not in ("achievement", "demand"):
            raise ValueError(f"side must be 'achievement' or 'demand', not {side!r}")
        self.side: Side = side
        self.weights = weights or Weights()
        self.views = {name: _View(tok) for name, tok in (views or DEFAULT_VIEWS).items()}
        # Criteria re-rank only the best text candidates: they add at most a few tenths,
        # so a listing far down the text ranking cannot climb into the top 20 anyway.
        self.candidates = candidates
        self.ids: list[str] = []
        self.records: list[Record] = []
        self._pos: dict[str, int] = {}
        self.alive = np.zeros(0, dtype=bool)
        self._codes = {k: _Codes() for k in ("field", "industry", "market", "mode")}
        self.meta = self._meta([])

    def __len__(self) -> int:
        return int(self.alive.sum())

    # Building

    def fit(self, records: Iterable[Record]) -> Index:
        records = list(records)
        self.ids = [r.id for r in records]
        self.records = records
        self._pos = {rid: i for i, rid in enumerate(self.ids)}
        self.alive = np.ones(len(records), dtype=bool)
        if len(self._pos) != len(records):
            raise ValueError("duplicate record ids in fit()")
        for view in self.views.values():
            view.fit(records)
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

    def text_scores(self, batch: QueryBatch) -> np.ndarray:
        """Text relevance in [0, 1) for every (query, indexed row), float32."""
        total = None
        for name, view in self.views.items():
            s = view.scores(batch.q[name])
            s *= (1.0 / np.maximum(batch.bound[name], 1e-9)).astype(np.float32)[:, None]
            total = s if total is None else total + s
        assert total is not None
        total *= np.float32(1.0 / len(self.views))
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
        batch_size: int = 256,
        workers: int = 1,
        exclude: dict[str, set[str]] | None = None,
    ) -> list[list[Match]]:
        """Top `k` targets for each query. `explain=False` is the fast path for a full
        rematch: store scores, and build explanations with `explain()` when shown."""
        batch = queries if isinstance(queries, QueryBatch) else self.encode(queries)
        now_ts = _timestamp(now or datetime.now(UTC))
        n = len(batch.ids)
        parts = [_slice(batch, s, min(s + batch_size, n)) for s in range(0, n, batch_size)]

        def run(part: QueryBatch) -> list[list[Match]]:
            return self._rank_part(part, k, now_ts, explain, exclude)

        if workers > 1 and len(parts) > 1:
            # scipy's sparse products and numpy's partitions release the GIL, so threads
            # use the cores without copying the index into other processes.
            with ThreadPoolExecutor(max_workers=workers) as pool:
                chunks = list(pool.map(run, parts))
        else:
            chunks = [run(p) for p in parts]
        return [matches for chunk in chunks for matches in chunk]

    def _rank_part(self, part, k, now_ts, explain, exclude) -> list[list[Match]]:
        text_s = self.text_scores(part)
        text_s[:, ~self.alive] = 0.0
        n_rows = text_s.shape[1]
        c = min(self.candidates, n_rows)
        if c == 0:
            return [[] for _ in part.ids]
        if c < n_rows:
            cand = np.argpartition(-text_s, c - 1, axis=1)[:, :c]
        else:
            cand = np.broadcast_to(np.arange(n_rows), text_s.shape).copy()
        cand_text = np.take_along_axis(text_s, cand, axis=1)
        contrib = self._criteria(part.meta, cand, now_ts)
        total = self.weights.text * cand_text.astype(np.float64)
        for values in contrib.values():
            total += values
        total[cand_text <= 0] = -np.inf  # nothing in common: not a match
        kk = min(k, c)
        top = (
            np.argpartition(-total, kk - 1, axis=1)[:, :kk]
            if kk < c
            else np.tile(np.arange(c), (len(part.ids), 1))
        )
        out: list[list[Match]] = []
        for qi, qid in enumerate(part.ids):
            order = top[qi][np.argsort(-total[qi, top[qi]], kind="stable")]
            skip = exclude.get(qid, set()) if exclude else set()
            matches = []
            for j in order:
                score = total[qi, j]
                if not np.isfinite(score):
                    break
                target = int(cand[qi, j])
                tid = self.ids[target]
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
                        float(score),
                    )
                matches.append(Match(tid, float(score), expl))
            out.append(matches)
        return out

    def _criteria(self, qmeta: _Meta, cand: np.ndarray, now_ts: float) -> dict[str, np.ndarray]:
        """Each criterion's contribution for (query, candidate), shape like `cand`."""
        t = self.meta.take(cand)
        q = _Meta(**{f.name: getattr(qmeta, f.name)[:, None] for f in fields(qmeta)})
        demand, offer = (q, t) if self.side == "achievement" else (t, q)
        values = criterion_values(
            demand, offer, t.published, now_ts, self.weights.freshness_half_life_days
        )
        w = self.weights.criterion_weights()
        return {name: w[name] * np.nan_to_num(v, nan=0.0) for name, v in values.items()}

    # Incremental: a new target folded into existing match lists

    def score_target(self, target_id: str, batch: QueryBatch) -> np.ndarray:
        """Total score of one indexed target for every query in `batch` (−inf where no text
        is shared). Used to fold a newly added listing into existing top-k lists."""
        i = self._pos[target_id]
        text_s = np.zeros(len(batch.ids), dtype=np.float64)
        for name, view in self.views.items():
            row = view.row(i)
            q = batch.q[name]
            if q.shape[1] < row.shape[1]:
                q = q.copy()
                q.resize((q.shape[0], row.shape[1]))
            s = np.asarray((q @ row.T).toarray(), dtype=np.float64).ravel()
            text_s += s / np.maximum(batch.bound[name], 1e-9)
        text_s /= len(self.views)
        cand = np.full((len(batch.ids), 1), i)
        contrib = self._criteria(batch.meta, cand, _timestamp(datetime.now(UTC)))
        total = self.weights.text * text_s
        for v in contrib.values():
            total += v[:, 0]
        total[text_s <= 0] = -np.inf
        return total

    # Explanations

    def explain(self, query: Record, target_id: str, *, now: datetime | None = None) -> Match:
        """The match of one (query, target) pair with its explanation, e.g. for display."""
        batch = self.encode([query])
        i = self._pos[target_id]
        text_s = 0.0
        for name, view in self.views.items():
            s = float((batch.q[name] @ view.row(i).T).toarray()[0, 0])
            text_s += s / max(float(batch.bound[name][0]), 1e-9)
        text_s /= len(self.views)
        contrib = self._criteria(batch.meta, np.array([[i]]), _timestamp(now or datetime.now(UTC)))
        parts = {name: float(v[0, 0]) for name, v in contrib.items()}
        score = self.weights.text * text_s + sum(parts.values())
        expl = self._explanation(query, i, text_s, parts, batch.meta.take(0), score)
        return Match(target_id, score, expl)

    def _explanation(
        self,
        query: Record,
        target: int,
        text_score: float,
        contrib: dict[str, float],
        qmeta: _Meta,
        score: float,
    ) -> Explanation:
        rec = self.records[target]
        demand, offer = (query, rec) if self.side == "achievement" else (rec, query)
        terms, by_field = self._shared_terms(query, rec)
        text_contribution = self.weights.text * text_score
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
        """Words the two listings share, the target's own keywords first, most specific
        first; and how much of the word match each of the target's fields carries."""
        word = self.views.get("word") or next(iter(self.views.values()))
        qtext = text.join_fields([query.title, query.description, *query.keywords])
        qnorm = text.normalize(qtext)
        qtokens = set(word.tokenizer(qtext))
        chosen: list[str] = [k for k in rec.keywords if k and text.normalize(k) in qnorm]
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
            if any(tok in c for c in chosen):
                continue
            chosen = [c for c in chosen if c not in tok] + [tok]
        return tuple(chosen[:5]), by_field


def criterion_values(
    demand: _Meta,
    offer: _Meta,
    target_published: np.ndarray,
    now_ts: float,
    half_life_days: float,
) -> dict[str, np.ndarray]:
    """Each criterion as a value in [-1, 1], NaN when either side lacks the data.

    Broadcasts: one side may be a column of queries, the other a matrix of candidates.
    """
    with np.errstate(invalid="ignore", divide="ignore"):

        def agree(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            known = (a != -1) & (b != -1)
            return np.where(known, np.where(a == b, 1.0, -1.0), np.nan)

        # Maturity: meeting the required TRL is met; each level short costs a third.
        gap = offer.trl - demand.trl
        maturity = np.where(gap >= 0, 1.0, np.maximum(-1.0, gap / 3.0))

        # Price: within the budget's upper end is met; above it, penalised in proportion
        # to the overshoot (twice the budget is fully missed).
        over = offer.price / demand.price - 1.0
        price = np.where(offer.price <= demand.price, 1.0, -np.minimum(1.0, over))
        price = np.where(demand.price > 0, price, np.where(offer.price <= 0, 1.0, price))

        both = (demand.modes != 0) & (offer.modes != 0)
        modes = np.where(both, np.where((demand.modes & offer.modes) != 0, 1.0, -1.0), np.nan)

        same_market = (demand.market >= 0) & (demand.market == offer.market)
        same_province = (demand.province >= 0) & (demand.province == offer.province)
        region_known = ((demand.market >= 0) & (offer.market >= 0)) | (
            (demand.province >= 0) & (offer.province >= 0)
        )
        region = np.where(
            same_market, 1.0, np.where(same_province, 0.5, np.where(region_known, 0.0, np.nan))
        )

        # Freshness of the listing being recommended: +1 when just published, 0 at the
        # half-life, towards −1 for stale listings.
        age_days = np.maximum(0.0, (now_ts - target_published) / 86400.0)
        freshness = 2.0 * np.power(0.5, age_days / half_life_days) - 1.0

    return {
        "field": agree(demand.field, offer.field),
        "industry": agree(demand.industry, offer.industry),
        "maturity": maturity,
        "price": price,
        "modes": modes,
        "region": region,
        "freshness": freshness,
    }


def _criterion(name: str, contribution: float, demand: Record, offer: Record) -> Criterion:
    status = "unknown"
    detail: dict = {}
    if name == "maturity" and demand.trl is not None and offer.trl is not None:
        detail = {"offered": offer.trl, "required": demand.trl}
    elif name == "modes" and demand.modes and offer.modes:
        detail = {"shared": sorted(demand.modes & offer.modes)}
    elif name == "price" and offer.price is not None and demand.price is not None:
        detail = {"price": offer.price, "budget_max": demand.price}
    elif name == "region":
        if demand.market and demand.market == offer.market:
            detail = {"level": "market"}
        elif len(demand.region) >= 2 and demand.region[:2] == offer.region[:2]:
            detail = {"level": "province"}
    if contribution > 0:
        status = "met"
    elif contribution < 0:
        status = "missed"
    elif name == "region" and (demand.region or demand.market) and (offer.region or offer.market):
        status = "missed"
    return Criterion(name, status, contribution, detail)


def _slice(batch: QueryBatch, start: int, stop: int) -> QueryBatch:
    return QueryBatch(
        ids=batch.ids[start:stop],
        records=batch.records[start:stop],
        q={k: v[start:stop] for k, v in batch.q.items()},
        bound={k: v[start:stop] for k, v in batch.bound.items()},
        meta=batch.meta.take(slice(start, stop)),
    )


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

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
from itertools import chain, repeat
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


def _unique_sorted(a: np.ndarray) -> np.ndarray:
    """Sorted distinct values. (`np.unique` is an order of magnitude slower here on int64.)"""
    if not len(a):
        return a
    s = np.sort(a, kind="stable")  # a merge: callers pass concatenated sorted runs
    keep = np.empty(len(s), dtype=bool)
    keep[0] = True
    np.not_equal(s[1:], s[:-1], out=keep[1:])
    return s[keep]


def _count_matrix(rows: np.ndarray, cols: np.ndarray, n_rows: int, width: int) -> sp.csr_matrix:
    m = sp.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)),
        shape=(n_rows, max(width, 1)),
    )
    m.sum_duplicates()
    return m


@dataclass(frozen=True)
class Ngrams:
    """A view of CJK character `n`-grams (and Latin/number words): the tokens of
    `text.cjk_ngrams(value, n)`, computed for many texts at once and kept as int64 keys."""

    n: int


ViewSpec = Tokenizer | Ngrams


class _View:
    """One tokenisation of the text: its vocabulary and statistics, and the BM25F weight
    rows of listings added since the fit. The fitted rows themselves live in the index's
    `_Postings`, fused over all views."""

    def __init__(self) -> None:
        self.idf = np.zeros(0, dtype=np.float32)
        self.avg_len: dict[str, float] = {}
        self.n_docs = 0
        self.n_fit = 0  # terms known at fit time: the columns of the fused postings
        self.extra_rows: list[sp.csr_matrix] = []
        self.extra = sp.csr_matrix((0, 0), dtype=np.float32)

    # Subclasses: how text becomes term counts.

    @property
    def width(self) -> int:
        raise NotImplementedError

    def _field_counts(self, texts: list[str], *, grow: bool) -> sp.csr_matrix:
        raise NotImplementedError

    def _prepare_vocab(self, fields_texts: dict[str, list[str]]) -> None:
        """Called by fit() before counting, with the vocabulary emptied."""

    def _reset_vocab(self) -> None:
        raise NotImplementedError

    # Shared BM25F arithmetic.

    @staticmethod
    def _field_texts(records: Sequence[Record]) -> dict[str, list[str]]:
        return {
            "title": [r.title or "" for r in records],
            "keywords": [text.join_fields(r.keywords) for r in records],
            "description": [r.description or "" for r in records],
        }

    def _fit_texts(self, records: Sequence[Record], shared: dict) -> dict[str, list[str]]:
        return self._field_texts(records)

    def _weights(self, fields_texts: dict[str, list[str]], *, fit: bool) -> sp.csr_matrix:
        counts = {
            name: self._field_counts(texts, grow=True) for name, texts in fields_texts.items()
        }
        lengths = {
            name: np.asarray(m.sum(axis=1), dtype=np.float32).ravel() for name, m in counts.items()
        }
        if fit:
            for name, ln in lengths.items():
                total = float(ln.sum())
                self.avg_len[name] = total / len(ln) if len(ln) and total else 1.0
        width = max(self.width, 1)
        acc = None
        for name, m in counts.items():
            m.resize((m.shape[0], width))
            avg = self.avg_len.get(name) or 1.0
            norm = 1.0 - B + B * lengths[name] / avg
            scaled = sp.diags((FIELD_WEIGHTS[name] / norm).astype(np.float32)) @ m
            acc = scaled if acc is None else acc + scaled
        assert acc is not None
        return acc.tocsr()

    def fit(self, records: Sequence[Record], shared: dict | None = None) -> sp.csr_matrix:
        """Learn the vocabulary and statistics; return the BM25F weights (docs × terms).
        `shared` is a scratch dict the views of one index share during a fit."""
        fields_texts = self._fit_texts(records, {} if shared is None else shared)
        self._reset_vocab()
        self._prepare_vocab(fields_texts)
        self.n_docs = len(records)
        acc = self._weights(fields_texts, fit=True)
        df = np.bincount(acc.indices, minlength=acc.shape[1]).astype(np.float64)
        self.idf = np.log((self.n_docs - df + 0.5) / (df + 0.5) + 1.0).astype(np.float32)
        self.n_fit = self.width
        self.extra_rows, self.extra = [], sp.csr_matrix((0, self.n_fit), dtype=np.float32)
        return self._saturate(acc)

    def _saturate(self, acc: sp.csr_matrix) -> sp.csr_matrix:
        """BM25 saturation and IDF, in place: `acc` is a fresh matrix nobody else holds."""
        out = acc.tocsr()
        d = out.data.astype(np.float32, copy=False)
        denom = d + np.float32(K1)
        d *= np.float32(K1 + 1.0)
        d /= denom
        del denom
        d *= self.idf[out.indices]
        out.data = d
        return out

    def add(self, record: Record) -> None:
        """Append one row with the fitted statistics frozen (IDF, average lengths), as an
        incremental index does; terms never seen get the IDF of a term in one listing."""
        acc = self._weights(self._field_texts([record]), fit=False)
        width = self.width
        if width > self.idf.shape[0]:
            rare = math.log((self.n_docs - 0.5) / 1.5 + 1.0)
            grow = np.full(width - self.idf.shape[0], rare, dtype=np.float32)
            self.idf = np.concatenate([self.idf, grow])
        self.extra_rows.append(self._saturate(acc))
        for m in self.extra_rows:
            m.resize((m.shape[0], width))
        self.extra = sp.vstack(self.extra_rows, format="csr", dtype=np.float32)

    def encode(self, records: Sequence[Record]) -> tuple[sp.csr_matrix, np.ndarray]:
        """Query term weights (term frequency over title, keywords and description: what a
        listing repeats is what it is about) and each query's score upper bound."""
        texts = [text.join_fields([r.title, r.description, *r.keywords]) for r in records]
        q = self._field_counts(texts, grow=False)
        q.resize((q.shape[0], max(self.width, 1)))
        bound = np.asarray(q @ self.idf[: q.shape[1]], dtype=np.float64).ravel() * (K1 + 1.0)
        return q, bound

    def extra_scores(self, q: sp.csr_matrix) -> np.ndarray:
        """Dense (queries × rows added since the fit) BM25F scores."""
        extra = self.extra
        if q.shape[1] != extra.shape[1]:
            width = max(q.shape[1], extra.shape[1])
            q, extra = q.copy(), extra.copy()
            q.resize((q.shape[0], width))
            extra.resize((extra.shape[0], width))
        return np.asarray((q @ extra.T).toarray(), dtype=np.float64)


class _TokenView(_View):
    """Terms from a tokenizer (jieba words by default), numbered in a dict."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        super().__init__()
        self.tokenizer = tokenizer
        self.vocab: dict[str, int] = {}

    @property
    def width(self) -> int:
        return len(self.vocab)

    def _reset_vocab(self) -> None:
        self.vocab = {}

    def _field_counts(self, texts: list[str], *, grow: bool) -> sp.csr_matrix:
        tok, vocab = self.tokenizer, self.vocab
        docs = [tok(t) for t in texts]
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        flat = list(chain.from_iterable(docs))
        if grow:
            new = [t for t in dict.fromkeys(flat) if t not in vocab]
            vocab.update(zip(new, range(len(vocab), len(vocab) + len(new)), strict=True))
            # Every token now has a column: look them up without a Python-level loop.
            cols = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int64, count=len(flat))
        else:
            cols = np.fromiter(
                map(vocab.get, flat, repeat(-1, len(flat))), dtype=np.int64, count=len(flat)
            )
        rows = np.repeat(np.arange(len(docs), dtype=np.int64), lengths)
        keep = cols >= 0
        return _count_matrix(rows[keep], cols[keep], len(docs), len(vocab))


class _NgramView(_View):
    """CJK character n-grams as int64 keys (see `text.ngram_keys`): the fitted vocabulary is
    one sorted array, terms added later a small sorted array beside it."""

    CHUNK = 8192

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self._fitting = False
        self._reset_vocab()

    def _reset_vocab(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)
        self.added_keys = np.zeros(0, dtype=np.int64)
        self.added_cols = np.zeros(0, dtype=np.int64)
        self.latin: dict[str, int] = {}

    @property
    def width(self) -> int:
        return len(self.keys) + len(self.added_keys)

    def _fit_texts(self, records: Sequence[Record], shared: dict) -> dict[str, list[str]]:
        # Normalised once for all the n-gram views of a fit.
        if "normalized" not in shared:
            shared["normalized"] = {
                name: [text.normalize(t) for t in texts]
                for name, texts in self._field_texts(records).items()
            }
        return shared["normalized"]

    def _chunks(self, texts: list[str], *, grow: bool):
        # Texts of a fit arrive normalised; normalising again is a no-op, only slower.
        normalized = self._fitting
        for start in range(0, len(texts), self.CHUNK):
            docs, keys = text.ngram_keys(
                texts[start : start + self.CHUNK],
                self.n,
                self.latin,
                grow=grow,
                normalized=normalized,
            )
            yield start, docs, keys

    def fit(self, records: Sequence[Record], shared: dict | None = None) -> sp.csr_matrix:
        self._fitting = True
        try:
            return super().fit(records, shared)
        finally:
            self._fitting = False

    def _prepare_vocab(self, fields_texts: dict[str, list[str]]) -> None:
        acc = np.zeros(0, dtype=np.int64)
        for texts in fields_texts.values():
            for _start, _docs, keys in self._chunks(texts, grow=True):
                acc = _unique_sorted(np.concatenate([acc, _unique_sorted(keys)]))
        self.keys = acc

    @staticmethod
    def _lookup(sorted_keys: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not len(sorted_keys):
            return np.zeros(len(keys), dtype=np.int64), np.zeros(len(keys), dtype=bool)
        # Sorted needles walk the (large) vocabulary in order: several times faster.
        order = np.argsort(keys, kind="stable")
        pos = np.empty(len(keys), dtype=np.int64)
        pos[order] = np.searchsorted(sorted_keys, keys[order])
        np.minimum(pos, len(sorted_keys) - 1, out=pos)
        return pos, sorted_keys[pos] == keys

    def _cols(self, keys: np.ndarray, *, grow: bool) -> np.ndarray:
        pos, found = self._lookup(self.keys, keys)
        cols = np.where(found, pos, -1)
        missing = ~found
        if missing.any() and (grow or len(self.added_keys)):
            if grow:
                new = _unique_sorted(keys[missing])
                apos, afound = self._lookup(self.added_keys, new)
                new = new[~afound]
                if len(new):
                    start = self.width
                    keys_all = np.concatenate([self.added_keys, new])
                    cols_all = np.concatenate(
                        [self.added_cols, np.arange(start, start + len(new), dtype=np.int64)]
                    )
                    order = np.argsort(keys_all, kind="stable")
                    self.added_keys, self.added_cols = keys_all[order], cols_all[order]
            apos, afound = self._lookup(self.added_keys, keys[missing])
            cols[missing] = np.where(afound, self.added_cols[apos] if len(apos) else -1, -1)
        return cols

    def _field_counts(self, texts: list[str], *, grow: bool) -> sp.csr_matrix:
        rows, cols = [], []
        for start, docs, keys in self._chunks(texts, grow=grow):
            c = self._cols(keys, grow=grow)
            keep = c >= 0
            rows.append(docs[keep] + start)
            cols.append(c[keep])
        if not rows:
            return _count_matrix(np.zeros(0, np.int64), np.zeros(0, np.int64), 0, self.width)
        return _count_matrix(np.concatenate(rows), np.concatenate(cols), len(texts), self.width)


def _make_view(spec: ViewSpec) -> _View:
    if isinstance(spec, Ngrams):
        return _NgramView(spec.n)
    if spec is text.cjk_bigrams:
        return _NgramView(2)
    if spec is text.cjk_trigrams:
        return _NgramView(3)
    return _TokenView(spec)


class _Postings:
    """The fitted rows of every view fused into one term space, split by document frequency.

    The text score of (query, row) is Σ_t w_q(t)·W[row, t] over the terms of all views, where
    w_q folds in the per-view normalisation (1 / (bound · number of views)). Terms in more
    than `common_df` rows ("common": few, but most of the postings, each worth little) are
    kept row-major, to look up for a few candidates; the others ("rare") term-major, to score
    against every row with one sparse product. `common_max[t]` is the largest weight of
    common term t in any row: Σ w_q(t)·common_max[t] bounds what the common terms can add to
    any row, which is what makes the pruned ranking exact (see `Index._text_candidates`).
    """

    def __init__(self, mains: list[sp.csr_matrix], n_docs: int, common_df: int) -> None:
        self.n_docs = n_docs
        if not mains:  # not fitted yet
            mains = [sp.csr_matrix((n_docs, 0), dtype=np.float32)]
        self.rare_map: list[np.ndarray] = []
        self.common_map: list[np.ndarray] = []
        rare_parts, common_parts = [], []
        n_rare = n_common = 0
        for main in mains:
            mt = main.T.tocsr()  # terms × rows
            df = np.diff(mt.indptr)
            common = df > common_df
            rare_idx, common_idx = np.flatnonzero(~common), np.flatnonzero(common)
            rmap = np.full(mt.shape[0], -1, dtype=np.int64)
            rmap[rare_idx] = np.arange(n_rare, n_rare + len(rare_idx))
            cmap = np.full(mt.shape[0], -1, dtype=np.int64)
            cmap[common_idx] = np.arange(n_common, n_common + len(common_idx))
            n_rare += len(rare_idx)
            n_common += len(common_idx)
            self.rare_map.append(rmap)
            self.common_map.append(cmap)
            rare_parts.append(mt[rare_idx])
            common_parts.append(mt[common_idx])
            del mt
        self.n_rare, self.n_common = n_rare, n_common
        self.rare_t = sp.vstack(rare_parts, format="csr", dtype=np.float32)  # rare × rows
        del rare_parts
        self.common_t = sp.vstack(common_parts, format="csr", dtype=np.float32)  # common × rows
        del common_parts
        self.common = self.common_t.T.tocsr()  # rows × common, sorted indices
        self.common.sort_indices()
        ct = self.common_t
        self.common_max = np.zeros(n_common, dtype=np.float64)
        if ct.nnz:
            nonempty = np.diff(ct.indptr) > 0
            self.common_max[nonempty] = np.maximum.reduceat(ct.data, ct.indptr[:-1][nonempty])

    def query(
        self, q: dict[str, sp.csr_matrix], bound: dict[str, np.ndarray]
    ) -> tuple[sp.csr_matrix, np.ndarray]:
        """Fused query weights: rare terms as a sparse matrix (float32, for the product with
        `rare_t`), common terms dense (float64, queries × common terms)."""
        n_q = next(iter(q.values())).shape[0]
        n_views = len(q)
        r_rows, r_cols, r_vals = [], [], []
        qc = np.zeros((n_q, self.n_common), dtype=np.float64)
        for (name, qv), rmap, cmap in zip(q.items(), self.rare_map, self.common_map, strict=True):
            coo = qv.tocoo()
            keep = coo.col < len(rmap)  # terms added after the fit match only added rows
            rows, cols = coo.row[keep].astype(np.int64), coo.col[keep]
            scale = 1.0 / (np.maximum(bound[name], 1e-9) * n_views)
            w = coo.data[keep].astype(np.float64) * scale[rows]
            r, c = rmap[cols], cmap[cols]
            is_rare = r >= 0
            r_rows.append(rows[is_rare])
            r_cols.append(r[is_rare])
            r_vals.append(w[is_rare])
            qc[rows[~is_rare], c[~is_rare]] = w[~is_rare]
        qr = sp.csr_matrix(
            (
                np.concatenate(r_vals).astype(np.float32),
                (np.concatenate(r_rows), np.concatenate(r_cols)),
            ),
            shape=(n_q, max(self.n_rare, 1)),
        )
        qr.sum_duplicates()
        return qr, qc

    def common_scores(self, qc: np.ndarray, q_of: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Σ_t qc[q, t]·W[row, t] over common terms for each (q_of[i], rows[i]) pair, float64.

        Summed in the row's term order whichever path asks, so a pair always gets the same
        value to the last bit."""
        out = np.zeros(len(rows), dtype=np.float64)
        if not len(rows) or not self.n_common:
            return out
        indptr, indices, data = self.common.indptr, self.common.indices, self.common.data
        qc = np.ascontiguousarray(qc)
        flat_qc, n_cols = qc.ravel(), qc.shape[1]
        lens_all = (indptr[rows + 1] - indptr[rows]).astype(np.int64)
        # Bounded temporaries: a few million gathered entries at a time.
        start, budget = 0, 4_000_000
        cum = np.cumsum(lens_all)
        while start < len(rows):
            base = cum[start - 1] if start else 0
            stop = int(np.searchsorted(cum, base + budget, side="right"))
            stop = max(stop, start + 1)
            r, lens = rows[start:stop], lens_all[start:stop]
            total = int(lens.sum())
            if total:
                pair = np.repeat(np.arange(stop - start, dtype=np.int64), lens)
                firsts = indptr[r].astype(np.int64) - (np.cumsum(lens) - lens)
                pos = np.arange(total, dtype=np.int64) + np.repeat(firsts, lens)
                # One flat gather: the same numbers as qc[q, t], much faster.
                w = flat_qc[q_of[start:stop][pair] * n_cols + indices[pos]]
                w *= data[pos]
                out[start:stop] = np.bincount(pair, weights=w, minlength=stop - start)
            start = stop
        return out

    def row_terms(self, i: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Row `i`'s (rare terms, weights, common terms, weights); a scan of the rare
        postings, for the occasional single pair (explanations, one new target)."""
        rt = self.rare_t
        pos = np.flatnonzero(rt.indices == i)
        rare_terms = np.searchsorted(rt.indptr, pos, side="right") - 1
        c = self.common
        a, b = c.indptr[i], c.indptr[i + 1]
        return rare_terms, rt.data[pos], c.indices[a:b], c.data[a:b]

    def pair_scores(self, qr: sp.csr_matrix, qc: np.ndarray, i: int) -> np.ndarray:
        """Text score of fitted row `i` for every query."""
        rare_terms, rare_w, common_terms, common_w = self.row_terms(i)
        s = np.asarray(qr[:, rare_terms] @ rare_w.astype(np.float64), dtype=np.float64).ravel()
        return s + qc[:, common_terms] @ common_w.astype(np.float64)


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
        self._postings = _Postings([], 0, 0)
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
        """Fit on `records`. `workers=2` fits the word view beside the n-gram views: about
        a third faster, but both views' temporaries are alive at once (+~400 MB peak at
        100,000 listings), so it is off by default while the memory target is missed."""
        records = list(records)
        self.ids = [r.id for r in records]
        self.records = records
        self._pos = {rid: i for i, rid in enumerate(self.ids)}
        self.alive = np.ones(len(records), dtype=bool)
        if len(self._pos) != len(records):
            raise ValueError("duplicate record ids in fit()")
        common_df = self.common_df if self.common_df is not None else max(64, len(records) // 64)
        shared: dict = {}
        if any(isinstance(v, _NgramView) for v in self.views.values()):
            # Normalised once, before the views run side by side (see `_NgramView`).
            shared["normalized"] = {
                name: [text.normalize(t) for t in texts]
                for name, texts in _View._field_texts(records).items()
            }
        views = list(self.views.values())
        if workers > 1 and len(views) > 1:
            # The n-gram views are mostly numpy sorts and searches, which release the GIL:
            # they overlap with the word view's Python-level counting.
            # Two lanes, not one thread a view: the n-gram views run one after another so
            # that at most one n-gram view's (large) temporaries are alive at a time.
            lanes = [
                [i for i, v in enumerate(views) if not isinstance(v, _NgramView)],
                [i for i, v in enumerate(views) if isinstance(v, _NgramView)],
            ]

            def run_lane(lane: list[int]) -> list[tuple[int, sp.csr_matrix]]:
                return [(i, views[i].fit(records, shared)) for i in lane]

            with ThreadPoolExecutor(max_workers=2) as pool:
                done = dict(chain.from_iterable(pool.map(run_lane, [la for la in lanes if la])))
            mains = [done.pop(i) for i in range(len(views))]
        else:
            mains = [v.fit(records, shared) for v in views]
        shared.clear()
        self._postings = _Postings(mains, len(records), common_df)
        del mains
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

    def text_scores_for(self, batch: QueryBatch, i: int) -> np.ndarray:
        """Text relevance in [0, 1) of indexed row `i` for every query in `batch`."""
        n_main = self._postings.n_docs
        if i < n_main:
            qr, qc = self._postings.query(batch.q, batch.bound)
            return self._postings.pair_scores(qr, qc, i)
        return self._extra_text(batch)[:, i - n_main]

    def _extra_text(self, batch: QueryBatch) -> np.ndarray:
        """Text relevance of the rows added since the fit, (queries × added rows), float64."""
        n_extra = len(self.ids) - self._postings.n_docs
        total = np.zeros((len(batch.ids), n_extra), dtype=np.float64)
        if not n_extra:
            return total
        for name, view in self.views.items():
            scale = 1.0 / (np.maximum(batch.bound[name], 1e-9) * len(self.views))
            total += view.extra_scores(batch.q[name]) * scale[:, None]
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
        apply to the listings of that market, on one shared index."""
        batch = queries if isinstance(queries, QueryBatch) else self.encode(queries)
        now_ts = _timestamp(now or datetime.now(UTC))
        w = weights or self.weights
        n = len(batch.ids)
        parts = [_slice(batch, s, min(s + batch_size, n)) for s in range(0, n, batch_size)]

        def run(part: QueryBatch) -> list[list[Match]]:
            return self._rank_part(part, k, now_ts, explain, exclude, exhaustive, w)

        if workers > 1 and len(parts) > 1:
            # The sparse product and the large numpy operations release the GIL.
            with ThreadPoolExecutor(max_workers=workers) as pool:
                chunks = list(pool.map(run, parts))
        else:
            chunks = [run(p) for p in parts]
        return [matches for chunk in chunks for matches in chunk]

    def _text_candidates(
        self, part: QueryBatch, c: int, exhaustive: bool
    ) -> tuple[np.ndarray, np.ndarray]:
        """The `c` rows with the highest text score for each query (ties: lower row first),
        as (rows, scores) arrays of shape (queries, c), padded with score 0.

        The text score of a fitted row is S_rare + S_common: S_rare from one sparse product
        over the rare terms' postings (every row), S_common summed from the row's common
        terms (see `_Postings.common_scores`). Both paths compute exactly these numbers for
        the rows they consider; they differ in which rows they consider:

        - pruned: take the c rows with the highest S_rare, compute their full scores; the
          lowest, θ, is a lower bound of the c-th best score. A row's score is at most
          S_rare + U, U = Σ over the query's common terms of w·(the term's largest weight),
          so only rows with S_rare + U ≥ θ can be in the top c: score those, rank them.
          A row with no rare term scores at most U; if U ≥ θ (or fewer than c rows share a
          rare term) the query takes the exhaustive path.
        - exhaustive: approximate scores for every row (one more product, over the common
          postings), then exact scores for every row within 1e-4 of the c-th approximate
          score (float32 rounding is orders of magnitude below that), ranked.
        """
        post = self._postings
        n_q, n_main = len(part.ids), post.n_docs
        qr, qc = post.query(part.q, part.bound)
        alive_main = self.alive[:n_main]
        rare = (qr @ post.rare_t).tocsr() if n_main else sp.csr_matrix((n_q, 0))
        rare.sort_indices()
        extra = self._extra_text(part)
        extra_rows = np.arange(n_main, n_main + extra.shape[1])
        extra_alive = self.alive[n_main:]

        q_rows: list[np.ndarray] = [np.zeros(0, np.int64)] * n_q
        q_sr: list[np.ndarray] = [np.zeros(0)] * n_q
        full: list[int] = []
        # Stage 1: the c best by S_rare.
        s1_q, s1_rows, s1_sr = [], [], []
        for qi in range(n_q):
            a, b = rare.indptr[qi], rare.indptr[qi + 1]
            rows = rare.indices[a:b].astype(np.int64)
            sr = rare.data[a:b]
            keep = alive_main[rows] & (sr > 0)
            rows, sr = rows[keep], sr[keep]
            q_rows[qi], q_sr[qi] = rows, sr
            if exhaustive or len(rows) < c or c == 0:
                full.append(qi)
                continue
            top = np.argpartition(sr, len(sr) - c)[len(sr) - c :] if len(sr) > c else None
            s1_q.append(np.full(c, qi, dtype=np.int64))
            s1_rows.append(rows if top is None else rows[top])
            s1_sr.append(sr if top is None else sr[top])
        pool_rows: list[list[np.ndarray]] = [[] for _ in range(n_q)]
        pool_scores: list[list[np.ndarray]] = [[] for _ in range(n_q)]
        if s1_q:
            q1, r1, sr1 = np.concatenate(s1_q), np.concatenate(s1_rows), np.concatenate(s1_sr)
            exact1 = sr1.astype(np.float64) + post.common_scores(qc, q1, r1)
            # Stage 2 (MaxScore): the query's common terms whose bounds add up to less than
            # θ are "non-essential": a row matching only those cannot reach θ. The others
            # are scored over every row; rows whose bound reaches θ get exact scores.
            s2_q, s2_rows, s2_sr = [], [], []
            common_max = post.common_max
            for j, qi in enumerate(q1[::c].tolist()):
                e1, rows1 = exact1[j * c : (j + 1) * c], r1[j * c : (j + 1) * c]
                theta = float(e1.min())
                terms = np.flatnonzero(qc[qi])
                ub = qc[qi, terms] * common_max[terms] * (1.0 + 1e-6) + 1e-12
                order = np.argsort(ub, kind="stable")
                cum = np.cumsum(ub[order])
                n_ne = int(np.searchsorted(cum, theta, side="left"))  # cum[:n_ne] < θ
                ub_ne = float(cum[n_ne - 1]) if n_ne else 0.0
                essential = terms[order[n_ne:]]
                rows, sr = q_rows[qi], q_sr[qi]
                if len(essential):
                    bound = np.zeros(n_main, dtype=np.float64)
                    bound[rows] = sr
                    bound += post.common_t[essential].T @ (qc[qi, essential] * (1.0 + 1e-6))
                    bound[~alive_main] = 0.0
                    more = np.flatnonzero(bound + ub_ne >= theta)
                    more = more[bound[more] > 0]
                    if len(more) > 8 * c:
                        # Too loose to pay off: score this query in full, reusing the
                        # essential terms' sums as most of its approximate scores.
                        non_essential = terms[order[:n_ne]]
                        if len(non_essential):
                            bound += post.common_t[non_essential].T @ qc[qi, non_essential]
                            bound[~alive_main] = 0.0
                        rows_x, scores_x = self._exhaustive_pool(
                            qr, qc, qi, rows, sr, c, approx=bound, floor=theta - 1e-4
                        )
                        pool_rows[qi], pool_scores[qi] = [rows_x], [scores_x]
                        continue
                    sr_more = np.zeros(len(more), dtype=np.float32)
                    pos = np.searchsorted(rows, more)
                    pos = np.minimum(pos, max(len(rows) - 1, 0))
                    hit = (rows[pos] == more) if len(rows) else np.zeros(len(more), bool)
                    sr_more[hit] = sr[pos[hit]]
                    rows, sr = more, sr_more
                else:
                    keep = sr.astype(np.float64) + ub_ne >= theta
                    rows, sr = rows[keep], sr[keep]
                pool_rows[qi].append(rows1)
                pool_scores[qi].append(e1)
                new = ~np.isin(rows, rows1)
                if new.any():
                    s2_q.append(np.full(int(new.sum()), qi, dtype=np.int64))
                    s2_rows.append(rows[new])
                    s2_sr.append(sr[new])
            if s2_q:
                q2, r2, sr2 = np.concatenate(s2_q), np.concatenate(s2_rows), np.concatenate(s2_sr)
                exact2 = sr2.astype(np.float64) + post.common_scores(qc, q2, r2)
                bounds = np.flatnonzero(np.diff(q2)) + 1
                pieces = zip(
                    np.split(q2, bounds),
                    np.split(r2, bounds),
                    np.split(exact2, bounds),
                    strict=True,
                )
                for qs, rows, scores in pieces:
                    pool_rows[int(qs[0])].append(rows)
                    pool_scores[int(qs[0])].append(scores)
        for qi in sorted(set(full)):
            pool_rows[qi], pool_scores[qi] = self._exhaustive_pool(
                qr, qc, qi, q_rows[qi], q_sr[qi], c
            )
            pool_rows[qi], pool_scores[qi] = [pool_rows[qi]], [pool_scores[qi]]

        out_rows = np.zeros((n_q, c), dtype=np.int64)
        out_scores = np.zeros((n_q, c), dtype=np.float64)
        for qi in range(n_q):
            rows_l, scores_l = pool_rows[qi], pool_scores[qi]
            if extra.shape[1]:
                e = extra[qi]
                ok = extra_alive & (e > 0)
                rows_l = [*rows_l, extra_rows[ok]]
                scores_l = [*scores_l, e[ok]]
            if not rows_l:
                continue
            rows, scores = np.concatenate(rows_l), np.concatenate(scores_l)
            order = np.lexsort((rows, -scores))[:c]
            out_rows[qi, : len(order)] = rows[order]
            out_scores[qi, : len(order)] = scores[order]
        return out_rows, out_scores

    def _exhaustive_pool(
        self, qr, qc, qi, rows, sr, c, approx: np.ndarray | None = None, floor: float = 0.0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Every fitted row that can be in query `qi`'s top `c`, with its exact score.

        `approx`, when given, is the approximate score of every row (dead rows 0), up to a
        relative 1e-6: the pruned path hands over the sums it already made. `floor`, when
        given, is θ − 1e-4 for a θ that at least `c` rows' exact scores reach: no row below
        it can be in the top `c`, and the c-th approximate score is above it."""
        post = self._postings
        n_main = post.n_docs
        if not n_main:
            return np.zeros(0, np.int64), np.zeros(0)
        sr_dense = np.zeros(n_main, dtype=np.float32)
        sr_dense[rows] = sr
        if approx is None:
            terms = np.flatnonzero(qc[qi])
            approx = sr_dense.astype(np.float64)
            if len(terms):
                approx += np.asarray(
                    post.common_t[terms].T @ qc[qi, terms], dtype=np.float64
                ).ravel()
            approx[~self.alive[:n_main]] = 0.0
        positive = np.flatnonzero(approx > 0)
        if floor > 0 and len(positive) > c:
            positive = positive[approx[positive] >= floor]
        if len(positive) > c:
            kth = np.partition(approx[positive], len(positive) - c)[len(positive) - c]
            positive = positive[approx[positive] >= kth - 1e-4]
        exact = sr_dense[positive].astype(np.float64) + post.common_scores(
            qc, np.full(len(positive), qi, dtype=np.int64), positive
        )
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
        kk = min(k, c)
        top = (
            np.argpartition(-total, kk - 1, axis=1)[:, :kk]
            if kk < c
            else np.tile(np.arange(c), (len(part.ids), 1))
        )
        out: list[list[Match]] = []
        for qi, qid in enumerate(part.ids):
            order = top[qi][np.lexsort((cand[qi, top[qi]], -total[qi, top[qi]]))]
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
                        weights,
                    )
                matches.append(Match(tid, float(score), expl))
            out.append(matches)
        return out

    def _criteria(
        self, qmeta: _Meta, cand: np.ndarray, now_ts: float, weights: Weights
    ) -> dict[str, np.ndarray]:
        """Each criterion's contribution for (query, candidate), shape like `cand`."""
        t = self.meta.take(cand)
        q = _Meta(**{f.name: getattr(qmeta, f.name)[:, None] for f in fields(qmeta)})
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
        batch = self.encode([query])
        i = self._pos[target_id]
        text_s = float(self.text_scores_for(batch, i)[0])
        w = weights or self.weights
        now_ts = _timestamp(now or datetime.now(UTC))
        contrib = self._criteria(batch.meta, np.array([[i]]), now_ts, w)
        parts = {name: float(v[0, 0]) for name, v in contrib.items()}
        score = w.text * text_s + sum(parts.values())
        expl = self._explanation(query, i, text_s, parts, batch.meta.take(0), score, w)
        return Match(target_id, score, expl)

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
        """Words the two listings share, the target's own keywords first, most specific
        first; and how much of the word match each of the target's fields carries."""
        token_views = [v for v in self.views.values() if isinstance(v, _TokenView)]
        word = self.views.get("word")
        if not isinstance(word, _TokenView):
            if not token_views:
                return (), {"title": 0.0, "keywords": 0.0, "description": 0.0}
            word = token_views[0]
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

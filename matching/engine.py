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

import contextlib
import ctypes
import gc
import math
import mmap
import multiprocessing
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from itertools import chain, count, repeat
from pathlib import Path
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


def _unique_sorted(a: np.ndarray, *, presorted: bool = False) -> np.ndarray:
    """Sorted distinct values. (`np.unique` is an order of magnitude slower here on int64.)"""
    if not len(a):
        return a
    # A merge: callers pass concatenated sorted runs.
    s = a if presorted else np.sort(a, kind="stable")
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


# A fit counts tokens a chunk of listings at a time: (key, listing in the chunk, field)
# packed in one int64 (key below 2**48, then 13 bits of listing and 2 of field).
_FIT_CHUNK = 8192
_DOC_BITS = 13
_FIELD_BITS = 2


@dataclass
class _ChunkCounts:
    """A chunk's (term, listing) pairs, term-major: each distinct key of the chunk and in
    how many of its listings it occurs; for each pair, the listing (within the chunk) and
    the term's count in each field."""

    start: int
    keys: np.ndarray  # int64, ascending (replaced by their columns once they are known)
    groups: np.ndarray  # uint16, listings per key
    docs: np.ndarray  # uint16, per pair
    counts: np.ndarray  # (fields, pairs), uint8 (wider if a count needs it)


def _count_chunk(parts: list[tuple[np.ndarray, np.ndarray]], start: int) -> _ChunkCounts:
    """Count the tokens of one chunk: `parts` holds each field's (listing in the chunk,
    key) arrays. One sort of the packed tokens puts them in (key, listing, field) order,
    from which the runs give everything."""
    packed = np.concatenate(
        [
            (k << (_DOC_BITS + _FIELD_BITS)) | (d << _FIELD_BITS) | f
            for f, (d, k) in enumerate(parts)
        ]
    )
    n_fields = len(parts)
    if not len(packed):
        return _ChunkCounts(
            start,
            np.zeros(0, np.int64),
            np.zeros(0, np.uint16),
            np.zeros(0, np.uint16),
            np.zeros((n_fields, 0), np.uint8),
        )
    packed.sort()
    new = np.empty(len(packed), dtype=bool)
    new[0] = True
    np.not_equal(packed[1:], packed[:-1], out=new[1:])
    run_start = np.flatnonzero(new)
    del new
    run_len = np.diff(np.append(run_start, len(packed)))
    entry = packed[run_start]  # distinct (key, listing, field)
    del packed, run_start
    pair = entry >> _FIELD_BITS
    new_pair = np.empty(len(pair), dtype=bool)
    new_pair[0] = True
    np.not_equal(pair[1:], pair[:-1], out=new_pair[1:])
    pair_of = np.cumsum(new_pair) - 1
    pairs = pair[new_pair]
    top = run_len.max()
    dtype = np.uint8 if top <= 255 else np.uint16 if top <= 65535 else np.uint32
    counts = np.zeros((n_fields, len(pairs)), dtype=dtype)
    counts[entry & ((1 << _FIELD_BITS) - 1), pair_of] = run_len
    del entry, pair, new_pair, pair_of, run_len
    docs = (pairs & ((1 << _DOC_BITS) - 1)).astype(np.uint16)
    pk = pairs >> _DOC_BITS
    new_key = np.empty(len(pk), dtype=bool)
    new_key[0] = True
    np.not_equal(pk[1:], pk[:-1], out=new_key[1:])
    key_start = np.flatnonzero(new_key)
    groups = np.diff(np.append(key_start, len(pk))).astype(np.uint16)  # <= _FIT_CHUNK
    return _ChunkCounts(start, pk[key_start], groups, docs, counts)


def _chunk_vocabulary(chunks: list[_ChunkCounts], parts: int = 8) -> np.ndarray:
    """The sorted distinct keys of all chunks; each chunk's keys are replaced by their
    columns (int32 where they fit). A range of keys at a time (ranges cut at quantiles of
    the largest chunk's keys): the chunks' keys together are twice the vocabulary, and a
    full copy of them would be the largest array of the fit."""
    if not chunks:
        return np.zeros(0, dtype=np.int64)
    total = sum(len(c.keys) for c in chunks)
    col_dtype = np.int32 if total < np.iinfo(np.int32).max else np.int64
    biggest = max((c.keys for c in chunks), key=len)
    bounds = np.unique(biggest[(np.arange(1, parts) * len(biggest)) // parts])
    cuts = [np.concatenate([[0], np.searchsorted(c.keys, bounds), [len(c.keys)]]) for c in chunks]
    pieces: list[np.ndarray] = []
    cols: list[list[np.ndarray]] = [[] for _ in chunks]
    offset = 0
    for p in range(len(bounds) + 1):
        segs = [c.keys[cut[p] : cut[p + 1]] for c, cut in zip(chunks, cuts, strict=True)]
        u = np.concatenate(segs)
        u.sort(kind="stable")  # a merge of sorted runs
        u = _unique_sorted(u, presorted=True)
        for j, seg in enumerate(segs):
            cols[j].append((np.searchsorted(u, seg) + offset).astype(col_dtype))
        pieces.append(u)
        offset += len(u)
    for c, col in zip(chunks, cols, strict=True):
        c.keys = np.concatenate(col)
    return np.concatenate(pieces)


@dataclass(frozen=True)
class Ngrams:
    """A view of CJK character `n`-grams (and Latin/number words): the tokens of
    `text.cjk_ngrams(value, n)`, computed for many texts at once and kept as int64 keys."""

    n: int


ViewSpec = Tokenizer | Ngrams

# One view's weights, term-major (terms × rows): which terms are common, the rare terms'
# rows and the common terms' rows (see `_Postings`).
_Split = tuple[np.ndarray, sp.csr_matrix, sp.csr_matrix]


class _Encoded:
    """Texts as `text.encode_texts` gives them; sliced by text index without copying."""

    def __init__(self, cp: np.ndarray, lengths: np.ndarray) -> None:
        self.cp, self.lengths = cp, lengths
        self.ends = np.cumsum(lengths)

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, part: slice) -> tuple[np.ndarray, np.ndarray]:
        start, stop, _ = part.indices(len(self.lengths))
        a = int(self.ends[start - 1]) if start else 0
        b = int(self.ends[stop - 1]) if stop > start else a
        return self.cp[a:b], self.lengths[start:stop]


class _FitTexts:
    """The text fields of the records being fitted, for all the views of one fit: strings
    for tokenizers; encoded as code points for n-gram views (`encoded()`). Made before the
    fit workers fork, the code points let them read the text without touching the
    records' string objects, whose reference counts would copy their pages."""

    def __init__(self, records: Sequence[Record]) -> None:
        self.n = len(records)
        self.strings = _View._field_texts(records)
        self._encoded: dict[str, _Encoded] | None = None

    def release(self) -> None:
        self.strings, self._encoded = {}, None

    def encoded(self) -> dict[str, _Encoded]:
        if self._encoded is None:
            self._encoded = {
                name: _Encoded(*text.encode_texts(texts)) for name, texts in self.strings.items()
            }
        return self._encoded


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

    def state(self) -> dict:
        """What `fit` learnt, to send back from a worker process (not the tokenizer)."""
        return {k: v for k, v in self.__dict__.items() if k != "tokenizer"}

    # Subclasses: how text becomes term counts.

    @property
    def width(self) -> int:
        raise NotImplementedError

    def _field_counts(self, texts: list[str], *, grow: bool) -> sp.csr_matrix:
        raise NotImplementedError

    def _fit_fields(self, texts: _FitTexts) -> dict:
        """Each field's texts in the form `_fit_tokens` takes (sliced by listing)."""
        return texts.strings

    def _fit_tokens(self, texts) -> tuple[np.ndarray, np.ndarray]:
        """(text index, key) of every token of `texts` during a fit, text indices ascending.
        Keys are below 2**48 and sort in column order; the vocabulary grows as it goes."""
        raise NotImplementedError

    def _fit_vocab(self, keys: np.ndarray) -> None:
        """Set the fitted vocabulary from the sorted distinct keys of `_fit_tokens`."""

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
        used = None
        if sum(m.nnz for m in counts.values()) * 4 < width:
            # A few listings (`add`) against a vocabulary of millions: scipy's sums and
            # products cost O(columns), so work on the columns in use (kept in order, so
            # the arithmetic is the same) and put them back at the end.
            used = _unique_sorted(np.concatenate([m.indices for m in counts.values()]))
            counts = {
                name: sp.csr_matrix(
                    (m.data, np.searchsorted(used, m.indices), m.indptr),
                    shape=(m.shape[0], max(len(used), 1)),
                )
                for name, m in counts.items()
            }
        acc = None
        for name, m in counts.items():
            if used is None:
                m.resize((m.shape[0], width))
            avg = self.avg_len.get(name) or 1.0
            norm = 1.0 - B + B * lengths[name] / avg
            scaled = sp.diags((FIELD_WEIGHTS[name] / norm).astype(np.float32)) @ m
            acc = scaled if acc is None else acc + scaled
        assert acc is not None
        acc = acc.tocsr()
        if used is not None:
            acc = sp.csr_matrix(
                (acc.data, used[acc.indices], acc.indptr), shape=(acc.shape[0], width)
            )
        return acc

    def fit(self, texts: _FitTexts | Sequence[Record], common_df: int) -> _Split:
        """Learn the vocabulary and statistics; return the BM25F weights, term-major and
        split at `common_df` (see `_split_terms`).

        The same numbers as `_weights` and `_saturate` on count matrices (the tests compare
        them), computed in one pass: the title and keywords tokens of every listing, then
        the descriptions chunk by chunk (the vocabulary grows in the order `_weights` grows
        it), each chunk's tokens packed as (key, listing, field) in one int64 and counted
        with one sort (`_count_chunk`). Once the vocabulary, the document frequencies and
        the average lengths are known, each chunk's weights are computed and written
        straight into their place in the term-major rare and common matrices."""
        if not isinstance(texts, _FitTexts):
            texts = _FitTexts(texts)
        fields_texts = self._fit_fields(texts)
        n = texts.n
        self._reset_vocab()
        self.n_docs = n
        names = list(fields_texts)
        if len(names) > 4:
            raise ValueError("at most 4 text fields fit in the packed keys")
        *head, last = names
        pre = [self._fit_tokens(fields_texts[name]) for name in head]
        lengths = {
            name: np.bincount(d, minlength=n) for name, (d, _k) in zip(head, pre, strict=True)
        }
        lengths[last] = np.zeros(n, dtype=np.int64)
        chunks: list[_ChunkCounts] = []
        last_texts = fields_texts[last]
        for start in range(0, n, _FIT_CHUNK):
            stop = min(n, start + _FIT_CHUNK)
            d_last, k_last = self._fit_tokens(last_texts[start:stop])
            lengths[last][start:stop] = np.bincount(d_last, minlength=stop - start)
            parts = []
            for d, k in pre:
                a, b = np.searchsorted(d, [start, stop])
                parts.append((d[a:b] - start, k[a:b]))
            parts.append((d_last, k_last))
            chunks.append(_count_chunk(parts, start))
            del d_last, k_last, parts
        del pre

        # Vocabulary: the sorted distinct keys; each chunk's keys become columns. Arrays the
        # size of the vocabulary (millions of trigrams) are made one or two at a time: with
        # the chunks' counts they are the fit's peak memory.
        vocab = _chunk_vocabulary(chunks)
        self._fit_vocab(vocab)
        del vocab
        width = max(self.width, 1)
        df_int = np.zeros(width, dtype=np.int64)
        for c in chunks:
            df_int[c.keys] += c.groups  # a chunk's columns are distinct
        # idf as `_View.fit` computes it, one operation at a time, in place.
        idf = np.float64(self.n_docs) - df_int
        idf += 0.5
        denom = df_int + 0.5
        idf /= denom
        del denom
        idf += 1.0
        np.log(idf, out=idf)
        self.idf = _output_array(len(idf), np.float32)
        self.idf[:] = idf
        del idf
        self.n_fit = self.width
        self.extra_rows, self.extra = [], sp.csr_matrix((0, self.n_fit), dtype=np.float32)

        # Field-length normalisation, as in `_weights`.
        scales = []
        for name in names:
            ln = lengths[name].astype(np.float32)
            total = float(ln.sum())
            self.avg_len[name] = total / len(ln) if len(ln) and total else 1.0
            avg = self.avg_len.get(name) or 1.0
            norm = 1.0 - B + B * ln / avg
            scales.append((FIELD_WEIGHTS[name] / norm).astype(np.float32))

        # Where each term's postings go: rare terms and common terms each get their own
        # term-major matrix, postings in listing order (chunks come in listing order).
        common = df_int > common_df
        rare_t = ~common
        n_common = int(np.count_nonzero(common))
        # int32 positions while they fit (as scipy would convert the index pointers).
        pos_dtype = np.int32 if df_int.sum() < np.iinfo(np.int32).max else np.int64
        r_ptr = _output_array(width - n_common + 1, pos_dtype)
        r_ptr[0] = 0
        np.cumsum(df_int[rare_t], out=r_ptr[1:])
        c_ptr = _output_array(n_common + 1, pos_dtype)
        c_ptr[0] = 0
        np.cumsum(df_int[common], out=c_ptr[1:])
        del df_int
        cursor = np.empty(width, dtype=pos_dtype)
        cursor[rare_t] = r_ptr[:-1]
        cursor[common] = c_ptr[:-1]
        del rare_t
        r_docs = _output_array(int(r_ptr[-1]), np.int32)
        r_w = _output_array(int(r_ptr[-1]), np.float32)
        c_docs = _output_array(int(c_ptr[-1]), np.int32)
        c_w = _output_array(int(c_ptr[-1]), np.float32)
        k1, k1p1 = np.float32(K1), np.float32(K1 + 1.0)
        for i in range(len(chunks)):
            c = chunks[i]
            chunks[i] = None  # type: ignore[call-overload]
            ucol, groups = c.keys, c.groups.astype(pos_dtype)
            first = cursor[ucol]
            cursor[ucol] += groups
            gstart = np.cumsum(groups, dtype=pos_dtype) - groups
            pos = np.repeat(first - gstart, groups)
            pos += np.arange(len(c.docs), dtype=pos_dtype)
            gcol = np.repeat(ucol, groups)
            docs = c.docs.astype(np.int32)
            # ((title + keywords) + description) in float32, as the sparse sums add them;
            # a field without the term adds an exact 0.
            w = scales[0][c.start + docs] * c.counts[0].astype(np.float32)
            for f in range(1, len(names)):
                w += scales[f][c.start + docs] * c.counts[f].astype(np.float32)
            # `_saturate`, step by step.
            denom = w + k1
            w *= k1p1
            w /= denom
            w *= self.idf[gcol]
            docs += c.start
            is_common = common[gcol]
            rare = ~is_common
            r_docs[pos[rare]] = docs[rare]
            r_w[pos[rare]] = w[rare]
            c_docs[pos[is_common]] = docs[is_common]
            c_w[pos[is_common]] = w[is_common]
            del c, pos, gcol, docs, w, denom, is_common, rare
        rare_m = sp.csr_matrix((r_w, r_docs, r_ptr), shape=(len(r_ptr) - 1, n))
        common_m = sp.csr_matrix((c_w, c_docs, c_ptr), shape=(n_common, n))
        return common, rare_m, common_m

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
        # Queries see the vocabulary of the last fit only: a word first seen in a listing
        # added since does not score until the next fit. Otherwise every added listing's new
        # words would raise the bound of the queries containing them, and scores stored
        # before would no longer compare with scores computed after.
        if 0 < self.n_fit < q.shape[1]:
            q = q[:, : self.n_fit]
        bound = np.asarray(q @ self.idf[: q.shape[1]], dtype=np.float64).ravel() * (K1 + 1.0)
        return q, bound

    def extra_scores(self, q: sp.csr_matrix, rows: Sequence[int] | None = None) -> np.ndarray:
        """Dense (queries × rows added since the fit, or those `rows` of them) BM25F scores."""
        extra = self.extra if rows is None else self.extra[list(rows)]
        width = q.shape[1]
        # Match the widths on the (small) added rows, never by copying the queries: terms
        # added after the queries were encoded are not in them and cannot score.
        if extra.shape[1] > width:
            extra = extra[:, :width]
        elif extra.shape[1] < width:
            extra = extra.copy()
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
        self._seen = 0

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

    def _fit_tokens(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        # A token's key is the number of tokens seen before its first appearance (one
        # `setdefault` a token, no second lookup): keys sort in order of first appearance,
        # the order `_field_counts` numbers columns in; `_fit_vocab` renumbers them 0, 1, ...
        tok, vocab = self.tokenizer, self.vocab
        docs = [tok(t) for t in texts]
        lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
        total = int(lengths.sum())
        keys = np.fromiter(
            map(vocab.setdefault, chain.from_iterable(docs), count(self._seen)),
            dtype=np.int64,
            count=total,
        )
        self._seen += total
        return np.repeat(np.arange(len(texts), dtype=np.int64), lengths), keys

    def _fit_vocab(self, keys: np.ndarray) -> None:
        ranks = np.searchsorted(keys, np.fromiter(self.vocab.values(), np.int64, len(self.vocab)))
        self.vocab = dict(zip(self.vocab, ranks.tolist(), strict=True))


class _NgramView(_View):
    """CJK character n-grams as int64 keys (see `text.ngram_keys`): the fitted vocabulary is
    one sorted array, terms added later a small sorted array beside it."""

    CHUNK = 8192

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n
        self._reset_vocab()

    def _reset_vocab(self) -> None:
        self.keys = np.zeros(0, dtype=np.int64)
        self.added_keys = np.zeros(0, dtype=np.int64)
        self.added_cols = np.zeros(0, dtype=np.int64)
        self.latin: dict[str, int] = {}

    @property
    def width(self) -> int:
        return len(self.keys) + len(self.added_keys)

    def _chunks(self, texts: list[str], *, grow: bool):
        for start in range(0, len(texts), self.CHUNK):
            docs, keys = text.ngram_keys(
                texts[start : start + self.CHUNK], self.n, self.latin, grow=grow
            )
            yield start, docs, keys

    def _fit_fields(self, texts: _FitTexts) -> dict:
        return texts.encoded()

    def _fit_tokens(self, texts: _Encoded) -> tuple[np.ndarray, np.ndarray]:
        # Folded and cut in numpy, in chunks (the arrays are a few times the text's size).
        docs, keys = [], []
        for start in range(0, len(texts), self.CHUNK):
            cp, lengths = text.fold_encoded(*texts[start : start + self.CHUNK])
            d, k = text.compact_ngram_keys(cp, lengths, self.n, self.latin)
            docs.append(d + start)
            keys.append(k)
        if not docs:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(docs), np.concatenate(keys)

    def _fit_vocab(self, keys: np.ndarray) -> None:
        self.keys = text.compact_to_keys(keys, _output_array(len(keys), np.int64))

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


def _split_terms(main: sp.csr_matrix, common_df: int) -> _Split:
    """Split one view's fitted weights (rows × terms) into rare and common terms."""
    mt = main.T.tocsr()  # terms × rows
    del main
    common = np.diff(mt.indptr) > common_df
    return common, mt[np.flatnonzero(~common)], mt[np.flatnonzero(common)]


def _stack_rows(parts: list[sp.csr_matrix], width: int) -> sp.csr_matrix:
    """vstack of float32 CSR matrices, each part released as soon as it is copied in (the
    caller's list must hold the only other references) to keep the peak low."""
    nnz = sum(p.nnz for p in parts)
    n_rows = sum(p.shape[0] for p in parts)
    data = np.empty(nnz, dtype=np.float32)
    indices = np.empty(nnz, dtype=np.int32)
    indptr = np.zeros(n_rows + 1, dtype=np.int64)
    at = row = 0
    for i in range(len(parts)):
        part = parts[i]
        parts[i] = None  # type: ignore[call-overload]
        data[at : at + part.nnz] = part.data
        indices[at : at + part.nnz] = part.indices
        indptr[row + 1 : row + part.shape[0] + 1] = part.indptr[1:] + at
        at += part.nnz
        row += part.shape[0]
        del part
    if indptr[-1] < np.iinfo(np.int32).max:
        indptr = indptr.astype(np.int32)
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, max(width, 1)))


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

    def __init__(self, splits: list[_Split], n_docs: int) -> None:
        """`splits`: each view's `_split_terms`, in view order. The list is emptied as the
        parts are copied in, so that at most one view's parts are alive twice."""
        self.n_docs = n_docs
        if not splits:  # not fitted yet
            splits = [_split_terms(sp.csr_matrix((n_docs, 0), dtype=np.float32), 0)]
        self.rare_map: list[np.ndarray] = []
        self.common_map: list[np.ndarray] = []
        n_rare = n_common = 0
        # (Not `for common, rare, ... in splits`: the loop variables would keep the last
        # view's parts alive through the stacking below.)
        # Term numbers as int32 while they fit: one entry per term of every view (millions).
        total = sum(len(sp_[0]) for sp_ in splits)
        map_dtype = np.int32 if total < np.iinfo(np.int32).max else np.int64
        for common in [sp_[0] for sp_ in splits]:
            rare_idx, common_idx = np.flatnonzero(~common), np.flatnonzero(common)
            rmap = np.full(len(common), -1, dtype=map_dtype)
            rmap[rare_idx] = np.arange(n_rare, n_rare + len(rare_idx), dtype=map_dtype)
            cmap = np.full(len(common), -1, dtype=map_dtype)
            cmap[common_idx] = np.arange(n_common, n_common + len(common_idx), dtype=map_dtype)
            n_rare += len(rare_idx)
            n_common += len(common_idx)
            self.rare_map.append(rmap)
            self.common_map.append(cmap)
        self.n_rare, self.n_common = n_rare, n_common
        # Only these lists hold the parts from here: each is freed once copied.
        rare_parts, common_parts = [sp_[1] for sp_ in splits], [sp_[2] for sp_ in splits]
        splits.clear()
        self.rare_t = _stack_rows(rare_parts, n_docs)  # rare × rows
        self.common_t = _stack_rows(common_parts, n_docs)  # common × rows
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

        Summed in the row's term order, one pair at a time, whichever path asks: a pair
        always gets the same value to the last bit, which is what lets the pruned and the
        exhaustive rankings be compared for equality."""
        out = np.zeros(len(rows), dtype=np.float64)
        if not len(rows) or not self.n_common:
            return out
        order = np.argsort(q_of, kind="stable")
        q_sorted = q_of[order]
        cuts = np.flatnonzero(np.diff(q_sorted)) + 1
        for sel in np.split(order, cuts):
            out[sel] = self.row_scores(qc[q_of[sel[0]]], rows[sel])
        return out

    def row_scores(self, qc_row: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """`common_scores` for one query (a dense float64 row over the common terms)."""
        if not len(rows) or not self.n_common:
            return np.zeros(len(rows), dtype=np.float64)
        # csr_matvec sums each row sequentially in its (sorted) term order, in float64.
        return np.asarray(self.common[rows] @ qc_row, dtype=np.float64)

    def scan(
        self, qc_row: np.ndarray, terms: np.ndarray, scratch: _Scratch | None = None
    ) -> np.ndarray:
        """Σ over `terms` of qc_row[t]·W[row, t] for every fitted row (dense, float64): one
        pass over those terms' postings, gathered into reusable buffers for one bincount."""
        ptr, ind, data = self.common_t.indptr, self.common_t.indices, self.common_t.data
        terms_l = terms.tolist()
        total = int((ptr[terms + 1] - ptr[terms]).sum()) if len(terms) else 0
        if scratch is None:
            scratch = _Scratch(0)
        rows, w = scratch.buffers(total)
        at = 0
        for t in terms_l:
            a, b = ptr[t], ptr[t + 1]
            rows[at : at + b - a] = ind[a:b]
            np.multiply(data[a:b], qc_row[t], out=w[at : at + b - a])
            at += b - a
        if not at:  # (bincount would return integers)
            return np.zeros(self.n_docs, dtype=np.float64)
        return np.bincount(rows[:at], weights=w[:at], minlength=self.n_docs)

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


class _Scratch:
    """Per-row arrays reused from query to query of one batch (every user puts back the
    zeros it changed): S_rare by row, and which rows have an exact score already."""

    def __init__(self, n_rows: int) -> None:
        self.sr = np.zeros(n_rows, dtype=np.float32)
        self.done = np.zeros(n_rows, dtype=bool)
        self._rows = np.zeros(0, dtype=np.intp)
        self._w = np.zeros(0, dtype=np.float64)

    def buffers(self, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Row and weight buffers of at least `size` postings (for `_Postings.scan`)."""
        if len(self._rows) < size:
            self._rows = np.empty(size + size // 4, dtype=np.intp)
            self._w = np.empty(size + size // 4, dtype=np.float64)
        return self._rows, self._w


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
            splits = self._fit_forked(texts, views, common_df, workers)
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

    def _fit_forked(
        self, texts: _FitTexts, views: list[_View], common_df: int, workers: int
    ) -> list[_Split]:
        """The views' `fit`s in `workers` lanes, this process one of them and forked children
        (which see the texts copy-on-write) the others, balanced by cost: with 3 views and 2
        workers this process fits the trigrams while one child fits the bigrams then the
        words. Two lanes on two cores are as fast as three and keep one view's temporaries
        fewer alive at the peak. A child sends back its weights and its view's fitted state
        through a file in shared memory (`_to_shared`), not a pipe."""
        cost = [2 if isinstance(v, _NgramView) else 1 for v in views]
        # `workers` lanes in all, this process being one: more processes than cores adds no
        # speed, only another view's temporaries alive at the same time (the memory peak).
        lanes: list[list[int]] = [[] for _ in range(min(max(workers, 2), len(views)))]
        for i in sorted(range(len(views)), key=lambda i: -cost[i]):
            min(lanes, key=lambda la: sum(cost[j] for j in la)).append(i)
        lanes.sort(key=lambda la: sum(cost[j] for j in la))
        mine, theirs = lanes[0], lanes[1:]

        def fit_lane(lane: int, conn) -> None:
            global _worker_files
            _worker_files = {}
            sent: set[str] = set()
            try:
                out = [(i, views[i].fit(texts, common_df), views[i].state()) for i in theirs[lane]]
                _release_freed_memory()
                result = _to_shared(out)
                sent = {path for _dtype, _shape, path in result[1] or ()}
                conn.send((True, result))
            except BaseException as exc:  # reported by the parent
                conn.send((False, f"{type(exc).__name__}: {exc}"))
            finally:
                conn.close()
                for _mapped, path in _worker_files.values():
                    if path not in sent:  # copied into the message, or a failed fit's
                        with contextlib.suppress(OSError):
                            os.unlink(path)

        # Plain processes, not a pool: each exits (and frees its memory) once its result is
        # handed over, while the others may still be working.
        context = multiprocessing.get_context("fork")
        children = []
        # Objects that exist now are left out of garbage collection until the children are
        # done: a full collection writes to every object it visits, and each page written
        # in one process stops being shared (the records and their text are most of it).
        gc.freeze()
        try:
            for lane in range(len(theirs)):
                recv, send = context.Pipe(duplex=False)
                proc = context.Process(target=fit_lane, args=(lane, send), daemon=True)
                proc.start()
                send.close()
                children.append((proc, recv))
            done: dict[int, _Split] = {}
            for i in mine:
                done[i] = views[i].fit(texts, common_df)
            _release_freed_memory()
            for _proc, recv in children:
                try:
                    ok, payload = recv.recv()
                except EOFError:
                    raise RuntimeError("a fit worker died without a result") from None
                if not ok:
                    raise RuntimeError(f"a fit worker failed: {payload}")
                for i, split, state in _from_shared(payload):
                    views[i].__dict__.update(state)
                    done[i] = split
        except BaseException:
            for proc, _recv in children:
                proc.kill()
            for proc, _recv in children:
                proc.join()
            # Files of killed workers that never reached us.
            for pid in (proc.pid for proc, _recv in children):
                for path in Path(_SHM_DIR).glob(f"matching-fit-{pid}-*"):
                    with contextlib.suppress(OSError):
                        path.unlink()
            raise
        finally:
            for proc, recv in children:
                recv.close()
                proc.join()
            gc.unfreeze()
        return [done.pop(i) for i in range(len(views))]

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


# Process-level parallelism. Workers are forked, so they see the fitted index without it
# being pickled (and share its memory copy-on-write); only their results travel back.
_FORK_LOCK = threading.Lock()
_forked_job: Callable[[int], object] | None = None


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _run_forked_job(i: int) -> object:
    assert _forked_job is not None
    return _forked_job(i)


def _map_forked(job: Callable[[int], object], n: int, workers: int) -> list:
    """[job(i) for i in range(n)] in `workers` forked processes (results are pickled)."""
    return list(_imap_forked(job, n, workers))


def _imap_forked(job: Callable[[int], object], n: int, workers: int) -> Iterator:
    """job(i) for i in range(n), in order, computed in `workers` forked processes while
    the caller consumes them. The caller must not fork again before it is done."""
    global _forked_job
    with _FORK_LOCK:
        _forked_job = job
        # As in `Index._fit_forked`: objects that exist now stay out of the children's
        # garbage collections, which would write to (and so copy) every page they visit.
        gc.freeze()
        try:
            context = multiprocessing.get_context("fork")
            # The pool forks all its workers on the first submit, with `job` set.
            with ProcessPoolExecutor(max_workers=min(workers, n), mp_context=context) as pool:
                yield from pool.map(_run_forked_job, range(n))
        finally:
            gc.unfreeze()
            _forked_job = None


# Results of forked fit workers (hundreds of MB at 100,000 listings) come back through
# files in shared memory: the worker writes its arrays once, the parent maps the files and
# unlinks them. Pickling them through a pipe would copy them three times and
# hold two copies in the parent at once. Without room in /dev/shm they are pickled.
_SHM_DIR = "/dev/shm"
_SHM_MIN_BYTES = 1 << 16  # smaller arrays travel pickled


# In a fit worker: the files in shared memory backing arrays made by `_output_array`, by
# id of their mapping (the mapping is kept alive here until the worker exits).
_worker_files: dict[int, tuple[mmap.mmap, str]] | None = None


def _release_freed_memory() -> None:
    """Give the memory a fit freed back to the system (glibc keeps freed blocks of up to
    32 MB, which a fit frees by the hundred, for reuse), so that processes working side by
    side do not each hold on to their past peak. A no-op without glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _output_array(size: int, dtype) -> np.ndarray:
    """An empty array for a fit's result: in a fit worker, backed by a file in shared
    memory, so that handing it to the parent copies nothing."""
    dtype = np.dtype(dtype)
    nbytes = size * dtype.itemsize
    if _worker_files is None or not nbytes or not os.path.isdir(_SHM_DIR):
        return np.empty(size, dtype=dtype)
    fd, path = tempfile.mkstemp(prefix=f"matching-fit-{os.getpid()}-", dir=_SHM_DIR)
    try:
        # Reserve the pages now: on a full tmpfs a plain mapping would crash on first write.
        os.posix_fallocate(fd, 0, nbytes)
        mapped = mmap.mmap(fd, nbytes, access=mmap.ACCESS_WRITE)
    except OSError:
        os.unlink(path)
        return np.empty(size, dtype=dtype)
    finally:
        os.close(fd)
    _worker_files[id(mapped)] = (mapped, path)
    return np.frombuffer(mapped, dtype=dtype, count=size)


@dataclass(frozen=True)
class _ArrayRef:
    index: int


@dataclass(frozen=True)
class _CsrRef:
    data: object
    indices: object
    indptr: object
    shape: tuple[int, int]


def _to_shared(obj) -> tuple:
    """(`obj` with its large arrays replaced by references, each array's (dtype, shape,
    file) or None, the arrays themselves if they are not in files). Arrays made by
    `_output_array` are in their files already; the others are written to new ones."""
    arrays: list[np.ndarray] = []

    def pack(x):
        if isinstance(x, sp.csr_matrix):
            return _CsrRef(pack(x.data), pack(x.indices), pack(x.indptr), x.shape)
        if isinstance(x, np.ndarray) and x.nbytes >= _SHM_MIN_BYTES:
            arrays.append(np.ascontiguousarray(x))
            return _ArrayRef(len(arrays) - 1)
        if isinstance(x, tuple | list):
            return type(x)(pack(y) for y in x)
        if isinstance(x, dict):
            return {k: pack(v) for k, v in x.items()}
        return x

    def file_of(a: np.ndarray) -> str | None:
        base = a.base
        while isinstance(base, np.ndarray):
            base = base.base
        if _worker_files and isinstance(base, mmap.mmap) and id(base) in _worker_files:
            if a.nbytes == len(base) and a.ctypes.data == np.frombuffer(base, np.uint8).ctypes.data:
                return _worker_files[id(base)][1]
        return None

    packed = pack(obj)
    # One file per array, so that the parent frees each as soon as it has copied it.
    paths: list[str] = []
    try:
        total = sum(a.nbytes for a in arrays if file_of(a) is None)
        if arrays and os.path.isdir(_SHM_DIR) and shutil.disk_usage(_SHM_DIR).free > 2 * total:
            for a in arrays:
                path = file_of(a)
                if path is None:
                    fd, path = tempfile.mkstemp(prefix=f"matching-fit-{os.getpid()}-", dir=_SHM_DIR)
                    paths.append(path)
                    with os.fdopen(fd, "wb") as f:
                        f.write(a.reshape(-1).view(np.uint8).data)
                else:
                    paths.append(path)
    except OSError:
        paths = []
    if len(paths) == len(arrays) and arrays:
        layout = [(a.dtype.str, a.shape, path) for a, path in zip(arrays, paths, strict=True)]
        return packed, layout, None
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)
    return packed, None, [np.array(a) for a in arrays]


def _map_readonly(fd: int) -> mmap.mmap:
    """A read-only mapping of a whole file, its page tables filled at once where the
    platform can (cheaper than a page fault for each page on first read; read-only, or
    filling them would copy every page)."""
    populate = getattr(mmap, "MAP_POPULATE", 0)
    if populate:
        with contextlib.suppress(OSError, ValueError):
            return mmap.mmap(fd, 0, flags=mmap.MAP_SHARED | populate, prot=mmap.PROT_READ)
    return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)


def _from_shared(result: tuple):
    """The object `_to_shared` packed. Each file is mapped (read-only) and unlinked at
    once: its pages live as long as the array viewing them. Arrays of the views' state are
    copied out (they stay with the index); the weights are only read once, by `_Postings`."""
    packed, layout, arrays = result
    if layout is not None:
        arrays = []
        try:
            for dtype, shape, path in layout:
                count = math.prod(shape)
                if count:
                    with open(path, "rb") as f:
                        mapped = _map_readonly(f.fileno())
                    a = np.frombuffer(mapped, dtype=np.dtype(dtype), count=count)
                else:
                    a = np.zeros(0, dtype=np.dtype(dtype))
                arrays.append(a.reshape(shape))
        finally:
            for _dtype, _shape, path in layout:
                with contextlib.suppress(OSError):
                    os.unlink(path)

    # (`_unpack` is not a closure here: a recursive closure is a reference cycle, which
    # would keep the mapped files alive until the next garbage collection.)
    return [
        (i, _unpack(split, arrays, False), _unpack(state, arrays, True))
        for i, split, state in packed
    ]


def _unpack(x, arrays: list[np.ndarray], copy: bool):
    if isinstance(x, _ArrayRef):
        return arrays[x.index].copy() if copy else arrays[x.index]
    if isinstance(x, _CsrRef):
        parts = tuple(_unpack(y, arrays, copy) for y in (x.data, x.indices, x.indptr))
        return sp.csr_matrix(parts, shape=x.shape)
    if isinstance(x, tuple | list):
        return type(x)(_unpack(y, arrays, copy) for y in x)
    if isinstance(x, dict):
        return {k: _unpack(v, arrays, copy) for k, v in x.items()}
    return x


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

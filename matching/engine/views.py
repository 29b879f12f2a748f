"""Text views: each tokenisation of the listings' text (jieba words, CJK character
n-grams) with its vocabulary, statistics and BM25F weights, and the token counting a fit
does a chunk of listings at a time."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, count, repeat

import numpy as np
import scipy.sparse as sp

from matching import text
from matching.engine.sharedmem import _output_array
from matching.records import Record

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

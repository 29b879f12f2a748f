"""The fitted BM25F rows of every view fused into one term space (`_Postings`), split into
rare terms (term-major, scored against every row at once) and common terms (row-major,
looked up for a few candidates), and the scoring primitives the top-k search uses."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from matching.engine.views import _Split, _split_terms


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

"""Ranking metrics as ../shared/data/README.md defines them, for one query at a time.

`ranked` is the system's order of target ids; `judged` maps target id → grade (> 0 is
relevant; absent means 0). Averaging over queries is the caller's job.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence


def precision_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 5) -> float:
    """Hits in the top k over k (not over the number of results: a short list is no
    excuse)."""
    return sum(1 for t in ranked[:k] if judged.get(t, 0) > 0) / k


def dcg(grades: Sequence[int]) -> float:
    return sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades))


def ndcg_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with gain 2^grade − 1 and a log2 discount; the ideal order sorts all judged
    grades. 0 when nothing is relevant."""
    ideal = dcg(sorted(judged.values(), reverse=True)[:k])
    if ideal <= 0:
        return 0.0
    return dcg([judged.get(t, 0) for t in ranked[:k]]) / ideal


def reciprocal_rank(ranked: Sequence[str], judged: Mapping[str, int]) -> float:
    for i, t in enumerate(ranked):
        if judged.get(t, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def recall_at(ranked: Sequence[str], judged: Mapping[str, int], k: int = 20) -> float:
    relevant = sum(1 for g in judged.values() if g > 0)
    if relevant == 0:
        return 0.0
    return sum(1 for t in ranked[:k] if judged.get(t, 0) > 0) / relevant


METRICS = {
    "P@5": lambda r, j: precision_at(r, j, 5),
    "nDCG@10": lambda r, j: ndcg_at(r, j, 10),
    "MRR": reciprocal_rank,
    "Recall@20": lambda r, j: recall_at(r, j, 20),
}


def evaluate_run(
    run: Mapping[str, Sequence[str]], relevance: Mapping[str, Mapping[str, int]]
) -> dict[str, float]:
    """Each metric averaged over the queries in `relevance` (a query missing from `run`
    counts as an empty ranking)."""
    n = len(relevance)
    if n == 0:
        return {name: 0.0 for name in METRICS}
    return {
        name: sum(fn(run.get(q, ()), judged) for q, judged in relevance.items()) / n
        for name, fn in METRICS.items()
    }

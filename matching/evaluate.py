"""Evaluate the matching engine on gold files, next to the plain BM25 baseline.

    python -m matching.evaluate ../shared/data/matching-gold-dev-textonly.json [more.json ...]

The gold format and the metrics are defined in ../shared/data/README.md. The baseline is
exactly the README's (see `baseline_run`): rank_bm25's BM25Okapi with its defaults over
jieba `cut_for_search` tokens of the lowercased text, an achievement's text being its title,
description and keywords joined by spaces and a demand's its title and description. Both run
in the same process on the same data.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matching import text  # noqa: F401  (quietens jieba's logger before the baseline runs)
from matching.engine.index import Engine
from matching.engine.weights import Weights
from matching.metrics import METRICS, evaluate_run
from matching.records import GoldFormatError, Record, record_from_gold

K = 20


@dataclass
class Gold:
    name: str
    achievements: list[Record]
    demands: dict[str, Record]
    relevance: dict[str, dict[str, int]]


def load_gold(path: str | Path) -> Gold:
    """Read and check a gold file; every problem is a `GoldFormatError` naming the place."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise GoldFormatError(f"{path}: no such file") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GoldFormatError(f"{path}: not UTF-8 JSON ({exc})") from exc
    if not isinstance(data, Mapping):
        raise GoldFormatError(f"{path}: the top level must be an object")
    for key in ("achievements", "demands", "relevance"):
        if key not in data:
            raise GoldFormatError(f"{path}: missing '{key}'")
    if not isinstance(data["achievements"], list) or not isinstance(data["demands"], list):
        raise GoldFormatError(f"{path}: 'achievements' and 'demands' must be lists")
    achievements = [record_from_gold(a, where="achievement") for a in data["achievements"]]
    demands = {d.id: d for d in (record_from_gold(x, where="demand") for x in data["demands"])}
    known = {a.id for a in achievements}
    if len(known) != len(achievements):
        raise GoldFormatError(f"{path}: duplicate achievement ids")
    relevance: dict[str, dict[str, int]] = {}
    if not isinstance(data["relevance"], Mapping):
        raise GoldFormatError(f"{path}: 'relevance' must be an object")
    for did, judged in data["relevance"].items():
        if did not in demands:
            raise GoldFormatError(f"{path}: relevance names unknown demand {did!r}")
        if not isinstance(judged, Mapping):
            raise GoldFormatError(f"{path}: relevance[{did!r}] must be an object")
        unknown = sorted(set(judged) - known)
        if unknown:
            raise GoldFormatError(
                f"{path}: relevance[{did!r}] names unknown achievements {unknown[:5]}"
            )
        bad = [a for a, g in judged.items() if not isinstance(g, int) or g < 0]
        if bad:
            raise GoldFormatError(f"{path}: relevance[{did!r}] has non-integer grades {bad[:5]}")
        relevance[did] = dict(judged)
    return Gold(str(data.get("name") or path.name), achievements, demands, relevance)


def engine_run(gold: Gold, weights: Weights | None = None) -> dict[str, list[str]]:
    engine = Engine(weights).fit(gold.achievements)
    queries = [gold.demands[d] for d in gold.relevance]
    ranked = engine.achievements.rank_many(queries, K)
    return {q.id: [m.target_id for m in r] for q, r in zip(queries, ranked, strict=True)}


def baseline_tokens(value: str) -> list[str]:
    """The baseline's tokens of `value`, as ../shared/data/README.md defines them.

    jieba `cut_for_search` over the lowercased text; a token is kept when it is alphanumeric
    or longer than one character and not only whitespace (punctuation and lone function
    characters drop out).
    """
    import jieba

    return [
        t for t in jieba.cut_for_search(value.lower()) if t.isalnum() or (len(t) > 1 and t.strip())
    ]


def baseline_text(r: Record, *, with_keywords: bool) -> str:
    """A record's baseline text (../shared/data/README.md): title, description and, for an
    achievement, its keywords, joined by spaces. A demand's is title and description."""
    parts = [r.title, r.description]
    if with_keywords:
        parts.extend(r.keywords)
    return " ".join(parts)


def baseline_run(gold: Gold) -> dict[str, list[str]]:
    """The plain-search baseline of ../shared/data/README.md, written out: rank_bm25's
    `BM25Okapi` with its defaults over `baseline_tokens`, achievements' text with keywords,
    demands' without. Ties keep the achievements' file order."""
    import numpy as np
    from rank_bm25 import BM25Okapi

    corpus = [baseline_tokens(baseline_text(a, with_keywords=True)) for a in gold.achievements]
    bm25 = BM25Okapi(corpus)
    ids = [a.id for a in gold.achievements]
    run = {}
    for did in gold.relevance:
        query = baseline_tokens(baseline_text(gold.demands[did], with_keywords=False))
        scores = bm25.get_scores(query)
        order = np.argsort(-scores, kind="stable")[:K]
        run[did] = [ids[i] for i in order]
    return run


def evaluate(gold: Gold) -> dict[str, Any]:
    t0 = time.perf_counter()
    engine = evaluate_run(engine_run(gold), gold.relevance)
    t1 = time.perf_counter()
    baseline = evaluate_run(baseline_run(gold), gold.relevance)
    t2 = time.perf_counter()
    return {
        "engine": engine,
        "baseline": baseline,
        "seconds": {"engine": t1 - t0, "baseline": t2 - t1},
    }


def format_table(gold: Gold, result: Mapping[str, Any]) -> str:
    names = list(METRICS)
    head = f"{'':<14}" + "".join(f"{n:>11}" for n in names) + f"{'seconds':>10}"
    lines = [
        f"{gold.name}: {len(gold.achievements)} achievements, {len(gold.relevance)} demands",
        head,
    ]
    for row in ("engine", "baseline"):
        label = "engine" if row == "engine" else "BM25 baseline"
        values = "".join(f"{result[row][n]:>11.3f}" for n in names)
        lines.append(f"{label:<14}{values}{result['seconds'][row]:>10.2f}")
    delta = "".join(f"{result['engine'][n] - result['baseline'][n]:>+11.3f}" for n in names)
    lines.append(f"{'delta':<14}{delta}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m matching.evaluate", description=__doc__)
    parser.add_argument("gold", nargs="+", help="gold JSON files")
    args = parser.parse_args(argv)
    status = 0
    for path in args.gold:
        try:
            gold = load_gold(path)
        except GoldFormatError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 2
            continue
        result = evaluate(gold)
        print(format_table(gold, result))
        delta = result["engine"]["nDCG@10"] - result["baseline"]["nDCG@10"]
        print(f"nDCG@10 delta vs BM25: {delta:+.3f}\n")
    return status


if __name__ == "__main__":
    sys.exit(main())

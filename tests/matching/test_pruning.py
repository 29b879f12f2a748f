"""The pruned full rematch returns exactly the exhaustive ranking, and the vectorised
n-gram view sees the same tokens as `text.cjk_ngrams`."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from matching import text
from matching.engine.index import Index
from matching.engine.views import DEFAULT_VIEWS
from matching.evaluate import load_gold
from matching.records import Record

DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def _same_rankings(index: Index, queries: list[Record], k: int = 20) -> None:
    fast = index.rank_many(queries, k, explain=False)
    slow = index.rank_many(queries, k, explain=False, exhaustive=True)
    assert len(fast) == len(slow) == len(queries)
    for f, s in zip(fast, slow, strict=True):
        assert [m.target_id for m in f] == [m.target_id for m in s]
        assert [m.score for m in f] == [m.score for m in s]


def _synthetic(n_achievements: int, n_demands: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    chars = [chr(0x4E00 + int(i)) for i in rng.permutation(20000)[:800]]
    p = 1.0 / (np.arange(len(chars)) + 30.0)
    vocab = sorted(
        {
            "".join(chars[j] for j in rng.choice(len(chars), size=n, p=p / p.sum()))
            for n in rng.choice([1, 2, 3, 4], size=6000, p=[0.05, 0.6, 0.22, 0.13])
        }
    )

    def sentence(n: int) -> str:
        ids = (rng.zipf(1.1, size=n) - 1) % len(vocab)
        return "，".join("".join(vocab[t] for t in ids[i : i + 8]) for i in range(0, n, 8))

    achievements = [
        Record(id=f"A{i}", title=sentence(int(rng.integers(4, 12))), description=sentence(80))
        for i in range(n_achievements)
    ]
    demands = [
        Record(id=f"D{i}", title=sentence(int(rng.integers(4, 12))), description=sentence(25))
        for i in range(n_demands)
    ]
    return achievements, demands


@pytest.mark.parametrize("common_df", [None, 20, 60])
def test_pruned_top_k_equals_exhaustive_on_synthetic_text(common_df):
    achievements, demands = _synthetic(3000, 300)
    # jieba is slow and beside the point here: the word view reads whitespace-free text
    # through the same code; the n-gram views are the production ones.
    views = {**DEFAULT_VIEWS, "word": text.cjk_bigrams}
    index = Index("achievement", views=views, common_df=common_df).fit(achievements)
    assert index._postings.n_common > 0
    _same_rankings(index, demands)
    # with rows removed and added after the fit
    index.remove("A1")
    index.remove("A2")
    index.add(achievements[1])
    index.add(Record(id="new", title=demands[0].title, description=demands[0].description))
    _same_rankings(index, demands[:100])


@pytest.mark.parametrize("name", ["matching-gold-dev-textonly.json", "matching-gold-dev.json"])
def test_pruned_top_k_equals_exhaustive_on_gold(name):
    path = DATA / name
    if not path.exists():
        pytest.skip(f"{path} is absent (the gold data lives outside the repository)")
    gold = load_gold(path)
    index = Index("achievement", common_df=25).fit(gold.achievements)
    assert index._postings.n_common > 0
    _same_rankings(index, list(gold.demands.values()))


def test_ngram_keys_are_the_cjk_ngrams():
    texts = [
        "锂离子电池正极材料，循环寿命提高30%。",
        "Lithium NCM-811 电池",
        "锂",
        "锂电",
        "",
        "ｆｕｌｌ－ｗｉｄｔｈ 全角",
    ]
    for n in (2, 3):
        latin: dict[str, int] = {}
        docs, keys = text.ngram_keys(texts, n, latin, grow=True)
        names = {code: tok for tok, code in latin.items()}
        got = Counter(
            (int(d), text.ngram_key_text(k) or names[int(k) & ((1 << 60) - 1)])
            for d, k in zip(docs, keys, strict=True)
        )
        want = Counter((i, tok) for i, t in enumerate(texts) for tok in text.cjk_ngrams(t, n))
        assert got == want


def test_token_cache_feeds_stored_tokens_and_falls_back():
    calls = []

    def fallback(value):
        calls.append(value)
        return value.split()

    cache = text.TokenCache(fallback)
    cache.put("锂离子电池", ["锂离子", "电池"])
    assert cache(text.join_fields(["锂离子电池", "a b"])) == ["锂离子", "电池", "a", "b"]
    assert calls == ["a b"]
    assert cache("a b") == ["a", "b"] and calls == ["a b"]


def test_fit_with_two_workers_gives_the_same_index():
    achievements, demands = _synthetic(1500, 60)
    views = {**DEFAULT_VIEWS, "word": text.cjk_bigrams}
    serial = Index("achievement", views=views, common_df=30).fit(achievements)
    threaded = Index("achievement", views=views, common_df=30).fit(achievements, workers=2)
    a = serial.rank_many(demands, 20)
    b = threaded.rank_many(demands, 20)
    assert [[(m.target_id, m.score) for m in r] for r in a] == [
        [(m.target_id, m.score) for m in r] for r in b
    ]


def _brute_top_queries(index: Index, groups, target: str, k: int) -> list[tuple[str, float]]:
    ids = [qid for batch, _w in groups for qid in batch.ids]
    s = np.concatenate([index.score_target(target, b, weights=w) for b, w in groups])
    order = np.lexsort((np.arange(len(s)), -s))[:k]
    return [(ids[j], float(s[j])) for j in order if np.isfinite(s[j])]


@pytest.mark.parametrize("side", ["achievement", "demand"])
def test_top_queries_is_every_targets_exact_best_queries(side):
    """The achievement side's lists: each target's best queries, with the scores
    `score_target` gives each pair, two markets' weights at once, for fitted rows, a row
    added since the fit, and none for a removed row."""
    from dataclasses import replace

    from matching.engine.weights import Weights

    achievements, demands = _synthetic(600, 120, seed=11)
    fields = ("new_materials", "bio_medicine", None)
    demands = [
        replace(d, field=fields[i % 3], trl=1 + i % 9, price=float(10 + i), market=f"m{i % 2}")
        for i, d in enumerate(demands)
    ]
    achievements = [
        replace(a, field=fields[i % 3], trl=1 + i % 7, price=float(5 + i % 40))
        for i, a in enumerate(achievements)
    ]
    if side == "demand":  # an index of demands, queried by achievements
        achievements, demands = demands[:100], achievements[:500]
        demands = [replace(d, market=f"m{i % 2}") for i, d in enumerate(demands)]
    views = {**DEFAULT_VIEWS, "word": text.cjk_bigrams}
    # Candidates cover every query: then the list is exact against brute force.
    index = Index(side, views=views, candidates=10_000).fit(achievements[:-1])
    index.add(achievements[-1])
    index.remove(achievements[0].id)
    tuned = Weights(field=0.3, maturity=0.0)
    groups = [
        (index.encode([d for d in demands if d.market == "m0"]), Weights()),
        (index.encode([d for d in demands if d.market == "m1"]), tuned),
    ]
    lists = index.top_queries(groups, 10)
    # In forked workers, a step at a time: the same lists.
    assert index.top_queries(groups, 10, workers=2, max_targets=64) == lists
    assert achievements[0].id not in lists
    assert achievements[-1].id in lists
    assert sum(len(v) for v in lists.values()) > 10 * len(lists) // 2
    for target, got in lists.items():
        want = _brute_top_queries(index, groups, target, 10)
        assert [m.target_id for m in got] == [q for q, _s in want], target
        np.testing.assert_allclose([m.score for m in got], [s for _q, s in want], rtol=1e-6)

    # With the default candidates, a pair on both sides' lists has one score.
    index.candidates = 200
    forward = index.rank_many(groups[0][0], 10, weights=Weights())
    reverse = index.top_queries(groups[:1], 10)
    both = 0
    for demand_id, matches in zip(groups[0][0].ids, forward, strict=True):
        for m in matches:
            mine = {r.target_id: r.score for r in reverse.get(m.target_id, [])}
            if demand_id in mine:
                both += 1
                assert mine[demand_id] == pytest.approx(m.score, rel=1e-6)
    assert both > 50


def test_score_all_gives_each_pair_the_score_it_has_everywhere_else():
    """One demand against every row (to fold it into the achievements' own lists): the
    same totals as `score_target` pair by pair, −inf for removed rows, and explanations
    that agree with `explain`."""
    from dataclasses import replace

    from matching.engine.weights import Weights

    achievements, demands = _synthetic(400, 5, seed=3)
    achievements = [
        replace(a, trl=1 + i % 9, field="x" if i % 2 else None) for i, a in enumerate(achievements)
    ]
    views = {**DEFAULT_VIEWS, "word": text.cjk_bigrams}
    index = Index("achievement", views=views).fit(achievements[:-1])
    index.add(achievements[-1])
    index.remove(achievements[1].id)
    tuned = Weights(maturity=0.3)
    for d in demands:
        d = replace(d, trl=5, field="x")
        total, _contrib, _text = index.score_all(d, weights=tuned)
        batch = index.encode([d])
        assert total[1] == -np.inf
        for i, a in enumerate(achievements):
            if i == 1:
                continue
            pair = index.score_target(a.id, batch, weights=tuned)[0]
            assert total[i] == pytest.approx(pair, rel=1e-6, abs=1e-12), a.id
        shown = [a.id for a in achievements[2:6]]
        many = index.explain_targets(d, shown, weights=tuned)
        one = [index.explain(d, t, weights=tuned) for t in shown]
        assert [m.score for m in many] == pytest.approx([m.score for m in one])
        assert [m.explanation.as_dict() for m in many] == [m.explanation.as_dict() for m in one]

"""The fast paths of a full rematch give the reference results: forked rank workers, every
MaxScore split, and the per-batch cache of fused query weights."""

import numpy as np
import pytest

from matching import text
from matching.engine.index import Index
from matching.engine.views import DEFAULT_VIEWS
from matching.engine.workers import _can_fork
from matching.records import Record
from tests.matching.test_pruning import _same_rankings, _synthetic

VIEWS = {**DEFAULT_VIEWS, "word": text.cjk_bigrams}


def _pairs(results):
    return [[(m.target_id, m.score) for m in r] for r in results]


@pytest.mark.skipif(not _can_fork(), reason="fork is not available")
def test_forked_rank_workers_give_the_serial_results():
    achievements, demands = _synthetic(1500, 300, seed=3)
    index = Index("achievement", views=VIEWS, common_df=30).fit(achievements)
    index.remove("A5")
    index.add(Record(id="new", title=demands[0].title, description=demands[0].description))
    serial = index.rank_many(demands, 20, batch_size=64)
    forked = index.rank_many(demands, 20, batch_size=64, workers=2)
    assert _pairs(forked) == _pairs(serial)
    assert all(m.explanation is None for r in forked for m in r)


@pytest.mark.parametrize("split", [0.0, 0.2, 0.9, 5.0])
def test_every_maxscore_split_gives_the_exhaustive_ranking(monkeypatch, split):
    # 0: every common term scanned; 5: none (bounds only); between: both kinds of rows.
    monkeypatch.setattr(Index, "MAXSCORE_SPLIT", split)
    achievements, demands = _synthetic(2000, 120, seed=11)
    index = Index("achievement", views=VIEWS, common_df=25).fit(achievements)
    _same_rankings(index, demands)


def test_cached_query_weights_match_fresh_ones():
    achievements, demands = _synthetic(800, 40, seed=5)
    index = Index("achievement", views=VIEWS, common_df=20).fit(achievements)
    batch, twin = index.encode(demands), index.encode(demands)
    first = index.score_target("A3", batch)
    index.add(Record(id="new", title=demands[1].title, description=demands[1].description))
    # the cached weights are reused after an add (the fitted postings did not change) ...
    assert np.array_equal(index.score_target("A3", batch), first)
    assert np.array_equal(index.score_target("A3", twin), first)
    # ... and not after a refit, which builds new postings
    old = batch._fused[0]
    index.fit(achievements[:400])
    batch = index.encode(demands)
    fresh = index.score_target("A3", batch)
    assert batch._fused[0]() is index._postings and batch._fused[0] is not old
    assert np.array_equal(fresh, index.score_target("A3", index.encode(demands)))

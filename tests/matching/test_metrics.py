import math

import pytest

from matching.metrics import evaluate_run, ndcg_at, precision_at, recall_at, reciprocal_rank

JUDGED = {"a": 2, "b": 1}


def test_precision_at_counts_hits_over_k():
    assert precision_at(["a", "x", "b", "y", "z"], JUDGED, 5) == pytest.approx(0.4)
    assert precision_at(["a"], JUDGED, 5) == pytest.approx(0.2)


def test_ndcg_at_is_one_for_the_ideal_order_and_known_for_a_swap():
    assert ndcg_at(["a", "b", "x"], JUDGED, 10) == pytest.approx(1.0)
    # gains 2^2-1=3 and 2^1-1=1; swapped: 1/1 + 3/log2(3) against 3/1 + 1/log2(3)
    expected = (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))
    assert ndcg_at(["b", "a"], JUDGED, 10) == pytest.approx(expected)


def test_ndcg_at_ideal_uses_all_judged_grades_not_just_retrieved():
    assert ndcg_at(["b"], JUDGED, 10) == pytest.approx(1 / (3 + 1 / math.log2(3)))


def test_reciprocal_rank_of_first_hit():
    assert reciprocal_rank(["x", "y", "b"], JUDGED) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"], JUDGED) == 0.0


def test_recall_at_counts_judged_hits_in_top_k():
    assert recall_at(["x", "a"], JUDGED, 20) == pytest.approx(0.5)
    assert recall_at(["x", "a"], JUDGED, 1) == 0.0


def test_evaluate_run_averages_and_treats_missing_queries_as_empty():
    result = evaluate_run({"q1": ["a", "b"]}, {"q1": JUDGED, "q2": {"c": 1}})
    assert result["MRR"] == pytest.approx(0.5)
    assert result["nDCG@10"] == pytest.approx(0.5)
    assert result["Recall@20"] == pytest.approx(0.5)

from datetime import UTC, datetime, timedelta

import pytest

from matching.engine.index import Engine, Index
from matching.engine.weights import Weights, WeightsError
from matching.records import Record

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def achievement(rid: str, title: str, description: str = "", **kw) -> Record:
    return Record(id=rid, title=title, description=description or title, **kw)


BATTERY = achievement(
    "battery",
    "高镍三元正极材料制备技术",
    "一种锂离子电池高镍三元正极材料的共沉淀制备方法，循环寿命提高30%。",
    keywords=("正极材料", "锂离子电池"),
    field="new_materials",
    trl=6,
    modes=frozenset({"transfer", "license"}),
    price=80.0,
    region="420100",
    market="wuhan",
    published_at=NOW - timedelta(days=10),
)
FOOD = achievement(
    "food",
    "酸奶发酵菌种筛选",
    "从传统发酵食品中筛选高产乳酸菌株，用于酸奶工业化生产。",
    keywords=("乳酸菌", "发酵"),
    field="bio_medicine",
)
ROAD = achievement("road", "沥青路面裂缝检测", "基于图像的沥青路面裂缝自动检测系统。")

DEMAND = Record(
    id="d1",
    title="锂离子电池正极材料技术需求",
    description="我公司需要提高锂离子电池正极材料的循环寿命，希望引进相关科技成果。",
    field="new_materials",
    trl=5,
    modes=frozenset({"license", "joint_development"}),
    price=100.0,
    region="420500",
    market="yichang",
)


@pytest.fixture
def engine() -> Engine:
    return Engine().fit([BATTERY, FOOD, ROAD], [DEMAND])


def test_rank_puts_the_obviously_relevant_achievement_first(engine):
    matches = engine.rank(DEMAND, k=3, now=NOW)
    assert matches[0].target_id == "battery"
    # no text in common is no match at all
    assert "road" not in [m.target_id for m in matches]


def test_explanation_lists_shared_terms_and_met_criteria(engine):
    expl = engine.rank(DEMAND, k=1, now=NOW)[0].explanation
    assert "正极材料" in expl.shared_terms and "锂离子电池" in expl.shared_terms
    status = {c.name: c.status for c in expl.criteria}
    assert status == {
        "text": "met",
        "field": "met",
        "industry": "unknown",
        "maturity": "met",
        "price": "met",
        "modes": "met",
        "region": "met",
        "freshness": "met",
    }
    text = expl.as_text()
    assert text.startswith("领域一致 · 成熟度满足 (TRL 6 ≥ 5) · 价格在预算内 · 合作方式相符 (许可)")
    assert "同省" in text and "关键词: 正极材料、锂离子电池" in text
    assert sum(c.contribution for c in expl.criteria) == pytest.approx(expl.score)


def test_explanation_text_field_split_sums_to_text_contribution(engine):
    text = engine.rank(DEMAND, k=1, now=NOW)[0].explanation.criterion("text")
    assert set(text.detail) == {"title", "keywords", "description"}
    assert sum(text.detail.values()) == pytest.approx(text.contribution, abs=1e-5)


def test_explanation_marks_missed_criteria():
    offer = achievement(
        "early",
        BATTERY.title,
        BATTERY.description,
        field="new_energy",
        trl=3,
        modes=frozenset({"equity"}),
        price=300.0,
        region="110100",
        market="beijing",
    )
    expl = Engine().fit([offer]).rank(DEMAND, k=1, now=NOW)[0].explanation
    status = {c.name: c.status for c in expl.criteria}
    assert status["field"] == status["maturity"] == status["price"] == status["modes"] == "missed"
    assert status["region"] == "missed"
    assert expl.criterion("region").contribution == 0.0
    assert all(expl.criterion(n).contribution < 0 for n in ("field", "maturity", "price"))
    assert "成熟度不足 (TRL 3 < 5)" in expl.as_text() and "价格超出预算" in expl.as_text()


def test_missing_data_neither_rewards_nor_punishes():
    bare = achievement("bare", BATTERY.title, BATTERY.description)
    expl = Engine().fit([bare]).rank(DEMAND, k=1, now=NOW)[0].explanation
    for name in ("field", "industry", "maturity", "price", "modes", "region", "freshness"):
        c = expl.criterion(name)
        assert (c.status, c.contribution) == ("unknown", 0.0), name
    assert expl.score == pytest.approx(expl.criterion("text").contribution)


def test_negotiable_price_is_unknown_not_missed():
    negotiable = achievement("n", BATTERY.title, BATTERY.description, negotiable=True, price=999)
    expl = Engine().fit([negotiable]).rank(DEMAND, k=1, now=NOW)[0].explanation
    assert expl.criterion("price").status == "unknown"


def test_criteria_reorder_equal_text_candidates():
    good = achievement("good", BATTERY.title, BATTERY.description, trl=7)
    poor = achievement("poor", BATTERY.title, BATTERY.description, trl=2)
    ranked = Engine().fit([poor, good]).rank(DEMAND, k=2, now=NOW)
    assert [m.target_id for m in ranked] == ["good", "poor"]


def test_weights_reject_values_outside_bounds():
    with pytest.raises(WeightsError) as err:
        Weights(maturity=0.9)
    assert err.value.name == "maturity"
    with pytest.raises(WeightsError):
        Weights(text=0.1)
    assert Weights(price=0.3).price == 0.3
    assert Weights.bounds()["field"] == (0.0, 0.3)


def test_zero_criterion_weight_removes_its_effect():
    good = achievement("good", BATTERY.title, BATTERY.description, trl=7)
    expl = Engine(Weights(maturity=0.0)).fit([good]).rank(DEMAND, k=1, now=NOW)[0].explanation
    assert expl.criterion("maturity").contribution == 0.0


def test_weights_passed_per_call_override_the_index_weights():
    good = achievement("good", BATTERY.title, BATTERY.description, trl=7)
    poor = achievement("poor", BATTERY.title, BATTERY.description, trl=2)
    index = Index("achievement").fit([poor, good])
    default = index.rank(DEMAND, k=2, now=NOW)
    flat = index.rank_many([DEMAND], k=2, now=NOW, explain=True, weights=Weights(maturity=0.0))
    assert default[0].score > flat[0][0].score
    assert flat[0][0].explanation.criterion("maturity").contribution == 0.0
    batch = index.encode([DEMAND])
    assert index.score_target("good", batch, weights=Weights(maturity=0.0))[0] == pytest.approx(
        flat[0][0].score
    )
    assert index.explain(DEMAND, "good", now=NOW, weights=Weights(maturity=0.0)).score == (
        pytest.approx(flat[0][0].score)
    )


def test_rank_demands_for_an_achievement_is_symmetric(engine):
    other = Record(id="d2", title="酸奶菌种需求", description="需要高产乳酸菌发酵菌种。")
    engine.fit_demands([DEMAND, other])
    matches = engine.rank_demands_for(BATTERY, k=2, now=NOW)
    assert matches[0].target_id == "d1"
    forward = {c.name: c.status for c in engine.rank(DEMAND, k=1, now=NOW)[0].explanation.criteria}
    backward = {c.name: c.status for c in matches[0].explanation.criteria}
    # the same pair is read as (demand, achievement) either way; only freshness differs, as
    # it is the freshness of the listing being recommended (here a demand with no date)
    assert {**forward, "freshness": "-"} == {**backward, "freshness": "-"}


def test_incremental_add_and_remove():
    # the fit knows the battery vocabulary (through a listing since withdrawn)
    old = achievement("old", "锂离子电池正极材料", "锂离子电池正极材料的循环寿命。")
    index = Index("achievement").fit([FOOD, ROAD, old])
    index.remove("old")
    assert index.rank(DEMAND, now=NOW) == []
    index.add(BATTERY)
    assert index.rank(DEMAND, now=NOW)[0].target_id == "battery"
    batch = index.encode([DEMAND])
    assert index.score_target("battery", batch)[0] > 0
    index.remove("battery")
    assert index.rank(DEMAND, now=NOW) == []


def test_words_first_seen_after_the_fit_wait_for_the_next_fit():
    index = Index("achievement").fit([BATTERY, FOOD])
    before = index.rank(DEMAND, now=NOW)[0].score
    # a listing full of words the fit never saw, some of them the demand's own
    index.add(achievement("new", "我公司需要引进相关科技成果", "希望引进相关科技成果。"))
    after = index.rank(DEMAND, now=NOW)
    # stored scores stay comparable with new ones: the battery scores exactly as before
    assert after[0].target_id == "battery" and after[0].score == pytest.approx(before)
    assert "new" not in [m.target_id for m in after]
    refit = Index("achievement").fit([BATTERY, FOOD, index.records[-1]])
    assert "new" in [m.target_id for m in refit.rank(DEMAND, now=NOW)]


def test_bad_input_is_matched_without_error():
    odd = [
        Record(id="empty", title="", description=""),
        Record(id="english", title="Lithium battery cathode", description="High nickel NCM."),
        Record(id="long", title="长文本", description="锂离子电池正极材料。" * 5000),
    ]
    engine = Engine().fit([*odd, BATTERY])
    assert engine.rank(Record(id="q", title="", description=""), now=NOW) == []
    ids = [m.target_id for m in engine.rank(DEMAND, now=NOW)]
    assert "battery" in ids and "long" in ids
    assert engine.rank(Record(id="q", title="cathode", description=""), now=NOW)[0].target_id == (
        "english"
    )


def test_explain_queries_is_explain_for_many_queries_at_once(engine):
    other = Record(
        id="d2",
        title="乳酸菌发酵工艺需求",
        description="希望改进酸奶发酵用乳酸菌。",
        field="bio_medicine",
        market="wuhan",
    )
    index = engine.achievements
    tuned = Weights(field=0.3)
    many = index.explain_queries("battery", [DEMAND, other], [Weights(), tuned], now=NOW)
    one = [
        index.explain(DEMAND, "battery", now=NOW, weights=Weights()),
        index.explain(other, "battery", now=NOW, weights=tuned),
    ]
    assert [m.score for m in many] == pytest.approx([m.score for m in one])
    assert [m.explanation.as_dict() for m in many] == [m.explanation.as_dict() for m in one]

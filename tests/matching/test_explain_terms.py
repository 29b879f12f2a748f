"""The shared terms an explanation names ("关键词") are content words: the technical terms
two listings have in common, never the filler every demand contains (issue 11)."""

from datetime import UTC, datetime, timedelta

import pytest

from matching.engine.index import Engine
from matching.explain import Explanation
from matching.records import Record
from matching.text import is_content_word

NOW = datetime(2025, 6, 1, tzinfo=UTC)
# What explanations used to name: words any demand contains.
FILLER = ("目前", "希望", "落地", "武汉", "月", "由", "2", "c", "150")

# Written the way the market's people write (demo/data/templates.json): an enterprise in
# Wuhan with a target "由目前的…提高到…", a deadline in months, a quote, a wish to 落地.
SOLID_STATE = Record(
    id="solid",
    title="硫化物固态电解质及全固态锂电池制备技术",
    description=(
        "目前液态锂电池存在安全隐患。本成果由武汉某高校团队研发，采用高温固相法制备硫化物"
        "固态电解质，室温离子电导率达到2 mS/c m以上，组装的全固态锂电池循环150次容量保持率"
        "90%。希望与企业合作，6个月内实现中试落地。"
    ),
    keywords=("固态电解质", "锂电池"),
    field="new_materials",
    trl=5,
    region="420100",
    published_at=NOW - timedelta(days=5),
)
CATHODE = Record(
    id="cathode",
    title="高镍三元正极材料表面包覆技术",
    description=(
        "目前高镍三元正极材料循环寿命短。本技术由团队在武汉完成中试，通过快离子导体包覆，"
        "1000次循环容量保持率由目前的80%提高到92%，希望12个月内在企业落地。"
    ),
    keywords=("正极材料", "表面包覆"),
    field="new_materials",
    trl=6,
    published_at=NOW - timedelta(days=5),
)
FEED = Record(
    id="feed",
    title="蛋鸡低蛋白日粮配制技术",
    description="目前养殖成本高。本技术由武汉团队研发，饲料成本降低150元/吨，希望2个月内落地推广。",
    keywords=("低蛋白日粮", "蛋鸡"),
    field="agriculture",
    published_at=NOW - timedelta(days=5),
)
DEMAND = Record(
    id="d1",
    title="动力电池企业固态电解质技术需求",
    description=(
        "我们公司在武汉，主要做锂电池电芯，年产值2亿元左右。目前最头疼的是，液态电解液的锂电池"
        "安全性差，一直没找到好办法。之前也找过设备厂家，报价要150万元，而且不保证效果。"
        "希望合作方在固态电解质、高温固相法方面有研究积累或成功案例。技术成熟、能尽快在我们"
        "这里落地的优先，合作方式可以是技术转让、合作开发。1. 离子电导率由目前的0.5 mS/cm"
        "提高到2 mS/cm以上；2. 在我司现场完成验证，6个月内具备推广应用条件。"
    ),
    keywords=("固态电解质", "锂电池"),
    field="new_materials",
    trl=4,
    region="420100",
)


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine().fit([SOLID_STATE, CATHODE, FEED], [DEMAND])


def _terms(engine, target_id: str) -> tuple[str, ...]:
    matches = {m.target_id: m for m in engine.rank(DEMAND, k=3, now=NOW)}
    return matches[target_id].explanation.shared_terms


def test_explain_terms_name_the_shared_technical_terms(engine):
    terms = _terms(engine, "solid")
    assert terms[:2] == ("固态电解质", "锂电池")
    assert terms == ("固态电解质", "锂电池", "固相法", "电导率", "液态")


def test_explain_terms_name_no_filler(engine):
    for match in engine.rank(DEMAND, k=3, now=NOW):
        terms = match.explanation.shared_terms
        assert not set(terms) & set(FILLER), (match.target_id, terms)
        text = match.explanation.as_text()
        shown = text.split("关键词: ")[1].split("、") if "关键词: " in text else []
        assert not set(shown) & set(FILLER), text


def test_explain_terms_an_unrelated_listing_shares_only_filler(engine):
    # The feed achievement shares 目前、希望、武汉、落地、2、150 with the demand and nothing
    # else: it is named with no keywords at all.
    matches = {m.target_id: m for m in engine.rank(DEMAND, k=3, now=NOW)}
    assert matches["feed"].explanation.shared_terms == ()
    assert "关键词" not in matches["feed"].explanation.as_text()
    # The cathode achievement shares one real term, not the words around it.
    assert matches["cathode"].explanation.shared_terms == ("离子",)


def test_explain_terms_stored_filler_is_dropped_on_the_way_to_a_page():
    stored = {
        "score": 0.8,
        "shared_terms": ["目前", "锂电池", "希望", "武汉", "固态电解质", "2", "c", "150"],
        "criteria": [],
    }
    expl = Explanation.from_dict(stored)
    assert expl.shared_terms == ("锂电池", "固态电解质")
    assert expl.as_text() == "关键词: 锂电池、固态电解质"


@pytest.mark.parametrize("word", FILLER + ("技术", "需求", "企业", "湖北省", "mah", "30%", "2.5"))
def test_is_content_word_rejects_filler(word):
    assert is_content_word(word) is False


@pytest.mark.parametrize(
    "word",
    ("锂电池", "固态电解质", "正极材料", "锂离子电池", "电池", "算法", "乳酸菌", "5g", "pcb"),
)
def test_is_content_word_keeps_technical_terms(word):
    assert is_content_word(word) is True


@pytest.mark.django_db
def test_explain_terms_on_the_demand_page(client, university, enterprise):
    from django.urls import reverse

    from matching import services
    from tests.factories import AchievementFactory, DemandFactory
    from tests.matching.conftest import published

    def fields(record):
        return {
            "title": record.title,
            "description": record.description,
            "keywords": list(record.keywords),
            "field": record.field,
        }

    for record in (SOLID_STATE, CATHODE, FEED):
        published(AchievementFactory, owner=university, **fields(record))
    demand = published(DemandFactory, owner=enterprise, **fields(DEMAND))
    services.rematch_all()
    page = client.get(reverse("listings:detail", args=["demand", demand.pk])).content.decode()
    shown = [
        line.split("关键词: ")[1].split("<")[0].split("、")
        for line in page.splitlines()
        if "关键词: " in line
    ]
    assert shown, page
    assert shown[0][:2] == ["固态电解质", "锂电池"]
    for terms in shown:
        assert not set(terms) & set(FILLER), terms

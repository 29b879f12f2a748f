"""Candidate retrieval through Elasticsearch: the engine still ranks, so the list is the
one the engine's own retrieval gives; without a node, the engine's retrieval is used."""

import pytest

from matching import services
from search.services import search_reindex
from tests.factories import AchievementFactory
from tests.matching.conftest import BATTERY, demand_list, published
from tests.search.conftest import DEAD_NODE, elasticsearch  # noqa: F401

pytestmark = pytest.mark.django_db


def more_batteries(university):
    variants = [
        ("磷酸铁锂正极材料的低成本制备", "磷酸铁锂正极材料，循环寿命长，成本低。", 4),
        ("锂离子电池电解液添加剂", "提高锂离子电池高温循环寿命的电解液添加剂。", 7),
        ("钠离子电池层状氧化物正极", "钠离子电池正极材料，替代部分锂电池应用。", 5),
        ("固态电池硫化物电解质", "全固态锂电池的硫化物电解质及其制备方法。", 3),
    ]
    for title, description, trl in variants:
        published(
            AchievementFactory,
            owner=university,
            **{**BATTERY, "title": title, "description": description, "trl": trl, "keywords": []},
        )


def lists_by_both_retrievals(demand, settings):
    services.rematch_all()
    engine_list = demand_list(demand)
    settings.MATCHING_RETRIEVAL = "elasticsearch"
    services.listing_rematch(kind="demand", pk=demand.pk)
    return engine_list, demand_list(demand)


@pytest.mark.elasticsearch
def test_elasticsearch_candidates_give_the_engines_own_list(
    market_data,
    university,
    elasticsearch,  # noqa: F811
    settings,
):
    more_batteries(university)
    for kind in ("achievement", "demand"):
        search_reindex(kind=kind)
    from search.backends import elastic
    from search.text import analyze

    demand = market_data["demand"]
    # Elasticsearch really is the retriever here: it finds the battery achievements
    found = elastic.similar_ids("achievement", analyze("锂离子电池正极材料"), size=10)
    assert market_data["battery"].pk in found
    engine_list, es_list = lists_by_both_retrievals(demand, settings)
    assert len(engine_list) >= 4
    assert es_list == engine_list


def test_without_a_reachable_node_the_engine_retrieves(market_data, university, settings):
    more_batteries(university)
    settings.ELASTICSEARCH_URL = DEAD_NODE
    engine_list, fallback_list = lists_by_both_retrievals(market_data["demand"], settings)
    assert fallback_list == engine_list
    assert fallback_list[0] == market_data["battery"].pk

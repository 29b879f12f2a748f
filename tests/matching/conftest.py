"""Shared data for the matching tests: a battery achievement that meets a battery demand,
and two that do not; every test starts from an unfitted index."""

from datetime import timedelta

import pytest
from django.utils import timezone

from listings.choices import ListingStatus
from matching.models import Match
from tests.factories import AchievementFactory, DemandFactory


def published(factory, **kwargs):
    modes = kwargs.pop("modes", None)
    return factory(
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now() - timedelta(days=1),
        expires_at=timezone.now() + timedelta(days=100),
        modes=modes,
        **kwargs,
    )


BATTERY = {
    "title": "高镍三元正极材料制备技术",
    "description": "一种锂离子电池高镍三元正极材料的共沉淀制备方法，循环寿命提高30%。",
    "keywords": ["正极材料", "锂离子电池"],
    "field": "new_materials",
    "trl": 6,
    "asking_price": 80,
}
FOOD = {
    "title": "酸奶发酵菌种筛选",
    "description": "从传统发酵食品中筛选高产乳酸菌株，用于酸奶工业化生产。",
    "keywords": ["乳酸菌", "发酵"],
    "field": "bio_medicine",
}
ROAD = {
    "title": "沥青路面裂缝检测",
    "description": "基于图像的沥青路面裂缝自动检测系统。",
    "keywords": ["路面", "裂缝"],
    "field": "electronic_info",
}
NEED = {
    "title": "锂离子电池正极材料技术需求",
    "description": "我公司需要提高锂离子电池正极材料的循环寿命，希望引进相关科技成果。",
    "keywords": ["正极材料"],
    "field": "new_materials",
    "required_trl": 5,
    "budget_min": 20,
    "budget_max": 100,
}


def demand_list(demand) -> list[int]:
    return list(
        Match.objects.filter(demand=demand)
        .exclude(demand_rank=None)
        .order_by("demand_rank")
        .values_list("achievement_id", flat=True)
    )


@pytest.fixture
def market_data(university, enterprise):
    battery = published(AchievementFactory, owner=university, **BATTERY)
    food = published(AchievementFactory, owner=university, **FOOD)
    road = published(AchievementFactory, owner=university, **ROAD)
    demand = published(DemandFactory, owner=enterprise, **NEED)
    return {"battery": battery, "food": food, "road": road, "demand": demand}

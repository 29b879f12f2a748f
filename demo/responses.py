"""A believable history for the 48-hour rule in the demo: brokers answered most older demands
on time, some late, and the newest are still waiting."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from brokers.models import Assignment, BrokerMessage

OPENINGS = [
    "您好，我是负责该需求的技术经纪人{name}。已仔细阅读需求，初步匹配到{n}项相关成果，",
    "您好，{name}为您服务。根据您提出的指标，我们筛选了{n}家高校院所的相关技术，",
    "您好，我是{name}。该需求与我们机构在该领域的成果储备吻合，目前有{n}个候选方案，",
]
CLOSINGS = [
    "建议本周内安排一次线上对接，请告知方便的时间。",
    "方便的话我们先约技术负责人电话沟通，再组织实地考察。",
    "我将整理成果资料发至您的邮箱，并协调发明人参加对接会。",
]


@transaction.atomic
def simulate_broker_responses(*, seed: int = 48) -> int:
    """Back-date assignments to their demand's publication and write first replies."""
    rng = random.Random(seed)
    now = timezone.now()
    assignments = Assignment.objects.filter(
        active=True, first_response_at__isnull=True, messages__isnull=True
    ).select_related("demand", "broker__user")
    replies, answered = [], []
    for assignment in assignments.order_by("pk"):
        published = assignment.demand.published_at
        assignment.assigned_at = published + timedelta(minutes=rng.randint(1, 30))
        answered.append(assignment)
        age_hours = (now - published).total_seconds() / 3600
        roll = rng.random()
        delay = rng.uniform(2, 40) if roll < 0.85 else rng.uniform(50, 90)
        # Recent demands, and a few older ones, are still waiting for their first reply.
        if delay >= age_hours or roll > 0.97:
            continue
        at = published + timedelta(hours=delay)
        name = str(assignment.broker.user)
        body = rng.choice(OPENINGS).format(name=name, n=rng.randint(2, 6)) + rng.choice(CLOSINGS)
        replies.append((assignment, at, body))
        assignment.first_response_at = at
    Assignment.objects.bulk_update(answered, ["assigned_at", "first_response_at"])
    messages = BrokerMessage.objects.bulk_create(
        [BrokerMessage(assignment=a, author=a.broker.user, body=body) for a, _at, body in replies]
    )
    for message, (_a, at, _body) in zip(messages, replies, strict=True):
        message.created_at = at
    BrokerMessage.objects.bulk_update(messages, ["created_at"])
    return len(messages)

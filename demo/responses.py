"""A believable history for the 48-hour rule in the demo: brokers answered most older demands
on time, some late, and the newest are still waiting."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from brokers.choices import MessageSide
from brokers.models import Assignment, BrokerMessage
from brokers.services import assignment_url, thread_url
from market.choices import LISTING_EDITOR_ROLES
from market.models import Membership, Notification

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
    """Back-date assignments to their demand's publication and write first replies; the
    notices about them are dated at their events, and the answered ones closed."""
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
        [
            BrokerMessage(assignment=a, author=a.broker.user, side=MessageSide.BROKER, body=body)
            for a, _at, body in replies
        ]
    )
    for message, (_a, at, _body) in zip(messages, replies, strict=True):
        message.created_at = at
    BrokerMessage.objects.bulk_update(messages, ["created_at"])
    _date_broker_notices(answered)
    _tell_owners(replies, now=now)
    return len(messages)


def _date_broker_notices(assignments: list[Assignment]) -> None:
    """The brokers' "新需求待答复" notices were written as the loader ran: date each at its
    assignment, and close the ones whose demand has been answered since."""
    by_url = {assignment_url(a): a for a in assignments}
    notices = list(Notification.objects.filter(verb="demand.assigned", url__in=by_url))
    for notice in notices:
        assignment = by_url[notice.url]
        notice.created_at = assignment.assigned_at
        notice.done_at = assignment.first_response_at
        # a notice the broker has acted on was read by then
        notice.read_at = assignment.first_response_at
    Notification.objects.bulk_update(notices, ["created_at", "done_at", "read_at"])


def _tell_owners(replies: list[tuple[Assignment, datetime, str]], *, now: datetime) -> None:
    """The demand's people heard of each planted reply when it was sent, as
    `assignment_reply` tells them; only the last few days' are still unread."""
    org_ids = {a.demand.owner_id for a, _at, _body in replies}
    people: dict[int, list[int]] = defaultdict(list)
    for org_id, user_id in (
        Membership.objects.filter(organization_id__in=org_ids, role__in=LISTING_EDITOR_ROLES)
        .values_list("organization_id", "user_id")
        .order_by("user_id")
        .distinct()
    ):
        people[org_id].append(user_id)
    notices, times = [], []
    for assignment, at, body in replies:
        demand = assignment.demand
        for user_id in people[demand.owner_id]:
            notices.append(
                Notification(
                    recipient_id=user_id,
                    verb="demand.reply",
                    title=f"技术经纪人{assignment.broker.user}答复了“{demand.title}”"[:200],
                    body=body,
                    url=thread_url(demand),
                    read_at=None if now - at < timedelta(days=3) else at + timedelta(hours=6),
                )
            )
            times.append(at)
    notices = Notification.objects.bulk_create(notices)
    for notice, at in zip(notices, times, strict=True):
        notice.created_at = at
    Notification.objects.bulk_update(notices, ["created_at"])

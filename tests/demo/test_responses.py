"""The demo's 48-hour history: notices dated at their events, the answered ones handled."""

from datetime import timedelta

import pytest
from django.utils import timezone

from brokers.models import Assignment, BrokerMessage
from brokers.services import demands_assign_unassigned
from demo.responses import simulate_broker_responses
from listings.choices import ListingStatus
from market.models import Notification
from tests.factories import BrokerFactory, DemandFactory

pytestmark = pytest.mark.django_db


def test_demo_notices_are_dated_at_their_events_and_answered_ones_are_done(
    main_market, enterprise, enterprise_user
):
    BrokerFactory(institution__market=main_market)
    now = timezone.now()
    old = [
        DemandFactory(
            owner=enterprise,
            status=ListingStatus.PUBLISHED,
            published_at=now - timedelta(days=10 + i),
        )
        for i in range(4)
    ]
    fresh = DemandFactory(
        owner=enterprise, status=ListingStatus.PUBLISHED, published_at=now - timedelta(minutes=20)
    )
    assert demands_assign_unassigned(email=False) == 5
    replies = simulate_broker_responses()
    assert replies == BrokerMessage.objects.filter(side="broker").count() >= 1
    for assignment in Assignment.objects.select_related("demand"):
        notice = Notification.objects.get(
            verb="demand.assigned", url=f"/brokers/assignments/{assignment.pk}/"
        )
        assert notice.created_at == assignment.assigned_at
        assert assignment.assigned_at > assignment.demand.published_at
        assert notice.done_at == assignment.first_response_at
    waiting = Assignment.objects.get(demand=fresh)
    assert waiting.first_response_at is None
    # the owner heard of every planted reply, at the reply
    told = Notification.objects.filter(recipient=enterprise_user, verb="demand.reply")
    assert sorted(n.created_at for n in told) == sorted(
        BrokerMessage.objects.values_list("created_at", flat=True)
    )
    assert all(n.url.endswith("#broker-thread") for n in told)
    assert {a.demand for a in Assignment.objects.filter(first_response_at__isnull=False)} <= set(
        old
    )

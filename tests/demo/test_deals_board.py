"""The demo's deal boards: each demo broker has a deal in every stage, walked there through
the services, with its history and documents, and a second run adds nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from brokers.choices import DealStage
from brokers.models import Deal, DealDocument
from demo.deals_board import demo_deals_board
from listings.choices import ListingStatus
from market.models import TransitionLog
from tests.factories import AchievementFactory, BrokerFactory, DemandFactory

pytestmark = pytest.mark.django_db


def test_demo_deals_fill_every_stage_with_history_and_documents(
    main_market, university, enterprise, operator
):
    now = timezone.now()
    for _ in range(3):
        DemandFactory(owner=enterprise, status=ListingStatus.PUBLISHED, published_at=now)
        AchievementFactory(owner=university, status=ListingStatus.PUBLISHED, published_at=now)
    broker = BrokerFactory(institution__market=main_market, user__username="broker")
    deals = demo_deals_board(brokers=[broker])
    assert sorted(d.stage for d in deals) == sorted(DealStage.values)
    for deal in deals:
        assert deal.deal_brokers.get().broker == broker
        log = list(
            TransitionLog.objects.filter(object_id=deal.pk, content_type__model="deal")
            .order_by("at", "id")
            .values_list("to_state", "at")
        )
        assert log[0][0] == "lead" and log[-1][0] == deal.stage
        assert [at for _s, at in log] == sorted(at for _s, at in log)
        assert log[0][1] < now - timedelta(days=20)
        assert deal.stage_changed_at == log[-1][1]
    closed = next(d for d in deals if d.stage == DealStage.CLOSED)
    assert sorted(closed.documents.values_list("stage", flat=True)) == [
        "negotiation",
        "performed",
        "signed",
    ]
    lost = next(d for d in deals if d.stage == DealStage.LOST)
    assert (lost.lost_at_stage, bool(lost.lost_note)) == ("negotiation", True)
    counts = (Deal.objects.count(), DealDocument.objects.count(), TransitionLog.objects.count())
    assert demo_deals_board(brokers=[broker]) == deals
    assert counts == (
        Deal.objects.count(),
        DealDocument.objects.count(),
        TransitionLog.objects.count(),
    )

"""Two brokers of one deal moving it at the same moment, in two real transactions on
PostgreSQL: the deal's row lock serves them one after the other, so exactly one step is
taken and the other broker is told who moved the deal and where."""

import pytest
from django.core.exceptions import ValidationError

from brokers import services
from brokers.choices import DealStage, LostReason
from brokers.models import Deal
from market.models import TransitionLog, User
from tests.brokers.deal_world import add_broker, lead_deal
from tests.concurrency import race

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]


def steps_of(deal):
    return list(
        TransitionLog.objects.filter(object_id=deal.pk, content_type__model="deal")
        .exclude(transition="open")
        .order_by("at", "id")
        .values_list("transition", "from_state", "to_state", "by__name")
    )


def advance(deal_pk, user_pk, transition, seen):
    # Each thread loads its own objects, through its own connection.
    return lambda: services.deal_advance(
        deal=Deal.objects.get(pk=deal_pk),
        transition=transition,
        by=User.objects.get(pk=user_pk),
        expected_stage=seen,
    )


def test_two_brokers_advancing_one_deal_at_once(world):
    deal = lead_deal(world)
    add_broker(deal, world.colleague)
    brokers = {world.broker.user.pk: "李文博", world.colleague.user.pk: "王晓燕"}

    outcomes = race(
        advance(deal.pk, world.broker.user.pk, "contact", "lead"),
        advance(deal.pk, world.colleague.user.pk, "contact", "lead"),
    )

    won = [o for o in outcomes if isinstance(o, Deal)]
    lost = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(won), len(lost)) == (1, 1)
    ((transition, source, target, winner),) = steps_of(deal)
    assert (transition, source, target) == ("contact", "lead", "contacted")
    assert winner in brokers.values()
    assert lost[0].code == "stale_stage"
    assert lost[0].messages == [f"这笔交易已被{winner}推进到“对接”，请刷新后查看。"]
    deal.refresh_from_db()
    assert deal.stage == DealStage.CONTACTED


def test_signing_and_losing_one_deal_at_once(world):
    deal = lead_deal(world, stage=DealStage.NEGOTIATION)
    add_broker(deal, world.colleague)

    def lose():
        return services.deal_lose(
            deal=Deal.objects.get(pk=deal.pk),
            by=User.objects.get(pk=world.colleague.user.pk),
            reason=LostReason.PRICE,
            expected_stage="negotiation",
        )

    outcomes = race(advance(deal.pk, world.broker.user.pk, "sign", "negotiation"), lose)

    lost = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(lost) == 1 and lost[0].code == "stale_stage"
    ((transition, source, target, who),) = steps_of(deal)
    deal.refresh_from_db()
    assert source == "negotiation" and deal.stage == target
    if transition == "sign":
        assert (target, who) == ("signed", "李文博")
        assert lost[0].messages == ["这笔交易已被李文博推进到“签约”，请刷新后查看。"]
    else:
        assert (transition, target, who) == ("lose", "lost", "王晓燕")
        assert deal.lost_reason == LostReason.PRICE
        assert lost[0].messages == ["这笔交易已被王晓燕推进到“已流失”，请刷新后查看。"]

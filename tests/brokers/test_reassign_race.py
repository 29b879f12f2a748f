"""Two operators reassigning one demand at the same moment, in two real transactions on
PostgreSQL: the demand's row lock serves them one after the other, so exactly one changes
the assignment and the other is told who did what."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from brokers import services
from brokers.models import Assignment, Broker
from listings.choices import ListingStatus
from listings.models import Demand
from market.choices import OrganizationKind
from market.models import TransitionLog, User
from tests.concurrency import race
from tests.factories import BrokerFactory, DemandFactory, OrganizationFactory, make_operator

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]


def test_two_operators_reassigning_at_once(enterprise, operator, operator_org, main_market):
    institution = OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market
    )
    first, second, third = (
        BrokerFactory(institution=institution, fields=["new_materials"]) for _ in range(3)
    )
    demand = DemandFactory(
        owner=enterprise, status=ListingStatus.PUBLISHED, published_at=timezone.now()
    )
    seen = services.demand_assign_broker(demand=demand)
    assert seen.broker == first
    colleague = make_operator(operator_org, main_market, name="运营小王")

    def reassign(actor_pk, broker_pk):
        # Each thread loads its own objects, through its own connection.
        return lambda: services.demand_reassign(
            demand=Demand.objects.get(pk=demand.pk),
            actor=User.objects.get(pk=actor_pk),
            broker=Broker.objects.get(pk=broker_pk),
            seen_assignment_id=seen.pk,
            reason="超时未答复",
        )

    outcomes = race(reassign(operator.pk, second.pk), reassign(colleague.pk, third.pk))

    won = [o for o in outcomes if isinstance(o, Assignment)]
    lost = [o for o in outcomes if isinstance(o, ValidationError)]
    assert (len(won), len(lost)) == (1, 1)
    (winner,) = won
    winner = Assignment.objects.select_related("broker__user", "assigned_by").get(pk=winner.pk)
    assert lost[0].code == "stale_assignment"
    assert lost[0].messages == [
        f"该需求已被{winner.assigned_by}改派给{winner.broker}。您的操作未执行，请核对后再试。"
    ]
    active = Assignment.objects.get(demand=demand, active=True)
    assert active == winner and active.broker in (second, third)
    assert Assignment.objects.filter(demand=demand).count() == 2
    assert (
        TransitionLog.objects.filter(object_id=demand.pk, transition="reassign_broker").count() == 1
    )

"""Two people acting on one listing at the same moment: exactly one wins, the other is told."""

import pytest
from django.core.exceptions import ValidationError

from listings import services
from listings.choices import ListingStatus
from listings.models import Demand
from market.models import TransitionLog
from tests.concurrency import race
from tests.factories import DemandFactory, MembershipFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]


def test_two_operators_deciding_at_once(enterprise, operator, operator_org, main_market):
    second_operator = MembershipFactory(
        organization=operator_org, role="operator", market=main_market
    ).user
    demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED)
    outcomes = race(
        lambda: services.listing_approve(listing=Demand(pk=demand.pk), actor=operator),
        lambda: services.listing_reject(
            listing=Demand(pk=demand.pk), actor=second_operator, reason="信息不完整"
        ),
    )
    errors = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(errors) == 1
    assert "不能执行" in errors[0].messages[0]
    demand.refresh_from_db()
    assert demand.status in {ListingStatus.PUBLISHED, ListingStatus.REJECTED}
    assert TransitionLog.objects.filter(object_id=demand.pk).count() == 1


def test_double_click_submit_from_two_requests(enterprise, enterprise_user):
    demand = DemandFactory(owner=enterprise)
    outcomes = race(
        lambda: services.listing_submit(listing=Demand(pk=demand.pk), actor=enterprise_user),
        lambda: services.listing_submit(listing=Demand(pk=demand.pk), actor=enterprise_user),
    )
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert TransitionLog.objects.filter(object_id=demand.pk, transition="submit").count() == 1

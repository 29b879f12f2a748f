"""Bidding under real concurrency on PostgreSQL: two callbacks for one deposit settle it
once, and bids at the same moment leave exactly one best."""

from decimal import Decimal

import pytest
from django.test import Client

from brokers import services
from brokers.models import Bid, BidderQualification, Lot, Payment
from market.models import Organization, User
from tests.brokers.deal_world import list_lot
from tests.concurrency import race
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]


def _lot(university, university_user):
    return list_lot(university, university_user)


def test_two_callbacks_at_once_settle_once(
    university, university_user, enterprise, enterprise_user
):
    lot = _lot(university, university_user)
    q = services.lot_qualify(lot=lot, organization=enterprise, actor=enterprise_user)
    url = q.payment.get_process_url() + "?verification_result=confirmed"
    seen = []

    def callback():
        response = Client().get(url)
        seen.append(BidderQualification.objects.get(pk=q.pk).paid_at)
        return response.status_code

    assert race(callback, callback) == [302, 302]
    q.refresh_from_db()
    payment = Payment.objects.get(pk=q.payment_id)
    assert q.paid_at is not None and payment.settled_at is not None
    assert set(seen) == {q.paid_at}


def test_concurrent_bids_leave_exactly_one_best(university, university_user, main_market):
    lot = _lot(university, university_user)
    bidders = []
    for i in range(3):
        org = OrganizationFactory(name=f"竞买企业{i}", market=main_market)
        user = MembershipFactory(organization=org).user
        q = services.lot_qualify(lot=lot, organization=org, actor=user)
        Client().get(q.payment.get_process_url() + "?verification_result=confirmed")
        bidders.append((org.pk, user.pk))

    def bid(org_pk, user_pk):
        return lambda: services.bid_place(
            lot=Lot.objects.get(pk=lot.pk),
            organization=Organization.objects.get(pk=org_pk),
            actor=User.objects.get(pk=user_pk),
            amount=Decimal("100"),
        )

    outcomes = race(*(bid(o, u) for o, u in bidders))
    won = [o for o in outcomes if isinstance(o, Bid)]
    refused = [o for o in outcomes if not isinstance(o, Bid)]
    assert len(won) == 1 and len(refused) == 2
    for exc in refused:
        assert exc.messages == [
            "当前最高出价为 100.00 万元，加价幅度 5.00 万元，出价不能低于 105.00 万元。"
        ]
    assert Bid.objects.filter(lot=lot).count() == 1
    assert services.lot_best_bid(lot) == won[0]

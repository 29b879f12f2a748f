"""Public listing with bidding (挂牌竞价): listing, deposits through the payments callback,
bids refused with a reason, and closing that opens the winner's deal and refunds the rest."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from payments import PaymentStatus

from brokers import services
from brokers.choices import DealSource, DealStage, LotStatus, TradeMode
from brokers.models import Bid, BidderQualification, Deal, Lot, Payment
from listings.choices import ListingStatus
from market.choices import OrganizationKind
from tests.factories import AchievementFactory, BrokerFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lot(university, university_user, main_market):
    achievement = AchievementFactory(
        owner=university,
        title="一种固态电解质",
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now(),
    )
    broker = BrokerFactory(
        institution=OrganizationFactory(
            kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market
        )
    )
    return services.lot_list(
        achievement=achievement,
        actor=university_user,
        reserve_price=Decimal("100"),
        increment=Decimal("5"),
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=1),
        deposit=Decimal("5000"),
        broker=broker,
    )


def _pay(client, qualification):
    url = qualification.payment.get_process_url() + "?verification_result=confirmed"
    return client.get(url)


def _qualified(client, lot, org, user):
    q = services.lot_qualify(lot=lot, organization=org, actor=user)
    assert _pay(client, q).status_code == 302
    q.refresh_from_db()
    return q


def _due(lot):
    Lot.objects.filter(pk=lot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))


def test_only_the_sellers_people_list(university, enterprise_user):
    from django.core.exceptions import PermissionDenied

    achievement = AchievementFactory(owner=university, status=ListingStatus.PUBLISHED)
    with pytest.raises(PermissionDenied):
        services.lot_list(
            achievement=achievement,
            actor=enterprise_user,
            reserve_price=Decimal("1"),
            increment=Decimal("1"),
            opens_at=timezone.now(),
            closes_at=timezone.now() + timedelta(days=1),
            deposit=Decimal("1"),
        )


def test_lot_page_is_public(client, lot):
    response = client.get(reverse("brokers:lot", args=[lot.pk]))
    assert response.status_code == 200
    assert "一种固态电解质" in response.content.decode()


def test_repeated_callback_settles_the_deposit_once(client, lot, enterprise, enterprise_user):
    q = services.lot_qualify(lot=lot, organization=enterprise, actor=enterprise_user)
    assert q.paid_at is None
    assert _pay(client, q).url == lot.get_absolute_url()
    q.refresh_from_db()
    payment = Payment.objects.get(pk=q.payment_id)
    first_paid, first_settled = q.paid_at, payment.settled_at
    assert first_paid is not None and payment.status == PaymentStatus.CONFIRMED
    _pay(client, q)
    q.refresh_from_db()
    payment.refresh_from_db()
    assert (q.paid_at, payment.settled_at) == (first_paid, first_settled)


def test_qualify_twice_gives_one_qualification(client, lot, enterprise, enterprise_user):
    client.force_login(enterprise_user)
    for _ in range(2):
        client.post(reverse("brokers:lot_qualify", args=[lot.pk]), {"organization": enterprise.pk})
    assert BidderQualification.objects.filter(lot=lot).count() == 1


def test_bid_before_qualifying_refused(lot, enterprise, enterprise_user):
    with pytest.raises(ValidationError) as exc:
        services.bid_place(
            lot=lot, organization=enterprise, actor=enterprise_user, amount=Decimal("200")
        )
    assert exc.value.messages == ["请先缴纳保证金，取得竞买资格后再出价。"]


def test_bids_below_reserve_or_increment_refused(client, lot, enterprise, enterprise_user):
    _qualified(client, lot, enterprise, enterprise_user)
    with pytest.raises(ValidationError) as exc:
        services.bid_place(
            lot=lot, organization=enterprise, actor=enterprise_user, amount=Decimal("99")
        )
    assert exc.value.messages == ["出价不能低于底价 100.00 万元。"]
    services.bid_place(
        lot=lot, organization=enterprise, actor=enterprise_user, amount=Decimal("100")
    )
    with pytest.raises(ValidationError) as exc:
        services.bid_place(
            lot=lot, organization=enterprise, actor=enterprise_user, amount=Decimal("104")
        )
    assert exc.value.messages == [
        "当前最高出价为 100.00 万元，加价幅度 5.00 万元，出价不能低于 105.00 万元。"
    ]
    assert Bid.objects.filter(lot=lot).count() == 1


def test_bid_after_closing_refused(client, lot, enterprise, enterprise_user):
    _qualified(client, lot, enterprise, enterprise_user)
    _due(lot)
    with pytest.raises(ValidationError) as exc:
        services.bid_place(
            lot=lot, organization=enterprise, actor=enterprise_user, amount=Decimal("200")
        )
    assert exc.value.code == "closed"
    assert "截止" in exc.value.messages[0]


def test_bid_over_http_shows_the_refusal(client, lot, enterprise, enterprise_user):
    _qualified(client, lot, enterprise, enterprise_user)
    client.force_login(enterprise_user)
    response = client.post(
        reverse("brokers:lot_bid", args=[lot.pk]),
        {"organization": enterprise.pk, "amount": "50"},
        follow=True,
    )
    assert "出价不能低于底价" in response.content.decode()


def test_closing_opens_the_winners_deal_and_refunds_the_others(
    client, lot, enterprise, enterprise_user, other_enterprise, other_enterprise_user
):
    q1 = _qualified(client, lot, enterprise, enterprise_user)
    q2 = _qualified(client, lot, other_enterprise, other_enterprise_user)
    services.bid_place(
        lot=lot, organization=enterprise, actor=enterprise_user, amount=Decimal("100")
    )
    services.bid_place(
        lot=lot, organization=other_enterprise, actor=other_enterprise_user, amount=Decimal("120")
    )
    with pytest.raises(ValidationError):
        services.lot_close(lot=lot)
    _due(lot)
    call_command("close_lots", stdout=open("/dev/null", "w"))
    lot.refresh_from_db()
    assert lot.status == LotStatus.SOLD
    deal = lot.deal
    assert (deal.stage, deal.trade_mode, deal.source) == (
        DealStage.SIGNED,
        TradeMode.BIDDING,
        DealSource.BIDDING,
    )
    assert (deal.buyer, deal.seller, deal.expected_amount) == (
        other_enterprise,
        lot.seller,
        Decimal("120.00"),
    )
    assert deal.deal_brokers.get().broker == lot.broker
    loser, winner = Payment.objects.get(pk=q1.payment_id), Payment.objects.get(pk=q2.payment_id)
    assert loser.status == PaymentStatus.REFUNDED and loser.refunded_at is not None
    assert winner.status == PaymentStatus.CONFIRMED and winner.deal == deal
    refunded_at = loser.refunded_at
    services.lot_close(lot=lot)
    loser.refresh_from_db()
    assert loser.refunded_at == refunded_at
    assert Deal.objects.filter(source=DealSource.BIDDING).count() == 1


def test_closing_without_bids_is_unsold_and_refunds(client, lot, enterprise, enterprise_user):
    q = _qualified(client, lot, enterprise, enterprise_user)
    _due(lot)
    lot = services.lot_close(lot=lot)
    assert lot.status == LotStatus.UNSOLD and lot.deal is None
    assert Payment.objects.get(pk=q.payment_id).status == PaymentStatus.REFUNDED


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-inf", "1e20", "12.345", "十万"])
def test_bid_that_is_not_an_amount_is_refused_plainly(
    client, lot, enterprise, enterprise_user, amount
):
    _qualified(client, lot, enterprise, enterprise_user)
    client.force_login(enterprise_user)
    response = client.post(
        reverse("brokers:lot_bid", args=[lot.pk]),
        {"organization": enterprise.pk, "amount": amount},
        follow=True,
    )
    assert response.status_code == 200
    assert "请填写出价金额" in response.content.decode()
    assert not Bid.objects.filter(lot=lot).exists()

"""Listing with bidding in the browser's pages: the achievement's page leads its holder to
list it and everyone else to the listed lot; the listing form names the broker who works
the winning deal; after closing, each bidder's section says how it ended, the loser's
deposit refunded and the winner's deal linked."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from brokers import services
from brokers.models import Lot
from listings.choices import ListingStatus
from market.choices import OrganizationKind
from tests.brokers.deal_world import list_lot
from tests.factories import (
    AchievementFactory,
    BrokerFactory,
    MembershipFactory,
    OrganizationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def achievement(university):
    return AchievementFactory(
        owner=university,
        title="一种固态电解质",
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now(),
    )


@pytest.fixture
def broker(main_market):
    return BrokerFactory(
        user__name="李文博",
        institution=OrganizationFactory(
            kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market
        ),
    )


def test_the_achievement_page_leads_to_listing_and_to_the_lot(
    client, achievement, university_user, enterprise_user, broker
):
    page = reverse("listings:detail", args=["achievement", achievement.pk])
    new = reverse("brokers:lot_new", args=[achievement.pk])
    assert new not in client.get(page).content.decode()  # nothing listed, not the holder
    client.force_login(university_user)
    assert new in client.get(page).content.decode()
    form = client.get(new)
    assert "李文博" in form.content.decode()
    now = timezone.localtime()
    response = client.post(
        new,
        {
            "reserve_price": "100",
            "increment": "5",
            "deposit": "5000",
            "opens_at": (now - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "broker": broker.pk,
        },
    )
    lot = Lot.objects.get(achievement=achievement)
    assert response.url == lot.get_absolute_url()
    assert lot.broker == broker
    client.force_login(enterprise_user)
    html = client.get(page).content.decode()
    assert lot.get_absolute_url() in html and "报名参与竞价" in html


def test_after_closing_the_loser_sees_its_deposit_refunded_and_the_winner_its_deal(
    client, achievement, university_user, enterprise, enterprise_user, broker
):
    lot = list_lot(achievement.owner, university_user, achievement=achievement, broker=broker)
    rival = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, name="竞争企业")
    rival_user = MembershipFactory(organization=rival).user
    for org, user, amount in ((enterprise, enterprise_user, "100"), (rival, rival_user, "110")):
        q = services.lot_qualify(lot=lot, organization=org, actor=user)
        client.get(q.payment.get_process_url(), {"verification_result": "confirmed"})
        services.bid_place(lot=lot, organization=org, actor=user, amount=Decimal(amount))
    Lot.objects.filter(pk=lot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert services.lots_close_due() == 1
    lot.refresh_from_db()
    deal_url = lot.deal.get_absolute_url()

    client.force_login(enterprise_user)
    html = client.get(lot.get_absolute_url()).content.decode()
    assert "已退款" in html and "未竞得" in html
    assert deal_url not in html  # not its deal: no link to a page it may not open
    client.force_login(rival_user)
    html = client.get(lot.get_absolute_url()).content.decode()
    assert "已竞得" in html and deal_url in html
    assert client.get(deal_url).status_code == 200

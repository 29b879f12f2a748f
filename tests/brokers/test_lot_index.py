"""The public 挂牌竞价 page: open lots with their best bid and bid count, the soonest closing
first, and the latest results, in a constant number of queries; and a lot past its closing
time that the worker has not closed yet says so instead of taking bids."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from brokers import services
from brokers.models import Lot
from market.choices import OrganizationKind
from tests.brokers.deal_world import list_lot
from tests.factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def _lot(university, user, title, hours):
    closes_at = timezone.now() + timedelta(hours=hours)
    return list_lot(university, user, title=title, closes_at=closes_at, deposit="1000")


def _bid(client, lot, amount):
    buyer = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, market=lot.market)
    user = MembershipFactory(organization=buyer).user
    q = services.lot_qualify(lot=lot, organization=buyer, actor=user)
    if q.payment_id:
        client.get(q.payment.get_process_url() + "?verification_result=confirmed")
    services.bid_place(lot=lot, organization=buyer, actor=user, amount=Decimal(amount))


def test_open_lots_show_their_best_bid_soonest_first(
    client, university, university_user, django_assert_max_num_queries
):
    later = _lot(university, university_user, "钙钛矿叠层电池", hours=48)
    sooner = _lot(university, university_user, "固态电解质隔膜", hours=2)
    _bid(client, sooner, "120")
    _bid(client, sooner, "130")
    closed = _lot(university, university_user, "废旧电池回收工艺", hours=1)
    Lot.objects.filter(pk=closed.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    services.lot_close(lot=closed)
    for n in range(3):
        _lot(university, university_user, f"备用成果{n}", hours=10 + n)

    with django_assert_max_num_queries(12):
        page = client.get(reverse("brokers:lots")).content.decode()
    assert page.index("固态电解质隔膜") < page.index("钙钛矿叠层电池")
    row = page[page.index("固态电解质隔膜") :].split("</tr>")[0]
    assert "130" in row and ">2<" in row
    results = page[page.index("最近结果") :]
    assert "废旧电池回收工艺" in results and "流拍" in results
    assert "钙钛矿叠层电池" not in results
    assert later.get_absolute_url() in page


def test_a_lot_past_its_closing_time_awaits_the_worker(client, university, university_user):
    lot = _lot(university, university_user, "钠离子电池负极", hours=1)
    Lot.objects.filter(pk=lot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    page = client.get(lot.get_absolute_url()).content.decode()
    assert "竞价已截止，正在结算" in page
    assert reverse("brokers:lot_bid", args=[lot.pk]) not in page

"""The windows are reached from where people already are: a sub-market's page offers the
booking, the standards and a complaint about its window; a listing and a broker's profile
offer a complaint about them, and the form that link opens names them."""

import pytest
from django.utils import timezone

from cms.site_builder import site_build
from listings.choices import ListingStatus
from tests.factories import AchievementFactory, BrokerFactory, SubMarketFactory
from tests.factories.windows import ServiceWindowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wuhan(main_market):
    market = SubMarketFactory(parent=main_market, name="武汉分市场", code="wuhan")
    site_build()
    return market


def test_sub_market_page_offers_booking_standards_and_a_complaint(client, wuhan):
    window = ServiceWindowFactory(market=wuhan, name="武汉窗口")
    body = client.get("/markets/wuhan/").content.decode()
    book = f"/windows/{window.pk}/book/"
    assert f'href="{book}"' in body
    assert 'href="/windows/standards/"' in body
    assert f'href="/windows/complaints/new/?window={window.pk}"' in body
    assert f'href="{book}"' in client.get("/markets/").content.decode()
    assert client.get(book).status_code == 200
    form = client.get(f"/windows/complaints/new/?window={window.pk}").content.decode()
    assert "武汉窗口" in form


def test_no_booking_link_where_the_window_takes_no_appointments(client, wuhan):
    window = ServiceWindowFactory(market=wuhan, appointment_available=False)
    body = client.get("/markets/wuhan/").content.decode()
    assert f"/windows/{window.pk}/book/" not in body
    assert f"/windows/complaints/new/?window={window.pk}" in body


def test_published_listing_offers_a_complaint_that_names_it(client, wuhan):
    listing = AchievementFactory(
        status=ListingStatus.PUBLISHED, published_at=timezone.now(), title="一种高镍正极材料"
    )
    body = client.get(listing.get_absolute_url()).content.decode()
    link = f"/windows/complaints/new/?achievement={listing.pk}"
    assert f'href="{link}"' in body
    assert "一种高镍正极材料" in client.get(link).content.decode()


def test_broker_profile_offers_a_complaint(client, main_market):
    broker = BrokerFactory(user__name="李文博")
    body = client.get(f"/brokers/directory/{broker.pk}/").content.decode()
    link = f"/windows/complaints/new/?broker={broker.pk}"
    assert f'href="{link}"' in body
    assert "李文博" in client.get(link).content.decode()


def test_a_complaint_naming_no_real_listing_gets_a_message(client, main_market):
    response = client.post(
        "/windows/complaints/new/",
        {
            "subject": "listing",
            "listing_kind": "achievement",
            "listing_id": "abc",
            "body": "信息与实际不符。",
            "anonymous": "on",
        },
    )
    assert response.status_code == 400
    assert "请核对编号" in response.content.decode() or "整数" in response.content.decode()

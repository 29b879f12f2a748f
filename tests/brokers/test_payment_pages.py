"""Payments in the Chinese UI: a payment's status reads in Chinese wherever it is shown
(django-payments labels them in English only), and the service-fee payment page is the
dummy provider's confirm button, in Chinese, calling the provider's own callback URL."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from payments import PaymentStatus

from brokers import services
from brokers.choices import PaymentPurpose
from brokers.models import Payment
from tests.brokers.contract_helpers import make_world, signed_deal

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(main_market):
    return make_world(main_market)


def test_payment_statuses_read_in_chinese(world):
    payment = Payment(status=PaymentStatus.WAITING)
    labels = {}
    for status, _label in PaymentStatus.CHOICES:
        payment.status = status
        labels[status] = payment.get_status_display()
    assert labels[PaymentStatus.CONFIRMED] == "已支付"
    assert labels[PaymentStatus.REFUNDED] == "已退款"
    assert labels[PaymentStatus.WAITING] == "待支付"
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels.values()), labels


def test_the_fee_page_confirms_through_the_providers_callback(client, world):
    deal = signed_deal(world)
    payment = services.service_fee_start(
        deal=deal, actor=world["buyer_user"], amount=Decimal("5000")
    )
    client.force_login(world["buyer_user"])
    page = client.get(reverse("brokers:service_fee_payment", args=[payment.pk]))
    html = page.content.decode()
    assert "确认支付（演示支付通道）" in html and "待支付" in html
    assert f'action="{payment.get_process_url()}"' in html
    for english in ("Fraud status", "Gateway response", "3DS"):
        assert english not in html
    back = client.get(payment.get_process_url(), {"verification_result": "confirmed"})
    assert back.url == deal.get_absolute_url()
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CONFIRMED and payment.settled_at is not None
    assert payment.purpose == PaymentPurpose.SERVICE_FEE
    assert "已支付" in client.get(deal.get_absolute_url()).content.decode()

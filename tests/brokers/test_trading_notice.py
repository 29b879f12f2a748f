"""Negotiated transfer with a public notice (协议定价 + 公示): the notice for the market's
period, objections from anyone, answers on the record, and signing that waits for both."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from brokers import services
from brokers.choices import DealStage, TradeMode
from brokers.models import DealNotice, NoticeObjection, TradeSettings
from market.choices import OrganizationKind
from tests.factories import AchievementFactory, BrokerFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(main_market):
    institution = OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market
    )
    return BrokerFactory(institution=institution)


@pytest.fixture
def deal(broker, university, enterprise):
    achievement = AchievementFactory(owner=university, title="一种高镍正极材料")
    deal = services.deal_open_lead(
        actor=broker.user,
        title="高镍正极材料转让",
        achievement=achievement,
        buyer=enterprise,
        expected_amount=Decimal("120"),
    )
    for step in ("contact", "negotiate"):
        deal = services.deal_advance(deal=deal, transition=step, by=broker.user)
    return deal


def _publish(deal, broker, price="120"):
    return services.deal_notice_publish(deal=deal, by=broker.user, proposed_price=Decimal(price))


def _end(notice):
    DealNotice.objects.filter(pk=notice.pk).update(
        starts_at=timezone.now() - timedelta(days=16), ends_at=timezone.now() - timedelta(days=1)
    )


def test_publish_uses_default_15_days_and_moves_to_notice(deal, broker):
    notice = _publish(deal, broker)
    deal.refresh_from_db()
    assert deal.stage == DealStage.NOTICE
    assert deal.trade_mode == TradeMode.NEGOTIATED_NOTICE
    assert notice.ends_at - notice.starts_at == timedelta(days=15)
    assert (notice.achievement_name, notice.seller_name, notice.buyer_name) == (
        "一种高镍正极材料",
        "测试大学",
        "测试企业",
    )


def test_publish_uses_the_markets_own_period(deal, broker, main_market):
    TradeSettings.objects.create(market=main_market, notice_days=20)
    notice = _publish(deal, broker)
    assert notice.ends_at - notice.starts_at == timedelta(days=20)


def test_publish_refused_to_an_outsider(deal, outsider):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.deal_notice_publish(deal=deal, by=outsider, proposed_price=Decimal("1"))
    assert not DealNotice.objects.exists()


def test_open_notice_without_a_notice_is_refused(deal, broker):
    deal.trade_mode = TradeMode.NEGOTIATED_NOTICE
    deal.save()
    with pytest.raises(ValidationError) as exc:
        services.deal_advance(deal=deal, transition="open_notice", by=broker.user)
    assert exc.value.code == "notice_missing"


def test_signing_waits_for_the_period(deal, broker):
    _publish(deal, broker)
    with pytest.raises(ValidationError) as exc:
        services.deal_advance(deal=deal, transition="sign", by=broker.user)
    assert "期满后方可签约" in exc.value.messages[0]
    deal.refresh_from_db()
    assert deal.stage == DealStage.NOTICE


def test_signing_after_the_period_with_answered_objections(deal, broker):
    notice = _publish(deal, broker)
    objection = services.notice_object(
        notice=notice, name="王先生", contact="13800000000", body="该成果的价格明显低于评估价值。"
    )
    _end(notice)
    with pytest.raises(ValidationError) as exc:
        services.deal_advance(deal=deal, transition="sign", by=broker.user)
    assert exc.value.messages == ["公示期间收到的异议尚未答复。"]
    services.objection_answer(objection=objection, by=broker.user, answer="价格经第三方评估确定。")
    deal = services.deal_advance(deal=deal, transition="sign", by=broker.user)
    assert deal.stage == DealStage.SIGNED


def test_an_upheld_objection_blocks_signing(deal, broker):
    notice = _publish(deal, broker)
    objection = services.notice_object(
        notice=notice, name="李女士", contact="li@example.cn", body="成果权属存在争议，请核实。"
    )
    services.objection_answer(
        objection=objection, by=broker.user, answer="经核实属实。", upheld=True
    )
    _end(notice)
    with pytest.raises(ValidationError) as exc:
        services.deal_advance(deal=deal, transition="sign", by=broker.user)
    assert exc.value.messages == ["异议成立，不能按公示价格签约。"]


def test_objection_validated(deal, broker):
    notice = _publish(deal, broker)
    with pytest.raises(ValidationError) as exc:
        services.notice_object(notice=notice, name=" ", contact="abc", body="太短")
    assert set(exc.value.message_dict) == {"name", "contact", "body"}
    assert not NoticeObjection.objects.exists()


def test_objection_after_the_period_refused(deal, broker):
    notice = _publish(deal, broker)
    _end(notice)
    with pytest.raises(ValidationError) as exc:
        services.notice_object(
            notice=notice, name="王", contact="13800000000", body="价格偏低，请重新评估价值。"
        )
    assert exc.value.messages == ["公示期已结束，不再受理异议。"]


def test_answer_only_once_and_only_by_the_brokers(deal, broker, outsider):
    from django.core.exceptions import PermissionDenied

    notice = _publish(deal, broker)
    objection = services.notice_object(
        notice=notice, name="王", contact="027-87654321", body="价格偏低，请重新评估价值。"
    )
    with pytest.raises(PermissionDenied):
        services.objection_answer(objection=objection, by=outsider, answer="无")
    services.objection_answer(objection=objection, by=broker.user, answer="已评估。")
    with pytest.raises(ValidationError) as exc:
        services.objection_answer(objection=objection, by=broker.user, answer="再答一次")
    assert exc.value.code == "already_answered"
    objection.refresh_from_db()
    assert objection.answer == "已评估。"


def test_public_pages_show_the_notice_and_take_objections_once(client, deal, broker):
    notice = _publish(deal, broker)
    listing = client.get(reverse("brokers:notices"))
    assert "一种高镍正极材料" in listing.content.decode()
    page = client.get(reverse("brokers:notice", args=[notice.pk]))
    text = page.content.decode()
    assert "测试大学" in text and "测试企业" in text and "¥120万元" in text
    token = page.context["form"].initial["token"]
    data = {"name": "王先生", "contact": "13800000000", "body": "价格偏低，请重新评估价值。"}
    data["token"] = str(token)
    for _ in range(2):
        response = client.post(reverse("brokers:notice", args=[notice.pk]), data)
        assert response.status_code == 302
    assert NoticeObjection.objects.count() == 1
    bad = client.post(
        reverse("brokers:notice", args=[notice.pk]),
        {**data, "contact": "x", "token": str(uuid.uuid4())},
    )
    assert bad.status_code == 200
    assert "请填写有效的手机号" in bad.content.decode()


def test_answer_shows_on_the_public_page(client, deal, broker):
    notice = _publish(deal, broker)
    objection = services.notice_object(
        notice=notice, name="王", contact="13800000000", body="价格偏低，请重新评估价值。"
    )
    client.force_login(broker.user)
    response = client.post(
        reverse("brokers:objection_answer", args=[objection.pk]), {"answer": "价格经评估确定。"}
    )
    assert response.status_code == 302
    client.logout()
    assert "价格经评估确定。" in client.get(notice.get_absolute_url()).content.decode()


def test_publish_through_the_page(client, deal, broker):
    client.force_login(broker.user)
    response = client.post(
        reverse("brokers:notice_publish", args=[deal.pk]),
        {"achievement_name": "一种高镍正极材料", "proposed_price": "150", "stage": "negotiation"},
    )
    notice = DealNotice.objects.get(deal=deal)
    assert response.url == notice.get_absolute_url()
    assert notice.proposed_price == Decimal("150")


@pytest.mark.parametrize("price", ["NaN", "Infinity", "1e20"])
def test_publish_with_a_price_that_is_not_an_amount_is_refused(client, deal, broker, price):
    client.force_login(broker.user)
    response = client.post(
        reverse("brokers:notice_publish", args=[deal.pk]),
        {"achievement_name": "一种高镍正极材料", "proposed_price": price, "stage": "negotiation"},
    )
    assert response.status_code == 200
    assert not DealNotice.objects.filter(deal=deal).exists()

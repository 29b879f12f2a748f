"""The deal core: opening a deal from a match or a lead, its stages, losing it, the match
following it, who may see and work it, and its pages."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from brokers import selectors, services
from brokers.choices import DealSource, DealStage, LostReason, TradeMode
from brokers.models import Deal, DealBroker
from brokers.models.deals import is_deal_party, may_work_deal
from market.models import Notification, TransitionLog
from matching.choices import MatchStatus
from tests.brokers.deal_world import (
    add_broker,
    lead_deal,
    match_between,
    registered_contract,
)
from tests.factories import BrokerFactory

pytestmark = pytest.mark.django_db


def deal_log(deal):
    return list(
        TransitionLog.objects.filter(object_id=deal.pk, content_type__model="deal")
        .order_by("at", "id")
        .values_list("transition", "from_state", "to_state")
    )


# ── Opening a deal ───────────────────────────────────────────────────────────────────────────


def test_deal_open_lead_is_led_by_the_broker_with_the_whole_share(world):
    deal = lead_deal(world)
    assert (deal.stage, deal.source, deal.market) == (DealStage.LEAD, DealSource.LEAD, world.market)
    assert (deal.buyer, deal.seller) == (world.buyer, world.seller)
    (role,) = deal.deal_brokers.all()
    assert (role.broker, role.share, role.is_lead) == (world.broker, Decimal("100"), True)
    assert deal_log(deal) == [("open", "", "lead")]


def test_deal_open_lead_sent_twice_with_one_token_opens_one_deal(world):
    token = uuid.uuid4()
    first = services.deal_open_lead(actor=world.broker.user, title="电池材料线索", token=token)
    again = services.deal_open_lead(actor=world.broker.user, title="电池材料线索", token=token)
    assert again == first
    assert Deal.objects.count() == 1
    assert DealBroker.objects.filter(deal=first).count() == 1
    assert len(deal_log(first)) == 1


def test_deal_open_lead_refuses_someone_who_is_not_a_broker(world):
    with pytest.raises(PermissionDenied, match="只有在岗的技术经纪人可以登记交易线索"):
        services.deal_open_lead(actor=world.buyer_user, title="电池材料线索")
    world.broker.active = False
    world.broker.save()
    with pytest.raises(PermissionDenied):
        services.deal_open_lead(actor=world.broker.user, title="电池材料线索")
    assert not Deal.objects.exists()


def test_deal_open_lead_needs_a_title(world):
    with pytest.raises(ValidationError) as exc:
        services.deal_open_lead(actor=world.broker.user, title="   ")
    assert exc.value.message_dict == {"title": ["请填写交易名称。"]}


def test_deal_open_from_match_takes_the_demand_broker_and_both_sides(world):
    services.demand_assign_broker(demand=world.demand, email=False)
    match = match_between(world)
    deal = services.deal_open_from_match(match=match, actor=world.buyer_user)
    assert deal.source == DealSource.MATCH
    assert (deal.demand, deal.achievement) == (world.demand, world.achievement)
    assert (deal.buyer, deal.seller) == (world.buyer, world.seller)
    assert deal.title == f"{world.achievement.title} → {world.demand.title}"
    assert [(r.broker, r.share, r.is_lead) for r in deal.deal_brokers.all()] == [
        (world.broker, Decimal("100"), True)
    ]
    # The broker hears about a deal someone else opened for them.
    assert Notification.objects.filter(recipient=world.broker.user, verb="deal.opened").exists()
    match.refresh_from_db()
    assert match.status == MatchStatus.DEAL


def test_deal_open_from_match_twice_gives_the_same_deal(world):
    services.demand_assign_broker(demand=world.demand, email=False)
    match = match_between(world)
    token = uuid.uuid4()
    first = services.deal_open_from_match(match=match, actor=world.buyer_user, token=token)
    again = services.deal_open_from_match(match=match, actor=world.buyer_user, token=token)
    # A new form (another token) on a match that has its deal gives that deal too.
    other = services.deal_open_from_match(match=match, actor=world.seller_user)
    assert first == again == other
    assert Deal.objects.count() == 1
    assert TransitionLog.objects.filter(object_id=match.pk, transition="follow_deal").count() == 1


def test_deal_open_from_match_by_another_broker_shares_the_deal(world):
    services.demand_assign_broker(demand=world.demand, email=False)
    deal = services.deal_open_from_match(match=match_between(world), actor=world.colleague.user)
    assert [(r.broker, r.share, r.is_lead) for r in deal.deal_brokers.all()] == [
        (world.broker, Decimal("50"), True),
        (world.colleague, Decimal("50"), False),
    ]


def test_deal_open_from_match_refuses_an_outsider(world, outsider):
    match = match_between(world)
    with pytest.raises(PermissionDenied):
        services.deal_open_from_match(match=match, actor=outsider)
    match.refresh_from_db()
    assert match.status == MatchStatus.SUGGESTED
    assert not Deal.objects.exists()


# ── Stages ───────────────────────────────────────────────────────────────────────────────────


def test_every_forward_step_from_lead_to_closed(world, operator):
    deal = lead_deal(world)
    broker = world.broker.user
    for step, stage in [
        ("contact", DealStage.CONTACTED),
        ("negotiate", DealStage.NEGOTIATION),
        ("sign", DealStage.SIGNED),
    ]:
        deal = services.deal_advance(
            deal=deal, transition=step, by=broker, expected_stage=deal.stage
        )
        assert deal.stage == stage
    registered_contract(deal)
    # The registry registers: an operator of the seller's market, not the broker.
    with pytest.raises(PermissionDenied, match="您没有权限执行“认定登记”"):
        services.deal_advance(deal=deal, transition="register", by=broker)
    deal = services.deal_advance(deal=deal, transition="register", by=operator)
    deal = services.deal_advance(deal=deal, transition="perform", by=broker)
    deal = services.deal_advance(deal=deal, transition="close", by=broker)
    deal.refresh_from_db()
    assert deal.stage == DealStage.CLOSED and not deal.is_open
    assert deal_log(deal) == [
        ("open", "", "lead"),
        ("contact", "lead", "contacted"),
        ("negotiate", "contacted", "negotiation"),
        ("sign", "negotiation", "signed"),
        ("register", "signed", "registered"),
        ("perform", "registered", "performed"),
        ("close", "performed", "closed"),
    ]


def test_a_negotiated_price_is_signed_only_after_its_notice(world):
    deal = lead_deal(world, stage=DealStage.NEGOTIATION, trade_mode=TradeMode.NEGOTIATED_NOTICE)
    broker = world.broker.user
    with pytest.raises(ValidationError) as exc:
        services.deal_advance(deal=deal, transition="sign", by=broker)
    assert exc.value.messages == ["协议定价须先公示成果名称和拟交易价格，公示期满后方可签约。"]
    # The notice stage is entered only by publishing the notice (brokers.services.trading).
    with pytest.raises(ValidationError) as exc:
        services.deal_advance(deal=deal, transition="open_notice", by=broker)
    assert exc.value.code == "notice_missing"
    notice = services.deal_notice_publish(deal=deal, by=broker, proposed_price=Decimal("120"))
    deal.refresh_from_db()
    assert deal.stage == DealStage.NOTICE
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.deal_advance(deal=deal, transition="sign", by=broker)
    assert len(exc.value.messages) == 1
    assert exc.value.messages[0].startswith("公示期至 ")
    assert exc.value.messages[0].endswith(" 结束，期满后方可签约。")
    notice.starts_at, notice.ends_at = now - timedelta(days=16), now - timedelta(days=1)
    notice.save()
    deal = services.deal_advance(deal=deal, transition="sign", by=broker)
    assert deal.stage == DealStage.SIGNED


def test_a_deal_traded_without_notice_cannot_open_one(world):
    deal = lead_deal(world, stage=DealStage.NEGOTIATION)
    assert [s["name"] for s in services.deal_next_steps(deal, world.broker.user)] == ["sign"]
    with pytest.raises(ValidationError):
        services.deal_advance(deal=deal, transition="open_notice", by=world.broker.user)
    deal.refresh_from_db()
    assert deal.stage == DealStage.NEGOTIATION


def test_a_step_out_of_order_is_refused_and_changes_nothing(world):
    deal = lead_deal(world)
    with pytest.raises(ValidationError) as exc:
        services.deal_advance(deal=deal, transition="sign", by=world.broker.user)
    assert exc.value.messages == [
        "当前状态为“线索”，不能执行“签订合同”。页面可能已过期，请刷新后再试。"
    ]
    with pytest.raises(ValidationError, match="未知的操作"):
        services.deal_advance(deal=deal, transition="lose", by=world.broker.user)
    deal.refresh_from_db()
    assert deal.stage == DealStage.LEAD
    assert deal_log(deal) == [("open", "", "lead")]


def test_registration_waits_for_the_registered_contract(world, operator):
    deal = lead_deal(world, stage=DealStage.SIGNED)
    with pytest.raises(ValidationError) as exc:
        services.deal_advance(deal=deal, transition="register", by=operator)
    assert exc.value.messages == ["合同尚未完成认定登记。"]


def test_a_step_on_a_stale_page_says_who_moved_the_deal_and_where(world):
    deal = lead_deal(world)
    add_broker(deal, world.colleague)
    services.deal_advance(
        deal=deal, transition="contact", by=world.colleague.user, expected_stage="lead"
    )
    with pytest.raises(ValidationError) as exc:
        services.deal_advance(
            deal=deal, transition="contact", by=world.broker.user, expected_stage="lead"
        )
    assert exc.value.code == "stale_stage"
    assert exc.value.messages == ["这笔交易已被王晓燕推进到“对接”，请刷新后查看。"]
    assert [t for t, *_ in deal_log(deal)] == ["open", "contact"]


# ── Losing a deal ────────────────────────────────────────────────────────────────────────────


def test_deal_lose_keeps_the_reason_and_the_stage_it_was_lost_at(world):
    deal = lead_deal(world, stage=DealStage.NEGOTIATION)
    deal = services.deal_lose(
        deal=deal, by=world.broker.user, reason=LostReason.PRICE, note=" 买方预算只有80万 "
    )
    deal.refresh_from_db()
    assert (deal.stage, deal.lost_reason, deal.lost_note, deal.lost_at_stage) == (
        DealStage.LOST,
        LostReason.PRICE,
        "买方预算只有80万",
        DealStage.NEGOTIATION,
    )
    log = TransitionLog.objects.filter(object_id=deal.pk, transition="lose").get()
    assert (log.from_state, log.to_state, log.reason) == (
        "negotiation",
        "lost",
        "价格未谈拢：买方预算只有80万",
    )


def test_deal_lose_needs_a_reason_and_a_note_for_other(world):
    deal = lead_deal(world)
    with pytest.raises(ValidationError) as exc:
        services.deal_lose(deal=deal, by=world.broker.user, reason="")
    assert exc.value.message_dict == {"reason": ["请选择流失原因。"]}
    with pytest.raises(ValidationError) as exc:
        services.deal_lose(deal=deal, by=world.broker.user, reason=LostReason.OTHER, note=" ")
    assert exc.value.message_dict == {"note": ["选择“其他”时请说明原因。"]}
    with pytest.raises(ValidationError) as exc:
        services.deal_lose(
            deal=deal, by=world.broker.user, reason=LostReason.OTHER, note="长" * 501
        )
    assert exc.value.message_dict == {"note": ["说明不能超过 500 字。"]}
    deal.refresh_from_db()
    assert deal.stage == DealStage.LEAD


def test_a_closed_deal_cannot_be_lost(world):
    deal = lead_deal(world, stage=DealStage.CLOSED)
    with pytest.raises(ValidationError) as exc:
        services.deal_lose(deal=deal, by=world.broker.user, reason=LostReason.PRICE)
    assert exc.value.code == "invalid_transition"


def test_the_match_follows_its_deal_to_deal_and_back_when_lost(world):
    services.demand_assign_broker(demand=world.demand, email=False)
    match = match_between(world)
    deal = services.deal_open_from_match(match=match, actor=world.broker.user)
    match.refresh_from_db()
    assert match.status == MatchStatus.DEAL
    services.deal_advance(deal=deal, transition="contact", by=world.broker.user)
    match.refresh_from_db()
    assert match.status == MatchStatus.DEAL
    services.deal_lose(deal=deal, by=world.broker.user, reason=LostReason.BUYER_WITHDREW)
    match.refresh_from_db()
    assert match.status == MatchStatus.CONTACTED
    assert TransitionLog.objects.filter(object_id=match.pk, transition="follow_lost_deal").exists()


# ── Who may see and work a deal ──────────────────────────────────────────────────────────────


def test_who_may_see_and_work_a_deal(world, operator, outsider, other_enterprise_user):
    deal = lead_deal(world)
    stranger_broker = BrokerFactory(institution=world.broker.institution).user
    cases = {
        "broker": (world.broker.user, True, True),
        "buyer": (world.buyer_user, True, False),
        "seller": (world.seller_user, True, False),
        "operator": (operator, True, True),
        "colleague not on it": (world.colleague.user, False, False),
        "broker of another deal": (stranger_broker, False, False),
        "another enterprise": (other_enterprise_user, False, False),
        "outsider": (outsider, False, False),
    }
    seen = {
        who: (is_deal_party(deal, user), may_work_deal(deal, user))
        for who, (user, *_expected) in cases.items()
    }
    assert seen == {who: (see, work) for who, (_user, see, work) in cases.items()}
    visible = {
        who for who, (user, *_e) in cases.items() if deal in selectors.deals_visible_to(user)
    }
    assert visible == {"broker", "buyer", "seller", "operator"}


def test_a_party_who_may_only_see_cannot_step_or_lose(world):
    deal = lead_deal(world)
    assert services.deal_next_steps(deal, world.buyer_user) == []
    with pytest.raises(PermissionDenied, match="您没有权限推进这笔交易"):
        services.deal_advance(deal=deal, transition="contact", by=world.buyer_user)
    with pytest.raises(PermissionDenied, match="您没有权限处理这笔交易"):
        services.deal_lose(deal=deal, by=world.seller_user, reason=LostReason.PRICE)
    deal.refresh_from_db()
    assert deal.stage == DealStage.LEAD


def test_a_broker_added_to_the_deal_may_work_it(world):
    deal = lead_deal(world)
    assert not may_work_deal(deal, world.colleague.user)
    add_broker(deal, world.colleague)
    deal = services.deal_advance(deal=deal, transition="contact", by=world.colleague.user)
    assert deal.stage == DealStage.CONTACTED


# ── Pages ────────────────────────────────────────────────────────────────────────────────────


def test_state_changes_are_post_only(client, world):
    deal = lead_deal(world)
    client.force_login(world.broker.user)
    for url in (
        reverse("brokers:deal_advance", args=[deal.pk, "contact"]),
        reverse("brokers:deal_lose", args=[deal.pk]),
        reverse("brokers:deal_from_match", args=[match_between(world).pk]),
        reverse("brokers:document_upload", args=[deal.pk]),
    ):
        assert client.get(url).status_code == 405
    deal.refresh_from_db()
    assert deal.stage == DealStage.LEAD


def test_advancing_from_the_deal_page(client, world):
    deal = lead_deal(world)
    client.force_login(world.broker.user)
    page = client.get(deal.get_absolute_url())
    assert page.status_code == 200
    assert reverse("brokers:deal_advance", args=[deal.pk, "contact"]) in page.text
    response = client.post(
        reverse("brokers:deal_advance", args=[deal.pk, "contact"]), {"stage": "lead"}, follow=True
    )
    assert response.redirect_chain == [(deal.get_absolute_url(), 302)]
    assert "已推进到“对接”。" in response.text
    deal.refresh_from_db()
    assert deal.stage == DealStage.CONTACTED


def test_a_stale_or_refused_step_shows_a_clear_message(client, world):
    deal = lead_deal(world, stage=DealStage.CONTACTED)
    client.force_login(world.broker.user)
    url = reverse("brokers:deal_advance", args=[deal.pk, "contact"])
    response = client.post(url, {"stage": "lead"}, follow=True)
    assert response.status_code == 200
    assert "这笔交易已被李文博推进到“对接”，请刷新后查看。" in response.text
    response = client.post(reverse("brokers:deal_advance", args=[deal.pk, "close"]), follow=True)
    assert "不能执行“关闭交易”" in response.text
    response = client.post(reverse("brokers:deal_advance", args=[deal.pk, "nonsense"]), follow=True)
    assert "未知的操作。" in response.text
    deal.refresh_from_db()
    assert deal.stage == DealStage.CONTACTED


def test_a_party_pressing_a_step_gets_a_message_not_an_error_page(client, world):
    deal = lead_deal(world)
    client.force_login(world.buyer_user)
    response = client.post(
        reverse("brokers:deal_advance", args=[deal.pk, "contact"]), {"stage": "lead"}, follow=True
    )
    assert response.status_code == 200
    assert "您没有权限推进这笔交易。" in response.text
    response = client.post(
        reverse("brokers:deal_lose", args=[deal.pk]), {"reason": "price"}, follow=True
    )
    assert response.status_code == 200
    assert "您没有权限处理这笔交易。" in response.text
    deal.refresh_from_db()
    assert deal.stage == DealStage.LEAD


def test_an_outsider_gets_404_for_the_deal_and_its_steps(client, world, outsider):
    deal = lead_deal(world)
    client.force_login(outsider)
    assert client.get(deal.get_absolute_url()).status_code == 404
    assert client.get(reverse("brokers:deal_card", args=[deal.pk])).status_code == 404
    response = client.post(reverse("brokers:deal_advance", args=[deal.pk, "contact"]))
    assert response.status_code == 404
    assert client.post(reverse("brokers:deal_lose", args=[deal.pk])).status_code == 404
    assert client.get(reverse("brokers:deal", args=[deal.pk + 999])).status_code == 404


def test_a_step_never_redirects_to_another_site(client, world):
    deal = lead_deal(world)
    client.force_login(world.broker.user)
    response = client.post(
        reverse("brokers:deal_advance", args=[deal.pk, "contact"]),
        {"stage": "lead", "next": "https://evil.example/phish"},
    )
    assert response.status_code == 302
    assert response["Location"] == deal.get_absolute_url()
    board = reverse("brokers:deals")
    response = client.post(
        reverse("brokers:deal_advance", args=[deal.pk, "negotiate"]),
        {"stage": "contacted", "next": board},
    )
    assert response["Location"] == board


def test_losing_from_the_deal_page(client, world):
    deal = lead_deal(world)
    client.force_login(world.broker.user)
    url = reverse("brokers:deal_lose", args=[deal.pk])
    response = client.post(url, {"reason": "", "stage": "lead"}, follow=True)
    assert "请选择流失原因。" in response.text
    response = client.post(url, {"reason": "other", "note": "", "stage": "lead"}, follow=True)
    assert "选择“其他”时请说明原因。" in response.text
    response = client.post(
        url, {"reason": "funding", "note": "资金年后到位", "stage": "lead"}, follow=True
    )
    assert "已标记为流失。" in response.text
    assert "资金未落实：资金年后到位" in response.text
    deal.refresh_from_db()
    assert (deal.stage, deal.lost_reason) == (DealStage.LOST, LostReason.FUNDING)


def test_opening_a_deal_from_a_match_page(client, world):
    services.demand_assign_broker(demand=world.demand, email=False)
    match = match_between(world)
    client.force_login(world.buyer_user)
    url = reverse("brokers:deal_from_match", args=[match.pk])
    token = str(uuid.uuid4())
    response = client.post(url, {"token": token}, follow=True)
    deal = Deal.objects.get()
    assert response.redirect_chain == [(deal.get_absolute_url(), 302)]
    assert "已开启交易" in response.text
    client.post(url, {"token": token})
    assert Deal.objects.count() == 1


def test_the_lead_form_opens_one_deal_when_sent_twice(client, world):
    client.force_login(world.broker.user)
    form = client.get(reverse("brokers:deal_new"))
    token = form.context["form"].initial["token"]
    data = {"title": "隔膜涂覆技术线索", "expected_amount": "60", "token": str(token)}
    first = client.post(reverse("brokers:deal_new"), data)
    second = client.post(reverse("brokers:deal_new"), data)
    deal = Deal.objects.get()
    assert first["Location"] == second["Location"] == deal.get_absolute_url()
    assert deal.expected_amount == Decimal("60")

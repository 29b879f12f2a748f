"""The ways to trade in the demo: one negotiated price on public notice with an answered
objection, one lot open for bidding with bids, and one closed lot with its deal."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from payments import PaymentStatus

from brokers import services
from brokers.models import Broker, Lot
from listings.choices import ListingStatus
from listings.models import Achievement
from market.choices import Role
from market.models import Organization, TransitionLog, User


def _qualify(lot: Lot, org: Organization, user: User) -> None:
    q = services.lot_qualify(lot=lot, organization=org, actor=user)
    # The dummy provider's confirmation, as its callback would apply it.
    q.payment.change_status(PaymentStatus.CONFIRMED)


def _lot(achievement, seller_user, broker, *, reserve, days) -> Lot:
    now = timezone.now()
    return services.lot_list(
        achievement=achievement,
        actor=seller_user,
        reserve_price=Decimal(reserve),
        increment=Decimal("5"),
        opens_at=now - timedelta(days=2),
        closes_at=now + timedelta(days=days),
        deposit=Decimal("20000"),
        broker=broker,
    )


@transaction.atomic
def build_trading_demo(
    *,
    broker: Broker,
    seller_user: User,
    achievements: list[Achievement],
    buyers: list[tuple[Organization, User]],
) -> dict:
    """`achievements`: three published achievements of the seller organization that
    `seller_user` edits; `buyers`: at least two (organization, editor) pairs, none of them
    the seller. Returns the notice and the two lots."""
    noticed, open_item, closed_item = achievements[:3]
    (buyer, buyer_user), (rival, rival_user) = buyers[:2]

    deal = services.deal_open_lead(
        actor=broker.user,
        title=f"{noticed.title}（协议转让）",
        achievement=noticed,
        buyer=buyer,
        expected_amount=Decimal("180"),
    )
    for step in ("contact", "negotiate"):
        deal = services.deal_advance(deal=deal, transition=step, by=broker.user)
    notice = services.deal_notice_publish(deal=deal, by=broker.user, proposed_price=Decimal("180"))
    objection = services.notice_object(
        notice=notice,
        name="赵先生",
        contact="13807150000",
        body="该成果此前曾以更高价格对外许可，拟交易价格是否经过资产评估？",
    )
    services.objection_answer(
        objection=objection,
        by=broker.user,
        answer="拟交易价格以第三方资产评估报告为依据，评估值 176 万元，已随公示材料存档。",
    )

    open_lot = _lot(open_item, seller_user, broker, reserve="200", days=5)
    for org, user in ((buyer, buyer_user), (rival, rival_user)):
        _qualify(open_lot, org, user)
    services.bid_place(lot=open_lot, organization=buyer, actor=buyer_user, amount=Decimal("200"))
    services.bid_place(lot=open_lot, organization=rival, actor=rival_user, amount=Decimal("210"))

    closed_lot = _lot(closed_item, seller_user, broker, reserve="80", days=1)
    for org, user in ((buyer, buyer_user), (rival, rival_user)):
        _qualify(closed_lot, org, user)
    services.bid_place(lot=closed_lot, organization=rival, actor=rival_user, amount=Decimal("80"))
    services.bid_place(lot=closed_lot, organization=buyer, actor=buyer_user, amount=Decimal("95"))
    Lot.objects.filter(pk=closed_lot.pk).update(closes_at=timezone.now() - timedelta(hours=1))
    closed_lot = services.lot_close(lot=closed_lot)
    return {"notice": notice, "open_lot": open_lot, "closed_lot": closed_lot}


def demo_trading() -> dict | None:
    """`build_trading_demo` on the demo's own people: the demo broker (李文博), the demo
    university (江汉理工大学, its admin `university` listing the lots) and the demo enterprise
    with a second enterprise as the bidders. Once: if the university already has a lot, it
    returns None. Its notice deal's first steps are dated over the past weeks."""
    broker = Broker.objects.filter(user__username="broker", active=True).first()
    seller_user = User.objects.filter(username="university").first()
    buyer_user = User.objects.filter(username="enterprise").first()
    if broker is None or seller_user is None or buyer_user is None:
        return None
    seller = _admin_org(seller_user)
    buyer = _admin_org(buyer_user)
    if seller is None or buyer is None or Lot.objects.filter(seller=seller).exists():
        return None
    rival = (
        Organization.objects.filter(kind=buyer.kind, memberships__role=Role.ORG_ADMIN)
        .exclude(pk__in=[buyer.pk, seller.pk])
        .order_by("pk")
        .first()
    )
    rival_user = _admin_of(rival) if rival is not None else None
    achievements = list(
        Achievement.objects.filter(
            owner=seller, status=ListingStatus.PUBLISHED, deals=None
        ).order_by("-pk")[:3]
    )
    if rival_user is None or len(achievements) < 3:
        return None
    built = build_trading_demo(
        broker=broker,
        seller_user=seller_user,
        achievements=achievements,
        buyers=[(buyer, buyer_user), (rival, rival_user)],
    )
    _date_before_notice(built["notice"].deal)
    return built


def _admin_org(user: User) -> Organization | None:
    membership = user.memberships.filter(role=Role.ORG_ADMIN).select_related("organization")
    first = membership.order_by("pk").first()
    return first.organization if first else None


def _admin_of(org: Organization) -> User | None:
    membership = org.memberships.filter(role=Role.ORG_ADMIN).select_related("user")
    first = membership.order_by("pk").first()
    return first.user if first else None


def _date_before_notice(deal) -> None:
    """The lead, the contact and the negotiation before the notice, over the past weeks."""
    now = timezone.now()
    when = {"open": 26, "contact": 19, "negotiate": 9}
    logs = TransitionLog.objects.filter(content_type__model="deal", object_id=deal.pk)
    for log in logs:
        if log.transition in when:
            TransitionLog.objects.filter(pk=log.pk).update(
                at=now - timedelta(days=when[log.transition], hours=3)
            )
    type(deal).objects.filter(pk=deal.pk).update(created_at=now - timedelta(days=26, hours=3))

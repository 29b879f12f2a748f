"""Public listing with bidding (挂牌竞价): the seller lists an achievement, buyers qualify with
a deposit paid through django-payments, bids are served one at a time under the lot's row
lock, and closing opens the winner's deal at the contract stage and refunds the others."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from brokers.choices import DealSource, DealStage, LotStatus, PaymentPurpose, TradeMode
from brokers.models import Bid, BidderQualification, Broker, Deal, Lot, Payment
from brokers.services.commissions import commission_book_signing
from brokers.services.payments import MAX_TOTAL, payment_refund, payment_start
from listings.choices import ListingStatus
from listings.models import Achievement
from market import permissions
from market.models import Organization, User
from market.services import transition_apply
from market.tasks import enqueue_or_log


def _money(value: Decimal) -> str:
    return f"{value:,.2f}"


@transaction.atomic
def lot_list(
    *,
    achievement: Achievement,
    actor: User,
    reserve_price: Decimal,
    increment: Decimal,
    opens_at,
    closes_at,
    deposit: Decimal,
    broker: Broker | None = None,
    token: uuid.UUID | None = None,
) -> Lot:
    """The seller's people list a published achievement for bidding."""
    if token:
        same = Lot.objects.filter(token=token).first()
        if same is not None:
            return same
    if not permissions.is_org_editor(actor, achievement.owner_id):
        raise PermissionDenied(_("只有成果所属单位的人员可以挂牌竞价。"))
    if achievement.status != ListingStatus.PUBLISHED:
        raise ValidationError(_("只有已发布的科技成果可以挂牌竞价。"))
    if Lot.objects.filter(achievement=achievement, status=LotStatus.LISTED).exists():
        raise ValidationError(_("该成果已在挂牌竞价中。"), code="already_listed")
    if closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("竞价截止时间须晚于现在。")})
    if deposit > MAX_TOTAL:
        raise ValidationError({"deposit": _("保证金不能超过 %s 元。") % MAX_TOTAL})
    lot = Lot(
        achievement=achievement,
        seller_id=achievement.owner_id,
        market_id=achievement.market_id,
        broker=broker,
        reserve_price=reserve_price,
        increment=increment,
        opens_at=opens_at,
        closes_at=closes_at,
        deposit=deposit,
        created_by=actor,
        token=token,
    )
    lot.full_clean(exclude=["token", "deal"])
    lot.save()
    transaction.on_commit(lambda: _schedule_close(lot))
    return lot


def _schedule_close(lot: Lot) -> bool:
    """Queue the lot's closing for its closing time on a backend that can defer a task (the
    database queue the worker runs). Elsewhere, and if the queue is down, `manage.py
    close_lots` closes it."""
    from brokers.tasks import close_lot

    if not close_lot.get_backend().supports_defer:
        return False
    scheduled = close_lot.using(run_after=lot.closes_at)
    return enqueue_or_log(
        scheduled, lot.pk, what=f"closing lot {lot.pk}", catch_up="manage.py close_lots"
    )


def _bidder_org(lot: Lot, actor: User, organization: Organization) -> None:
    if not permissions.is_org_editor(actor, organization.pk):
        raise PermissionDenied(_("您不能代表该单位参与竞价。"))
    if organization.pk == lot.seller_id:
        raise ValidationError(_("转让方不能参与自己挂牌项目的竞价。"), code="own_lot")


def _check_open(lot: Lot) -> None:
    now = timezone.now()
    if lot.status != LotStatus.LISTED or now >= lot.closes_at:
        raise ValidationError(
            _("竞价已于 %s 截止，不再接受报名或出价。")
            % timezone.localtime(lot.closes_at).strftime("%Y-%m-%d %H:%M"),
            code="closed",
        )
    if now < lot.opens_at:
        raise ValidationError(
            _("竞价将于 %s 开始。") % timezone.localtime(lot.opens_at).strftime("%Y-%m-%d %H:%M"),
            code="not_open",
        )


@transaction.atomic
def lot_qualify(
    *, lot: Lot, organization: Organization, actor: User, token: uuid.UUID | None = None
) -> BidderQualification:
    """Sign up to bid: open the deposit payment (or return the one already opened)."""
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    _bidder_org(lot, actor, organization)
    existing = BidderQualification.objects.filter(lot=lot, organization=organization).first()
    if existing is not None:
        return existing
    _check_open(lot)
    payment = payment_start(
        purpose=PaymentPurpose.DEPOSIT,
        total=lot.deposit,
        payer=organization,
        actor=actor,
        return_url=lot.get_absolute_url(),
        description=_("竞价保证金：%s") % lot.achievement.title,
        token=token,
    )
    number = (lot.qualifications.aggregate(n=Max("number"))["n"] or 0) + 1
    return BidderQualification.objects.create(
        lot=lot, organization=organization, payment=payment, number=number
    )


def deposit_settle(payment: Payment) -> None:
    """The deposit handler (registered in BrokersConfig.ready): the bidder is qualified. A
    deposit confirmed after the lot closed is refunded once this commits."""
    qualification = (
        BidderQualification.objects.select_for_update()
        .select_related("lot")
        .filter(payment=payment)
        .first()
    )
    if qualification is None or qualification.paid_at is not None:
        return
    qualification.paid_at = timezone.now()
    qualification.save(update_fields=["paid_at"])
    if qualification.lot.status != LotStatus.LISTED:
        transaction.on_commit(lambda: payment_refund(Payment.objects.get(pk=payment.pk)))


def lot_best_bid(lot: Lot) -> Bid | None:
    return lot.bids.order_by("-amount", "placed_at", "id").first()


def lot_minimum_bid(lot: Lot, best: Bid | None = None) -> Decimal:
    best = best if best is not None else lot_best_bid(lot)
    return lot.reserve_price if best is None else best.amount + lot.increment


@transaction.atomic
def bid_place(
    *,
    lot: Lot,
    organization: Organization,
    actor: User,
    amount: Decimal,
    token: uuid.UUID | None = None,
) -> Bid:
    """Place a bid. The lot's row lock serves bids one at a time, and the best bid is read
    inside it, so of two bids at the same moment exactly one is best."""
    if token:
        same = Bid.objects.filter(token=token).first()
        if same is not None:
            return same
    lot = Lot.objects.select_for_update().get(pk=lot.pk)
    _bidder_org(lot, actor, organization)
    _check_open(lot)
    if not BidderQualification.objects.filter(
        lot=lot, organization=organization, paid_at__isnull=False
    ).exists():
        raise ValidationError(_("请先缴纳保证金，取得竞买资格后再出价。"), code="not_qualified")
    if amount is None or amount < lot.reserve_price:
        raise ValidationError(
            _("出价不能低于底价 %s 万元。") % _money(lot.reserve_price), code="below_reserve"
        )
    best = lot_best_bid(lot)
    if best is not None and amount < best.amount + lot.increment:
        raise ValidationError(
            _("当前最高出价为 %(best)s 万元，加价幅度 %(step)s 万元，出价不能低于 %(min)s 万元。")
            % {
                "best": _money(best.amount),
                "step": _money(lot.increment),
                "min": _money(best.amount + lot.increment),
            },
            code="below_increment",
        )
    bid = Bid(lot=lot, organization=organization, amount=amount, placed_by=actor, token=token)
    bid.full_clean(exclude=["token"])
    try:
        with transaction.atomic():
            bid.save()
    except IntegrityError:
        if token and Bid.objects.filter(token=token).exists():
            return Bid.objects.get(token=token)
        raise
    return bid


@transaction.atomic
def lot_close(*, lot: Lot, by: User | None = None) -> Lot:
    """Close a lot due: the highest bid wins and opens its deal at the contract stage; every
    other deposit is refunded. Closing a closed lot changes nothing."""
    from brokers.services.deals import _open

    lot = Lot.objects.select_for_update().select_related("achievement").get(pk=lot.pk)
    if lot.status != LotStatus.LISTED:
        return lot
    if timezone.now() < lot.closes_at:
        raise ValidationError(_("竞价尚未截止，不能结束。"), code="not_due")
    best = lot_best_bid(lot)
    winner_payment = None
    if best is None:
        lot = transition_apply(lot, transition="fail", by=by, reason=_("无有效出价，流拍"))
    else:
        lot = transition_apply(
            lot,
            transition="sell",
            by=by,
            reason=_("最高出价 %s 万元") % _money(best.amount),
        )
        deal = _open(
            actor=by,
            title=_("挂牌竞价：%s") % lot.achievement.title,
            market_id=lot.market_id,
            source=DealSource.BIDDING,
            brokers=[(lot.broker, Decimal("100"))] if lot.broker_id else [],
            token=None,
            trade_mode=TradeMode.BIDDING,
            stage=DealStage.SIGNED,
            achievement=lot.achievement,
            buyer_id=best.organization_id,
            seller_id=lot.seller_id,
            expected_amount=best.amount,
        )
        # The winning bid is the signing: the deal is booked as any deal is when signed.
        commission_book_signing(deal=deal, by=by)
        lot.deal = deal
        winner_payment = (
            BidderQualification.objects.filter(lot=lot, organization_id=best.organization_id)
            .values_list("payment_id", flat=True)
            .first()
        )
        Payment.objects.filter(pk=winner_payment).update(deal=deal)
    lot.closed_at = timezone.now()
    lot.save(update_fields=["deal", "closed_at"])
    for q in lot.qualifications.filter(paid_at__isnull=False).select_related("payment"):
        if q.payment_id != winner_payment:
            payment_refund(q.payment)
    return lot


def lots_close_due() -> int:
    """Close every lot whose bidding window has passed; for the daily command and worker."""
    count = 0
    due = Lot.objects.filter(status=LotStatus.LISTED, closes_at__lte=timezone.now())
    for lot_id in due.values_list("pk", flat=True):
        lot_close(lot=Lot(pk=lot_id))
        count += 1
    return count


def deal_of_lot(lot: Lot) -> Deal | None:
    return lot.deal

"""Writes for commissions (佣金): applying the most specific rule, booking ledger lines at
signing and at each settled service-fee payment, reversing a line, and starting the
buyer's service-fee payment.

Two moments book lines, each through a hook so the deal core stays as it is:
- signing: `deal_signed` listens to django-fsm's `post_transition` for Deal's `sign`, which
  `transition_apply` takes inside `deal_advance`'s transaction, so a failed step books
  nothing. A deal signed with no amount yet (one opened from a match) books when its
  contract is entered (`contract_create`); a deal a winning bid opens at the signed stage
  books when its lot closes (`lot_close`). `commission_book_signing` books once per deal;
- a settled service fee: `commission_book_payment` is the payment handler for
  PaymentPurpose.SERVICE_FEE, run by `payment_settle` once, with the payment row locked.

Rules are resolved per broker of the deal: each broker's line is the rate of the rule that
applies to them, on the whole base, held between the rule's minimum and cap, times their
share. The unique constraints on CommissionLine make a second booking of the same signing
or payment impossible even if a hook ran twice.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from brokers.choices import (
    CommissionBasis,
    CommissionLevel,
    CommissionLineKind,
    DealStage,
    PaymentPurpose,
)
from brokers.models import Broker, CommissionLine, CommissionRule, Deal, DealBroker, Payment
from brokers.services.payments import payment_start
from market import permissions
from market.models import User

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
YUAN_PER_WAN = Decimal("10000")  # deal and contract amounts are in 万元, the ledger in 元
LEVEL_ORDER = (
    CommissionLevel.BROKER,
    CommissionLevel.INSTITUTION,
    CommissionLevel.CONTRACT_TYPE,
    CommissionLevel.DEFAULT,
)
# The stages at which the buyer pays the brokers' service fee: from signing until closed.
FEE_STAGES = (DealStage.SIGNED, DealStage.REGISTERED, DealStage.PERFORMED)


def commission_rules_for(
    *, basis: str, brokers: list[Broker], contract_type: str = ""
) -> dict[int, CommissionRule | None]:
    """The rule that applies to each broker (by id): broker > institution > contract type >
    default. One query for all of them."""
    scope = Q(broker__isnull=True, institution__isnull=True, contract_type="")
    scope |= Q(broker_id__in=[b.pk for b in brokers])
    scope |= Q(institution_id__in={b.institution_id for b in brokers})
    if contract_type:
        scope |= Q(contract_type=contract_type)
    rules = list(CommissionRule.objects.filter(scope, basis=basis, active=True))
    chosen: dict[int, CommissionRule | None] = {}
    for broker in brokers:
        fitting = [
            r
            for r in rules
            if r.broker_id == broker.pk
            or r.institution_id == broker.institution_id
            or (r.contract_type and r.contract_type == contract_type)
            or r.level == CommissionLevel.DEFAULT
        ]
        fitting.sort(key=lambda r: LEVEL_ORDER.index(r.level))
        chosen[broker.pk] = fitting[0] if fitting else None
    return chosen


def commission_amount(*, rate: Decimal, base: Decimal, minimum=None, cap=None) -> Decimal:
    """The rate applied to the base, held between the minimum and the cap, in cents."""
    amount = (base * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    if minimum is not None and amount < minimum:
        amount = minimum
    if cap is not None and amount > cap:
        amount = cap
    return amount


def _book(
    *,
    deal: Deal,
    kind: str,
    basis: str,
    base: Decimal,
    contract_type: str,
    payment: Payment | None = None,
    by: User | None = None,
    note: str = "",
    at=None,
) -> list[CommissionLine]:
    roles = list(
        DealBroker.objects.filter(deal=deal).select_related("broker").order_by("-is_lead", "id")
    )
    rules = commission_rules_for(
        basis=basis, brokers=[r.broker for r in roles], contract_type=contract_type
    )
    lines = []
    for role in roles:
        rule = rules[role.broker_id]
        if rule is None:
            logger.warning(
                "no %s commission rule for broker %s on deal %s", basis, role.broker_id, deal.pk
            )
            continue
        commission = commission_amount(
            rate=rule.rate, base=base, minimum=rule.minimum, cap=rule.cap
        )
        line = CommissionLine(
            deal=deal,
            broker=role.broker,
            kind=kind,
            payment=payment,
            rule=rule,
            rule_level=rule.level,
            basis=basis,
            base=base,
            rate=rule.rate,
            minimum=rule.minimum,
            cap=rule.cap,
            commission=commission,
            share=role.share,
            amount=(commission * role.share / 100).quantize(CENT, rounding=ROUND_HALF_UP),
            note=note[:200],
            created_by=by,
            booked_at=at or timezone.now(),
        )
        line.full_clean()
        line.save()
        lines.append(line)
    return lines


def _contract_of(deal: Deal):
    from brokers.models import Contract

    return Contract.objects.filter(deal=deal).first()


@transaction.atomic
def commission_book_signing(
    *, deal: Deal, by: User | None = None, at: datetime | None = None
) -> list[CommissionLine]:
    """Book the signing's lines: the contract-basis rule on the contract amount (成交额), or,
    before the contract is entered, on the deal's expected amount. Once per deal. `at` is
    when the signing happened, for a history loaded afterwards (the demo); default now."""
    if CommissionLine.objects.filter(deal=deal, kind=CommissionLineKind.SIGNING).exists():
        return []
    contract = _contract_of(deal)
    if contract is not None:
        base_wan, note = contract.amount, _("合同成交额")
    elif deal.expected_amount is not None:
        base_wan, note = deal.expected_amount, _("预计成交额（签约时尚未录入合同）")
    else:
        logger.warning("deal %s signed without an amount: no commission booked", deal.pk)
        return []
    return _book(
        deal=deal,
        kind=CommissionLineKind.SIGNING,
        basis=CommissionBasis.CONTRACT,
        base=(base_wan * YUAN_PER_WAN).quantize(CENT),
        contract_type=contract.contract_type if contract is not None else "",
        by=by,
        note=note,
        at=at,
    )


def commission_book_payment(payment: Payment) -> None:
    """The handler of a settled service fee (技术经纪服务费): book the service-fee rule on the
    amount paid. `payment_settle` calls it once, inside its transaction, the row locked."""
    if payment.deal_id is None:
        logger.error("service fee payment %s has no deal: no commission booked", payment.pk)
        return
    deal = Deal.objects.get(pk=payment.deal_id)
    contract = _contract_of(deal)
    _book(
        deal=deal,
        kind=CommissionLineKind.PAYMENT,
        basis=CommissionBasis.SERVICE_FEE,
        base=Decimal(payment.total).quantize(CENT),
        contract_type=contract.contract_type if contract is not None else "",
        payment=payment,
        note=_("服务费到账"),
    )


def deal_signed(sender, instance, name, source, target, **kwargs) -> None:
    """django-fsm's post_transition for Deal: a signing books its commission lines."""
    if name == "sign" and target == DealStage.SIGNED and not kwargs.get("exception"):
        commission_book_signing(deal=instance)


@transaction.atomic
def commission_line_reverse(*, line: CommissionLine, by: User, reason: str) -> CommissionLine:
    """Correct a line the only way the ledger allows: a new line with the opposite amounts,
    pointing at it. A line is reversed once; a reversal is not reversed (book a new line)."""
    if not permissions.is_market_operator(by, line.deal.market_id):
        raise PermissionDenied(_("只有该市场的运营人员可以冲正佣金台账。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写冲正原因。")}, code="reason_required")
    locked = CommissionLine.objects.select_for_update().get(pk=line.pk)
    if locked.kind == CommissionLineKind.REVERSAL:
        raise ValidationError(_("冲正记录本身不能再冲正。"), code="reversal_of_reversal")
    if CommissionLine.objects.filter(reverses=locked).exists():
        raise ValidationError(_("这条记录已经冲正过了。"), code="already_reversed")
    reversal = CommissionLine(
        deal_id=locked.deal_id,
        broker_id=locked.broker_id,
        kind=CommissionLineKind.REVERSAL,
        payment_id=locked.payment_id,
        reverses=locked,
        rule_id=locked.rule_id,
        rule_level=locked.rule_level,
        basis=locked.basis,
        base=locked.base,
        rate=locked.rate,
        minimum=locked.minimum,
        cap=locked.cap,
        commission=-locked.commission,
        share=locked.share,
        amount=-locked.amount,
        note=reason[:200],
        created_by=by,
    )
    reversal.full_clean()
    reversal.save()
    return reversal


def may_pay_service_fee(deal: Deal, user: User) -> bool:
    return deal.buyer_id is not None and permissions.is_org_editor(user, deal.buyer_id)


@transaction.atomic
def service_fee_start(
    *, deal: Deal, actor: User, amount: Decimal, token: uuid.UUID | None = None
) -> Payment:
    """The buyer pays the brokers' service fee (技术经纪服务费) for a signed deal, through
    django-payments. The ledger books it when the provider confirms it."""
    if not may_pay_service_fee(deal, actor):
        raise PermissionDenied(_("只有买方单位可以缴纳技术经纪服务费。"))
    if deal.stage not in FEE_STAGES:
        raise ValidationError(_("合同签订后、交易关闭前才能缴纳技术经纪服务费。"), code="stage")
    return payment_start(
        purpose=PaymentPurpose.SERVICE_FEE,
        total=amount,
        payer=deal.buyer,
        actor=actor,
        return_url=deal.get_absolute_url(),
        description=_("技术经纪服务费：%s") % deal.title,
        deal=deal,
        token=token,
    )

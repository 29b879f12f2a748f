"""Writes for technology contracts (技术合同) and their registration (技术合同认定登记).

The contract is made from a signed deal, with its income assessment form (技术性收入核定表):
the contract amount less its non-technical parts is the technology transaction amount. The
seller applies in its own region; the registry (a clerk or operator of the seller's market)
accepts or returns the filing, then registers it with a number, which moves the deal to
"认定登记", or refuses it on a ground, which loses the deal.

Every step locks the contract's row, refuses a step taken on a stale page with who moved
the contract and where, and applies the model's own transitions through the audited
`transition_apply`."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brokers.choices import (
    ContractType,
    DealStage,
    LostReason,
    NonTechnicalCost,
    RefusalGround,
    RegistrationStatus,
)
from brokers.models import Contract, ContractDeduction, Deal
from brokers.models.contracts import may_apply
from brokers.selectors.contracts import contract_missing, decision_due
from brokers.services.commissions import commission_book_signing
from brokers.services.deals import LOST_NOTE_MAX_LENGTH, deal_advance, deal_lose
from market.models import Market, TransitionLog, User, state_label
from market.services import notify, transition_apply, transition_label

NOTE_MAX_LENGTH = 2000


def _content_type_id() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Contract).pk


def may_edit_contract(deal: Deal, user: User) -> bool:
    """Who fills in the contract and applies: the seller's editors, or the deal's brokers
    (and its market's operators) on its behalf."""
    from brokers.models.deals import may_work_deal
    from market.permissions import is_org_editor

    return is_org_editor(user, deal.seller_id) or may_work_deal(deal, user)


# ── The contract form and its income assessment ────────────────────────────────────────


def _money(value, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({field: _("请填写%s（万元，最多两位小数）。") % label}) from None
    return amount


def _deduction_lines(lines: Iterable[dict]) -> list[ContractDeduction]:
    rows = []
    for i, line in enumerate(lines, start=1):
        kind = line.get("kind") or ""
        if kind not in NonTechnicalCost.values:
            raise ValidationError(
                {"deductions": _("第 %d 行：请选择非技术性费用的类别。") % i}, code="kind"
            )
        amount = _money(line.get("amount"), "deductions", _("金额"))
        if amount <= 0:
            raise ValidationError(
                {"deductions": _("第 %d 行：金额须大于 0 万元。") % i}, code="amount"
            )
        rows.append(
            ContractDeduction(
                kind=kind, description=(line.get("description") or "").strip()[:200], amount=amount
            )
        )
    return rows


def _assess(contract: Contract, deductions: list[ContractDeduction]) -> None:
    """The income assessment: technology transaction amount = contract amount less the
    non-technical parts. Never more than the amount, never below zero."""
    non_technical = sum((d.amount for d in deductions), Decimal("0"))
    if contract.amount is not None and non_technical > contract.amount:
        raise ValidationError(
            {
                "deductions": _(
                    "非技术性费用合计 %(costs)s 万元，超过成交额 %(amount)s 万元，请核对。"
                )
                % {"costs": non_technical, "amount": contract.amount}
            },
            code="costs_exceed_amount",
        )
    contract.tech_amount = (contract.amount or Decimal("0")) - non_technical


def _fill(
    contract: Contract,
    *,
    contract_type: str,
    title: str,
    signed_on: date,
    term_start: date,
    term_end: date,
    amount,
    deductions: Iterable[dict],
) -> list[ContractDeduction]:
    if contract_type not in ContractType.values:
        raise ValidationError({"contract_type": _("请从四技合同类型中选择合同类型。")})
    if not (title or "").strip():
        raise ValidationError({"title": _("请填写合同名称。")})
    contract.contract_type = contract_type
    contract.title = title.strip()[:200]
    contract.signed_on, contract.term_start, contract.term_end = signed_on, term_start, term_end
    contract.amount = _money(amount, "amount", _("成交额"))
    if signed_on and signed_on > timezone.localdate():
        raise ValidationError({"signed_on": _("签订日期不能晚于今天。")})
    lines = _deduction_lines(deductions)
    _assess(contract, lines)
    contract.full_clean(exclude=["token", "deal", "market", "buyer", "seller"])
    return lines


def _save_lines(contract: Contract, lines: list[ContractDeduction]) -> None:
    contract.deductions.all().delete()
    for line in lines:
        line.contract = contract
        line.full_clean()
    ContractDeduction.objects.bulk_create(lines)


@transaction.atomic
def contract_create(
    *,
    deal: Deal,
    by: User,
    contract_type: str,
    title: str,
    signed_on: date,
    term_start: date,
    term_end: date,
    amount,
    deductions: Iterable[dict] = (),
    token: uuid.UUID | None = None,
) -> Contract:
    """The contract of a signed deal, with its income assessment form. The parties are the
    deal's buyer and seller; the registry is the seller's own market. The same form sent
    twice makes one contract."""
    if token and (same := Contract.objects.filter(token=token).first()) is not None:
        return same
    locked = Deal.objects.select_for_update().get(pk=deal.pk)
    if not may_edit_contract(locked, by):
        raise PermissionDenied(_("只有卖方或这笔交易的技术经纪人可以填写合同。"))
    if locked.stage != DealStage.SIGNED:
        raise ValidationError(
            _("交易处于“%s”阶段；合同在交易签约后填写。") % locked.get_stage_display(),
            code="not_signed",
        )
    if Contract.objects.filter(deal=locked).exists():
        raise ValidationError(_("这笔交易已有合同，请修改原合同。"), code="exists")
    if not (locked.buyer_id and locked.seller_id):
        raise ValidationError(_("交易须先写明买方和卖方，才能填写合同。"), code="no_parties")
    field = ""
    if locked.achievement_id:
        field = locked.achievement.field
    elif locked.demand_id:
        field = locked.demand.field
    contract = Contract(
        deal=locked,
        market_id=locked.registry_market_id,
        field=field or "",
        buyer_id=locked.buyer_id,
        seller_id=locked.seller_id,
        created_by=by,
        token=token,
    )
    lines = _fill(
        contract,
        contract_type=contract_type,
        title=title,
        signed_on=signed_on,
        term_start=term_start,
        term_end=term_end,
        amount=amount,
        deductions=deductions,
    )
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError:
        same = Contract.objects.filter(token=token).first() if token else None
        if same is None:
            raise ValidationError(_("这笔交易已有合同，请修改原合同。"), code="exists") from None
        return same
    _save_lines(contract, lines)
    # A deal signed before its amount was known (a match has none) books its signing's
    # commission now, on the contract amount; one booked at signing stays as it is.
    commission_book_signing(deal=locked, by=by)
    TransitionLog.objects.create(
        content_type_id=_content_type_id(),
        object_id=contract.pk,
        transition="create",
        from_state="",
        to_state=contract.registration_status,
        by=by,
        reason=_("填写合同及技术性收入核定表"),
    )
    return contract


EDITABLE_STATUSES = (RegistrationStatus.DRAFT, RegistrationStatus.RETURNED)


@transaction.atomic
def contract_update(
    *,
    contract: Contract,
    by: User,
    contract_type: str,
    title: str,
    signed_on: date,
    term_start: date,
    term_end: date,
    amount,
    deductions: Iterable[dict] = (),
) -> Contract:
    """Correct the contract and its assessment, before applying or after a return."""
    locked = (
        Contract.objects.select_for_update(of=("self",)).select_related("deal").get(pk=contract.pk)
    )
    if not may_edit_contract(locked.deal, by):
        raise PermissionDenied(_("只有卖方或这笔交易的技术经纪人可以修改合同。"))
    if locked.registration_status not in EDITABLE_STATUSES:
        raise ValidationError(
            _("合同“%s”，登记机构办理期间不能修改。") % locked.get_registration_status_display(),
            code="not_editable",
        )
    lines = _fill(
        locked,
        contract_type=contract_type,
        title=title,
        signed_on=signed_on,
        term_start=term_start,
        term_end=term_end,
        amount=amount,
        deductions=deductions,
    )
    locked.save()
    _save_lines(locked, lines)
    TransitionLog.objects.create(
        content_type_id=_content_type_id(),
        object_id=locked.pk,
        transition="update",
        from_state=locked.registration_status,
        to_state=locked.registration_status,
        by=by,
        reason=_("修改合同及技术性收入核定表"),
    )
    return locked


# ── Registration ──────────────────────────────────────────────────────────────────────


def _last_log(contract: Contract) -> TransitionLog | None:
    return (
        TransitionLog.objects.filter(content_type_id=_content_type_id(), object_id=contract.pk)
        .select_related("by")
        .order_by("-at", "-id")
        .first()
    )


def _lock(contract: Contract, expected_status: str | None) -> Contract:
    locked = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("deal", "market")
        .get(pk=contract.pk)
    )
    if expected_status is not None and locked.registration_status != expected_status:
        last = _last_log(locked)
        who = str(last.by) if last and last.by else _("系统")
        raise ValidationError(
            _("这份合同已被%(who)s办理为“%(status)s”，请刷新后查看。")
            % {
                "who": who,
                "status": state_label(Contract, locked.registration_status, "registration_status"),
            },
            code="stale_status",
        )
    return locked


def _step(locked: Contract, name: str, by: User, reason: str = "") -> Contract:
    return transition_apply(
        locked, transition=name, by=by, reason=reason, state_field="registration_status"
    )


def _note(note: str, *, required: str) -> str:
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": required}, code="note_required")
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": _("意见不能超过 %d 字。") % NOTE_MAX_LENGTH}, code="note_too_long"
        )
    return note


def _tell_seller_side(contract: Contract, *, by: User, title: str, body: str) -> None:
    """The contract's author and the deal's brokers learn of the registry's decision."""
    people = {b.broker.user for b in contract.deal.deal_brokers.select_related("broker__user")}
    if contract.created_by_id:
        people.add(contract.created_by)
    for person in people:
        if person.pk != by.pk:
            notify(
                recipient=person,
                verb="contract.decided",
                title=title,
                body=body,
                url=contract.get_absolute_url(),
            )


@transaction.atomic
def contract_apply(*, contract: Contract, by: User, expected_status: str | None = None) -> Contract:
    """The seller files the contract with its registry (its own region's market). Refused,
    saying which, while a required document is missing."""
    locked = _lock(contract, expected_status)
    if not may_apply(locked, by):
        raise PermissionDenied(_("只有卖方或这笔交易的技术经纪人可以申请认定登记。"))
    if locked.deal.stage != DealStage.SIGNED:
        raise ValidationError(
            _("交易处于“%s”阶段，不能申请认定登记。") % locked.deal.get_stage_display(),
            code="not_signed",
        )
    missing = contract_missing(locked)
    if missing:
        raise ValidationError(
            [_("申请材料不全，还缺：%s。请先在交易页上传。") % item for item in missing],
            code="documents_missing",
        )
    locked = _step(locked, "apply", by, _("向%s申请认定登记") % locked.market.name)
    locked.applied_at = timezone.now()
    locked.decision_note = ""
    locked.save(update_fields=["applied_at", "decision_note"])
    return locked


@transaction.atomic
def contract_return(
    *, contract: Contract, by: User, note: str, expected_status: str | None = None
) -> Contract:
    """The registry returns an incomplete filing for correction (退回补正), saying what to
    correct; the seller corrects it and applies again."""
    note = _note(note, required=_("请写明需要补正的内容。"))
    locked = _step(_lock(contract, expected_status), "return_for_correction", by, note)
    locked.decision_note = note
    locked.save(update_fields=["decision_note"])
    _tell_seller_side(
        locked,
        by=by,
        title=_("合同“%s”被退回补正") % locked.title,
        body=note,
    )
    return locked


@transaction.atomic
def contract_accept(
    *, contract: Contract, by: User, expected_status: str | None = None
) -> Contract:
    """The registry accepts the filing (受理): the 30-day decision deadline starts now."""
    locked = _step(_lock(contract, expected_status), "accept", by)
    now = timezone.now()
    locked.accepted_at, locked.decision_due_at = now, decision_due(now)
    locked.save(update_fields=["accepted_at", "decision_due_at"])
    return locked


def registration_number(market: Market, on: date) -> str:
    """The next registration number (登记编号) of a registry: year, the registry's region code
    and a six-digit serial within the year, e.g. 2026420100000012. Call with the market's row
    locked, so two registrations at once never draw the same serial."""
    prefix = f"{on.year}{market.region_code}"
    last = (
        Contract.objects.filter(registration_no__startswith=prefix)
        .order_by("-registration_no")
        .values_list("registration_no", flat=True)
        .first()
    )
    serial = int(last[len(prefix) :]) + 1 if last else 1
    return f"{prefix}{serial:06d}"


@transaction.atomic
def contract_register(
    *, contract: Contract, by: User, expected_status: str | None = None
) -> Contract:
    """The registry registers the contract (予以登记) with its number, and the deal moves to
    "认定登记" through the deal core."""
    locked = _lock(contract, expected_status)
    # Permission and state first (nothing is numbered for a step that is refused).
    locked = _step(locked, "register", by)
    # Serials are drawn per region and year: the registries of one region share them, so
    # the lock is on every market of that region code.
    list(
        Market.objects.select_for_update()
        .filter(region_code=locked.market.region_code)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    today = timezone.localdate()
    locked.registration_no = registration_number(locked.market, today)
    locked.registered_on, locked.decided_at = today, timezone.now()
    locked.save(update_fields=["registration_no", "registered_on", "decided_at"])
    deal_advance(
        deal=locked.deal,
        transition="register",
        by=by,
        expected_stage=DealStage.SIGNED,
        reason=_("登记编号 %s") % locked.registration_no,
    )
    _tell_seller_side(
        locked,
        by=by,
        title=_("合同“%s”已认定登记") % locked.title,
        body=_("登记编号 %s") % locked.registration_no,
    )
    return locked


@transaction.atomic
def contract_refuse(
    *,
    contract: Contract,
    by: User,
    ground: str,
    note: str,
    expected_status: str | None = None,
) -> Contract:
    """The registry refuses the contract (不予登记) on one of the grounds of
    《技术合同认定登记管理办法》, with a note. What a correction can mend is returned before
    acceptance (退回补正); a refusal is the registry's decision on the contract itself, which
    then can never be registered, so the deal is lost with "认定登记未通过"."""
    if ground not in RefusalGround.values:
        raise ValidationError({"ground": _("请选择不予登记的理由。")}, code="ground_required")
    note = _note(note, required=_("请写明不予登记的具体理由。"))
    label = str(RefusalGround(ground).label)
    locked = _step(_lock(contract, expected_status), "refuse", by, f"{label}：{note}")
    locked.refusal_ground, locked.decision_note = ground, note
    locked.decided_at = timezone.now()
    locked.save(update_fields=["refusal_ground", "decision_note", "decided_at"])
    if locked.deal.is_open:
        deal_lose(
            deal=locked.deal,
            by=by,
            reason=LostReason.REGISTRATION_REFUSED,
            note=f"{label}：{note}"[:LOST_NOTE_MAX_LENGTH],
        )
    _tell_seller_side(
        locked,
        by=by,
        title=_("合同“%s”不予登记") % locked.title,
        body=f"{label}：{note}",
    )
    return locked


def contract_steps(contract: Contract, user: User) -> list[dict]:
    """The registration steps this person may take now, for the contract's page."""
    from django_fsm import has_transition_perm

    steps = []
    for name in ("apply", "return_for_correction", "accept", "register", "refuse"):
        if has_transition_perm(getattr(contract, name), user):
            steps.append({"name": name, "label": transition_label(name, Contract)})
    return steps

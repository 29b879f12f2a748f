"""Reads for technology contracts (技术合同) and their registration (认定登记): the filing's
checklist, the registry's queue with the 30-day decision deadline, and registered contract
value, the market's headline figure, from registered contracts only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brokers.choices import ContractType, DocumentKind, RegistrationStatus
from brokers.models import Contract, Deal
from market import permissions
from market.choices import Role
from market.models import User

# 《技术合同认定登记管理办法》: the registry decides within 30 days of accepting a filing.
DECISION_DAYS = 30
# From this many days left, the deadline is warned as due soon (like the 48-hour rule's
# last hours).
DECISION_WARNING_DAYS = 5

# What the registry reads besides the contract's own form and its income assessment form:
# the contract text for every type, and for a transfer the proof of the right transferred.
_CONTRACT_TEXT = (DocumentKind.CONTRACT, _("合同文本（双方签字盖章）"))
_RIGHT_PROOF = (DocumentKind.PROOF, _("权属证明（专利证书、专利申请受理通知书或技术秘密说明）"))
_INTERMEDIARY_PROOF = (DocumentKind.PROOF, _("中介服务证明（促成交易的相关合同或协议）"))

REQUIRED_DOCUMENTS: dict[str, tuple[tuple[str, object], ...]] = {
    ContractType.DEVELOPMENT_COMMISSIONED: (_CONTRACT_TEXT,),
    ContractType.DEVELOPMENT_COOPERATIVE: (_CONTRACT_TEXT,),
    ContractType.TRANSFER_PATENT: (_CONTRACT_TEXT, _RIGHT_PROOF),
    ContractType.TRANSFER_PATENT_APPLICATION: (_CONTRACT_TEXT, _RIGHT_PROOF),
    ContractType.TRANSFER_PATENT_LICENCE: (_CONTRACT_TEXT, _RIGHT_PROOF),
    ContractType.TRANSFER_KNOW_HOW: (_CONTRACT_TEXT, _RIGHT_PROOF),
    ContractType.CONSULTING: (_CONTRACT_TEXT,),
    ContractType.SERVICE: (_CONTRACT_TEXT,),
    ContractType.SERVICE_TRAINING: (_CONTRACT_TEXT,),
    ContractType.SERVICE_INTERMEDIARY: (_CONTRACT_TEXT, _INTERMEDIARY_PROOF),
}


@dataclass(frozen=True)
class ChecklistItem:
    kind: str
    label: str
    documents: tuple[str, ...]  # the names of the deal's documents that meet it

    @property
    def met(self) -> bool:
        return bool(self.documents)


def contract_checklist(contract: Contract) -> list[ChecklistItem]:
    """The filing's required documents for the contract's type, each with the deal's
    documents of that kind (any stage), so the seller sees what is still missing."""
    names: dict[str, list[str]] = {}
    for kind, name in contract.deal.documents.values_list("kind", "original_name"):
        names.setdefault(kind, []).append(name)
    return [
        ChecklistItem(kind=kind, label=str(label), documents=tuple(names.get(kind, ())))
        for kind, label in REQUIRED_DOCUMENTS[contract.contract_type]
    ]


def contract_missing(contract: Contract) -> list[str]:
    return [item.label for item in contract_checklist(contract) if not item.met]


# ── The 30-day decision deadline, shown like the 48-hour rule ─────────────────────────────


def decision_due(accepted_at: datetime) -> datetime:
    return accepted_at + timedelta(days=DECISION_DAYS)


@dataclass(frozen=True)
class Deadline:
    due_at: datetime
    state: str  # "waiting", "due_soon" or "overdue"
    days_left: int  # whole days left, rounded up; 0 once overdue
    days_overdue: int  # whole days past, rounded up; 0 before


def decision_deadline(contract: Contract, *, now: datetime | None = None) -> Deadline | None:
    """Where an accepted contract stands against its 30-day deadline; None when no deadline
    runs (not accepted yet, or decided)."""
    if contract.registration_status != RegistrationStatus.ACCEPTED or not contract.decision_due_at:
        return None
    now = now or timezone.now()
    seconds = (contract.decision_due_at - now).total_seconds()
    day = 24 * 3600
    if seconds <= 0:
        return Deadline(contract.decision_due_at, "overdue", 0, max(1, math.ceil(-seconds / day)))
    left = math.ceil(seconds / day)
    state = "due_soon" if left <= DECISION_WARNING_DAYS else "waiting"
    return Deadline(contract.decision_due_at, state, left, 0)


# ── Who sees what ───────────────────────────────────────────────────────────────────────


def registry_market_ids(user: User) -> set[int]:
    """The markets whose registry this person is: the ones they operate, and the ones where
    they are a window clerk."""
    if not user or not user.is_authenticated:
        return set()
    ids = set(permissions.operated_market_ids(user))
    ids |= set(
        user.memberships.filter(role=Role.WINDOW_CLERK, market_id__isnull=False).values_list(
            "market_id", flat=True
        )
    )
    return ids


def may_see_contract(contract: Contract, user: User) -> bool:
    """The deal's parties and brokers (and its market's operators), and the registry."""
    from brokers.models.deals import is_deal_party

    if is_deal_party(contract.deal, user):
        return True
    return contract.market_id in registry_market_ids(user)


def is_contract_registry(deal: Deal, user: User) -> bool:
    """The registry of the deal's contract once the seller has filed it (a clerk or operator
    of the seller's market): it reads the deal, its contract, documents and history, and
    edits none of them."""
    contract = (
        Contract.objects.filter(deal=deal)
        .exclude(registration_status=RegistrationStatus.DRAFT)
        .values_list("market_id", flat=True)
        .first()
    )
    return contract is not None and contract in registry_market_ids(user)


def contract_for_page(pk: int) -> Contract:
    return (
        Contract.objects.select_related("deal", "market", "buyer", "seller", "created_by")
        .prefetch_related("deductions")
        .get(pk=pk)
    )


def contract_of_deal(deal: Deal) -> Contract | None:
    return Contract.objects.filter(deal=deal).prefetch_related("deductions").first()


QUEUE_STATUSES = (RegistrationStatus.APPLIED, RegistrationStatus.ACCEPTED)


def registry_queue(user: User, *, now: datetime | None = None) -> list[dict]:
    """The registry's work: filings waiting for acceptance, then accepted ones by their
    deadline (the most urgent first), each with where it stands against the deadline."""
    markets = registry_market_ids(user)
    rows = (
        Contract.objects.filter(market_id__in=markets, registration_status__in=QUEUE_STATUSES)
        .select_related("market", "buyer", "seller")
        .order_by("decision_due_at", "applied_at", "pk")
    )
    return [{"contract": c, "deadline": decision_deadline(c, now=now)} for c in rows]


# ── Registered contract value (the headline figure) ────────────────────────────────────


def registered_contracts(
    *,
    year: int | None = None,
    market_ids: list[int] | None = None,
    field: str | None = None,
    contract_type: str | None = None,
) -> QuerySet[Contract]:
    """Registered contracts only (登记状态“已登记”), by the year they were registered, their
    registry market, field and type: the rows behind every registered-value figure."""
    rows = Contract.objects.filter(registration_status=RegistrationStatus.REGISTERED)
    if year is not None:
        rows = rows.filter(
            registered_on__gte=date(year, 1, 1), registered_on__lt=date(year + 1, 1, 1)
        )
    if market_ids is not None:
        rows = rows.filter(market_id__in=market_ids)
    if field:
        rows = rows.filter(field=field)
    if contract_type:
        rows = rows.filter(contract_type=contract_type)
    return rows


def registered_value(
    contracts: QuerySet[Contract] | None = None, **filters
) -> dict[str, Decimal | int]:
    """Registered contract value: 成交额 (`amount`) and 技术交易额 (`tech_amount`), in 万元,
    and the number of contracts, over `contracts` (registered ones only, whatever is
    passed) or over `registered_contracts(**filters)`. One query."""
    rows = registered_contracts(**filters) if contracts is None else contracts
    rows = rows.filter(Q(registration_status=RegistrationStatus.REGISTERED))
    totals = rows.order_by().aggregate(
        amount=Sum("amount"), tech_amount=Sum("tech_amount"), count=Count("pk")
    )
    return {
        "amount": totals["amount"] or Decimal("0"),
        "tech_amount": totals["tech_amount"] or Decimal("0"),
        "count": totals["count"] or 0,
    }

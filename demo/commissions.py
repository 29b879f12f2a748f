"""Commissions for the demo: the institutions' demonstration status, the sub-markets brokers
serve, commission rules at every level, the ledger lines of the demo's deals (booked at
their signing, and a settled service fee on the registered ones), and the parties' ratings
of closed deals. Deterministic: the same deals give the same rules, lines and ratings.

`demo_commissions(deals=..., seed=13)` takes the deals the demo built (any stages); the
brokers and institutions are the ones on those deals. Call it after the deals exist."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime, time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from payments import PaymentStatus

from brokers.choices import (
    CommissionBasis,
    CommissionLineKind,
    ContractType,
    DealStage,
    InstitutionLevel,
    PaymentPurpose,
)
from brokers.models import (
    Broker,
    BrokerRating,
    CommissionLine,
    CommissionRule,
    Deal,
    TransferInstitution,
)
from brokers.services import commission_book_signing, payment_start
from market.choices import LISTING_EDITOR_ROLES
from market.models import Market, Membership, TransitionLog

SIGNED_OR_LATER = (
    DealStage.SIGNED,
    DealStage.REGISTERED,
    DealStage.PERFORMED,
    DealStage.CLOSED,
)
FEE_PAID = (DealStage.REGISTERED, DealStage.PERFORMED, DealStage.CLOSED)
COMMENTS = [
    "响应及时，对接专业",
    "熟悉政策，合同条款把关细致",
    "沟通顺畅",
    "流程清楚，效率很高",
    "",
]


def _rule(**fields) -> CommissionRule:
    rule, _ = CommissionRule.objects.get_or_create(
        active=True,
        basis=fields.pop("basis"),
        broker=fields.pop("broker", None),
        institution=fields.pop("institution", None),
        contract_type=fields.pop("contract_type", ""),
        defaults=fields,
    )
    return rule


def _rules(brokers: list[Broker], institutions: list) -> list[CommissionRule]:
    rules = [
        _rule(basis=CommissionBasis.CONTRACT, rate=Decimal("1"), minimum=Decimal("2000"),
              cap=Decimal("200000"), note="默认：成交额的1%"),
        _rule(basis=CommissionBasis.SERVICE_FEE, rate=Decimal("40"), note="默认：服务费的40%"),
        _rule(basis=CommissionBasis.CONTRACT, contract_type=ContractType.TRANSFER_PATENT,
              rate=Decimal("1.5"), note="专利权转让"),
        _rule(basis=CommissionBasis.CONTRACT, contract_type=ContractType.CONSULTING,
              rate=Decimal("3"), minimum=Decimal("1000"), note="技术咨询"),
    ]  # fmt: skip
    if institutions:
        rules.append(
            _rule(basis=CommissionBasis.CONTRACT, institution=institutions[0],
                  rate=Decimal("1.2"), cap=Decimal("150000"), note="国家级示范机构协议费率")
        )  # fmt: skip
        rules.append(
            _rule(basis=CommissionBasis.SERVICE_FEE, institution=institutions[0],
                  rate=Decimal("50"), note="国家级示范机构服务费分成")
        )  # fmt: skip
    senior = [b for b in brokers if b.grade == "senior"] or brokers[:1]
    if senior:
        rules.append(
            _rule(basis=CommissionBasis.CONTRACT, broker=senior[0], rate=Decimal("2"),
                  minimum=Decimal("5000"), note="高级经纪人个人费率")
        )  # fmt: skip
    return rules


def _signed_at(deal: Deal) -> datetime:
    log = (
        TransitionLog.objects.filter(object_id=deal.pk, transition="sign", to_state="signed")
        .filter(content_type__model="deal")
        .order_by("at")
        .first()
    )
    if log is not None:
        return log.at
    contract = getattr(deal, "contract", None)
    if contract is not None:
        return timezone.make_aware(datetime.combine(contract.signed_on, time(10)))
    return deal.stage_changed_at


def _editor(org_id: int):
    membership = (
        Membership.objects.filter(organization_id=org_id, role__in=LISTING_EDITOR_ROLES)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


@transaction.atomic
def demo_commissions(*, deals: Iterable[Deal], seed: int = 13) -> dict[str, int]:
    """Returns how many rules, ledger lines and ratings it made."""
    rng = random.Random(seed)
    deals = sorted(deals, key=lambda d: d.pk)
    brokers = list(
        Broker.objects.filter(deal_roles__deal__in=deals)
        .select_related("institution")
        .distinct()
        .order_by("pk")
    )
    institutions = sorted({b.institution for b in brokers}, key=lambda o: o.pk)
    levels = [InstitutionLevel.NATIONAL, InstitutionLevel.PROVINCIAL, InstitutionLevel.NONE]
    for i, org in enumerate(institutions):
        TransferInstitution.objects.get_or_create(
            organization=org, defaults={"level": levels[min(i, len(levels) - 1)]}
        )
    sub_markets = list(Market.objects.filter(parent__isnull=False).order_by("code"))
    for broker in brokers:
        served = {broker.institution.market_id}
        if sub_markets:
            served.add(rng.choice(sub_markets).pk)
        broker.markets_served.add(*served)
    rules = _rules(brokers, institutions)

    lines_before = CommissionLine.objects.count()
    ratings = 0
    for deal in deals:
        if deal.stage not in SIGNED_OR_LATER:
            continue
        commission_book_signing(deal=deal, at=_signed_at(deal))
        payer = _editor(deal.buyer_id) if deal.buyer_id else None
        already_paid = CommissionLine.objects.filter(
            deal=deal, kind=CommissionLineKind.PAYMENT
        ).exists()
        if deal.stage in FEE_PAID and payer is not None and not already_paid:
            signing = deal.commission_lines.filter(kind=CommissionLineKind.SIGNING).first()
            fee = signing.commission if signing else Decimal(rng.randrange(5, 60) * 1000)
            # payment_start itself: a closed deal's fee was paid before it closed
            payment = payment_start(
                purpose=PaymentPurpose.SERVICE_FEE,
                total=fee,
                payer=deal.buyer,
                actor=payer,
                return_url=deal.get_absolute_url(),
                description=f"技术经纪服务费：{deal.title}",
                deal=deal,
            )
            # the dummy provider's confirmation, as its callback would send it
            payment.change_status(PaymentStatus.CONFIRMED)
        if deal.stage == DealStage.CLOSED:
            ratings += _rate(deal, rng)
    return {
        "rules": len(rules),
        "lines": CommissionLine.objects.count() - lines_before,
        "ratings": ratings,
    }


def _rate(deal: Deal, rng: random.Random) -> int:
    lead = deal.deal_brokers.filter(is_lead=True).first()
    if lead is None:
        return 0
    made = 0
    for org_id in (deal.buyer_id, deal.seller_id):
        if org_id is None:
            continue
        _rating, created = BrokerRating.objects.get_or_create(
            deal=deal,
            organization_id=org_id,
            defaults={
                "broker_id": lead.broker_id,
                "score": rng.choice([5, 5, 4, 4, 3]),
                "comment": rng.choice(COMMENTS),
                "rated_by": _editor(org_id),
            },
        )
        made += created
    return made

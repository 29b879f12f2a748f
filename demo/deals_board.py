"""Deals for the demo brokers' boards: one in every stage for each broker, walked there
through the real services, so each has its history (back-dated over the past weeks) and the
documents of its stages.

The notice is published through its service; the registered deals' contracts are filled
in, filed and registered through the contract services (demo.contracts), whose
`demo_back_date` then puts the documents, contracts, ledger lines and fees of these deals
at the times of their back-dated stages."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from brokers.choices import (
    ContractType,
    DealStage,
    DocumentKind,
    LostReason,
    TradeMode,
)
from brokers.models import Broker, Deal
from brokers.services import (
    deal_advance,
    deal_document_add,
    deal_lose,
    deal_notice_publish,
    deal_open_lead,
)
from demo.contracts import _pdf, _round_amount, contract_register_now
from listings.choices import ListingStatus
from listings.models import Achievement, Demand
from market.models import TransitionLog, User
from market.permissions import operated_market_ids

# Where each demo deal ends, and the steps that take it there from its lead.
ROUTES: dict[str, tuple[str, ...]] = {
    DealStage.LEAD: (),
    DealStage.CONTACTED: ("contact",),
    DealStage.NEGOTIATION: ("contact", "negotiate"),
    DealStage.NOTICE: ("contact", "negotiate", "open_notice"),
    DealStage.SIGNED: ("contact", "negotiate", "sign"),
    DealStage.REGISTERED: ("contact", "negotiate", "sign", "register"),
    DealStage.PERFORMED: ("contact", "negotiate", "sign", "register", "perform"),
    DealStage.CLOSED: ("contact", "negotiate", "sign", "register", "perform", "close"),
    DealStage.LOST: ("contact", "negotiate"),
}
LOST_NOTES = {
    LostReason.PRICE: "买方预算与成果方报价差距较大，双方同意暂缓。",
    LostReason.FUNDING: "企业年度技改资金未获批复，项目推迟到明年。",
    LostReason.COMPETITOR: "企业选择了省外高校的同类技术方案。",
}
# Types whose filing needs only the contract text.
BOARD_CONTRACT_TYPES = (ContractType.DEVELOPMENT_COMMISSIONED, ContractType.SERVICE,
                        ContractType.CONSULTING)  # fmt: skip
NAMESPACE = uuid.UUID("5f0c1d2e-7b3a-4c8e-9a61-0d9e13a0b7c4")
BROKERS_ON_BOARD = 5


def _registry_user(deal: Deal) -> User | None:
    """An operator of the market where the seller registers its contract."""
    market_id = deal.registry_market_id
    operators = User.objects.filter(memberships__role="operator").distinct().order_by("pk")
    return next((u for u in operators if market_id in operated_market_ids(u)), None)


def _pairs(rng: random.Random, count: int) -> list[tuple[Demand, Achievement]]:
    demands = list(
        Demand.objects.filter(status=ListingStatus.PUBLISHED).select_related("owner")[:300]
    )
    achievements = list(
        Achievement.objects.filter(status=ListingStatus.PUBLISHED).select_related("owner")[:300]
    )
    pairs = []
    while demands and achievements and len(pairs) < count:
        demand, achievement = rng.choice(demands), rng.choice(achievements)
        if demand.owner_id != achievement.owner_id:
            pairs.append((demand, achievement))
    return pairs


def _documents(deal: Deal, by: User, reached: Sequence[str]) -> None:
    files = []
    if DealStage.NEGOTIATION in reached:
        files.append((DealStage.NEGOTIATION, DocumentKind.MINUTES, "洽谈会议纪要.pdf"))
    if DealStage.SIGNED in reached:
        files.append((DealStage.SIGNED, DocumentKind.CONTRACT, "技术转让合同（签字盖章版）.pdf"))
    if DealStage.PERFORMED in reached:
        files.append((DealStage.PERFORMED, DocumentKind.INVOICE, "技术服务费发票.pdf"))
    for stage, kind, name in files:
        if deal.documents.filter(stage=stage, kind=kind).exists():
            continue  # filed with the contract's registration
        deal_document_add(
            deal=deal,
            actor=by,
            upload=SimpleUploadedFile(name, _pdf(f"Deal {deal.pk} {kind}")),
            stage=stage,
            kind=kind,
            token=uuid.uuid5(NAMESPACE, f"doc:{deal.pk}:{stage}:{kind}"),
        )


def _back_date(deal: Deal, started, rng: random.Random) -> None:
    """Spread the deal's history over the weeks before today, in its own order."""
    logs = list(TransitionLog.objects.filter(object_id=deal.pk, content_type__model="deal"))
    logs.sort(key=lambda log: (log.at, log.pk))
    steps = [timedelta(days=rng.randint(2, 6), hours=rng.randint(0, 8)) for _ in logs]
    # A long route is pressed into the time there was: its last step before now.
    room = timezone.now() - timedelta(hours=2) - started
    total = sum(steps[:-1], timedelta())
    if total > room:
        steps = [step * (room / total) for step in steps]
    at = started
    for log, step in zip(logs, steps, strict=True):
        log.at = at
        at += step
    TransitionLog.objects.bulk_update(logs, ["at"])
    if logs:
        Deal.objects.filter(pk=deal.pk).update(stage_changed_at=logs[-1].at)


@transaction.atomic
def demo_deals_board(*, brokers: Sequence[Broker] | None = None, seed: int = 13) -> list[Deal]:
    """One deal in every stage for each of `brokers` (by default the demo's first five,
    李文博 `broker` first), with its history and documents. Deterministic, and safe to run
    again: a broker's deals are keyed by a token made from their certificate number and the
    stage, so a second run finds them and adds nothing."""
    if brokers is None:
        brokers = list(
            Broker.objects.filter(active=True).select_related("user").order_by("user__username")
        )
        brokers.sort(key=lambda b: (b.user.username != "broker", b.user.username))
        brokers = brokers[:BROKERS_ON_BOARD]
    rng = random.Random(seed)
    now = timezone.now()
    deals = []
    for b_index, broker in enumerate(brokers):
        pairs = _pairs(random.Random(f"{seed}:{broker.certificate_no}"), len(ROUTES))
        for s_index, ((demand, achievement), (stage, route)) in enumerate(
            zip(pairs, ROUTES.items(), strict=False)
        ):
            token = uuid.uuid5(NAMESPACE, f"deal:{broker.certificate_no}:{stage}")
            if Deal.objects.filter(token=token).exists():
                deals.append(Deal.objects.get(token=token))
                continue
            # 万元, spread as contract amounts are: most modest, a few large.
            amount = _round_amount(min(600, max(5, rng.lognormvariate(math.log(45), 0.8))))
            deal = deal_open_lead(
                actor=broker.user,
                title=f"{achievement.title[:80]} → {demand.owner.name}",
                achievement=achievement,
                demand=demand,
                expected_amount=amount,
                token=token,
            )
            if stage == DealStage.NOTICE:
                Deal.objects.filter(pk=deal.pk).update(trade_mode=TradeMode.NEGOTIATED_NOTICE)
                deal.refresh_from_db()
            reached = [DealStage.LEAD]
            filed = False
            for step in route:
                by = broker.user
                if step == "close":
                    # A closed deal's file is archived: its documents come before closing.
                    _documents(deal, broker.user, reached)
                    filed = True
                if step == "register":
                    registry = _registry_user(deal)
                    if registry is None:
                        break
                    # The contract, filed and registered through the services; the
                    # registration moves the deal.
                    contract_register_now(
                        deal=deal,
                        by=broker.user,
                        registry=registry,
                        contract_type=BOARD_CONTRACT_TYPES[b_index % len(BOARD_CONTRACT_TYPES)],
                        rng=random.Random(f"{seed}:contract:{token}"),
                    )
                    deal.refresh_from_db()
                    reached.append(deal.stage)
                    continue
                if step == "open_notice":
                    # The notice stage is entered by publishing the notice, as a broker does.
                    deal_notice_publish(
                        deal=deal,
                        by=by,
                        proposed_price=deal.expected_amount or Decimal("50"),
                        expected_stage=deal.stage,
                    )
                    deal.refresh_from_db()
                else:
                    deal = deal_advance(
                        deal=deal, transition=step, by=by, expected_stage=deal.stage
                    )
                reached.append(deal.stage)
            if not filed:
                _documents(deal, broker.user, reached)  # a lost deal's file closes too
            if stage == DealStage.LOST:
                reason = rng.choice(list(LOST_NOTES))
                deal = deal_lose(deal=deal, by=broker.user, reason=reason, note=LOST_NOTES[reason])
            _back_date(deal, now - timedelta(days=45 - 3 * s_index), rng)
            deal.refresh_from_db()
            deals.append(deal)
    return deals

"""Deals, contracts and rules for the commission and directory tests, made through the deal
services where a service exists."""

from __future__ import annotations

import datetime
from decimal import Decimal

from brokers import services
from brokers.choices import ContractType, DealStage, RegistrationStatus
from brokers.models import Contract, Deal, DealBroker


def open_deal(broker, *, buyer, seller, amount="100", title="锂电池正极材料技术转让"):
    return services.deal_open_lead(
        actor=broker.user,
        title=title,
        buyer=buyer,
        seller=seller,
        expected_amount=Decimal(amount),
    )


def add_broker(deal, broker, share):
    """A co-broker on the deal, the lead's share reduced to what is left."""
    lead = deal.deal_brokers.get(is_lead=True)
    DealBroker.objects.filter(pk=lead.pk).update(share=Decimal("100") - Decimal(share))
    return DealBroker.objects.create(deal=deal, broker=broker, share=Decimal(share))


def add_contract(deal, *, amount="100", contract_type=ContractType.TRANSFER_PATENT, status=None):
    return Contract.objects.create(
        deal=deal,
        market_id=deal.market_id,
        field="new_materials",
        contract_type=contract_type,
        title=deal.title,
        buyer=deal.buyer,
        seller=deal.seller,
        signed_on=datetime.date(2026, 11, 2),
        term_start=datetime.date(2026, 11, 2),
        term_end=datetime.date(2027, 11, 1),
        amount=Decimal(amount),
        tech_amount=Decimal(amount),
        registration_status=status or RegistrationStatus.DRAFT,
    )


def sign(deal, by):
    for step in ("contact", "negotiate", "sign"):
        deal = services.deal_advance(deal=deal, transition=step, by=by)
    return deal


def force_stage(deal, stage: str) -> Deal:
    """Put a deal where a test needs it without walking the registration (another part of
    the issue); only the stage column is set."""
    Deal.objects.filter(pk=deal.pk).update(stage=stage)
    deal.refresh_from_db()
    return deal


CLOSED = DealStage.CLOSED

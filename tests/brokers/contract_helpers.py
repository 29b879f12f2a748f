"""What the contract tests share: a signed deal between a university of a sub-market and an
enterprise, its broker, the registry's clerk, and documents, all made through the services."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from brokers import services
from brokers.choices import ContractType, DealStage, DocumentKind
from brokers.models import DealDocument
from market.choices import OrganizationKind, Role
from market.models import Membership
from tests.factories import (
    BrokerFactory,
    OrganizationFactory,
    SubMarketFactory,
    UserFactory,
)


def make_world(main_market):
    sub = SubMarketFactory(
        parent=main_market, name="武汉分市场", code="wuhan", region_code="420100"
    )
    other_sub = SubMarketFactory(
        parent=main_market, name="宜昌分市场", code="yichang", region_code="420500"
    )
    seller = OrganizationFactory(kind=OrganizationKind.UNIVERSITY, name="江城大学", market=sub)
    buyer = OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE, name="光谷企业", market=main_market
    )
    seller_user = UserFactory(username="seller", name="卖方小王")
    Membership.objects.create(user=seller_user, organization=seller, role=Role.ORG_ADMIN)
    buyer_user = UserFactory(username="buyer", name="买方小赵")
    Membership.objects.create(user=buyer_user, organization=buyer, role=Role.ORG_ADMIN)
    broker = BrokerFactory(user=UserFactory(username="broker", name="经纪人老刘"))
    broker.institution.market = main_market
    broker.institution.save()
    window_org = OrganizationFactory(kind=OrganizationKind.OPERATOR, name="武汉窗口", market=sub)
    clerks = []
    for name in ("clerk", "clerk2"):
        clerk = UserFactory(username=name, name=f"窗口{name}")
        Membership.objects.create(
            user=clerk, organization=window_org, role=Role.WINDOW_CLERK, market=sub
        )
        clerks.append(clerk)
    far_clerk = UserFactory(username="farclerk", name="宜昌窗口")
    Membership.objects.create(
        user=far_clerk, organization=window_org, role=Role.WINDOW_CLERK, market=other_sub
    )
    return {
        "sub": sub,
        "other_sub": other_sub,
        "seller": seller,
        "buyer": buyer,
        "seller_user": seller_user,
        "buyer_user": buyer_user,
        "broker": broker,
        "clerk": clerks[0],
        "clerk2": clerks[1],
        "far_clerk": far_clerk,
    }


def signed_deal(world, title="高镍正极材料专利转让"):
    by = world["broker"].user
    deal = services.deal_open_lead(
        actor=by, title=title, buyer=world["buyer"], seller=world["seller"]
    )
    for step in ("contact", "negotiate", "sign"):
        deal = services.deal_advance(deal=deal, transition=step, by=by)
    assert deal.stage == DealStage.SIGNED
    return deal


def attach(deal, kind, name="合同文本.pdf", by=None):
    doc = DealDocument(
        deal=deal,
        stage=DealStage.SIGNED,
        kind=kind,
        original_name=name,
        mime_type="application/pdf",
        size=8,
        uploaded_by=by,
    )
    doc.file.save(name, ContentFile(b"%PDF-1.4"), save=False)
    doc.save()
    return doc


CONTRACT_FIELDS = {
    "contract_type": ContractType.TRANSFER_PATENT,
    "title": "一种高镍正极材料制备方法专利权转让合同",
    "amount": Decimal("300"),
}


def contract_fields(**overrides):
    today = timezone.localdate()
    fields = {
        **CONTRACT_FIELDS,
        "signed_on": today - timedelta(days=3),
        "term_start": today - timedelta(days=3),
        "term_end": today + timedelta(days=365),
    }
    fields.update(overrides)
    return fields


def make_contract(world, deal=None, *, documents=True, **overrides):
    deal = deal or signed_deal(world)
    fields = contract_fields(**overrides)
    contract = services.contract_create(deal=deal, by=world["seller_user"], **fields)
    if documents:
        attach(deal, DocumentKind.CONTRACT)
        attach(deal, DocumentKind.PROOF, "专利证书.pdf")
    return contract


def accepted_contract(world, **overrides):
    contract = make_contract(world, **overrides)
    contract = services.contract_apply(contract=contract, by=world["seller_user"])
    return services.contract_accept(contract=contract, by=world["clerk"])

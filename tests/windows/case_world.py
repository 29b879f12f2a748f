"""The people and places of the case tests: a window of the main market, its clerk, an
operator, a broker serving the market, and files to upload as evidence."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from market.choices import OrganizationKind, Role
from market.models import Membership
from tests.factories import BrokerFactory, OrganizationFactory, UserFactory, make_operator
from tests.factories.windows import ServiceWindowFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="合同文本.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def at(year, month, day, hour=9, minute=0) -> datetime.datetime:
    """A moment in the market's time zone (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def clerk_of(market, organization, username, name):
    user = UserFactory(username=username, name=name)
    Membership.objects.create(
        user=user, organization=organization, role=Role.WINDOW_CLERK, market=market
    )
    return user


def build(market) -> SimpleNamespace:
    centre = OrganizationFactory(
        kind=OrganizationKind.OPERATOR, name="省技术市场服务中心", market=market
    )
    window = ServiceWindowFactory(market=market, name="省技术市场一站式合作窗口", phone="027-8888")
    clerk = clerk_of(market, centre, "clerk", "窗口小王")
    colleague = clerk_of(market, centre, "colleague", "窗口小陈")
    operator = make_operator(centre, market, username="op", name="运营老周")
    broker = BrokerFactory(user=UserFactory(username="broker", name="经纪人老李"))
    broker.markets_served.add(market)
    requester_org = OrganizationFactory(name="光谷新材料有限公司", market=market)
    return SimpleNamespace(
        market=market,
        centre=centre,
        window=window,
        clerk=clerk,
        colleague=colleague,
        operator=operator,
        broker=broker.user,
        requester_org=requester_org,
    )


def work_every_item(case, clerk, *, skip=()) -> None:
    """Every mandatory item of `case` done the way its standard asks: files, records, and
    the requester's own confirmation by code. Items in `skip` (their pks) are left."""
    from windows.services import cases as services

    for item in case.items.select_related("standard_item").order_by("position"):
        if item.is_done or not item.standard_item.mandatory or item.pk in skip:
            continue
        kind = item.standard_item.evidence
        if kind == "confirmation":
            services.item_request_confirmation(item=item, by=clerk)
            item.refresh_from_db()
            services.item_confirm(code=item.confirmation_code)
        elif kind == "file":
            services.case_complete_item(item=item, by=clerk, evidence_file=pdf())
        else:
            services.case_complete_item(item=item, by=clerk, evidence_text="已核对")


def registration_case(main_market, make):
    """A contract-registration case at the contract's market's window for the contract
    `make(world)` returns from the brokers' contract world: (clerk, contract, case)."""
    from tests.brokers.contract_helpers import make_world
    from windows.choices import WindowService
    from windows.services import cases as services

    world = make_world(main_market)
    contract = make(world)
    window = ServiceWindowFactory(market=contract.market)
    case = services.case_open(
        window=window,
        service=WindowService.CONTRACT_REGISTRATION,
        requester_name="卖方小王",
        contract=contract,
        by=world["clerk"],
    )
    return world["clerk"], contract, case

"""Factories for the windows: a window for a market, and draft standards with their items
(the shipped standards in force come from the data migration)."""

import datetime

import factory
from factory.django import DjangoModelFactory

from tests.factories import MarketFactory
from windows.choices import CountedFrom, EvidenceKind, ItemRole, LimitUnit, WindowService
from windows.models import ServiceStandard, ServiceWindow, StandardItem


class ServiceWindowFactory(DjangoModelFactory):
    class Meta:
        model = ServiceWindow
        django_get_or_create = ("market",)

    market = factory.SubFactory(MarketFactory)
    name = factory.LazyAttribute(lambda o: f"{o.market.name}一站式合作窗口")
    address = "科技大道 1 号"
    hours = "周一至周五 9:00-17:00"
    opens_at = datetime.time(9, 0)
    closes_at = datetime.time(17, 0)


class ServiceStandardFactory(DjangoModelFactory):
    """A draft standard (publishing it is the service's job)."""

    class Meta:
        model = ServiceStandard

    code = factory.Sequence(lambda n: f"TEST/{n:02d}")
    title = factory.Sequence(lambda n: f"测试服务规范{n}")
    version = 1
    service = WindowService.RECEPTION
    effective_date = datetime.date(2026, 1, 1)


class StandardItemFactory(DjangoModelFactory):
    class Meta:
        model = StandardItem

    standard = factory.SubFactory(ServiceStandardFactory)
    sort_order = factory.Sequence(lambda n: n)
    action = factory.Sequence(lambda n: f"办理事项{n}")
    role = ItemRole.CLERK
    limit_amount = 1
    limit_unit = LimitUnit.WORKING_DAYS
    counted_from = CountedFrom.PREVIOUS
    evidence = EvidenceKind.NONE
    mandatory = True

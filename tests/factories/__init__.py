"""factory_boy factories for the market's models. Fake data lives only here and in the demo."""

import factory
from factory.django import DjangoModelFactory
from stdnum.cn import uscc

from brokers.models import Broker
from listings.models import Achievement, Demand, Mode
from market.choices import MarketKind, OrganizationKind, Role
from market.models import Market, Membership, Organization, User

__all__ = [
    "AchievementFactory",
    "BrokerFactory",
    "DemandFactory",
    "MarketFactory",
    "MembershipFactory",
    "OrganizationFactory",
    "SubMarketFactory",
    "UserFactory",
    "credit_code",
    "make_operator",
]

_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(n: int, region: str = "420100") -> str:
    """A valid unified social credit code: authority 9, type 1, region, serial, check."""
    serial = ""
    for _ in range(9):
        n, r = divmod(n, len(_ALPHABET))
        serial = _ALPHABET[r] + serial
    first17 = f"91{region}{serial}"
    return first17 + uscc.calc_check_digit(first17)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    password = factory.django.Password("pw-123456")


class MarketFactory(DjangoModelFactory):
    class Meta:
        model = Market
        django_get_or_create = ("code",)

    name = "省技术市场"
    code = "main"
    kind = MarketKind.MAIN
    region_code = "420000"


class SubMarketFactory(DjangoModelFactory):
    class Meta:
        model = Market

    name = factory.Sequence(lambda n: f"第{n}分市场")
    code = factory.Sequence(lambda n: f"sub{n}")
    kind = MarketKind.SUB
    parent = factory.SubFactory(MarketFactory)
    region_code = "420100"


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = OrganizationKind.ENTERPRISE
    credit_code = factory.Sequence(lambda n: credit_code(n + 1))
    market = factory.SubFactory(MarketFactory)
    region_code = "420100"


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.ORG_ADMIN
    market = None


class BrokerFactory(DjangoModelFactory):
    class Meta:
        model = Broker

    user = factory.SubFactory(UserFactory)
    institution = factory.SubFactory(
        OrganizationFactory, kind=OrganizationKind.TRANSFER_INSTITUTION
    )
    grade = "junior"
    certificate_no = factory.Sequence(lambda n: f"JJR-{n:06d}")


class _ListingFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    description = "采用新型工艺，显著提高产品性能，已完成中试验证。"
    field = "new_materials"
    industry = "C"
    keywords = factory.LazyFunction(lambda: ["正极材料", "锂离子电池"])
    region_code = "420100"
    owner = factory.SubFactory(OrganizationFactory)
    market = factory.SelfAttribute("owner.market")
    contact_name = "张老师"


class AchievementFactory(_ListingFactory):
    class Meta:
        model = Achievement
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"一种锂离子电池正极材料的制备方法{n}")
    owner = factory.SubFactory(OrganizationFactory, kind=OrganizationKind.UNIVERSITY)
    trl = 6
    maturity = "pilot"
    asking_price = 100

    @factory.post_generation
    def modes(self, create, extracted, **kwargs):
        if create:
            self.transfer_modes.set(Mode.objects.filter(code__in=extracted or ["transfer"]))


class DemandFactory(_ListingFactory):
    class Meta:
        model = Demand
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"寻求高能量密度电池材料技术{n}")
    expected_outcome = "能量密度提高到300Wh/kg"
    budget_min = 50
    budget_max = 200

    @factory.post_generation
    def modes(self, create, extracted, **kwargs):
        if create:
            self.cooperation_modes.set(Mode.objects.filter(code__in=extracted or ["transfer"]))


def make_operator(organization, market, **user_fields):
    """An operator made the way the market makes them: through the service, which also opens
    the admin to them."""
    from market.services import membership_grant

    user = UserFactory(**user_fields)
    membership_grant(organization=organization, user=user, role=Role.OPERATOR, market=market)
    return user

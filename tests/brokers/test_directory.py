"""The public broker directory: track records computed from deals, search and filters at a
constant query count, the public record, ratings, and an enterprise choosing its broker."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from brokers import selectors, services
from brokers.choices import DealStage, InstitutionLevel, RegistrationStatus
from brokers.models import Assignment, BrokerRating, TransferInstitution
from listings.choices import ListingStatus
from market.choices import OrganizationKind
from tests.brokers.commissions_support import add_broker, add_contract, force_stage, open_deal
from tests.factories import (
    BrokerFactory,
    DemandFactory,
    MembershipFactory,
    OrganizationFactory,
    SubMarketFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def institution(main_market):
    org = OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market, name="省技术转移中心"
    )
    TransferInstitution.objects.create(organization=org, level=InstitutionLevel.NATIONAL)
    return org


@pytest.fixture
def broker(institution):
    return BrokerFactory(
        institution=institution, user__name="王经纪", grade="senior", fields=["new_materials"]
    )


def _answered(broker, demand, hours):
    assignment = Assignment.objects.create(
        demand=demand, broker=broker, due_at=timezone.now() + timedelta(hours=48)
    )
    Assignment.objects.filter(pk=assignment.pk).update(
        active=False, first_response_at=assignment.assigned_at + timedelta(hours=hours)
    )


def _closed_deal(broker, buyer, seller, amount, **kwargs):
    deal = open_deal(broker, buyer=buyer, seller=seller, amount=amount, **kwargs)
    add_contract(deal, amount=amount, status=RegistrationStatus.REGISTERED)
    return force_stage(deal, DealStage.CLOSED)


def test_track_record_is_computed_from_deals(client, broker, institution, enterprise, university):
    partner = BrokerFactory(institution=institution)
    closed = _closed_deal(broker, enterprise, university, "100")
    add_broker(closed, partner, "25")  # 75% of 100 万元 stays the lead's
    _closed_deal(partner, enterprise, university, "40")  # the partner leads; not the broker's
    open_deal(broker, buyer=enterprise, seller=university)  # led, not closed
    signed = open_deal(broker, buyer=enterprise, seller=university, amount="900")
    add_contract(signed, amount="900")  # signed but not registered: no value
    force_stage(signed, DealStage.SIGNED)
    for hours in (2, 10, 30):
        _answered(broker, DemandFactory(owner=enterprise), hours)
    BrokerRating.objects.create(deal=closed, broker=broker, organization=enterprise, score=5)
    BrokerRating.objects.create(deal=closed, broker=broker, organization=university, score=4)

    record = selectors.broker_profile(broker.pk)
    assert (record.deals_led, record.deals_closed) == (3, 1)
    assert record.registered_value == D("75")
    assert record.median_response == timedelta(hours=10)
    assert (float(record.rating_avg), record.rating_count) == (4.5, 2)
    other = selectors.broker_profile(partner.pk)
    assert (other.deals_led, other.deals_closed, other.registered_value) == (1, 2, D("65"))
    assert other.median_response is None and other.rating_count == 0
    page = client.get(reverse("brokers:profile", args=[broker.pk])).content.decode()
    assert "10.0 小时" in page and "4.5" in page and "75" in page
    listing = client.get(reverse("brokers:directory")).content.decode()
    assert "10.0 小时" in listing


def test_directory_filters(broker, institution, main_market, client):
    sub = SubMarketFactory(parent=main_market, name="武汉分市场")
    broker.markets_served.add(sub)
    plain = OrganizationFactory(kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market)
    junior = BrokerFactory(institution=plain, user__name="李助理", fields=["bio_medicine"])

    def names(**params):
        page = client.get(reverse("brokers:directory"), params).content.decode()
        return {b for b in ("王经纪", "李助理") if b in page}

    assert names() == {"王经纪", "李助理"}
    assert names(q="王") == {"王经纪"}
    assert names(field="bio_medicine") == {"李助理"}
    assert names(grade="senior") == {"王经纪"}
    assert names(market=sub.pk) == {"王经纪"}
    assert names(institution=plain.pk) == {"李助理"}
    assert names(level=InstitutionLevel.NATIONAL) == {"王经纪"}
    junior.active = False
    junior.save()
    assert names() == {"王经纪"}


def test_directory_query_count_is_constant(
    client, institution, main_market, enterprise, university, django_assert_max_num_queries
):
    sub = SubMarketFactory(parent=main_market)

    def add_brokers(n):
        for _ in range(n):
            b = BrokerFactory(institution=institution, fields=["new_materials"])
            b.markets_served.add(sub)
            _closed_deal(b, enterprise, university, "10")
            _answered(b, DemandFactory(owner=enterprise), 5)

    add_brokers(2)
    with django_assert_max_num_queries(16) as few:
        assert client.get(reverse("brokers:directory")).status_code == 200
    add_brokers(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("brokers:directory"), {"field": "new_materials"})
    assert page.status_code == 200
    assert page.context["page_obj"].paginator.count == 14


def test_directory_pages(client, institution):
    for _ in range(25):
        BrokerFactory(institution=institution)
    first = client.get(reverse("brokers:directory"), {"grade": "junior"})
    assert len(first.context["brokers"]) == 20
    assert "grade=junior&amp;page=2" in first.content.decode()
    second = client.get(reverse("brokers:directory"), {"grade": "junior", "page": 2})
    assert len(second.context["brokers"]) == 5


def test_profile_lists_the_public_record_only(client, broker, enterprise, university):
    _closed_deal(broker, enterprise, university, "120", title="高镍正极材料专利转让")
    open_deal(broker, buyer=enterprise, seller=university, title="尚在洽谈的交易")
    page = client.get(reverse("brokers:profile", args=[broker.pk])).content.decode()
    assert "高镍正极材料专利转让" in page and "120" in page
    assert "尚在洽谈的交易" not in page
    assert enterprise.name not in page and university.name not in page
    assert "国家技术转移示范机构" in page


def test_profile_of_an_inactive_broker_is_not_found(client, broker):
    broker.active = False
    broker.save()
    assert client.get(reverse("brokers:profile", args=[broker.pk])).status_code == 404


# ── Ratings ─────────────────────────────────────────────────────────────────────────────────


def test_party_rates_the_lead_broker_once_after_closing(
    client, broker, enterprise, university, enterprise_user, outsider
):
    deal = open_deal(broker, buyer=enterprise, seller=university)
    with pytest.raises(ValidationError, match="交易关闭后"):
        services.broker_rate(deal=deal, by=enterprise_user, score=5)
    deal = force_stage(deal, DealStage.CLOSED)
    with pytest.raises(PermissionDenied):
        services.broker_rate(deal=deal, by=outsider, score=5)
    client.force_login(enterprise_user)
    page = client.get(deal.get_absolute_url()).content.decode()
    assert reverse("brokers:deal_rate", args=[deal.pk]) in page
    form = {"score": "4", "comment": "响应及时", "token": "0b7b1a36-3e86-4a39-9d4b-4f7c1f1d2e3a"}
    client.post(reverse("brokers:deal_rate", args=[deal.pk]), form)
    client.post(reverse("brokers:deal_rate", args=[deal.pk]), form)  # a double click
    rating = BrokerRating.objects.get()
    assert (rating.broker, rating.organization, rating.score) == (broker, enterprise, 4)
    with pytest.raises(ValidationError, match="已经评价过"):
        services.broker_rate(deal=deal, by=enterprise_user, score=1)
    assert "贵单位已评价" in client.get(deal.get_absolute_url()).content.decode()


def test_rating_out_of_range_is_refused(client, broker, enterprise, university, enterprise_user):
    deal = force_stage(open_deal(broker, buyer=enterprise, seller=university), DealStage.CLOSED)
    with pytest.raises(ValidationError):
        services.broker_rate(deal=deal, by=enterprise_user, score=6)
    client.force_login(enterprise_user)
    client.post(reverse("brokers:deal_rate", args=[deal.pk]), {"score": "0"})
    assert not BrokerRating.objects.exists()


# ── Choosing a broker ───────────────────────────────────────────────────────────────────────


@pytest.fixture
def demand(enterprise):
    return DemandFactory(
        owner=enterprise, status=ListingStatus.PUBLISHED, published_at=timezone.now()
    )


def test_enterprise_chooses_a_broker_from_the_profile(client, broker, demand, enterprise_user):
    first = services.demand_assign_broker(demand=demand)
    chosen = BrokerFactory(institution=broker.institution, user__name="赵经纪")
    client.force_login(enterprise_user)
    profile = reverse("brokers:profile", args=[chosen.pk])
    assert demand.title in client.get(profile).content.decode()
    url = reverse("brokers:profile_choose", args=[chosen.pk])
    assert client.post(url, {"demand": demand.pk}).status_code == 302
    assert client.post(url, {"demand": demand.pk}).status_code == 302  # sent twice
    current = Assignment.objects.get(demand=demand, active=True)
    assert (current.broker, current.assigned_by) == (chosen, enterprise_user)
    first.refresh_from_db()
    assert not first.active and first.ended_at is not None
    assert current.due_at == first.due_at  # still the demand's 48 hours
    assert Assignment.objects.filter(demand=demand).count() == 2


def test_choosing_is_the_owners_and_waits_for_no_answer(broker, demand, other_enterprise_user):
    with pytest.raises(PermissionDenied):
        services.demand_choose_broker(demand=demand, actor=other_enterprise_user, broker=broker)
    owner = MembershipFactory(organization=demand.owner).user
    answered = services.demand_assign_broker(demand=demand)
    Assignment.objects.filter(pk=answered.pk).update(first_response_at=timezone.now())
    other = BrokerFactory(institution=broker.institution)
    with pytest.raises(ValidationError, match="已经答复"):
        services.demand_choose_broker(demand=demand, actor=owner, broker=other)

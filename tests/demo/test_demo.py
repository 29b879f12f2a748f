"""`manage.py load_demo`: a believable demo market that loads once and only once."""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone
from stdnum.cn import uscc

from brokers.models import Broker
from demo.builder import DEMO_LOGINS, DEMO_PASSWORD
from listings.choices import PATENT_KINDS, ListingStatus, TechField
from listings.models import Achievement, Demand, IntellectualProperty
from listings.validators import validate_patent_number
from market.choices import MarketKind, OrganizationKind, Role
from market.models import Market, Membership, Organization, User
from market.validators import validate_credit_code
from windows.models import ServiceWindow

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
MODELS = (Market, ServiceWindow, Organization, User, Membership, Broker, Achievement, Demand,
          IntellectualProperty)  # fmt: skip


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the module inside a transaction rolled back afterwards:
    loading takes seconds, and no other test module may see it."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", quiet=True, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def listings():
    return [*Achievement.objects.all(), *Demand.objects.all()]


def test_load_demo_meets_the_minimums(demo):
    main = Market.objects.get(kind=MarketKind.MAIN)
    subs = Market.objects.filter(kind=MarketKind.SUB, parent=main)
    kinds = {k: Organization.objects.filter(kind=k).count() for k in OrganizationKind}

    assert subs.count() >= 4
    assert {"420100", "420600", "420500", "420200"} <= set(
        subs.values_list("region_code", flat=True)
    )
    assert kinds[OrganizationKind.UNIVERSITY] + kinds[OrganizationKind.INSTITUTE] >= 20
    assert kinds[OrganizationKind.ENTERPRISE] >= 50
    assert kinds[OrganizationKind.TRANSFER_INSTITUTION] >= 10
    assert kinds[OrganizationKind.OPERATOR] == 1
    assert Broker.objects.count() >= 100
    assert Achievement.objects.count() >= 600
    assert Demand.objects.count() >= 400
    assert Achievement.objects.count() + Demand.objects.count() >= 1000


def test_load_demo_gives_every_sub_market_a_window(demo):
    for market in Market.objects.filter(kind=MarketKind.SUB):
        window = ServiceWindow.objects.get(market=market)
        assert window.address.startswith(market.name[:2])
        assert "周一至周五" in window.hours
        assert window.phone
        assert {"成果登记", "需求发布", "技术合同认定登记咨询"} <= set(window.service_list)


def test_load_demo_spreads_organizations_over_the_markets(demo):
    by_market = {
        market.code: market.organizations.exclude(kind=OrganizationKind.OPERATOR).count()
        for market in Market.objects.filter(kind=MarketKind.SUB)
    }

    assert all(n > 0 for n in by_market.values())
    for org in Organization.objects.exclude(kind=OrganizationKind.OPERATOR):
        assert org.region_code[:4] == org.market.region_code[:4]


def test_load_demo_credit_codes_validate(demo):
    for org in Organization.objects.all():
        validate_credit_code(org.credit_code)
        assert uscc.is_valid(org.credit_code)
        assert org.credit_code[2:8] == org.region_code
        expected_prefix = "91" if org.kind == OrganizationKind.ENTERPRISE else ("12", "91")
        assert org.credit_code[:2] in expected_prefix


def test_load_demo_patent_numbers_validate(demo):
    patents = IntellectualProperty.objects.filter(kind__in=PATENT_KINDS)

    assert patents.count() >= 500
    for patent in patents:
        validate_patent_number(patent.number)
        assert patent.number.startswith("ZL") == (patent.status != "pending")
    assert patents.values("number").distinct().count() == patents.count()


def test_load_demo_every_object_passes_full_clean(demo):
    for model in MODELS:
        for obj in model.objects.all():
            obj.full_clean()


def test_load_demo_ranks_every_demand_and_replays_feedback(demo):
    from matching.models import Match

    published = Demand.objects.filter(status=ListingStatus.PUBLISHED)
    with_lists = published.filter(matches__demand_rank=1).count()
    assert with_lists >= 0.9 * published.count()
    statuses = set(Match.objects.values_list("status", flat=True))
    assert statuses == {"suggested", "viewed", "dismissed", "contacted", "deal"}
    dismissed = Match.objects.filter(status="dismissed")
    assert dismissed.exclude(dismiss_reason="").count() == dismissed.count()


def test_load_demo_twice_adds_nothing(demo):
    before = counts()
    out = io.StringIO()

    call_command("load_demo", quiet=True, stdout=out)

    assert counts() == before
    assert "已加载" in out.getvalue()


def test_load_demo_restores_only_what_was_deleted(demo):
    before = counts()
    # Ones no deal or lot refers to (those are protected, as a traded achievement must be).
    lost = list(Achievement.objects.filter(deals=None, lots=None).order_by("ref")[:3])
    titles = {a.ref: a.title for a in lost}
    Achievement.objects.filter(pk__in=[a.pk for a in lost]).delete()
    User.objects.get(username="univ02_member1").delete()

    call_command("load_demo", quiet=True, stdout=io.StringIO())

    assert counts() == before
    restored = Achievement.objects.filter(ref__in=titles)
    assert {a.ref: a.title for a in restored} == titles
    assert Membership.objects.filter(user__username="univ02_member1").exists()


def test_load_demo_titles_are_varied(demo):
    for model in (Achievement, Demand):
        titles = list(model.objects.values_list("title", flat=True))
        assert len(set(titles)) >= 0.9 * len(titles)


def test_load_demo_writes_in_chinese_with_numbers(demo):
    for listing in listings():
        assert CJK.search(listing.title)
        assert len(listing.description) >= 80
        assert len(CJK.findall(listing.description)) > 0.6 * len(listing.description)
        assert listing.summary
    for achievement in Achievement.objects.all():
        assert re.search(r"\d+(\.\d+)?(%|倍|个百分点|个数量级)", achievement.advantage)
        assert re.search(r"\d", achievement.economics)
    for demand in Demand.objects.all():
        assert re.search(r"\d", demand.expected_outcome)


def test_load_demo_keywords_come_from_the_listing_text(demo):
    for listing in listings():
        text = listing.title + listing.summary + listing.description
        text += getattr(listing, "advantage", "") + getattr(listing, "expected_outcome", "")
        assert 2 <= len(listing.keywords) <= 5
        assert all(keyword in text for keyword in listing.keywords), listing.ref


def test_load_demo_classifies_every_listing(demo):
    achievements = Achievement.objects.all()

    assert set(achievements.values_list("field", flat=True)) == set(TechField.values)
    for achievement in achievements:
        assert 1 <= achievement.trl <= 9
        assert achievement.transfer_modes.exists()
        assert achievement.price_negotiable or achievement.asking_price > 0
    for demand in Demand.objects.all():
        assert demand.cooperation_modes.exists()
        assert demand.budget_negotiable or demand.budget_max > 0


def test_load_demo_spreads_listings_over_the_lifecycle(demo):
    now = timezone.now()
    lifetime = timedelta(days=settings.LISTING_LIFETIME_DAYS)
    everything = listings()
    by_status = {s: [x for x in everything if x.status == s] for s in ListingStatus.values}

    assert len(by_status["published"]) > 0.7 * len(everything)
    assert len(by_status["submitted"]) >= 0.03 * len(everything)
    assert by_status["draft"] and by_status["closed"] and by_status["expired"]
    for listing in by_status["published"]:
        assert listing.expires_at == listing.published_at + lifetime
        assert listing.expires_at > now
        assert listing.submitted_at < listing.published_at
    assert any(x.expires_at < now + timedelta(days=14) for x in by_status["published"])
    assert all(x.submitted_at and not x.published_at for x in by_status["submitted"])
    assert all(x.review_reason for x in by_status["rejected"])
    assert all(x.expires_at < now for x in by_status["expired"])


def test_load_demo_gives_every_role_people(demo):
    for role in Role:
        assert Membership.objects.filter(role=role).exists(), role
    for membership in Membership.objects.filter(role__in=[Role.OPERATOR, Role.WINDOW_CLERK]):
        assert membership.market is not None
    for broker in Broker.objects.select_related("institution"):
        assert broker.institution.kind == OrganizationKind.TRANSFER_INSTITUTION
        assert broker.fields and set(broker.fields) <= set(TechField.values)
        assert Membership.objects.filter(
            user=broker.user, organization=broker.institution, role=Role.BROKER
        ).exists()


def test_load_demo_logins_sign_in_with_their_roles(demo, client):
    for login in DEMO_LOGINS:
        # django-axes needs the request a login comes with.
        request = RequestFactory().post("/accounts/login/")
        assert client.login(request=request, username=login.username, password=DEMO_PASSWORD), (
            login.username
        )
    users = {
        u.username: u for u in User.objects.filter(username__in=[x.username for x in DEMO_LOGINS])
    }

    assert users["admin"].is_superuser
    assert users["operator"].is_staff and not users["operator"].is_superuser
    assert users["operator"].memberships.get(role=Role.OPERATOR).market.kind == MarketKind.MAIN
    assert users["submarket_operator"].memberships.get(role=Role.OPERATOR).market.kind == "sub"
    assert users["clerk"].memberships.get(role=Role.WINDOW_CLERK).market.kind == "sub"
    university = users["university"].memberships.get(role=Role.ORG_ADMIN).organization
    assert university.kind == OrganizationKind.UNIVERSITY
    enterprise = users["enterprise"].memberships.get(role=Role.ORG_ADMIN).organization
    assert enterprise.kind == OrganizationKind.ENTERPRISE
    assert users["broker"].broker_profile.institution.kind == OrganizationKind.TRANSFER_INSTITUTION
    assert all(CJK.search(user.name) for user in users.values())


def test_load_demo_prints_the_url_and_the_logins(demo):
    assert "http://127.0.0.1:8000/" in demo
    for login in DEMO_LOGINS:
        assert re.search(rf"{re.escape(login.role)}\s+{login.username}\s+{DEMO_PASSWORD}", demo)


def test_load_demo_refuses_to_join_another_main_market(demo):
    Market.objects.filter(kind=MarketKind.MAIN).update(code="elsewhere")

    with pytest.raises(CommandError, match="已有主市场"):
        call_command("load_demo", quiet=True, stdout=io.StringIO())


def test_load_demo_builds_the_site_in_chinese_and_english(demo, client):
    from cms.models import HomePage, SubMarketPage

    sub_markets = Market.objects.filter(kind=MarketKind.SUB).count()
    assert sorted(HomePage.objects.values_list("locale__language_code", flat=True)) == [
        "en",
        "zh-hans",
    ]
    for language in ("en", "zh-hans"):
        pages = SubMarketPage.objects.filter(locale__language_code=language, live=True)
        assert pages.count() == sub_markets
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    home = client.get("/").content.decode()
    assert "How we serve" in home and "我们怎样服务" not in home
    markets = client.get("/markets/").content.decode()
    assert "<h1>Sub-markets</h1>" in markets
    for window in ServiceWindow.objects.filter(market__kind=MarketKind.SUB):
        assert f">{window.phone}</a></dd>" in markets


# ── The deals and contracts (demo.contracts, demo.trading) ────────────────────────────────


def _registered():
    from brokers.models import Contract

    return Contract.objects.filter(registration_status="registered")


def test_load_demo_home_figure_is_the_sum_of_registered_contracts(demo, client):
    from decimal import Decimal

    from targets.selectors import market_figure

    year = timezone.localdate().year
    this_year = _registered().filter(registered_on__year=year)
    total = sum((c.amount for c in this_year), Decimal("0"))
    # The demo spreads a year of registrations up to two days ago: in the year's first
    # weeks there are few or none yet, and the figure must still be their sum.
    if timezone.localdate().timetuple().tm_yday > 45:
        assert total > 0 and this_year.count() >= 10
    assert market_figure("registered_value").value == total
    body = client.get("/").content.decode()
    shown = re.search(
        r'href="/targets/registered_value/"><span class="figure-value">([\d,.]+)</span>', body
    )
    assert shown and Decimal(shown.group(1).replace(",", "")) == total


def test_load_demo_stats_show_a_year(demo):
    from brokers.selectors.stats import contracts_by, stats_filter

    operator = User.objects.get(username="operator")
    flt = stats_filter(operator, {})
    by = {dim: contracts_by(flt, dim) for dim in ("month", "contract_type", "field", "market")}
    months = [r for r in by["month"] if r["amount_sum"] > 0]
    assert len(months) >= 10
    assert len([r for r in by["contract_type"] if r["amount_sum"] > 0]) >= 4
    assert len([r for r in by["field"] if r["key"] != "-" and r["amount_sum"] > 0]) >= 3
    assert len(by["market"]) >= 5
    # More in the fourth quarter than in the first.
    count = {r["key"][5:]: r["n"] for r in by["month"]}
    assert sum(count.get(m, 0) for m in ("10", "11", "12")) > sum(
        count.get(m, 0) for m in ("01", "02", "03")
    )
    first = timezone.localdate() - timedelta(days=400)
    assert all(r["key"] >= first.strftime("%Y-%m") for r in by["month"])


def test_load_demo_has_contracts_in_every_registration_state(demo):
    from brokers.choices import RegistrationStatus
    from brokers.models import Contract

    for status in RegistrationStatus.values:
        assert Contract.objects.filter(registration_status=status).exists(), status
    for status in (RegistrationStatus.RETURNED, RegistrationStatus.REFUSED):
        for contract in Contract.objects.filter(registration_status=status):
            assert CJK.search(contract.decision_note), contract
    refused = Contract.objects.filter(registration_status=RegistrationStatus.REFUSED)
    assert all(c.refusal_ground and c.deal.stage == "lost" for c in refused)
    accepted = Contract.objects.filter(registration_status=RegistrationStatus.ACCEPTED)
    assert all(c.decision_due_at == c.accepted_at + timedelta(days=30) for c in accepted)


def test_load_demo_contracts_look_real(demo):
    from decimal import Decimal

    amounts = [c.amount for c in _registered()]
    assert 30 <= len(amounts) <= 200
    assert min(amounts) < Decimal("10") and max(amounts) >= Decimal("1000")  # 万元
    for contract in _registered().select_related("deal", "market"):
        assert Decimal("0") < contract.tech_amount <= contract.amount
        assert contract.field and contract.title.endswith("合同")
        assert contract.registration_no.startswith(
            f"{contract.registered_on.year}{contract.market.region_code}"
        )
        assert contract.signed_on <= contract.registered_on <= timezone.localdate()
        assert contract.market_id == contract.seller.market_id


def test_load_demo_contract_histories_are_back_dated_in_order(demo):
    from brokers.models import Contract
    from market.models import TransitionLog

    now = timezone.now()
    for contract in Contract.objects.select_related("deal"):
        deal = contract.deal
        log = list(
            TransitionLog.objects.filter(content_type__model="deal", object_id=deal.pk)
            .order_by("pk")
            .values_list("transition", "at")
        )
        times = [at for _t, at in log]
        assert times == sorted(times) and times[-1] <= now, deal
        assert log[0][0] == "open" and deal.created_at == times[0]
        assert deal.stage_changed_at == times[-1]
        steps = list(
            TransitionLog.objects.filter(content_type__model="contract", object_id=contract.pk)
            .order_by("pk")
            .values_list("at", flat=True)
        )
        assert steps == sorted(steps) and steps[0] >= dict(log)["sign"], contract
        for doc in deal.documents.all():
            assert times[0] < doc.uploaded_at <= now
        for line in deal.commission_lines.all():
            assert times[0] < line.booked_at <= now
        if contract.registered_on:
            assert contract.registered_on == timezone.localdate(dict(log)["register"])
    # The year's registrations are spread over it, not stamped today.
    assert _registered().filter(registered_on__lt=timezone.localdate() - timedelta(days=180))


def test_load_demo_registered_deals_carry_documents_fees_and_ledger_lines(demo):
    from brokers.models import CommissionLine, Payment

    deals = [c.deal for c in _registered().select_related("deal")]
    assert all(d.documents.filter(kind="contract").exists() for d in deals)
    assert all(d.commission_lines.filter(kind="signing").exists() for d in deals)
    paid = Payment.objects.filter(purpose="service_fee", settled_at__isnull=False)
    assert paid.count() >= len(deals) // 2
    assert CommissionLine.objects.filter(kind="payment").count() >= paid.count()
    stages = {d.stage for d in deals}
    assert {"registered", "performed", "closed"} <= stages


def test_load_demo_trading(demo):
    from brokers.models import DealNotice, Lot

    notice = DealNotice.objects.filter(objections__answered_at__isnull=False).first()
    assert notice is not None and notice.is_running
    assert Lot.objects.filter(status="listed", bids__isnull=False).distinct().exists()
    sold = Lot.objects.get(status="sold")
    assert sold.deal.stage == "signed"


def test_load_demo_logins_see_their_pages(demo, client):
    from brokers.models import CommissionLine

    def page(username: str, url: str) -> str:
        client.force_login(User.objects.get(username=username))
        response = client.get(url)
        assert response.status_code == 200, (username, url)
        return response.content.decode()

    registry = page("clerk", "/brokers/contracts/registry/")
    assert registry.count('href="/brokers/contracts/') >= 4
    assert "/brokers/deals/stats/contracts/" in page("operator", "/brokers/deals/stats/")
    page("submarket_operator", "/brokers/deals/stats/")
    broker = User.objects.get(username="broker")
    assert CommissionLine.objects.filter(broker__user=broker).count() >= 10
    page("broker", "/brokers/earnings/")
    for username in ("broker", "enterprise", "university"):
        board = page(username, "/brokers/deals/")
        assert board.count('href="/brokers/deals/') >= 3, username


def test_load_demo_twice_adds_no_deal_or_contract(demo):
    from brokers.models import CommissionLine, Contract, Deal, DealDocument, Lot, Payment
    from market.models import TransitionLog

    def snapshot():
        return (
            [m.objects.count() for m in (Deal, Contract, DealDocument, Lot, Payment)],
            CommissionLine.objects.count(),
            TransitionLog.objects.count(),
            sorted(
                Contract.objects.values_list("registration_no", "registered_on").exclude(
                    registration_no=None
                )
            ),
        )

    before = snapshot()
    call_command("load_demo", quiet=True, stdout=io.StringIO())
    assert snapshot() == before


# ── The windows (demo.windows) ───────────────────────────────────────────────────────────


def test_load_demo_holds_a_year_of_window_work(demo, client):
    from django.db.models import F

    from windows.models import CaseItem, CaseRating, Complaint, FollowUp, ServiceCase

    now = timezone.now()
    for window in ServiceWindow.objects.filter(market__kind=MarketKind.SUB):
        cases = ServiceCase.objects.filter(window=window)
        months = {d.month for d in cases.dates("opened_at", "month")}
        assert len(months) >= 11, window
        assert cases.filter(state="closed").count() >= 30
        assert CaseRating.objects.filter(case__window=window).exists()
        assert Complaint.objects.filter(market=window.market).exists()
    items = CaseItem.objects.exclude(done_at=None)
    late = items.filter(done_at__gt=F("due_at")).count()
    assert 0.03 < late / items.count() < 0.3
    # Every closed case has its mandatory items done, by their deadlines' own rules.
    assert not CaseItem.objects.filter(
        case__state="closed", standard_item__mandatory=True, done_at=None
    ).exists()
    assert CaseItem.objects.filter(case__state="open", done_at=None, due_at__lt=now).exists()
    assert FollowUp.objects.filter(rating__level__lte=2).count() == FollowUp.objects.count()
    assert FollowUp.objects.count() == CaseRating.objects.filter(level__lte=2).count()
    assert {"received", "handling", "closed"} <= set(
        Complaint.objects.values_list("state", flat=True)
    )
    # The demo clerk finds open cases on the desk, and today's history reads in order.
    client.force_login(User.objects.get(username="clerk"))
    desk = client.get("/windows/desk/").content.decode()
    case = ServiceCase.objects.filter(window__market__code="wuhan", state="open").first()
    assert case.number in desk
    page = client.get(case.get_absolute_url())
    assert page.status_code == 200 and "受理" in page.content.decode()

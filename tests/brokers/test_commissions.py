"""Commission rules, the ledger written at signing and at each settled service fee, and the
monthly earnings statement."""

from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.deletion import ProtectedError
from django.urls import reverse
from django.utils import timezone
from payments import PaymentStatus

from brokers import services
from brokers.choices import CommissionBasis, CommissionLevel, CommissionLineKind, ContractType
from brokers.commission_admin import ReadOnlyPermissionPolicy
from brokers.models import CommissionLine, CommissionRule, Payment
from market.choices import OrganizationKind
from tests.brokers.commissions_support import add_broker, add_contract, open_deal, sign
from tests.factories import BrokerFactory, OrganizationFactory, make_operator

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def institution(main_market):
    return OrganizationFactory(kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market)


@pytest.fixture
def broker(institution):
    return BrokerFactory(institution=institution, user__name="经纪人老王")


@pytest.fixture
def deal(broker, enterprise, university):
    return open_deal(broker, buyer=enterprise, seller=university, amount="100")


def rule(rate, basis=CommissionBasis.CONTRACT, **scope):
    return CommissionRule.objects.create(basis=basis, rate=D(rate), **scope)


# ── The most specific rule wins ─────────────────────────────────────────────────────────────


def test_rule_each_level_wins_in_turn(broker, institution, main_market):
    other = BrokerFactory(
        institution=OrganizationFactory(
            kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market
        )
    )
    default = rule("1")
    by_type = rule("2", contract_type=ContractType.TRANSFER_PATENT)
    by_institution = rule("3", institution=institution)
    by_broker = rule("4", broker=broker)
    rule("9", contract_type=ContractType.CONSULTING)  # another type: never for this contract

    def chosen():
        return services.commission_rules_for(
            basis=CommissionBasis.CONTRACT,
            brokers=[broker, other],
            contract_type=ContractType.TRANSFER_PATENT,
        )

    assert chosen() == {broker.pk: by_broker, other.pk: by_type}
    by_broker.active = False
    by_broker.save()
    assert chosen()[broker.pk] == by_institution
    by_institution.active = False
    by_institution.save()
    assert chosen()[broker.pk] == by_type
    by_type.active = False
    by_type.save()
    assert chosen() == {broker.pk: default, other.pk: default}


def test_rule_of_another_basis_does_not_apply(broker):
    rule("30", basis=CommissionBasis.SERVICE_FEE, broker=broker)
    default = rule("1")
    assert services.commission_rules_for(basis=CommissionBasis.CONTRACT, brokers=[broker]) == {
        broker.pk: default
    }


def test_rule_with_two_scopes_is_refused(broker, institution):
    with pytest.raises(ValidationError, match="只能针对"):
        CommissionRule(rate=D("1"), broker=broker, institution=institution).full_clean()
    with pytest.raises(ValidationError, match="封顶金额不能低于最低金额"):
        CommissionRule(rate=D("1"), minimum=D("500"), cap=D("100")).full_clean()


# ── Lines at signing ────────────────────────────────────────────────────────────────────────


def test_signing_books_lines_split_by_share(deal, broker, institution):
    partner = BrokerFactory(institution=institution)
    add_broker(deal, partner, "40")
    add_contract(deal, amount="80", contract_type=ContractType.TRANSFER_PATENT)
    rule("2", contract_type=ContractType.TRANSFER_PATENT)
    rule("3", broker=broker)
    sign(deal, broker.user)
    lines = {line.broker_id: line for line in CommissionLine.objects.filter(deal=deal)}
    lead, co = lines[broker.pk], lines[partner.pk]
    # 80 万元 = 800,000 元; the lead's own rule 3%, the partner's the contract type's 2%.
    assert (lead.base, lead.rate, lead.rule_level) == (D("800000"), D("3"), "broker")
    assert (lead.commission, lead.share, lead.amount) == (D("24000"), D("60"), D("14400"))
    assert (co.rate, co.rule_level, co.commission, co.amount) == (
        D("2"),
        CommissionLevel.CONTRACT_TYPE,
        D("16000"),
        D("6400"),
    )
    assert {line.kind for line in lines.values()} == {CommissionLineKind.SIGNING}


def test_signing_without_contract_uses_expected_amount_and_minimum_cap(deal, broker):
    rule("0.1", minimum=D("5000"), cap=D("20000"))
    sign(deal, broker.user)
    line = CommissionLine.objects.get(deal=deal)
    # 0.1% of 1,000,000 元 is 1,000, raised to the 5,000 minimum
    assert (line.base, line.commission, line.minimum, line.cap) == (
        D("1000000"),
        D("5000"),
        D("5000"),
        D("20000"),
    )
    assert "预计成交额" in line.note


def test_signing_is_capped():
    assert services.commissions.commission_amount(
        rate=D("5"), base=D("1000000"), cap=D("20000")
    ) == D("20000")


def test_failed_signing_books_nothing(deal, broker, outsider):
    rule("1")
    services.deal_advance(deal=deal, transition="contact", by=broker.user)
    services.deal_advance(deal=deal, transition="negotiate", by=broker.user)
    with pytest.raises(PermissionDenied):
        services.deal_advance(deal=deal, transition="sign", by=outsider)
    assert not CommissionLine.objects.exists()


def test_rule_change_never_rewrites_history(deal, broker):
    default = rule("1")
    sign(deal, broker.user)
    default.rate = D("9")
    default.save()
    line = CommissionLine.objects.get(deal=deal)
    assert (line.rate, line.commission) == (D("1"), D("10000"))


# ── Lines are never edited ──────────────────────────────────────────────────────────────────


def test_line_is_never_edited_nor_deleted(deal, broker):
    rule("1")
    sign(deal, broker.user)
    line = CommissionLine.objects.get(deal=deal)
    line.amount = D("1")
    with pytest.raises(ValidationError, match="不可修改"):
        line.save()
    with pytest.raises(ValidationError, match="不可修改"):
        CommissionLine.objects.filter(pk=line.pk).update(amount=D("1"))
    with pytest.raises(ValidationError, match="不可删除"):
        line.delete()
    with pytest.raises(ValidationError, match="不可删除"):
        CommissionLine.objects.all().delete()
    with pytest.raises(ProtectedError):
        deal.delete()
    line.refresh_from_db()
    assert line.amount == D("10000")


def test_admin_cannot_edit_or_delete_a_line(client, superuser, deal, broker):
    rule("1")
    sign(deal, broker.user)
    line = CommissionLine.objects.get(deal=deal)
    policy = ReadOnlyPermissionPolicy(CommissionLine)
    assert not policy.user_has_permission(superuser, "change")
    assert not policy.user_has_permission(superuser, "delete")
    assert policy.user_has_permission(superuser, "view")
    client.force_login(superuser)
    base = "/admin/snippets/brokers/commissionline/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}inspect/{line.pk}/").status_code == 200
    assert client.get(f"{base}edit/{line.pk}/").status_code in (302, 403)
    assert client.post(f"{base}edit/{line.pk}/", {"amount": "1"}).status_code in (302, 403)
    assert client.post(f"{base}delete/{line.pk}/").status_code in (302, 403)
    line.refresh_from_db()
    assert line.amount == D("10000")


def test_reversal_is_a_new_opposite_line(deal, broker, operator):
    rule("1")
    sign(deal, broker.user)
    line = CommissionLine.objects.get(deal=deal)
    with pytest.raises(PermissionDenied):
        services.commission_line_reverse(line=line, by=broker.user, reason="金额有误")
    with pytest.raises(ValidationError, match="冲正原因"):
        services.commission_line_reverse(line=line, by=operator, reason=" ")
    reversal = services.commission_line_reverse(line=line, by=operator, reason="合同金额录错")
    assert (reversal.kind, reversal.reverses, reversal.amount, reversal.rate) == (
        CommissionLineKind.REVERSAL,
        line,
        D("-10000"),
        D("1"),
    )
    with pytest.raises(ValidationError, match="已经冲正"):
        services.commission_line_reverse(line=line, by=operator, reason="再来一次")
    with pytest.raises(ValidationError, match="不能再冲正"):
        services.commission_line_reverse(line=reversal, by=operator, reason="冲回")
    assert sum(CommissionLine.objects.values_list("amount", flat=True)) == 0


# ── The service fee, paid over HTTP ─────────────────────────────────────────────────────────


@pytest.fixture
def signed(deal, broker):
    rule("1")
    rule("30", basis=CommissionBasis.SERVICE_FEE)
    return sign(deal, broker.user)


def _pay(client, deal, amount="12000.00"):
    response = client.post(
        reverse("brokers:service_fee_pay", args=[deal.pk]),
        {"amount": amount, "token": "6f1c3a52-7a1e-4d7c-9a55-1b8f2d3e4c5a"},
    )
    return response, Payment.objects.filter(deal=deal).order_by("-pk").first()


def test_service_fee_settles_once_over_the_provider_callback(client, signed, enterprise_user):
    client.force_login(enterprise_user)
    response, payment = _pay(client, signed)
    assert response.status_code == 302
    assert response.url == reverse("brokers:service_fee_payment", args=[payment.pk])
    again, _ = _pay(client, signed)  # the same form sent twice opens one payment
    assert Payment.objects.filter(deal=signed).count() == 1
    assert again.url == response.url
    callback = f"/payments/process/{payment.token}/?verification_result=confirmed"
    for _ in range(3):
        assert client.get(callback).status_code == 302
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CONFIRMED and payment.settled_at is not None
    fee = CommissionLine.objects.get(kind=CommissionLineKind.PAYMENT)
    assert (fee.payment, fee.base, fee.rate, fee.commission) == (
        payment,
        D("12000"),
        D("30"),
        D("3600"),
    )
    assert CommissionLine.objects.filter(deal=signed).count() == 2  # the signing's and the fee's


def test_service_fee_through_the_provider_page(client, signed, enterprise_user):
    client.force_login(enterprise_user)
    _, payment = _pay(client, signed, amount="500")
    page = reverse("brokers:service_fee_payment", args=[payment.pk])
    assert client.get(page).status_code == 200
    response = client.post(
        page, {"status": "confirmed", "fraud_status": "accept", "gateway_response": "3ds-disabled"}
    )
    assert response.status_code == 302 and response.url == signed.get_absolute_url()
    assert CommissionLine.objects.get(kind=CommissionLineKind.PAYMENT).base == D("500")
    # The page of a settled payment only sends the payer back to the deal.
    assert (
        client.post(
            page,
            {"status": "confirmed", "fraud_status": "accept", "gateway_response": "3ds-disabled"},
        ).status_code
        == 302
    )
    assert CommissionLine.objects.filter(kind=CommissionLineKind.PAYMENT).count() == 1


def test_rejected_fee_books_nothing(client, signed, enterprise_user):
    client.force_login(enterprise_user)
    _, payment = _pay(client, signed)
    client.get(f"/payments/process/{payment.token}/?verification_result=rejected")
    assert not CommissionLine.objects.filter(kind=CommissionLineKind.PAYMENT).exists()


def test_only_the_buyer_pays_and_only_after_signing(
    client, deal, broker, university_user, enterprise_user
):
    with pytest.raises(ValidationError, match="合同签订后"):
        services.service_fee_start(deal=deal, actor=enterprise_user, amount=D("100"))
    sign(deal, broker.user)
    client.force_login(university_user)  # the seller
    _pay(client, deal)
    assert not Payment.objects.exists()
    with pytest.raises(PermissionDenied):
        services.service_fee_start(deal=deal, actor=broker.user, amount=D("100"))


def test_fee_payment_page_is_the_payers_only(client, signed, enterprise_user, outsider):
    client.force_login(enterprise_user)
    _, payment = _pay(client, signed)
    client.force_login(outsider)
    assert client.get(reverse("brokers:service_fee_payment", args=[payment.pk])).status_code == 404


def test_deal_page_shows_fee_form_to_buyer_and_ledger_to_broker(
    client, signed, enterprise_user, broker
):
    client.force_login(enterprise_user)
    page = client.get(signed.get_absolute_url()).content.decode()
    assert reverse("brokers:service_fee_pay", args=[signed.pk]) in page
    assert "佣金台账" not in page
    client.force_login(broker.user)
    page = client.get(signed.get_absolute_url()).content.decode()
    assert "佣金台账" in page and "10000.00" in page
    assert reverse("brokers:service_fee_pay", args=[signed.pk]) not in page


# ── The monthly statement ───────────────────────────────────────────────────────────────────


def test_statement_xlsx_reads_back_with_neutralised_formulas(
    client, broker, enterprise, university
):
    rule("1")
    deal = open_deal(
        broker, buyer=enterprise, seller=university, title='=HYPERLINK("http://x.cn","点我")'
    )
    sign(deal, broker.user)
    other = open_deal(broker, buyer=enterprise, seller=university, amount="50", title="-合作开发")
    sign(other, broker.user)
    now = timezone.localtime()
    client.force_login(broker.user)
    response = client.get(reverse("brokers:earnings_xlsx", args=[broker.pk, now.year, now.month]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=False))
    body, total = rows[:-1], rows[-1]
    titles = {row[1].value: row[1] for row in body}
    formula = titles['=HYPERLINK("http://x.cn","点我")']
    assert formula.data_type == "s" and formula.quotePrefix
    assert titles["-合作开发"].data_type == "s" and titles["-合作开发"].quotePrefix
    assert sorted(row[11].value for row in body) == [5000, 10000]
    assert total[11].value == 15000


def test_statement_page_links_rows_and_is_private(client, broker, deal, outsider, operator):
    rule("1")
    sign(deal, broker.user)
    now = timezone.localtime()
    url = reverse("brokers:earnings_month", args=[broker.pk, now.year, now.month])
    client.force_login(broker.user)
    page = client.get(url).content.decode()
    line = CommissionLine.objects.get()
    assert f"#line-{line.pk}" in page and "10000.00" in page
    months = client.get(reverse("brokers:earnings")).content.decode()
    assert url in months
    profile = client.get(reverse("brokers:profile", args=[broker.pk])).content.decode()
    assert reverse("brokers:broker_earnings", args=[broker.pk]) in profile
    client.force_login(operator)  # an operator of the broker's market
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(url.rstrip("/") + ".xlsx").status_code == 404


def test_statement_of_another_month_is_empty(client, broker, deal):
    rule("1")
    sign(deal, broker.user)
    client.force_login(broker.user)
    response = client.get(reverse("brokers:earnings_month", args=[broker.pk, 2001, 1]))
    assert "本月暂无佣金记录" in response.content.decode()


def test_operator_fixture_is_market_operator(operator_org, main_market):
    assert make_operator(operator_org, main_market).memberships.exists()

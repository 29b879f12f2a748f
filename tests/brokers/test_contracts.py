"""Technology contracts (技术合同) and their registration (认定登记): the contract form with its
income assessment, the seller's application with its checklist, the registry's decisions,
the 30-day deadline, and who sees what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from brokers import selectors, services
from brokers.choices import (
    ContractType,
    DealStage,
    DocumentKind,
    LostReason,
    NonTechnicalCost,
    RefusalGround,
    RegistrationStatus,
)
from brokers.models import Contract, Deal
from market.models import TransitionLog
from tests.brokers.contract_helpers import (
    accepted_contract,
    attach,
    contract_fields,
    make_contract,
    make_world,
    signed_deal,
)
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(main_market):
    return make_world(main_market)


# ── The contract form and its income assessment ────────────────────────────────────────


def test_create_derives_the_tech_amount_from_the_assessment_lines(world):
    deal = signed_deal(world)
    contract = services.contract_create(
        deal=deal,
        by=world["seller_user"],
        deductions=[
            {"kind": NonTechnicalCost.EQUIPMENT, "description": "中试设备", "amount": "80"},
            {"kind": NonTechnicalCost.MATERIALS, "description": "", "amount": Decimal("20.5")},
        ],
        **contract_fields(),
    )
    assert contract.amount == Decimal("300.00")
    assert contract.tech_amount == Decimal("199.50")
    assert contract.deductions.count() == 2
    # The parties are the deal's, and the registry is the seller's own market.
    assert (contract.buyer, contract.seller) == (world["buyer"], world["seller"])
    assert contract.market == world["sub"]
    assert contract.registration_status == RegistrationStatus.DRAFT


def test_non_technical_costs_above_the_amount_are_refused_and_nothing_is_saved(world):
    deal = signed_deal(world)
    with pytest.raises(ValidationError) as exc:
        services.contract_create(
            deal=deal,
            by=world["seller_user"],
            deductions=[{"kind": NonTechnicalCost.EQUIPMENT, "amount": "300.01"}],
            **contract_fields(),
        )
    assert "超过成交额 300.00 万元" in exc.value.message_dict["deductions"][0]
    assert not Contract.objects.exists()


def test_the_tech_amount_may_not_exceed_the_amount_on_the_model_and_in_the_database(world):
    contract = make_contract(world)
    contract.tech_amount = contract.amount + 1
    with pytest.raises(ValidationError) as exc:
        contract.full_clean()
    assert exc.value.message_dict["tech_amount"] == ["技术交易额不能超过成交额。"]
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Contract.objects.filter(pk=contract.pk).update(tech_amount=contract.amount + 1)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"contract_type": "sale"}, "contract_type", "请从四技合同类型中选择合同类型。"),
        ({"title": "  "}, "title", "请填写合同名称。"),
        ({"amount": "abc"}, "amount", "请填写成交额（万元，最多两位小数）。"),
        ({"amount": "0"}, "amount", None),
    ],
)
def test_create_explains_each_bad_field(world, overrides, field, message):
    deal = signed_deal(world)
    with pytest.raises(ValidationError) as exc:
        services.contract_create(deal=deal, by=world["seller_user"], **contract_fields(**overrides))
    assert field in exc.value.message_dict
    if message:
        assert exc.value.message_dict[field] == [message]


def test_the_term_may_not_end_before_it_starts(world):
    deal = signed_deal(world)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as exc:
        services.contract_create(
            deal=deal,
            by=world["seller_user"],
            **contract_fields(term_start=today, term_end=today - timedelta(days=1)),
        )
    assert exc.value.message_dict["term_end"] == ["履行期止不能早于履行期起。"]


def test_a_contract_needs_a_signed_deal_and_only_one_per_deal(world):
    by = world["broker"].user
    deal = services.deal_open_lead(
        actor=by, title="洽谈中", buyer=world["buyer"], seller=world["seller"]
    )
    with pytest.raises(ValidationError) as exc:
        services.contract_create(deal=deal, by=by, **contract_fields())
    assert "合同在交易签约后填写" in exc.value.messages[0]
    contract = make_contract(world)
    with pytest.raises(ValidationError) as exc:
        services.contract_create(deal=contract.deal, by=by, **contract_fields())
    assert exc.value.messages == ["这笔交易已有合同，请修改原合同。"]


def test_the_same_form_sent_twice_makes_one_contract(world):
    import uuid

    deal = signed_deal(world)
    token = uuid.uuid4()
    first = services.contract_create(
        deal=deal, by=world["seller_user"], token=token, **contract_fields()
    )
    again = services.contract_create(
        deal=deal, by=world["seller_user"], token=token, **contract_fields()
    )
    assert first.pk == again.pk and Contract.objects.count() == 1


def test_only_the_seller_side_fills_in_the_contract(world):
    deal = signed_deal(world)
    with pytest.raises(PermissionDenied):
        services.contract_create(deal=deal, by=world["buyer_user"], **contract_fields())
    with pytest.raises(PermissionDenied):
        services.contract_create(deal=deal, by=world["clerk"], **contract_fields())


def test_update_replaces_the_assessment_and_is_closed_while_the_registry_works(world):
    contract = make_contract(world)
    contract = services.contract_update(
        contract=contract,
        by=world["broker"].user,
        deductions=[{"kind": NonTechnicalCost.GOODS, "amount": "50"}],
        **contract_fields(amount="280"),
    )
    assert (contract.amount, contract.tech_amount) == (Decimal("280.00"), Decimal("230.00"))
    assert [d.kind for d in contract.deductions.all()] == [NonTechnicalCost.GOODS]
    services.contract_apply(contract=contract, by=world["seller_user"])
    with pytest.raises(ValidationError) as exc:
        services.contract_update(contract=contract, by=world["seller_user"], **contract_fields())
    assert "登记机构办理期间不能修改" in exc.value.messages[0]


# ── The application and its checklist ─────────────────────────────────────────────────


def test_apply_is_refused_while_a_document_is_missing_and_says_which(world):
    contract = make_contract(world, documents=False)
    attach(contract.deal, DocumentKind.CONTRACT)
    with pytest.raises(ValidationError) as exc:
        services.contract_apply(contract=contract, by=world["seller_user"])
    assert len(exc.value.messages) == 1
    assert "权属证明" in exc.value.messages[0] and "还缺" in exc.value.messages[0]
    contract.refresh_from_db()
    assert contract.registration_status == RegistrationStatus.DRAFT
    attach(contract.deal, DocumentKind.PROOF, "专利证书.pdf")
    contract = services.contract_apply(contract=contract, by=world["seller_user"])
    assert contract.registration_status == RegistrationStatus.APPLIED
    assert contract.applied_at is not None


def test_the_checklist_follows_the_contract_type(world):
    contract = make_contract(world, documents=False, contract_type=ContractType.CONSULTING)
    assert [i.kind for i in selectors.contract_checklist(contract)] == [DocumentKind.CONTRACT]
    with pytest.raises(ValidationError) as exc:
        services.contract_apply(contract=contract, by=world["seller_user"])
    assert "合同文本" in exc.value.messages[0]
    attach(contract.deal, DocumentKind.CONTRACT)
    assert services.contract_apply(contract=contract, by=world["seller_user"]).registration_status
    transfer = selectors.REQUIRED_DOCUMENTS[ContractType.TRANSFER_PATENT_LICENCE]
    assert [kind for kind, _label in transfer] == [DocumentKind.CONTRACT, DocumentKind.PROOF]


def test_the_buyer_and_the_registry_do_not_apply(world):
    contract = make_contract(world)
    for person in (world["buyer_user"], world["clerk"]):
        with pytest.raises(PermissionDenied):
            services.contract_apply(contract=contract, by=person)


# ── The registry ───────────────────────────────────────────────────────────────────────


def test_a_return_needs_a_note_and_the_seller_reapplies_after_correcting(world):
    contract = make_contract(world)
    services.contract_apply(contract=contract, by=world["seller_user"])
    with pytest.raises(ValidationError) as exc:
        services.contract_return(contract=contract, by=world["clerk"], note=" ")
    assert exc.value.message_dict["note"] == ["请写明需要补正的内容。"]
    contract = services.contract_return(
        contract=contract, by=world["clerk"], note="请补充专利证书复印件并加盖公章"
    )
    assert contract.registration_status == RegistrationStatus.RETURNED
    assert contract.decision_note == "请补充专利证书复印件并加盖公章"
    services.contract_update(contract=contract, by=world["seller_user"], **contract_fields())
    contract = services.contract_apply(contract=contract, by=world["seller_user"])
    assert contract.registration_status == RegistrationStatus.APPLIED


def test_accept_starts_the_30_day_deadline(world):
    contract = accepted_contract(world)
    assert contract.registration_status == RegistrationStatus.ACCEPTED
    assert contract.decision_due_at - contract.accepted_at == timedelta(days=30)


def test_only_the_sellers_registry_decides(world):
    contract = make_contract(world)
    services.contract_apply(contract=contract, by=world["seller_user"])
    for person in (world["far_clerk"], world["broker"].user, world["seller_user"]):
        with pytest.raises(PermissionDenied):
            services.contract_accept(contract=contract, by=person)


def test_register_numbers_the_contract_and_moves_the_deal(world):
    contract = accepted_contract(world)
    contract = services.contract_register(contract=contract, by=world["clerk"])
    year = timezone.localdate().year
    assert contract.registration_no == f"{year}420100000001"
    assert contract.registered_on == timezone.localdate()
    deal = Deal.objects.get(pk=contract.deal_id)
    assert deal.stage == DealStage.REGISTERED
    log = TransitionLog.objects.get(
        content_type__model="deal", object_id=deal.pk, transition="register"
    )
    assert log.by == world["clerk"] and contract.registration_no in log.reason
    # The next one of the same region and year takes the next serial.
    second = accepted_contract(world, title="第二份合同")
    second = services.contract_register(contract=second, by=world["clerk2"])
    assert second.registration_no == f"{year}420100000002"


def test_register_before_accepting_is_refused(world):
    contract = make_contract(world)
    services.contract_apply(contract=contract, by=world["seller_user"])
    with pytest.raises(ValidationError) as exc:
        services.contract_register(contract=contract, by=world["clerk"])
    assert "不能执行“予以登记”" in exc.value.messages[0]
    assert Deal.objects.get(pk=contract.deal_id).stage == DealStage.SIGNED


def test_a_refusal_needs_a_ground_and_a_note_and_loses_the_deal(world):
    contract = accepted_contract(world)
    with pytest.raises(ValidationError) as exc:
        services.contract_refuse(contract=contract, by=world["clerk"], ground="", note="x")
    assert exc.value.message_dict["ground"] == ["请选择不予登记的理由。"]
    with pytest.raises(ValidationError) as exc:
        services.contract_refuse(
            contract=contract, by=world["clerk"], ground=RefusalGround.NOT_TECHNOLOGY, note=""
        )
    assert exc.value.message_dict["note"] == ["请写明不予登记的具体理由。"]
    contract = services.contract_refuse(
        contract=contract,
        by=world["clerk"],
        ground=RefusalGround.NOT_TECHNOLOGY,
        note="合同标的为设备买卖",
    )
    assert contract.registration_status == RegistrationStatus.REFUSED
    assert contract.refusal_ground == RefusalGround.NOT_TECHNOLOGY
    deal = Deal.objects.get(pk=contract.deal_id)
    assert deal.stage == DealStage.LOST
    assert deal.lost_reason == LostReason.REGISTRATION_REFUSED
    assert deal.lost_note == "不属于技术合同：合同标的为设备买卖"
    # A refused contract is final: it cannot be applied for again.
    with pytest.raises(ValidationError):
        services.contract_apply(contract=contract, by=world["seller_user"])


def test_the_registry_may_lose_a_deal_only_through_a_refusal(world):
    deal = signed_deal(world)
    with pytest.raises(PermissionDenied):
        services.deal_lose(deal=deal, by=world["clerk"], reason=LostReason.REGISTRATION_REFUSED)


def test_a_step_on_a_stale_page_says_who_moved_the_contract(world):
    contract = accepted_contract(world)
    services.contract_register(contract=contract, by=world["clerk"])
    with pytest.raises(ValidationError) as exc:
        services.contract_refuse(
            contract=contract,
            by=world["clerk2"],
            ground=RefusalGround.INVALID,
            note="x",
            expected_status=RegistrationStatus.ACCEPTED,
        )
    assert exc.value.messages == ["这份合同已被窗口clerk办理为“已登记”，请刷新后查看。"]


def test_every_step_is_in_the_audit_log(world):
    contract = accepted_contract(world)
    services.contract_register(contract=contract, by=world["clerk"])
    logs = list(
        TransitionLog.objects.filter(
            content_type__model="contract", object_id=contract.pk
        ).values_list("transition", "to_state")
    )
    assert logs == [
        ("create", "draft"),
        ("apply", "applied"),
        ("accept", "accepted"),
        ("register", "registered"),
    ]


# ── The 30-day deadline ────────────────────────────────────────────────────────────────


def test_the_deadline_is_waiting_then_due_soon_then_overdue(world):
    contract = accepted_contract(world)
    start = contract.accepted_at
    d = selectors.decision_deadline(contract, now=start + timedelta(days=1))
    assert (d.state, d.days_left) == ("waiting", 29)
    d = selectors.decision_deadline(contract, now=start + timedelta(days=25, hours=1))
    assert (d.state, d.days_left) == ("due_soon", 5)
    d = selectors.decision_deadline(contract, now=start + timedelta(days=33))
    assert (d.state, d.days_left, d.days_overdue) == ("overdue", 0, 3)
    services.contract_register(contract=contract, by=world["clerk"])
    contract.refresh_from_db()
    assert selectors.decision_deadline(contract) is None


def test_the_queue_is_the_registrys_own_and_shows_the_deadline(world, client):
    contract = accepted_contract(world)
    Contract.objects.filter(pk=contract.pk).update(
        decision_due_at=timezone.now() - timedelta(days=2, hours=1)
    )
    waiting = make_contract(world, deal=signed_deal(world, "第二笔"), title="待受理的合同")
    services.contract_apply(contract=waiting, by=world["seller_user"])
    client.force_login(world["clerk"])
    body = client.get("/brokers/contracts/registry/").content.decode()
    assert contract.title in body and "待受理的合同" in body
    assert 'class="response-badge response-badge--overdue">已超时' in body
    assert "逾期 3 天" in body
    client.force_login(world["far_clerk"])
    body = client.get("/brokers/contracts/registry/").content.decode()
    assert contract.title not in body and "目前没有待办理的合同登记申请" in body
    client.force_login(world["seller_user"])
    assert client.get("/brokers/contracts/registry/").status_code == 403


def test_the_contract_page_warns_a_deadline_due_soon(world, client):
    contract = accepted_contract(world)
    Contract.objects.filter(pk=contract.pk).update(
        decision_due_at=timezone.now() + timedelta(days=3, hours=2)
    )
    client.force_login(world["seller_user"])
    body = client.get(f"/brokers/contracts/{contract.pk}/").content.decode()
    assert "response-badge--due-soon" in body and "剩 4 天（即将到期）" in body


# ── Pages ──────────────────────────────────────────────────────────────────────────────


def test_the_contract_page_is_for_the_parties_the_brokers_and_the_registry(world, client):
    contract = make_contract(world)
    url = f"/brokers/contracts/{contract.pk}/"
    for person in (
        world["seller_user"],
        world["buyer_user"],
        world["broker"].user,
        world["clerk"],
    ):
        client.force_login(person)
        assert client.get(url).status_code == 200, person
    client.force_login(world["far_clerk"])
    assert client.get(url).status_code == 404
    stranger = OrganizationFactory(name="路人公司")
    from market.choices import Role
    from market.models import Membership
    from tests.factories import UserFactory

    outsider = UserFactory(username="outsider2")
    Membership.objects.create(user=outsider, organization=stranger, role=Role.ORG_ADMIN)
    client.force_login(outsider)
    assert client.get(url).status_code == 404


def test_the_whole_registration_in_the_browser(world, client):
    deal = signed_deal(world)
    client.force_login(world["seller_user"])
    page = client.get(f"/brokers/deals/{deal.pk}/").content.decode()
    assert f"/brokers/deals/{deal.pk}/contract/" in page
    form = client.get(f"/brokers/deals/{deal.pk}/contract/")
    token = form.context["form"].initial["token"]
    data = {
        "contract_type": ContractType.TRANSFER_PATENT,
        "title": "专利权转让合同",
        "signed_on": timezone.localdate().isoformat(),
        "term_start": timezone.localdate().isoformat(),
        "term_end": (timezone.localdate() + timedelta(days=90)).isoformat(),
        "amount": "120",
        "token": str(token),
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-kind": NonTechnicalCost.EQUIPMENT,
        "lines-0-description": "样机",
        "lines-0-amount": "20",
        "lines-1-kind": "",
        "lines-1-amount": "",
    }
    response = client.post(f"/brokers/deals/{deal.pk}/contract/", data)
    contract = Contract.objects.get()
    assert response.url == f"/brokers/contracts/{contract.pk}/"
    assert contract.tech_amount == Decimal("100.00")
    # A double click: the same token, the same contract.
    client.post(f"/brokers/deals/{deal.pk}/contract/", data)
    assert Contract.objects.count() == 1
    step = f"/brokers/contracts/{contract.pk}/apply/"
    client.post(step, {"status": "draft"})
    contract.refresh_from_db()
    assert contract.registration_status == RegistrationStatus.DRAFT  # documents missing
    attach(deal, DocumentKind.CONTRACT)
    attach(deal, DocumentKind.PROOF, "专利证书.pdf")
    client.post(step, {"status": "draft"})
    client.force_login(world["clerk"])
    client.post(f"/brokers/contracts/{contract.pk}/accept/", {"status": "applied"})
    page = client.get(f"/brokers/contracts/{contract.pk}/").content.decode()
    assert 'id="decision-deadline"' in page and "剩 30 天" in page
    client.post(f"/brokers/contracts/{contract.pk}/register/", {"status": "accepted"})
    contract.refresh_from_db()
    assert contract.registration_status == RegistrationStatus.REGISTERED
    assert Deal.objects.get(pk=deal.pk).stage == DealStage.REGISTERED
    # A second click on the stale page changes nothing and says why.
    response = client.post(
        f"/brokers/contracts/{contract.pk}/register/", {"status": "accepted"}, follow=True
    )
    assert "已被窗口clerk办理为“已登记”" in response.content.decode()
    # The seller reads the registration on its deal's page.
    client.force_login(world["seller_user"])
    client.force_login(world["buyer_user"])
    page = client.get(f"/brokers/deals/{deal.pk}/").content.decode()
    assert contract.registration_no in page and "已登记" in page


def test_a_get_changes_nothing(world, client):
    contract = make_contract(world)
    client.force_login(world["seller_user"])
    assert client.get(f"/brokers/contracts/{contract.pk}/apply/").status_code == 405
    contract.refresh_from_db()
    assert contract.registration_status == RegistrationStatus.DRAFT


def test_the_refuse_form_in_the_browser_loses_the_deal(world, client):
    contract = accepted_contract(world)
    client.force_login(world["clerk"])
    url = f"/brokers/contracts/{contract.pk}/refuse/"
    response = client.post(url, {"status": "accepted", "ground": "", "note": ""}, follow=True)
    assert "请选择不予登记的理由。" in response.content.decode()
    client.post(
        url, {"status": "accepted", "ground": RefusalGround.SEALS_MISMATCH, "note": "公章不符"}
    )
    contract.refresh_from_db()
    assert contract.registration_status == RegistrationStatus.REFUSED
    assert Deal.objects.get(pk=contract.deal_id).lost_reason == LostReason.REGISTRATION_REFUSED

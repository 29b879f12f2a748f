"""People can join: sign-up with an organization, the operator's review, password reset, and
who may make a market operator."""

import re
import uuid

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from listings import services as listing_services
from listings.choices import ListingStatus
from market import services
from market.choices import OrganizationKind, OrganizationStatus, Role
from market.models import Membership, Organization, TransitionLog, User
from tests.factories import (
    AchievementFactory,
    OrganizationFactory,
    SubMarketFactory,
    credit_code,
    make_operator,
)

pytestmark = pytest.mark.django_db

# Real-shaped codes: 9 (工商) 1 (企业) + Wuhan's region code + organization code + check.
VALID_CODE = credit_code(4242)
# 北京大学 (事业单位, authority 1, type 2): a real published code.
PKU = "12100000400000624D"


def signup_data(market, **overrides):
    data = {
        "username": "wanglab",
        "name": "王老师",
        "phone": "13800000000",
        "email": "wang@hust.example.cn",
        "password1": "Guanggu-2026-lab",
        "password2": "Guanggu-2026-lab",
        "org_name": "光谷理工大学",
        "kind": OrganizationKind.UNIVERSITY,
        "credit_code": VALID_CODE,
        "market": market.pk,
        "region_code": "420100",
        "contact_name": "",
        "contact_phone": "",
        "signup_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_login_page_links_to_signup_and_password_reset(client):
    html = client.get(reverse("login")).content.decode()
    assert reverse("signup") in html and "注册机构" in html
    assert reverse("password_reset") in html and "忘记密码？" in html


def test_register_url_sends_visitors_to_signup(client):
    response = client.get("/organizations/register/")
    assert response.status_code == 302 and response.url == reverse("signup")


def test_signup_creates_account_and_pending_organization(client, main_market, operator):
    response = client.post(reverse("signup"), signup_data(main_market), follow=True)
    assert response.redirect_chain[-1][0] == reverse("organization_status")
    html = response.content.decode()
    assert "待审核" in html and "光谷理工大学" in html
    user = User.objects.get(username="wanglab")
    assert user.check_password("Guanggu-2026-lab") and user.name == "王老师"
    org = Organization.objects.get(credit_code=VALID_CODE)
    assert org.status == OrganizationStatus.PENDING
    assert org.market == main_market and org.contact_name == "王老师"
    assert Membership.objects.filter(user=user, organization=org, role=Role.ORG_ADMIN).exists()
    assert response.context["user"] == user  # signed in
    # The market's operator is told someone waits.
    assert operator.notifications.filter(verb="organization.pending").count() == 1


def test_signup_bad_credit_code_says_which_check_character(client, main_market):
    bad = VALID_CODE[:-1] + ("0" if VALID_CODE[-1] != "0" else "1")
    response = client.post(reverse("signup"), signup_data(main_market, credit_code=bad))
    assert response.status_code == 200
    errors = response.context["form"].errors["credit_code"]
    assert "校验位" in errors[0] and f"“{VALID_CODE[-1]}”" in errors[0]
    assert not User.objects.filter(username="wanglab").exists()


def test_signup_weak_password_refused(client, main_market):
    data = signup_data(main_market, password1="12345678", password2="12345678")
    response = client.post(reverse("signup"), data)
    assert response.context["form"].errors["password1"]
    assert not User.objects.exists()


def test_signup_duplicate_credit_code_is_explained(client, main_market):
    OrganizationFactory(name="已登记大学", credit_code=VALID_CODE, market=main_market)
    response = client.post(reverse("signup"), signup_data(main_market))
    message = response.context["form"].errors["credit_code"][0]
    assert "已登记大学" in message and "已经登记" in message and "暂不支持" in message
    assert not User.objects.filter(username="wanglab").exists()


def test_signup_market_operator_kind_refused(client, main_market):
    response = client.post(
        reverse("signup"), signup_data(main_market, kind=OrganizationKind.OPERATOR)
    )
    assert "kind" in response.context["form"].errors
    with pytest.raises(ValidationError) as exc:
        services.organization_signup(
            username="x1",
            password="Guanggu-2026-lab",
            name="x",
            email="x1@example.cn",
            organization={
                "name": "假运营方",
                "kind": OrganizationKind.OPERATOR,
                "credit_code": VALID_CODE,
                "market": main_market,
                "region_code": "420100",
            },
        )
    assert "organization.kind" in exc.value.message_dict
    assert not Organization.objects.filter(name="假运营方").exists()


def test_double_clicked_signup_creates_one_account(client, main_market):
    data = signup_data(main_market)
    client.post(reverse("signup"), data)
    client.logout()
    response = client.post(reverse("signup"), data, follow=True)
    assert "未重复注册" in response.content.decode()
    assert User.objects.filter(username="wanglab").count() == 1
    assert Organization.objects.filter(credit_code=VALID_CODE).count() == 1


def _pending_university(market):
    user = services.organization_signup(
        username="newuni",
        password="Guanggu-2026-lab",
        name="李老师",
        email="li@newuni.example.cn",
        organization={
            "name": "新办大学",
            "kind": OrganizationKind.UNIVERSITY,
            "credit_code": credit_code(777),
            "market": market,
            "region_code": "420100",
        },
    )
    return user, Organization.objects.get(name="新办大学")


def test_pending_organization_can_draft_but_not_submit(main_market):
    user, org = _pending_university(main_market)
    draft = AchievementFactory(owner=org, market=main_market, created_by=user)
    with pytest.raises(ValidationError) as exc:
        listing_services.listing_submit(listing=draft, actor=user)
    assert "机构尚未通过审核" in exc.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == ListingStatus.DRAFT


def test_operator_approves_then_member_can_submit(
    client, main_market, operator, django_capture_on_commit_callbacks
):
    user, org = _pending_university(main_market)
    mail.outbox.clear()
    client.force_login(operator)
    listing_page = client.get(reverse("market_organization_review:list"))
    assert "新办大学" in listing_page.content.decode()
    with pytest.raises(ValidationError):
        listing_services.listing_submit(
            listing=AchievementFactory(owner=org, market=main_market), actor=user
        )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("market_organization_review:approve", args=[org.pk]))
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.status == OrganizationStatus.APPROVED and org.reviewed_at is not None
    assert TransitionLog.objects.filter(object_id=org.pk, transition="approve", by=operator)
    notice = user.notifications.get(verb="organization.approved")
    assert "已通过审核" in notice.title
    assert [m.to for m in mail.outbox] == [["li@newuni.example.cn"]]
    draft = AchievementFactory(owner=org, market=main_market, created_by=user)
    submitted = listing_services.listing_submit(listing=draft, actor=user)
    assert submitted.status == ListingStatus.SUBMITTED
    assert (
        "没有待审核的机构"
        in client.get(reverse("market_organization_review:list")).content.decode()
    )


def test_reject_needs_a_reason_and_tells_the_applicant(client, main_market, operator):
    user, org = _pending_university(main_market)
    client.force_login(operator)
    url = reverse("market_organization_review:reject", args=[org.pk])
    response = client.post(url, {f"org{org.pk}-reason": ""})
    assert "必须填写原因" in response.content.decode()
    org.refresh_from_db()
    assert org.status == OrganizationStatus.PENDING
    client.post(url, {f"org{org.pk}-reason": "信用代码与名称不符"})
    org.refresh_from_db()
    assert org.status == OrganizationStatus.REJECTED and org.review_reason == "信用代码与名称不符"
    assert user.notifications.get(verb="organization.rejected").body.startswith("原因：信用代码")
    client.force_login(user)
    page = client.get(reverse("organization_status")).content.decode()
    assert "未通过" in page and "信用代码与名称不符" in page


def test_operator_of_another_market_cannot_see_or_approve(client, main_market):
    sub_a = SubMarketFactory(parent=main_market)
    sub_b = SubMarketFactory(parent=main_market)
    op_org = OrganizationFactory(kind=OrganizationKind.OPERATOR, market=sub_b)
    other_operator = make_operator(op_org, sub_b)
    user, org = _pending_university(sub_a)
    client.force_login(other_operator)
    assert "新办大学" not in client.get(reverse("market_organization_review:list")).content.decode()
    response = client.post(reverse("market_organization_review:approve", args=[org.pk]))
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.status == OrganizationStatus.PENDING
    with pytest.raises(PermissionDenied):
        services.organization_approve(organization=org, actor=other_operator)
    # The sub-market's own operator may.
    own = make_operator(OrganizationFactory(kind=OrganizationKind.OPERATOR, market=sub_a), sub_a)
    services.organization_approve(organization=org, actor=own)
    org.refresh_from_db()
    assert org.status == OrganizationStatus.APPROVED


def test_non_operator_cannot_open_review(client, university_user):
    client.force_login(university_user)
    url = reverse("market_organization_review:list")
    response = client.get(url)
    # Without admin access Wagtail sends the person to its login page, back here after.
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('wagtailadmin_login')}?next={url}"


def test_password_reset_by_email(client, main_market):
    user, _org = _pending_university(main_market)
    response = client.post(reverse("password_reset"), {"email": "li@newuni.example.cn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["li@newuni.example.cn"] and "重设密码" in message.subject
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", message.body).group(1)
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    assert "设置新密码" in form_page.content.decode()
    done = client.post(
        set_url,
        {"new_password1": "Another-Pass-99", "new_password2": "Another-Pass-99"},
        follow=True,
    )
    assert "密码已重设" in done.content.decode()
    user.refresh_from_db()
    assert user.check_password("Another-Pass-99")
    # The link works once.
    assert "无效" in client.get(link, follow=True).content.decode()


def test_password_reset_unknown_email_sends_nothing_and_says_the_same(client, db):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.cn"}, follow=True)
    assert "邮件已发送" in response.content.decode()
    assert mail.outbox == []


def test_organization_form_hides_operator_kind_from_non_operators(client, outsider, main_market):
    client.force_login(outsider)
    page = client.get(reverse("organization_register"))
    kinds = [value for value, _label in page.context["form"].fields["kind"].choices]
    assert OrganizationKind.OPERATOR not in kinds
    assert OrganizationKind.UNIVERSITY in kinds
    response = client.post(
        reverse("organization_register"),
        {
            "name": "冒充运营方",
            "kind": OrganizationKind.OPERATOR,
            "credit_code": VALID_CODE,
            "market": main_market.pk,
            "region_code": "420100",
        },
    )
    assert "kind" in response.context["form"].errors
    assert not Organization.objects.filter(name="冒充运营方").exists()


def test_service_refuses_operator_kind_unless_operator(outsider, operator, main_market):
    fields = {
        "name": "运营分中心",
        "kind": OrganizationKind.OPERATOR,
        "market": main_market,
        "region_code": "420100",
    }
    with pytest.raises(ValidationError) as exc:
        services.organization_create(actor=outsider, credit_code=credit_code(901), **fields)
    assert "只有市场运营人员" in exc.value.message_dict["kind"][0]
    org = services.organization_create(actor=operator, credit_code=credit_code(902), **fields)
    assert org.kind == OrganizationKind.OPERATOR and org.is_approved


def test_logged_in_registration_is_pending_too(client, outsider, main_market):
    client.force_login(outsider)
    client.post(
        reverse("organization_register"),
        {
            "name": "登录后登记的企业",
            "kind": OrganizationKind.ENTERPRISE,
            "credit_code": VALID_CODE,
            "market": main_market.pk,
            "region_code": "420100",
        },
    )
    org = Organization.objects.get(name="登录后登记的企业")
    assert org.status == OrganizationStatus.PENDING


def test_existing_and_factory_organizations_are_approved(university):
    assert university.is_approved

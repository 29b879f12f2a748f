import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from listings.choices import ListingStatus
from listings.models import Demand
from market.choices import Role
from market.models import Organization
from tests.factories import AchievementFactory, DemandFactory, MembershipFactory, credit_code

pytestmark = pytest.mark.django_db


def demand_post(**overrides):
    data = {
        "title": "寻求注塑件缩痕解决方案",
        "description": "我们的注塑件表面有缩痕，良品率只有85%。",
        "field": "advanced_manufacturing",
        "industry": "C",
        "keywords": "注塑、缩痕",
        "region_code": "420100",
        "contact_name": "王经理",
        "expected_outcome": "良品率提高到98%",
        "budget_min": "20",
        "budget_max": "80",
        "modes": ["joint_development", "service"],
        "client_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def test_create_demand_saves_draft_and_submit_button_submits(client, enterprise_user):
    client.force_login(enterprise_user)
    response = client.post(reverse("listings:create", args=["demand"]), demand_post(submit="1"))
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert demand.status == ListingStatus.SUBMITTED
    assert demand.keywords == ["注塑", "缩痕"]
    page = client.get(response["Location"])
    assert "已提交审核" in page.content.decode()


def test_double_submitted_form_creates_one_listing(client, enterprise_user):
    client.force_login(enterprise_user)
    data = demand_post()
    first = client.post(reverse("listings:create", args=["demand"]), data)
    second = client.post(reverse("listings:create", args=["demand"]), data, follow=True)
    assert Demand.objects.count() == 1
    assert first["Location"] == second.redirect_chain[-1][0]
    assert "该表单已经提交过，未重复创建" in second.content.decode()


def test_missing_fields_show_errors_and_save_nothing(client, enterprise_user):
    client.force_login(enterprise_user)
    response = client.post(
        reverse("listings:create", args=["demand"]),
        demand_post(title="", expected_outcome="", modes=[]),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写“标题”" in body
    assert "请填写“预期目标”" in body
    assert "请至少选择一种合作方式" in body
    assert Demand.objects.count() == 0


def test_wrong_types_show_errors_and_save_nothing(client, enterprise_user):
    client.force_login(enterprise_user)
    response = client.post(
        reverse("listings:create", args=["demand"]),
        demand_post(budget_min="二十万", region_code="42", deadline="明年"),
    )
    body = response.content.decode()
    assert "输入一个数字" in body
    assert "找不到地区“42”。请选择省、市、区县" in body
    assert "输入一个有效的日期" in body
    assert Demand.objects.count() == 0


def test_inverted_budget_shows_model_error(client, enterprise_user):
    client.force_login(enterprise_user)
    response = client.post(
        reverse("listings:create", args=["demand"]), demand_post(budget_min="90", budget_max="10")
    )
    assert "预算上限不能低于下限" in response.content.decode()
    assert Demand.objects.count() == 0


def test_enterprise_cannot_edit_another_enterprises_demand(
    client, enterprise, other_enterprise_user
):
    demand = DemandFactory(owner=enterprise)
    client.force_login(other_enterprise_user)
    assert client.get(reverse("listings:edit", args=["demand", demand.pk])).status_code == 403
    response = client.post(
        reverse("listings:edit", args=["demand", demand.pk]), demand_post(title="被改了")
    )
    assert response.status_code == 403
    response = client.post(reverse("listings:action", args=["demand", demand.pk, "submit"]))
    demand.refresh_from_db()
    assert demand.title != "被改了"
    assert demand.status == ListingStatus.DRAFT


def test_public_sees_published_but_not_draft_or_submitted(client, enterprise):
    published = DemandFactory(owner=enterprise, status=ListingStatus.PUBLISHED)
    submitted = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED)
    draft = DemandFactory(owner=enterprise)
    page = client.get(reverse("listings:detail", args=["demand", published.pk]))
    assert page.status_code == 200
    assert published.title in page.content.decode()
    assert "登录后查看联系方式" in page.content.decode()
    assert published.contact_name not in page.content.decode()
    under_review = client.get(reverse("listings:detail", args=["demand", submitted.pk]))
    assert under_review.status_code == 404
    assert "正在审核中" in under_review.content.decode()
    hidden = client.get(reverse("listings:detail", args=["demand", draft.pk]))
    assert hidden.status_code == 404
    assert draft.title not in hidden.content.decode()


def test_owner_sees_rejection_reason(client, enterprise, enterprise_user):
    demand = DemandFactory(
        owner=enterprise, status=ListingStatus.REJECTED, review_reason="请补充预算"
    )
    client.force_login(enterprise_user)
    assert "请补充预算" in client.get(reverse("listings:mine")).content.decode()
    assert (
        "请补充预算"
        in client.get(reverse("listings:detail", args=["demand", demand.pk])).content.decode()
    )


def test_action_on_wrong_state_shows_message_not_500(client, enterprise, enterprise_user):
    demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED)
    client.force_login(enterprise_user)
    response = client.post(
        reverse("listings:action", args=["demand", demand.pk, "submit"]), follow=True
    )
    assert response.status_code == 200
    assert "不能执行" in response.content.decode()


@override_settings(LISTING_ATTACHMENT_MAX_BYTES=100)
def test_oversized_upload_is_refused_with_message(client, university, university_user):
    achievement = AchievementFactory(owner=university)
    client.force_login(university_user)
    response = client.post(
        reverse("listings:attachment_upload", args=["achievement", achievement.pk]),
        {"file": SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * 500)},
        follow=True,
    )
    assert "超过上限" in response.content.decode()
    assert achievement.attachments.count() == 0


def test_register_organization_with_bad_credit_code(client, main_market, outsider):
    client.force_login(outsider)
    good = credit_code(4242)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    data = {
        "name": "新注册企业",
        "kind": "enterprise",
        "credit_code": bad,
        "market": main_market.pk,
        "region_code": "420100",
    }
    response = client.post(reverse("organization_register"), data)
    assert "校验位" in response.content.decode()
    assert not Organization.objects.filter(name="新注册企业").exists()
    response = client.post(reverse("organization_register"), dict(data, credit_code=good))
    assert response.status_code == 302
    organization = Organization.objects.get(name="新注册企业")
    assert organization.memberships.get().user == outsider


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("listings:create", args=["demand"]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_flash_message_reads_in_english_under_english(client, enterprise):
    editor = MembershipFactory(organization=enterprise, role=Role.ORG_ADMIN).user
    draft = DemandFactory(owner=enterprise, status=ListingStatus.DRAFT)
    client.force_login(editor)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("listings:action", args=["demand", draft.pk, "submit"]), follow=True
    )
    page = response.content.decode()
    assert "Submitted for review" in page
    assert "已提交审核" not in page
    draft.refresh_from_db()
    assert draft.status == ListingStatus.SUBMITTED

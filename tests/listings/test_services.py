import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from listings import selectors, services
from listings.choices import ListingStatus
from listings.models import Achievement, Attachment, Demand, IntellectualProperty
from market.choices import OrganizationKind, Role
from market.models import Notification, TransitionLog
from tests.factories import (
    AchievementFactory,
    DemandFactory,
    MembershipFactory,
    OrganizationFactory,
    SubMarketFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\0" * 32


def demand_fields(**overrides):
    fields = {
        "title": "寻求锂电池正极材料技术",
        "description": "我们的电池循环寿命不够，想找能提高循环寿命的正极材料。",
        "field": "new_materials",
        "expected_outcome": "循环寿命达到2000次",
        "budget_min": 50,
        "budget_max": 200,
        "region_code": "420100",
        "contact_name": "王经理",
        "keywords": ["正极材料"],
    }
    fields.update(overrides)
    return fields


def achievement_fields(**overrides):
    fields = {
        "title": "一种高镍三元正极材料的制备方法",
        "description": "采用共沉淀法制备高镍三元前驱体，循环寿命提高30%。",
        "field": "new_materials",
        "trl": 6,
        "asking_price": 300,
        "region_code": "420100",
        "contact_name": "李教授",
    }
    fields.update(overrides)
    return fields


def create_achievement(user, owner, **overrides):
    return services.listing_create(
        model=Achievement,
        actor=user,
        owner=owner,
        modes=["license"],
        **achievement_fields(**overrides),
    )


def create_demand(user, owner, **overrides):
    return services.listing_create(
        model=Demand,
        actor=user,
        owner=owner,
        modes=["transfer", "license"],
        **demand_fields(**overrides),
    )


# --- create -----------------------------------------------------------------------------


def test_listing_create_makes_a_draft_with_modes(enterprise, enterprise_user):
    demand = create_demand(enterprise_user, enterprise)
    assert demand.status == ListingStatus.DRAFT
    assert demand.market == enterprise.market
    assert sorted(demand.cooperation_modes.values_list("code", flat=True)) == [
        "license",
        "transfer",
    ]


def test_listing_create_records_patents(university, university_user):
    achievement = services.listing_create(
        model=Achievement,
        actor=university_user,
        owner=university,
        modes=["license"],
        ip_items=[{"kind": "invention_patent", "number": "zl 201710601862.3"}],
        **achievement_fields(),
    )
    assert list(achievement.ip_items.values_list("number", flat=True)) == ["ZL201710601862.3"]
    assert achievement.maturity == "pilot"  # derived from TRL 6


def test_listing_create_bad_patent_saves_nothing(university, university_user):
    with pytest.raises(ValidationError) as exc:
        services.listing_create(
            model=Achievement,
            actor=university_user,
            owner=university,
            modes=["license"],
            ip_items=[{"kind": "invention_patent", "number": "ZL201710601862.4"}],
            **achievement_fields(),
        )
    assert "校验位" in str(exc.value)
    assert Achievement.objects.count() == 0
    assert IntellectualProperty.objects.count() == 0


def test_listing_create_requires_price_or_negotiable(university, university_user):
    with pytest.raises(ValidationError) as exc:
        create_achievement(university_user, university, asking_price=None)
    assert "面议" in str(exc.value)
    achievement = create_achievement(
        university_user, university, asking_price=None, price_negotiable=True
    )
    assert achievement.asking_price is None


def test_listing_create_requires_trl_or_stage(university, university_user):
    with pytest.raises(ValidationError) as exc:
        create_achievement(university_user, university, trl=None)
    assert "TRL" in str(exc.value)
    achievement = create_achievement(university_user, university, trl=None, maturity="small_pilot")
    assert achievement.trl == 5


def test_listing_create_rejects_trl_out_of_range(university, university_user):
    with pytest.raises(ValidationError):
        create_achievement(university_user, university, trl=10)
    assert Achievement.objects.count() == 0


def test_listing_create_rejects_inverted_budget(enterprise, enterprise_user):
    with pytest.raises(ValidationError) as exc:
        create_demand(enterprise_user, enterprise, budget_min=300, budget_max=100)
    assert "上限不能低于下限" in str(exc.value)
    assert Demand.objects.count() == 0


def test_listing_create_requires_a_mode(enterprise, enterprise_user):
    with pytest.raises(ValidationError):
        services.listing_create(
            model=Demand, actor=enterprise_user, owner=enterprise, modes=[], **demand_fields()
        )
    assert Demand.objects.count() == 0


def test_listing_create_same_token_twice_creates_one(enterprise, enterprise_user):
    token = uuid.uuid4()
    first = services.listing_create(
        model=Demand,
        actor=enterprise_user,
        owner=enterprise,
        modes=["transfer"],
        client_token=token,
        **demand_fields(),
    )
    with pytest.raises(services.DuplicateSubmission) as dup:
        services.listing_create(
            model=Demand,
            actor=enterprise_user,
            owner=enterprise,
            modes=["transfer"],
            client_token=token,
            **demand_fields(),
        )
    assert dup.value.listing == first
    assert Demand.objects.count() == 1


def test_listing_create_refuses_non_member(enterprise, other_enterprise_user):
    with pytest.raises(PermissionDenied):
        create_demand(other_enterprise_user, enterprise)
    assert Demand.objects.count() == 0


def test_listing_create_refuses_wrong_organization_kind(main_market):
    institution = OrganizationFactory(kind=OrganizationKind.TRANSFER_INSTITUTION)
    user = MembershipFactory(organization=institution).user
    with pytest.raises(ValidationError):
        services.listing_create(
            model=Achievement,
            actor=user,
            owner=institution,
            modes=["license"],
            **achievement_fields(),
        )


# --- permissions --------------------------------------------------------------------------


def test_listing_update_by_other_enterprise_is_denied(enterprise, other_enterprise_user):
    demand = DemandFactory(owner=enterprise)
    with pytest.raises(PermissionDenied):
        services.listing_update(listing=demand, actor=other_enterprise_user, title="篡改")
    demand.refresh_from_db()
    assert demand.title != "篡改"


def test_listing_submit_by_other_enterprise_is_denied(enterprise, other_enterprise_user):
    demand = DemandFactory(owner=enterprise)
    with pytest.raises(PermissionDenied):
        services.listing_submit(listing=demand, actor=other_enterprise_user)
    demand.refresh_from_db()
    assert demand.status == ListingStatus.DRAFT


def test_plain_member_may_edit_but_broker_may_not(enterprise):
    demand = DemandFactory(owner=enterprise)
    member = MembershipFactory(organization=enterprise, role=Role.MEMBER).user
    broker = MembershipFactory(organization=enterprise, role=Role.BROKER).user
    services.listing_update(listing=demand, actor=member, title="成员修改")
    with pytest.raises(PermissionDenied):
        services.listing_update(listing=demand, actor=broker, title="经纪人修改")


def test_owner_cannot_approve_own_listing(enterprise, enterprise_user):
    demand = DemandFactory(owner=enterprise)
    services.listing_submit(listing=demand, actor=enterprise_user)
    with pytest.raises(PermissionDenied):
        services.listing_approve(listing=demand, actor=enterprise_user)
    demand.refresh_from_db()
    assert demand.status == ListingStatus.SUBMITTED


def test_sub_market_operator_cannot_review_other_sub_market(main_market):
    sub_a, sub_b = SubMarketFactory(parent=main_market), SubMarketFactory(parent=main_market)
    operator_org = OrganizationFactory(kind=OrganizationKind.OPERATOR, market=sub_a)
    operator_a = MembershipFactory(organization=operator_org, role=Role.OPERATOR, market=sub_a).user
    owner = OrganizationFactory(market=sub_b)
    demand = DemandFactory(owner=owner, status=ListingStatus.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.listing_approve(listing=demand, actor=operator_a)
    in_a = DemandFactory(owner=OrganizationFactory(market=sub_a), status=ListingStatus.SUBMITTED)
    services.listing_approve(listing=in_a, actor=operator_a)
    assert list(selectors.listings_review_queue(Demand, operator_a)) == []


def test_main_market_operator_reviews_sub_markets(main_market, operator):
    sub = SubMarketFactory(parent=main_market)
    demand = DemandFactory(owner=OrganizationFactory(market=sub), status=ListingStatus.SUBMITTED)
    assert list(selectors.listings_review_queue(Demand, operator)) == [demand]
    services.listing_approve(listing=demand, actor=operator)


def test_public_sees_only_published(enterprise, enterprise_user, outsider):
    draft = DemandFactory(owner=enterprise)
    submitted = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED)
    published = DemandFactory(owner=enterprise, status=ListingStatus.PUBLISHED)
    expired = DemandFactory(owner=enterprise, status=ListingStatus.EXPIRED)
    assert list(selectors.listings_public(Demand)) == [published]
    for listing in (draft, submitted, expired):
        assert not selectors.listing_visible_to(listing, outsider)
        assert selectors.listing_visible_to(listing, enterprise_user)
    assert selectors.listing_visible_to(published, outsider)


# --- lifecycle ----------------------------------------------------------------------------


def test_lifecycle_submit_approve_records_every_transition(enterprise, enterprise_user, operator):
    demand = create_demand(enterprise_user, enterprise)
    services.listing_submit(listing=demand, actor=enterprise_user)
    demand = services.listing_approve(listing=demand, actor=operator)
    assert demand.status == ListingStatus.PUBLISHED
    assert demand.expires_at - demand.published_at == timedelta(days=180)
    log = list(
        TransitionLog.objects.filter(object_id=demand.pk).values_list(
            "transition", "from_state", "to_state", "by_id"
        )
    )
    assert log == [
        ("submit", "draft", "submitted", enterprise_user.pk),
        ("approve", "submitted", "published", operator.pk),
    ]


def test_reject_requires_reason_and_owner_sees_it(enterprise, enterprise_user, operator):
    demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.listing_reject(listing=demand, actor=operator, reason="  ")
    demand.refresh_from_db()
    assert demand.status == ListingStatus.SUBMITTED
    services.listing_reject(listing=demand, actor=operator, reason="预期目标缺少量化指标")
    demand.refresh_from_db()
    assert demand.status == ListingStatus.REJECTED
    assert demand.review_reason == "预期目标缺少量化指标"
    assert TransitionLog.objects.get(transition="reject").reason == "预期目标缺少量化指标"
    note = Notification.objects.get(recipient=enterprise_user)
    assert note.body == "预期目标缺少量化指标"
    # The owner fixes it and resubmits.
    services.listing_submit(listing=demand, actor=enterprise_user)


def test_submit_twice_gives_clear_message(enterprise, enterprise_user):
    demand = DemandFactory(owner=enterprise)
    services.listing_submit(listing=demand, actor=enterprise_user)
    with pytest.raises(ValidationError) as exc:
        services.listing_submit(listing=demand, actor=enterprise_user)
    assert "待审核" in exc.value.messages[0]
    assert TransitionLog.objects.filter(transition="submit").count() == 1


def test_submitted_listing_is_locked_for_edits(enterprise, enterprise_user):
    demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED)
    with pytest.raises(ValidationError):
        services.listing_update(listing=demand, actor=enterprise_user, title="审核中修改")


@override_settings(LISTING_LIFETIME_DAYS=30, LISTING_EXPIRY_REMINDER_DAYS=14)
def test_expiry_reminds_once_then_expires(
    enterprise, enterprise_user, operator, django_capture_on_commit_callbacks
):
    demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED)
    services.listing_approve(listing=demand, actor=operator)
    now = timezone.now()
    assert services.listings_remind_expiring(now=now) == 0
    later = now + timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.listings_remind_expiring(now=later) == 1
    assert services.listings_remind_expiring(now=later) == 0
    assert len(mail.outbox) == 1
    assert "10天后到期" in mail.outbox[0].subject
    assert services.listings_expire_due(now=later) == 0
    assert services.listings_expire_due(now=now + timedelta(days=31)) == 1
    demand.refresh_from_db()
    assert demand.status == ListingStatus.EXPIRED
    assert TransitionLog.objects.get(transition="expire").by is None


@override_settings(LISTING_LIFETIME_DAYS=30)
def test_renew_extends_expired_listing(enterprise, enterprise_user):
    demand = DemandFactory(
        owner=enterprise,
        status=ListingStatus.EXPIRED,
        expires_at=timezone.now() - timedelta(days=1),
    )
    demand = services.listing_renew(listing=demand, actor=enterprise_user)
    assert demand.status == ListingStatus.PUBLISHED
    assert demand.expires_at > timezone.now() + timedelta(days=29)


def test_close_then_reopen(enterprise, enterprise_user):
    demand = DemandFactory(owner=enterprise, status=ListingStatus.PUBLISHED)
    services.listing_close(listing=demand, actor=enterprise_user, reason="已找到合作方")
    demand.refresh_from_db()
    assert demand.status == ListingStatus.CLOSED
    services.listing_reopen(listing=demand, actor=enterprise_user)
    demand.refresh_from_db()
    assert demand.status == ListingStatus.DRAFT


def test_expire_is_system_only(enterprise, enterprise_user, operator):
    demand = DemandFactory(owner=enterprise, status=ListingStatus.PUBLISHED)
    for user in (enterprise_user, operator):
        with pytest.raises(PermissionDenied):
            services.transition_apply(demand, transition="expire", by=user)


# --- attachments --------------------------------------------------------------------------


def test_attachment_accepts_real_pdf_and_png(university, university_user):
    achievement = AchievementFactory(owner=university)
    pdf = services.attachment_add(
        listing=achievement,
        actor=university_user,
        upload=SimpleUploadedFile("说明书.pdf", PDF, content_type="application/pdf"),
    )
    png = services.attachment_add(
        listing=achievement,
        actor=university_user,
        upload=SimpleUploadedFile("photo.png", PNG, content_type="image/png"),
    )
    assert (pdf.mime_type, png.mime_type) == ("application/pdf", "image/png")
    assert achievement.attachments.count() == 2


def test_attachment_refuses_file_lying_about_type(university, university_user):
    achievement = AchievementFactory(owner=university)
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            listing=achievement,
            actor=university_user,
            upload=SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"),
        )
    assert "不是 PDF 或图片" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            listing=achievement,
            actor=university_user,
            upload=SimpleUploadedFile("scan.pdf", PNG, content_type="application/pdf"),
        )
    assert "扩展名与实际内容" in exc.value.messages[0]
    assert Attachment.objects.count() == 0


@override_settings(LISTING_ATTACHMENT_MAX_BYTES=1024)
def test_attachment_refuses_oversized(university, university_user):
    achievement = AchievementFactory(owner=university)
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(
            listing=achievement,
            actor=university_user,
            upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 4096, "application/pdf"),
        )
    assert "超过上限" in exc.value.messages[0]
    assert Attachment.objects.count() == 0


def test_attachment_by_outsider_is_denied(university, outsider):
    achievement = AchievementFactory(owner=university)
    with pytest.raises(PermissionDenied):
        services.attachment_add(
            listing=achievement,
            actor=outsider,
            upload=SimpleUploadedFile("a.pdf", PDF, "application/pdf"),
        )


def test_listing_changed_is_announced_after_commit_only(
    enterprise, enterprise_user, operator, django_capture_on_commit_callbacks
):
    from listings.signals import listing_changed

    heard = []

    def receiver(sender, pk, **kwargs):
        heard.append((sender, pk))

    listing_changed.connect(receiver)
    try:
        demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.listing_approve(listing=demand, actor=operator)
        assert heard == []  # nothing is said before the transaction commits
        for callback in callbacks:
            callback()
        assert heard == [(Demand, demand.pk)]
        with django_capture_on_commit_callbacks(execute=True):
            services.listing_close(listing=demand, actor=enterprise_user)
        assert heard[-1] == (Demand, demand.pk) and len(heard) == 2
    finally:
        listing_changed.disconnect(receiver)

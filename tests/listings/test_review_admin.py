"""The operators' review queue in Wagtail's admin: what each operator sees, and approve / reject
as they happen over HTTP."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from listings import services
from listings.choices import ListingStatus
from listings.models import Demand, IntellectualProperty
from market.choices import OrganizationKind, Role
from market.models import TransitionLog
from tests.factories import (
    AchievementFactory,
    DemandFactory,
    MembershipFactory,
    OrganizationFactory,
    SubMarketFactory,
    UserFactory,
    make_operator,
)

pytestmark = pytest.mark.django_db


def queue_url():
    return reverse("review_queue:index")


def detail_url(listing, kind="demand"):
    return reverse("review_queue:detail", args=[kind, listing.pk])


def approve_url(listing, kind="demand"):
    return reverse("review_queue:approve", args=[kind, listing.pk])


def reject_url(listing, kind="demand"):
    return reverse("review_queue:reject", args=[kind, listing.pk])


def submitted_demand(owner, **fields):
    editor = MembershipFactory(organization=owner, role=Role.ORG_ADMIN).user
    demand = DemandFactory(owner=owner, **fields)
    return services.listing_submit(listing=demand, actor=editor)


@pytest.fixture
def sub_market_a(main_market):
    return SubMarketFactory(parent=main_market, name="武汉分市场")


@pytest.fixture
def sub_market_b(main_market):
    return SubMarketFactory(parent=main_market, name="襄阳分市场")


@pytest.fixture
def enterprise_a(sub_market_a):
    return OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE, name="武汉企业", market=sub_market_a
    )


@pytest.fixture
def enterprise_b(sub_market_b):
    return OrganizationFactory(
        kind=OrganizationKind.ENTERPRISE, name="襄阳企业", market=sub_market_b
    )


@pytest.fixture
def operator_a(operator_org, sub_market_a):
    return make_operator(operator_org, sub_market_a)


@pytest.fixture
def demand_a(enterprise_a):
    return submitted_demand(enterprise_a, title="武汉：注塑件缩痕解决方案")


@pytest.fixture
def demand_b(enterprise_b):
    return submitted_demand(enterprise_b, title="襄阳：齿轮热处理变形控制")


def test_review_queue_lists_submitted_demand_of_own_market_only(
    client, operator_a, enterprise_a, demand_a, demand_b
):
    draft = DemandFactory(owner=enterprise_a, title="武汉：尚未提交的草稿")
    client.force_login(operator_a)
    response = client.get(queue_url())
    page = response.content.decode()
    assert response.status_code == 200
    assert demand_a.title in page
    assert detail_url(demand_a) in page
    assert "武汉企业" in page and "武汉分市场" in page and "需求" in page
    assert draft.title not in page
    assert demand_b.title not in page


def test_review_queue_main_market_operator_sees_every_sub_market(
    client, operator, demand_a, demand_b
):
    client.force_login(operator)
    page = client.get(queue_url()).content.decode()
    assert demand_a.title in page
    assert demand_b.title in page


def test_review_queue_shows_achievements_as_成果(client, operator, university):
    editor = MembershipFactory(organization=university, role=Role.ORG_ADMIN).user
    achievement = services.listing_submit(
        listing=AchievementFactory(owner=university, title="一种新型催化剂"), actor=editor
    )
    client.force_login(operator)
    page = client.get(queue_url()).content.decode()
    assert achievement.title in page
    assert detail_url(achievement, "achievement") in page
    assert "成果" in page


def sidebar_labels(client) -> dict[str, str]:
    """The admin sidebar's top-level menu, as name -> label, from the props it is drawn from."""
    page = client.get(reverse("wagtailadmin_home")).content.decode()
    props = re.search(r'<script id="wagtail-sidebar-props"[^>]*>(.*?)</script>', page, re.S)
    modules = json.loads(props.group(1))["modules"]
    (main_menu,) = [m for m in modules if m["_type"] == "wagtail.sidebar.MainMenuModule"]
    return {item["_args"][0]["name"]: item["_args"][0]["label"] for item in main_menu["_args"][0]}


def test_review_menu_item_counts_pending_listings_for_operators_only(
    client, operator, demand_a, demand_b
):
    client.force_login(operator)
    assert sidebar_labels(client)["review-queue"] == "审核队列（2）"
    non_operator = admin_user_without_role(UserFactory())
    client.force_login(non_operator)
    assert "review-queue" not in sidebar_labels(client)


def test_review_detail_shows_full_record_ip_modes_and_history(client, operator, university):
    editor = MembershipFactory(organization=university, role=Role.ORG_ADMIN).user
    achievement = AchievementFactory(
        owner=university, title="一种新型催化剂", advantage="能耗降低30%", modes=["license"]
    )
    IntellectualProperty.objects.create(
        achievement=achievement,
        kind="invention_patent",
        number="ZL201910123456.7",
        title="催化剂及其制备方法",
    )
    services.listing_submit(listing=achievement, actor=editor)
    client.force_login(operator)
    response = client.get(detail_url(achievement, "achievement"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "能耗降低30%" in page
    assert "ZL201910123456.7" in page and "催化剂及其制备方法" in page
    assert "许可" in page
    assert "提交审核" in page and "待审核" in page
    assert approve_url(achievement, "achievement") in page
    assert reject_url(achievement, "achievement") in page


def test_review_approve_publishes_listing_and_records_who(client, operator_a, demand_a):
    client.force_login(operator_a)
    before = timezone.now()
    response = client.post(approve_url(demand_a), {"note": "信息完整"}, follow=True)
    demand_a.refresh_from_db()
    assert response.redirect_chain[-1][0] == queue_url()
    assert "已审核通过并发布" in response.content.decode()
    assert demand_a.status == ListingStatus.PUBLISHED
    assert demand_a.published_at >= before
    lifetime = timedelta(days=settings.LISTING_LIFETIME_DAYS)
    assert demand_a.expires_at == demand_a.published_at + lifetime
    log = TransitionLog.objects.get(object_id=demand_a.pk, transition="approve")
    assert log.by == operator_a
    assert (log.from_state, log.to_state, log.reason) == ("submitted", "published", "信息完整")


def test_review_reject_without_reason_shows_error_and_changes_nothing(client, operator_a, demand_a):
    client.force_login(operator_a)
    response = client.post(reject_url(demand_a), {"reason": "  "})
    demand_a.refresh_from_db()
    assert response.status_code == 200
    assert "退回时必须填写原因" in response.content.decode()
    assert demand_a.status == ListingStatus.SUBMITTED
    assert not TransitionLog.objects.filter(object_id=demand_a.pk, transition="reject").exists()


def test_review_reject_with_reason_saves_it(client, operator_a, demand_a):
    client.force_login(operator_a)
    response = client.post(reject_url(demand_a), {"reason": "请补充预算依据"})
    demand_a.refresh_from_db()
    assert response.status_code == 302
    assert demand_a.status == ListingStatus.REJECTED
    assert demand_a.review_reason == "请补充预算依据"
    log = TransitionLog.objects.get(object_id=demand_a.pk, transition="reject")
    assert (log.by, log.reason) == (operator_a, "请补充预算依据")


def test_review_double_approve_shows_message_not_error(client, operator_a, demand_a):
    client.force_login(operator_a)
    client.post(approve_url(demand_a))
    response = client.post(approve_url(demand_a))
    page = response.content.decode()
    demand_a.refresh_from_db()
    assert response.status_code == 200
    assert "当前状态为“已发布”，不能执行“审核通过”" in page
    assert demand_a.status == ListingStatus.PUBLISHED
    assert TransitionLog.objects.filter(object_id=demand_a.pk, transition="approve").count() == 1


def test_review_sub_market_operator_cannot_approve_other_sub_market(client, operator_a, demand_b):
    client.force_login(operator_a)
    assert client.get(detail_url(demand_b)).status_code == 403
    response = client.post(approve_url(demand_b))
    demand_b.refresh_from_db()
    assert response.status_code == 403
    assert demand_b.status == ListingStatus.SUBMITTED
    assert not TransitionLog.objects.filter(object_id=demand_b.pk, transition="approve").exists()


def admin_user_without_role(user):
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


def test_review_non_operator_with_admin_access_gets_403(client, outsider, demand_a):
    client.force_login(admin_user_without_role(outsider))
    refused = client.get(queue_url())
    assert refused.status_code == 403
    assert "只有市场运营人员可以使用审核队列。" in refused.content.decode()
    assert f'href="{queue_url()}">返回审核队列</a>' in refused.content.decode()
    response = client.post(approve_url(demand_a))
    demand_a.refresh_from_db()
    assert response.status_code == 403
    assert demand_a.status == ListingStatus.SUBMITTED


def test_review_owner_with_admin_access_cannot_approve_own_listing(client, enterprise_a):
    editor = MembershipFactory(organization=enterprise_a, role=Role.ORG_ADMIN).user
    demand = services.listing_submit(listing=DemandFactory(owner=enterprise_a), actor=editor)
    client.force_login(admin_user_without_role(editor))
    response = client.post(approve_url(demand))
    assert response.status_code == 403
    # refused before the service is asked: the review pages are the market operators' only
    assert "您不负责该信息所属的市场，不能审核。" in response.content.decode()
    assert Demand.objects.get(pk=demand.pk).status == ListingStatus.SUBMITTED


def test_review_approve_refuses_get(client, operator_a, demand_a):
    client.force_login(operator_a)
    assert client.get(approve_url(demand_a)).status_code == 405
    demand_a.refresh_from_db()
    assert demand_a.status == ListingStatus.SUBMITTED


def test_review_queue_redirects_anonymous_to_login(client, demand_a):
    response = client.get(queue_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
    response = client.post(approve_url(demand_a))
    assert response.status_code == 302
    demand_a.refresh_from_db()
    assert demand_a.status == ListingStatus.SUBMITTED


def test_demand_snippet_list_links_submitted_demand_to_review(
    client, operator_a, enterprise_a, demand_a
):
    published = DemandFactory(owner=enterprise_a, status=ListingStatus.PUBLISHED)
    client.force_login(operator_a)
    response = client.get(reverse("wagtailsnippets_listings_demand:list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert demand_a.title in page and published.title in page
    assert detail_url(demand_a) in page
    assert detail_url(published) not in page


def test_review_approve_needs_csrf_token(operator_a, demand_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator_a)
    assert client.post(approve_url(demand_a)).status_code == 403
    demand_a.refresh_from_db()
    assert demand_a.status == ListingStatus.SUBMITTED


def test_review_detail_of_another_sub_markets_published_listing_is_refused(
    client, operator_a, operator_org, sub_market_b, demand_a, demand_b
):
    """A published listing is public on the site, not its review page: the audit history and
    the names of who handled it stay with the listing's own market."""
    approver = make_operator(operator_org, sub_market_b)
    services.listing_approve(listing=demand_b, actor=approver, note="")
    client.force_login(operator_a)
    response = client.get(detail_url(demand_b))
    page = response.content.decode()
    assert response.status_code == 403
    assert "您不负责该信息所属的市场" in page
    assert demand_b.title not in page
    assert approver.get_username() not in page
    # the operator's own market's listing still opens
    response = client.get(detail_url(demand_a))
    assert response.status_code == 200
    assert demand_a.title in response.content.decode()

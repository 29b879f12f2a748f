"""The 48-hour rule: every published demand gets a broker and a first reply."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from brokers import selectors, services
from brokers.models import Assignment
from listings import services as listing_services
from listings.choices import ListingStatus
from market.models import Notification, TransitionLog
from tests.factories import (
    BrokerFactory,
    DemandFactory,
    OrganizationFactory,
    SubMarketFactory,
    make_operator,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def brokers(main_market):
    sub = SubMarketFactory(parent=main_market)
    local_institution = OrganizationFactory(kind="transfer_institution", market=main_market)
    far_institution = OrganizationFactory(kind="transfer_institution", market=sub)
    return {
        "expert_far": BrokerFactory(institution=far_institution, fields=["new_materials"]),
        "expert_near": BrokerFactory(institution=local_institution, fields=["new_materials"]),
        "generalist_near": BrokerFactory(institution=local_institution, fields=["bio_medicine"]),
    }


def published_demand(enterprise, **kwargs):
    return DemandFactory(
        owner=enterprise, status=ListingStatus.PUBLISHED, published_at=timezone.now(), **kwargs
    )


def test_approval_assigns_expert_broker_of_same_market(
    enterprise, operator, brokers, django_capture_on_commit_callbacks
):
    demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_approve(listing=demand, actor=operator)
    assignment = Assignment.objects.get(demand=demand)
    assert assignment.broker == brokers["expert_near"]
    demand.refresh_from_db()
    assert assignment.due_at == demand.published_at + timedelta(hours=48)
    assert Notification.objects.filter(
        recipient=brokers["expert_near"].user, verb="demand.assigned"
    ).exists()


def test_load_breaks_ties_between_equal_experts(enterprise, brokers):
    brokers["generalist_near"].delete()
    first = services.demand_assign_broker(demand=published_demand(enterprise))
    second = services.demand_assign_broker(demand=published_demand(enterprise))
    assert first.broker == brokers["expert_near"]
    # The nearer expert is now busier; expertise still outranks proximity and load.
    assert second.broker == brokers["expert_near"]
    candidates = selectors.broker_candidates(published_demand(enterprise))
    assert [c.load for c in candidates][:2] == [2, 0]


def test_assigning_twice_keeps_one_assignment(enterprise, brokers):
    demand = published_demand(enterprise)
    first = services.demand_assign_broker(demand=demand)
    again = services.demand_assign_broker(demand=demand)
    assert first == again
    assert Assignment.objects.filter(demand=demand).count() == 1


def test_unpublished_demand_is_not_assigned(enterprise, brokers):
    with pytest.raises(ValidationError):
        services.demand_assign_broker(demand=DemandFactory(owner=enterprise))


def test_first_reply_meets_the_rule_and_notifies_enterprise(enterprise, enterprise_user, brokers):
    assignment = services.demand_assign_broker(demand=published_demand(enterprise))
    broker_user = assignment.broker.user
    services.assignment_reply(assignment=assignment, actor=broker_user, body="您好，我来对接。")
    services.assignment_reply(assignment=assignment, actor=broker_user, body="补充材料已发。")
    assignment.refresh_from_db()
    first = assignment.messages.first()
    assert assignment.first_response_at == first.created_at
    assert Notification.objects.filter(recipient=enterprise_user, verb="demand.reply").count() == 2


def test_only_assigned_broker_may_reply(enterprise, brokers, outsider):
    assignment = services.demand_assign_broker(demand=published_demand(enterprise))
    with pytest.raises(PermissionDenied):
        services.assignment_reply(assignment=assignment, actor=outsider, body="冒名答复")
    with pytest.raises(ValidationError):
        services.assignment_reply(assignment=assignment, actor=assignment.broker.user, body="  ")
    assert assignment.messages.count() == 0


def test_reassign_moves_to_the_chosen_broker_and_keeps_deadline(enterprise, operator, brokers):
    assignment = services.demand_assign_broker(demand=published_demand(enterprise))
    # The proposal is the next best by the automatic ranking, the current broker left out.
    proposed = selectors.reassign_candidates(assignment.demand, operator)[0].broker
    assert proposed == brokers["expert_far"]
    new = services.demand_reassign(
        demand=assignment.demand,
        actor=operator,
        broker=proposed,
        seen_assignment_id=assignment.pk,
        reason="超时未答复",
    )
    assignment.refresh_from_db()
    assert not assignment.active and assignment.ended_at is not None
    assert assignment.end_reason == "超时未答复"
    assert (new.broker, new.assigned_by, new.active) == (brokers["expert_far"], operator, True)
    assert new.due_at == assignment.due_at
    log = TransitionLog.objects.get(object_id=assignment.demand_id, transition="reassign_broker")
    assert (log.by, log.from_state, log.to_state) == (operator, "published", "published")
    assert log.reason == f"{brokers['expert_near']} → {brokers['expert_far']}：超时未答复"


def test_reassign_refused_for_non_operator_and_after_reply(
    enterprise, enterprise_user, operator, brokers
):
    assignment = services.demand_assign_broker(demand=published_demand(enterprise))
    decision = {
        "demand": assignment.demand,
        "broker": brokers["expert_far"],
        "seen_assignment_id": assignment.pk,
        "reason": "换人",
    }
    with pytest.raises(PermissionDenied):
        services.demand_reassign(actor=enterprise_user, **decision)
    services.assignment_reply(assignment=assignment, actor=assignment.broker.user, body="已联系")
    with pytest.raises(ValidationError) as refused:
        services.demand_reassign(actor=operator, **decision)
    assert refused.value.messages == ["该需求已经得到答复，无需改派。"]
    assert assignment.demand.assignments.get(active=True) == assignment


def test_compliance_counts_each_state(enterprise, operator, brokers):
    now = timezone.now()
    on_time = services.demand_assign_broker(demand=published_demand(enterprise))
    services.assignment_reply(assignment=on_time, actor=on_time.broker.user, body="好的")
    overdue = services.demand_assign_broker(demand=published_demand(enterprise))
    Assignment.objects.filter(pk=overdue.pk).update(due_at=now - timedelta(hours=1))
    soon = services.demand_assign_broker(demand=published_demand(enterprise))
    Assignment.objects.filter(pk=soon.pk).update(due_at=now + timedelta(hours=3))
    services.demand_assign_broker(demand=published_demand(enterprise))  # 48 h left
    counts = selectors.response_compliance(operator, now=now)
    assert (counts.answered_on_time, counts.overdue, counts.due_soon, counts.waiting) == (
        1,
        1,
        1,
        1,
    )
    awaiting = list(selectors.demands_awaiting_response(operator))
    assert on_time.demand not in awaiting and overdue.demand in awaiting
    assert len(awaiting) == 3


def test_dashboard_shows_chart_and_reassigns_through_the_confirm_page(
    client, enterprise, operator, brokers
):
    assignment = services.demand_assign_broker(demand=published_demand(enterprise))
    client.force_login(operator)
    page = client.get("/admin/response/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and 'data-state="waiting">1<' in body
    assert assignment.demand.title in body
    url = f"/admin/response/{assignment.demand.pk}/reassign/"
    assert f'href="{url}">改派</a>' in body
    response = client.post(
        url,
        {
            "broker": brokers["expert_far"].pk,
            "seen_assignment": assignment.pk,
            "reason": "换一位经纪人",
        },
        follow=True,
    )
    assert f"已改派给 {brokers['expert_far']}。" in response.content.decode()
    assert assignment.demand.assignments.get(active=True).broker == brokers["expert_far"]


def test_dashboard_sends_users_without_admin_access_to_the_login(client, enterprise_user):
    # An enterprise member has no access to Wagtail's admin at all: the admin's own check
    # sends them to its login before the dashboard is asked.
    client.force_login(enterprise_user)
    response = client.get("/admin/response/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))


def test_dashboard_refuses_non_operators_with_a_way_back(client, enterprise_user):
    # With the admin open to them but no operator role, the dashboard itself refuses: a 403
    # page that says why and links back to where they can go, the admin's home, not the
    # review queue (which refuses them too).
    enterprise_user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(enterprise_user)
    response = client.get("/admin/response/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "只有市场运营人员可以查看48小时响应情况。" in body
    assert f'href="{reverse("wagtailadmin_home")}">返回管理首页</a>' in body
    assert "返回审核队列" not in body


def test_reassign_refused_links_back_to_the_dashboard(client, enterprise, operator_org, brokers):
    assignment = services.demand_assign_broker(demand=published_demand(enterprise))
    other = make_operator(operator_org, SubMarketFactory(), name="别的分市场运营")
    client.force_login(other)
    response = client.post(f"/admin/response/{assignment.demand.pk}/reassign/")
    body = response.content.decode()
    assert response.status_code == 403
    assert "只有该市场的运营人员可以改派。" in body
    assert f'href="{reverse("response_dashboard:index")}">返回48小时响应</a>' in body
    assert assignment.demand.assignments.get(active=True) == assignment


def test_broker_pages_list_and_reply(client, enterprise, brokers, outsider):
    assignment = services.demand_assign_broker(demand=published_demand(enterprise))
    client.force_login(assignment.broker.user)
    assert assignment.demand.title in client.get("/brokers/assignments/").content.decode()
    response = client.post(
        f"/brokers/assignments/{assignment.pk}/", {"body": "您好，我是经纪人"}, follow=True
    )
    assert "答复已发送给需求方" in response.content.decode()
    empty = client.post(f"/brokers/assignments/{assignment.pk}/", {"body": ""})
    assert "请填写答复内容" in empty.content.decode()
    client.force_login(outsider)
    assert client.get(f"/brokers/assignments/{assignment.pk}/").status_code == 403


def test_broker_sees_the_demands_matches_and_the_dashboard_counts_them(
    client, enterprise, university, operator, brokers
):
    from matching.models import Match
    from matching.services import rematch_all
    from tests.factories import AchievementFactory

    demand = published_demand(enterprise)
    waiting = published_demand(enterprise, title="无关", description="……", keywords=[],
                               expected_outcome="")  # fmt: skip
    AchievementFactory(
        owner=university, status=ListingStatus.PUBLISHED, published_at=timezone.now()
    )
    rematch_all()
    listed = Match.objects.filter(demand=demand, demand_rank__isnull=False).count()
    assert listed >= 1
    assignment = services.demand_assign_broker(demand=demand)
    client.force_login(assignment.broker.user)
    page = client.get(f"/brokers/assignments/{assignment.pk}/").content.decode()
    assert "匹配的科技成果" in page and "标记已联系" in page
    client.force_login(operator)
    body = client.get("/admin/response/").content.decode()
    assert f"<td>{listed}</td>" in body
    assert waiting.title in body and "尚无匹配" in body

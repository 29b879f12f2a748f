"""The 48-hour dashboard as an operator uses it: overdue demands in red with how long they
are overdue, titles that lead to the demand, and reassignment through a confirm page that
proposes the best broker of the operator's own markets and refuses a stale decision."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.users.models import UserProfile

from brokers import selectors, services
from brokers.admin_views import overdue_text
from brokers.models import Assignment
from listings.admin_views import review_url
from listings.choices import ListingStatus
from listings.locations import listing_url
from market.choices import OrganizationKind
from market.models import Notification, TransitionLog
from tests.factories import (
    BrokerFactory,
    DemandFactory,
    OrganizationFactory,
    SubMarketFactory,
    UserFactory,
    make_operator,
)

pytestmark = pytest.mark.django_db

DASHBOARD = "/admin/response/"


@pytest.fixture
def sub_a(main_market):
    return SubMarketFactory(parent=main_market, name="武汉分市场")


@pytest.fixture
def sub_b(main_market):
    return SubMarketFactory(parent=main_market, name="襄阳分市场")


@pytest.fixture
def brokers(sub_a, sub_b):
    """Two brokers in market A (one an expert in new materials), one expert in market B."""

    def broker(market, name, fields):
        institution = OrganizationFactory(
            kind=OrganizationKind.TRANSFER_INSTITUTION, market=market, name=f"{name}所在机构"
        )
        return BrokerFactory(institution=institution, fields=fields, user=UserFactory(name=name))

    return {
        "a_expert": broker(sub_a, "武汉材料专家", ["new_materials"]),
        "a_general": broker(sub_a, "武汉通才", ["bio_medicine"]),
        "b_expert": broker(sub_b, "襄阳材料专家", ["new_materials"]),
    }


@pytest.fixture
def operator_a(operator_org, sub_a):
    return make_operator(operator_org, sub_a, name="武汉运营")


@pytest.fixture
def demand(sub_a, brokers):
    """A new-materials demand of market A, published now and given to A's expert."""
    owner = OrganizationFactory(kind=OrganizationKind.ENTERPRISE, market=sub_a)
    demand = DemandFactory(
        owner=owner,
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now(),
        title="高镍正极材料循环寿命提升",
    )
    assignment = services.demand_assign_broker(demand=demand)
    assert assignment.broker == brokers["a_expert"]
    return demand


def confirm_url(demand) -> str:
    return reverse("response_dashboard:reassign", args=[demand.pk])


def row_html(page: str, demand) -> str:
    match = re.search(rf'<tr data-state="\w+" data-demand="{demand.pk}"[^>]*>.*?</tr>', page, re.S)
    assert match, f"no row for demand {demand.pk}"
    return match.group(0)


def make_overdue(demand, by: timedelta) -> None:
    Assignment.objects.filter(demand=demand, active=True).update(due_at=timezone.now() - by)


def state_counts() -> tuple[int, int, int]:
    return (Assignment.objects.count(), TransitionLog.objects.count(), Notification.objects.count())


# Overdue in red, with how long


def test_overdue_text_says_days_and_hours_in_both_languages():
    cases = [
        (timedelta(days=3, hours=4, minutes=20), "3天4小时", "3 days 4 hours"),
        (timedelta(days=92, minutes=5), "92天", "92 days"),
        (timedelta(days=1, hours=1), "1天1小时", "1 day 1 hour"),
        (timedelta(hours=5, minutes=7), "5小时7分钟", "5 hours 7 minutes"),
        (timedelta(minutes=1, seconds=30), "1分钟", "1 minute"),
        (timedelta(seconds=20), "不到1分钟", "less than a minute"),
    ]
    for delta, chinese, english in cases:
        assert overdue_text(delta) == chinese
        with translation.override("en"):
            assert overdue_text(delta) == english


def test_dashboard_marks_overdue_rows_red_with_how_long(client, operator, demand, sub_a):
    make_overdue(demand, timedelta(days=3, hours=4, minutes=30))
    fresh = DemandFactory(
        owner=demand.owner, status=ListingStatus.PUBLISHED, published_at=timezone.now()
    )
    services.demand_assign_broker(demand=fresh)
    client.force_login(operator)
    page = client.get(DASHBOARD).content.decode()
    overdue = row_html(page, demand)
    assert 'data-state="overdue"' in overdue and 'class="response-row--overdue"' in overdue
    assert '<span class="response-badge response-badge--overdue">已超时</span>' in overdue
    assert '<td data-overdue-by><span class="response-overdue-by">3天4小时</span></td>' in overdue
    waiting = row_html(page, fresh)
    assert 'data-state="waiting"' in waiting and "response-row--overdue" not in waiting
    assert "<td data-overdue-by>—</td>" in waiting
    assert "<th>逾期时长</th>" in page
    assert "css/admin-response.css" in page


def test_dashboard_in_english_says_overdue_by_in_english(client, operator, demand):
    make_overdue(demand, timedelta(days=40, hours=2, minutes=1))
    profile = UserProfile.get_for_user(operator)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(operator)
    page = client.get(DASHBOARD).content.decode()
    assert "<th>Overdue by</th>" in page
    assert '<span class="response-overdue-by">40 days 2 hours</span>' in row_html(page, demand)
    page = client.get(confirm_url(demand)).content.decode()
    assert '<span class="response-overdue-by">overdue by 40 days 2 hours</span>' in page
    assert 'id="id_reason">\nNo reply after 48 hours</textarea>' in page
    assert "Confirm reassignment" in page


# Titles lead to the demand


def test_dashboard_titles_link_to_the_demand_and_its_history(client, operator, demand):
    client.force_login(operator)
    row = row_html(client.get(DASHBOARD).content.decode(), demand)
    assert f'<a href="{listing_url("demand", demand.pk)}">{demand.title}</a>' in row
    assert f'<a href="{review_url(demand)}">办理记录</a>' in row
    assert f'href="{confirm_url(demand)}">改派</a>' in row


# The confirm page


def test_confirm_page_proposes_the_automatic_choice_to_a_main_market_operator(
    client, operator, demand, brokers
):
    automatic = selectors.broker_candidates(demand, exclude_ids={brokers["a_expert"].pk})[0]
    assert automatic.broker == brokers["b_expert"]
    client.force_login(operator)
    response = client.get(confirm_url(demand))
    page = response.content.decode()
    assert response.status_code == 200
    assert "改派技术经纪人" in page
    assert "武汉材料专家（武汉材料专家所在机构，" in page  # who has it now
    proposed = re.findall(r'<li data-broker="(\d+)" data-proposed>', page)
    assert proposed == [str(brokers["b_expert"].pk)]
    assert re.findall(r'name="broker" value="(\d+)" checked', page) == [str(brokers["b_expert"].pk)]
    listed = re.findall(r'<li data-broker="(\d+)"', page)
    assert listed == [str(brokers["b_expert"].pk), str(brokers["a_general"].pk)]
    assert f'name="seen_assignment" value="{demand.assignments.get(active=True).pk}"' in page


def test_confirm_page_lists_only_brokers_of_the_operators_own_markets(
    client, operator_a, demand, brokers
):
    client.force_login(operator_a)
    page = client.get(confirm_url(demand)).content.decode()
    assert re.findall(r'<li data-broker="(\d+)"', page) == [str(brokers["a_general"].pk)]
    assert re.findall(r'<li data-broker="(\d+)" data-proposed>', page) == [
        str(brokers["a_general"].pk)
    ]
    assert "襄阳材料专家" not in page


def test_confirm_page_prefills_the_reason_of_an_overdue_demand(client, operator, demand):
    make_overdue(demand, timedelta(days=2, hours=1, minutes=5))
    client.force_login(operator)
    page = client.get(confirm_url(demand)).content.decode()
    assert 'id="id_reason">\n超过48小时仍未答复</textarea>' in page
    assert '<span class="response-overdue-by">逾期 2天1小时</span>' in page


def test_get_never_changes_anything(client, operator, demand, brokers):
    unassigned = DemandFactory(
        owner=demand.owner, status=ListingStatus.PUBLISHED, published_at=timezone.now()
    )
    before = state_counts()
    client.force_login(operator)
    assert client.get(DASHBOARD).status_code == 200
    assert client.get(confirm_url(demand)).status_code == 200
    assert client.get(confirm_url(unassigned)).status_code == 200
    assert state_counts() == before
    assert demand.assignments.get(active=True).broker == brokers["a_expert"]
    assert not unassigned.assignments.exists()


def test_post_reassigns_to_the_chosen_broker_not_the_proposal(client, operator, demand, brokers):
    current = demand.assignments.get(active=True)
    client.force_login(operator)
    response = client.post(
        confirm_url(demand),
        {
            "broker": brokers["a_general"].pk,
            "seen_assignment": current.pk,
            "reason": "请本市场经纪人跟进",
        },
        follow=True,
    )
    assert response.redirect_chain == [(DASHBOARD, 302)]
    assert "已改派给 武汉通才。" in response.content.decode()
    new = demand.assignments.get(active=True)
    assert (new.broker, new.assigned_by, new.due_at) == (
        brokers["a_general"],
        operator,
        current.due_at,
    )
    current.refresh_from_db()
    assert (current.active, current.end_reason) == (False, "请本市场经纪人跟进")
    log = TransitionLog.objects.get(object_id=demand.pk, transition="reassign_broker")
    assert (log.by, log.reason) == (operator, "武汉材料专家 → 武汉通才：请本市场经纪人跟进")
    assert Notification.objects.filter(
        recipient=brokers["a_general"].user, verb="demand.assigned"
    ).exists()
    # the demand's history (办理记录) shows who handed it to whom, and why
    history = client.get(review_url(demand)).content.decode()
    assert "改派技术经纪人" in history
    assert "武汉材料专家 → 武汉通才：请本市场经纪人跟进" in history


def test_post_assigns_a_demand_that_had_no_broker(client, operator, demand, brokers):
    unassigned = DemandFactory(
        owner=demand.owner, status=ListingStatus.PUBLISHED, published_at=timezone.now()
    )
    client.force_login(operator)
    page = client.get(confirm_url(unassigned)).content.decode()
    assert "分派技术经纪人" in page and 'name="seen_assignment" id=' in page
    response = client.post(
        confirm_url(unassigned),
        {"broker": brokers["a_general"].pk, "seen_assignment": "", "reason": "尚未分派"},
        follow=True,
    )
    assert "已分派给 武汉通才。" in response.content.decode()
    assert unassigned.assignments.get(active=True).broker == brokers["a_general"]
    log = TransitionLog.objects.get(object_id=unassigned.pk, transition="assign_broker")
    assert log.reason == "→ 武汉通才：尚未分派"


def test_stale_decision_is_refused_with_who_did_what(client, operator, operator_a, demand, brokers):
    seen = demand.assignments.get(active=True)
    # operator_a decides first, through the service, while the main operator's page is open
    services.demand_reassign(
        demand=demand,
        actor=operator_a,
        broker=brokers["a_general"],
        seen_assignment_id=seen.pk,
        reason="本市场跟进",
    )
    before = state_counts()
    client.force_login(operator)
    response = client.post(
        confirm_url(demand),
        {"broker": brokers["b_expert"].pk, "seen_assignment": seen.pk, "reason": "换专家"},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "该需求已被武汉运营改派给武汉通才。您的操作未执行，请核对后再试。" in page
    assert state_counts() == before
    assert demand.assignments.get(active=True).broker == brokers["a_general"]
    # the page now shows the demand as it is: who has it, and the current assignment as seen
    current = demand.assignments.get(active=True)
    assert f'name="seen_assignment" value="{current.pk}"' in page
    assert "武汉通才（武汉通才所在机构，" in page


def test_double_submit_changes_once(client, operator, demand, brokers):
    data = {
        "broker": brokers["a_general"].pk,
        "seen_assignment": demand.assignments.get(active=True).pk,
        "reason": "换人",
    }
    client.force_login(operator)
    assert client.post(confirm_url(demand), data).status_code == 302
    again = client.post(confirm_url(demand), data)
    assert again.status_code == 409
    assert "该需求已被运营小李改派给武汉通才。" in again.content.decode()
    assert demand.assignments.count() == 2
    assert TransitionLog.objects.filter(object_id=demand.pk).count() == 1


def test_post_of_a_broker_outside_the_operators_markets_is_refused(
    client, operator_a, demand, brokers
):
    before = state_counts()
    client.force_login(operator_a)
    response = client.post(
        confirm_url(demand),
        {
            "broker": brokers["b_expert"].pk,
            "seen_assignment": demand.assignments.get(active=True).pk,
            "reason": "换专家",
        },
    )
    assert response.status_code == 200
    assert "只能选择您负责的市场中在岗的技术经纪人。" in response.content.decode()
    assert state_counts() == before


def test_post_without_a_reason_or_a_broker_says_what_is_missing(client, operator, demand):
    seen = demand.assignments.get(active=True).pk
    before = state_counts()
    client.force_login(operator)
    page = client.post(confirm_url(demand), {"seen_assignment": seen, "reason": "x"})
    assert "请选择一位技术经纪人。" in page.content.decode()
    broker = selectors.reassign_candidates(demand, operator)[0].broker
    page = client.post(
        confirm_url(demand), {"broker": broker.pk, "seen_assignment": seen, "reason": "  "}
    )
    assert page.status_code == 200
    assert "请填写改派原因。" in page.content.decode()
    assert state_counts() == before


def test_answered_demand_goes_back_to_the_dashboard(client, operator, demand):
    assignment = demand.assignments.get(active=True)
    services.assignment_reply(assignment=assignment, actor=assignment.broker.user, body="已联系")
    client.force_login(operator)
    response = client.get(confirm_url(demand), follow=True)
    assert response.redirect_chain == [(DASHBOARD, 302)]
    assert "该需求已经得到答复，无需改派。" in response.content.decode()


def test_confirm_page_refuses_operators_of_other_markets_and_non_operators(
    client, operator_org, sub_b, demand, enterprise_user
):
    client.force_login(make_operator(operator_org, sub_b, name="襄阳运营"))
    response = client.get(confirm_url(demand))
    assert response.status_code == 403
    body = response.content.decode()
    assert "只有该市场的运营人员可以改派。" in body
    assert f'href="{reverse("response_dashboard:index")}">返回48小时响应</a>' in body
    enterprise_user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(enterprise_user)
    response = client.get(confirm_url(demand))
    assert response.status_code == 403
    assert f'href="{reverse("wagtailadmin_home")}">返回管理首页</a>' in response.content.decode()

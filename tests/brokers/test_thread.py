"""The thread between a demand's owner and its broker: the broker's answer reaches the
owner's notifications and the demand's page, and either side continues it there."""

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from brokers import selectors, services
from brokers.choices import MessageSide
from brokers.models import BrokerMessage
from listings.choices import ListingStatus
from market.choices import Role
from market.models import Notification
from tests.factories import BrokerFactory, DemandFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(main_market):
    return BrokerFactory(
        user=UserFactory(
            username="libroker", name="李文博", phone="13800000001", email="li@broker.example.cn"
        ),
        institution__market=main_market,
        institution__name="光谷技术转移中心",
        fields=["new_materials"],
    )


@pytest.fixture
def assignment(enterprise, broker):
    demand = DemandFactory(
        owner=enterprise,
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=2),
        title="寻求锂电池隔膜涂覆技术",
        field="new_materials",
    )
    return services.demand_assign_broker(demand=demand, email=False)


def detail_url(assignment):
    return reverse("listings:detail", args=["demand", assignment.demand.pk])


def post_url(assignment):
    return reverse("brokers:demand_message", args=[assignment.demand.pk])


# services


def test_reply_notifies_owner_people_at_the_reply_time_with_the_thread_link(
    assignment, enterprise, enterprise_user, django_capture_on_commit_callbacks
):
    colleague = MembershipFactory(organization=enterprise, role=Role.MEMBER).user
    viewer_elsewhere = MembershipFactory(role=Role.ORG_ADMIN).user
    with django_capture_on_commit_callbacks(execute=True):
        message = services.assignment_reply(
            assignment=assignment, actor=assignment.broker.user, body="您好，已为您匹配3项成果。"
        )
    assert message.side == MessageSide.BROKER
    notices = Notification.objects.filter(verb="demand.reply").order_by("recipient_id")
    assert [n.recipient for n in notices] == [enterprise_user, colleague]
    for notice in notices:
        assert notice.created_at == message.created_at
        assert notice.url == f"{detail_url(assignment)}#broker-thread"
        assert notice.title == "技术经纪人李文博答复了“寻求锂电池隔膜涂覆技术”"
        assert notice.body == "您好，已为您匹配3项成果。"
        assert notice.done_at is None
    assert not Notification.objects.filter(recipient=viewer_elsewhere).exists()


def test_first_reply_closes_the_brokers_new_demand_notice(assignment):
    notice = Notification.objects.get(verb="demand.assigned", recipient=assignment.broker.user)
    assert notice.done_at is None
    message = services.assignment_reply(
        assignment=assignment, actor=assignment.broker.user, body="已收到需求"
    )
    notice.refresh_from_db()
    assert notice.done_at == message.created_at
    assignment.refresh_from_db()
    assert assignment.first_response_at == message.created_at


def test_reassignment_closes_the_old_brokers_notice(assignment, operator, main_market):
    other = BrokerFactory(institution__market=main_market, fields=["new_materials"])
    notice = Notification.objects.get(verb="demand.assigned", recipient=assignment.broker.user)
    services.demand_reassign(
        demand=assignment.demand,
        actor=operator,
        broker=other,
        seen_assignment_id=assignment.pk,
        reason="休假",
    )
    notice.refresh_from_db()
    assignment.refresh_from_db()
    assert notice.done_at == assignment.ended_at


def test_owner_message_notifies_the_broker_and_is_kept_with_its_side(assignment, enterprise_user):
    services.assignment_reply(assignment=assignment, actor=assignment.broker.user, body="您好")
    reply_notice = Notification.objects.get(recipient=enterprise_user, verb="demand.reply")
    message = services.demand_message_post(
        demand=assignment.demand, actor=enterprise_user, body="请下周二来厂里详谈。"
    )
    assert (message.side, message.author, message.assignment) == (
        MessageSide.OWNER,
        enterprise_user,
        assignment,
    )
    notice = Notification.objects.get(recipient=assignment.broker.user, verb="demand.message")
    assert notice.created_at == message.created_at
    assert notice.url == f"/brokers/assignments/{assignment.pk}/"
    assert notice.title == "测试企业回复了需求“寻求锂电池隔膜涂覆技术”"
    # the owner has answered the broker: their reply notice is handled
    reply_notice.refresh_from_db()
    assert reply_notice.done_at == message.created_at
    assert [(m.side, m.body) for m in selectors.demand_thread(assignment.demand)] == [
        ("broker", "您好"),
        ("owner", "请下周二来厂里详谈。"),
    ]


def test_only_the_owner_organisation_may_write(assignment, other_enterprise_user, outsider):
    for user in (other_enterprise_user, outsider, assignment.broker.user):
        with pytest.raises(PermissionDenied):
            services.demand_message_post(demand=assignment.demand, actor=user, body="冒名")
    assert BrokerMessage.objects.count() == 0


def test_owner_cannot_write_before_a_broker_is_assigned(enterprise, enterprise_user):
    demand = DemandFactory(owner=enterprise, status=ListingStatus.PUBLISHED)
    with pytest.raises(ValidationError) as error:
        services.demand_message_post(demand=demand, actor=enterprise_user, body="有人吗")
    assert error.value.messages == ["该需求还没有分派技术经纪人，分派后即可留言。"]


def test_empty_and_overlong_messages_are_refused(assignment, enterprise_user):
    with pytest.raises(ValidationError) as error:
        services.demand_message_post(demand=assignment.demand, actor=enterprise_user, body="  ")
    assert error.value.message_dict == {"body": ["请填写消息内容。"]}
    with pytest.raises(ValidationError) as error:
        services.assignment_reply(
            assignment=assignment, actor=assignment.broker.user, body="长" * 4001
        )
    assert error.value.message_dict == {
        "body": ["消息最多 4000 字，当前 4001 字，请删减后再发送。"]
    }
    assert BrokerMessage.objects.count() == 0


def test_the_same_token_twice_stores_one_message_and_one_notice(assignment, enterprise_user):
    # The second submit meets the first's token in the database, inside the same request
    # transaction the view runs in: it must come back as the first message, not a 500.
    token = uuid.uuid4()
    first = services.demand_message_post(
        demand=assignment.demand, actor=enterprise_user, body="请联系", token=token
    )
    again = services.demand_message_post(
        demand=assignment.demand, actor=enterprise_user, body="请联系", token=str(token)
    )
    assert again == first
    assert BrokerMessage.objects.count() == 1
    assert Notification.objects.filter(verb="demand.message").count() == 1


def test_a_token_of_someone_elses_message_is_refused(assignment, enterprise_user):
    token = uuid.uuid4()
    services.assignment_reply(
        assignment=assignment, actor=assignment.broker.user, body="您好", token=token
    )
    with pytest.raises(ValidationError) as error:
        services.demand_message_post(
            demand=assignment.demand, actor=enterprise_user, body="请联系", token=token
        )
    assert error.value.messages == ["表单已失效，请刷新页面后重新发送。"]


# views


def test_owner_sees_the_broker_and_the_thread_on_the_demand_page(
    client, assignment, enterprise_user
):
    services.assignment_reply(
        assignment=assignment, actor=assignment.broker.user, body="您好，已为您匹配3项成果。"
    )
    client.force_login(enterprise_user)
    response = client.get(detail_url(assignment))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="broker-thread"' in body
    assert '<dd class="broker-name">李文博（初级）</dd>' in body
    assert "光谷技术转移中心" in body
    assert '<a href="tel:13800000001">13800000001</a>' in body
    assert '<a href="mailto:li@broker.example.cn">li@broker.example.cn</a>' in body
    assert '<strong class="author">李文博</strong>' in body
    assert '<span class="tag side">技术经纪人</span>' in body
    assert "<p>您好，已为您匹配3项成果。</p>" in body
    assert f'action="{post_url(assignment)}"' in body
    assert 'name="token"' in body


@pytest.mark.parametrize("who", ["anonymous", "other_org", "outsider"])
def test_others_see_neither_the_broker_nor_the_thread(
    client, assignment, who, other_enterprise_user, outsider
):
    services.assignment_reply(
        assignment=assignment, actor=assignment.broker.user, body="您好，已为您匹配3项成果。"
    )
    if who == "other_org":
        client.force_login(other_enterprise_user)
    elif who == "outsider":
        client.force_login(outsider)
    response = client.get(detail_url(assignment))
    body = response.content.decode()
    assert response.status_code == 200
    assert assignment.demand.title in body
    assert 'id="broker-thread"' not in body
    assert "13800000001" not in body
    assert "您好，已为您匹配3项成果。" not in body


def test_message_url_is_post_only(client, assignment, enterprise_user):
    client.force_login(enterprise_user)
    assert client.get(post_url(assignment)).status_code == 405
    assert BrokerMessage.objects.count() == 0


def test_message_url_refuses_other_organisations(client, assignment, other_enterprise_user):
    client.force_login(other_enterprise_user)
    response = client.post(post_url(assignment), {"body": "冒名", "token": str(uuid.uuid4())})
    assert response.status_code == 403
    assert BrokerMessage.objects.count() == 0


def test_message_url_sends_anonymous_visitors_to_the_login(client, assignment):
    response = client.post(post_url(assignment), {"body": "匿名"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert BrokerMessage.objects.count() == 0


def test_owner_posts_and_a_double_click_stores_one_message(client, assignment, enterprise_user):
    client.force_login(enterprise_user)
    token = str(uuid.uuid4())
    data = {"body": "请下周二来厂里详谈。", "token": token}
    first = client.post(post_url(assignment), data)
    second = client.post(post_url(assignment), data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == f"{detail_url(assignment)}#broker-thread"
    assert second["Location"] == first["Location"]
    assert list(BrokerMessage.objects.values_list("side", "body")) == [
        ("owner", "请下周二来厂里详谈。")
    ]
    assert (
        Notification.objects.filter(recipient=assignment.broker.user, verb="demand.message").count()
        == 1
    )
    page = client.get(detail_url(assignment)).content.decode()
    assert "<p>请下周二来厂里详谈。</p>" in page
    assert '<span class="tag side">需求方</span>' in page


def test_owner_bad_messages_come_back_with_the_error_and_the_text(
    client, assignment, enterprise_user
):
    client.force_login(enterprise_user)
    empty = client.post(post_url(assignment), {"body": "   ", "token": str(uuid.uuid4())})
    assert empty.status_code == 200
    assert "请填写消息内容。" in empty.content.decode()
    long = client.post(post_url(assignment), {"body": "长" * 4001, "token": str(uuid.uuid4())})
    body = long.content.decode()
    assert long.status_code == 200
    assert "消息最多 4000 字，当前 4001 字，请删减后再发送。" in body
    assert "长" * 4001 in body
    assert BrokerMessage.objects.count() == 0


def test_broker_continues_the_thread_from_the_assignment_page(client, assignment, enterprise_user):
    services.demand_message_post(demand=assignment.demand, actor=enterprise_user, body="在吗？")
    client.force_login(assignment.broker.user)
    page = client.get(f"/brokers/assignments/{assignment.pk}/").content.decode()
    assert "<p>在吗？</p>" in page
    assert '<span class="tag side">需求方</span>' in page
    token = str(uuid.uuid4())
    data = {"body": "在的，明天上午给您电话。", "token": token}
    first = client.post(f"/brokers/assignments/{assignment.pk}/", data)
    second = client.post(f"/brokers/assignments/{assignment.pk}/", data)
    assert first.status_code == second.status_code == 302
    assert BrokerMessage.objects.filter(side="broker").count() == 1
    notice = Notification.objects.get(recipient=enterprise_user, verb="demand.reply")
    assert notice.created_at == BrokerMessage.objects.get(side="broker").created_at
    # the broker answered the owner: the broker's notice of the owner's message is handled
    assert Notification.objects.get(verb="demand.message").done_at is not None


def test_broker_reply_over_the_limit_gets_a_clear_error(client, assignment):
    client.force_login(assignment.broker.user)
    response = client.post(
        f"/brokers/assignments/{assignment.pk}/", {"body": "长" * 4001, "token": ""}
    )
    assert response.status_code == 200
    assert "消息最多 4000 字，当前 4001 字，请删减后再发送。" in response.content.decode()
    assert BrokerMessage.objects.count() == 0

"""The broker's answer is pushed to the owner's open pages like every other notification."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from brokers import services
from listings.choices import ListingStatus
from market.asgi import application
from tests.factories import BrokerFactory, DemandFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def test_broker_reply_is_pushed_live_to_the_owner(client, main_market, enterprise, enterprise_user):
    broker = BrokerFactory(institution__market=main_market, user__name="李文博")
    demand = DemandFactory(
        owner=enterprise,
        status=ListingStatus.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=1),
        title="寻求锂电池隔膜涂覆技术",
    )
    assignment = services.demand_assign_broker(demand=demand, email=False)
    assert assignment.broker == broker
    client.force_login(enterprise_user)
    headers = [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
        assert (await communicator.connect(timeout=10))[0]
        try:
            message = await sync_to_async(services.assignment_reply)(
                assignment=assignment, actor=broker.user, body="您好，我来对接。"
            )
            received = await communicator.receive_json_from(timeout=5)
        finally:
            await communicator.disconnect()
        return message, received

    message, received = async_to_sync(scenario)()
    notice = received["notification"]
    assert received["type"] == "notification"
    assert notice["verb"] == "demand.reply"
    assert notice["title"] == "技术经纪人李文博答复了“寻求锂电池隔膜涂覆技术”"
    assert notice["url"] == f"/listings/demand/{demand.pk}/#broker-thread"
    assert notice["created_at"] == message.created_at.isoformat()

"""Live notifications over the Channels websocket, on the in-memory layer and on Redis."""

import os

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from market import services
from market.asgi import application
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def session_headers(client, user):
    client.force_login(user)
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


async def notify_and_receive(headers, user):
    communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    try:
        await sync_to_async(services.notify)(
            recipient=user, verb="listing.approved", title="“锂电池正极材料”已审核通过并发布"
        )
        message = await communicator.receive_json_from(timeout=5)
    finally:
        await communicator.disconnect()
    return message


def test_notification_arrives_live_in_memory(client):
    user = UserFactory()
    message = async_to_sync(notify_and_receive)(session_headers(client, user), user)
    assert message["type"] == "notification"
    assert message["notification"]["title"] == "“锂电池正极材料”已审核通过并发布"


def test_notification_reaches_only_its_recipient(client):
    alice, bob = UserFactory(), UserFactory()
    headers = session_headers(client, bob)

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
        assert (await communicator.connect(timeout=10))[0]
        try:
            await sync_to_async(services.notify)(recipient=alice, verb="x", title="给Alice")
            assert await communicator.receive_nothing(timeout=0.3)
        finally:
            await communicator.disconnect()

    async_to_sync(scenario)()


def test_anonymous_websocket_is_refused():
    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN])
        connected, code = await communicator.connect(timeout=10)
        await communicator.disconnect()
        return connected, code

    connected, code = async_to_sync(scenario)()
    assert not connected
    assert code == 4401


def test_foreign_origin_is_refused(client):
    user = UserFactory()
    headers = [(b"origin", b"http://evil.example"), session_headers(client, user)[1]]

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=headers)
        connected, _ = await communicator.connect(timeout=10)
        await communicator.disconnect()
        return connected

    assert not async_to_sync(scenario)()


@pytest.mark.redis
def test_notification_arrives_live_over_redis(client):
    redis_layer = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [os.environ.get("REDIS_URL", "")]},
        }
    }
    with override_settings(CHANNEL_LAYERS=redis_layer):
        channel_layers.backends.clear()
        try:
            user = UserFactory()
            message = async_to_sync(notify_and_receive)(session_headers(client, user), user)
            assert type(channel_layers["default"]).__name__ == "RedisChannelLayer"
        finally:
            channel_layers.backends.clear()
    assert message["notification"]["title"] == "“锂电池正极材料”已审核通过并发布"


def test_header_badge_counts_unread_until_they_are_marked_read(client):
    user = UserFactory()
    notice = services.notify(recipient=user, verb="x", title="新匹配：高镍三元正极材料")
    client.force_login(user)
    page = client.get("/search/").content.decode()
    assert 'id="notifications-badge" aria-hidden="true">1</span>' in page
    assert ">1 条未读通知</span>" in page
    assert "js/notifications.js" in page
    listing = client.get("/notifications/").content.decode()
    assert "新匹配：高镍三元正极材料" in listing
    # Reading the list is a GET and changes nothing; marking them read is a POST.
    assert ">1 条未读通知</span>" in client.get("/search/").content.decode()
    client.post("/notifications/read/", {"up_to": notice.pk})
    page = client.get("/search/").content.decode()
    assert 'id="notifications-badge" aria-hidden="true" hidden>0</span>' in page
    assert "条未读通知</span>" not in page

"""The live board: when a colleague moves a deal, the boards of its brokers and of its
market's operators hear "deal.updated" over the websocket, on the in-memory layer and on
Redis. Nobody else may listen."""

import os
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from brokers import services
from market.asgi import application
from tests.brokers.deal_world import add_broker, lead_deal

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ORIGIN = (b"origin", b"http://127.0.0.1:8000")


def headers_for(_client, user):
    # A client of its own per person: signing another person in on one client ends the
    # session of the first.
    client = Client()
    client.force_login(user)
    return [ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())]


def connect(headers):
    return WebsocketCommunicator(application, "/ws/deals/", headers=headers)


def colleague_moves_a_deal_while_the_broker_watches(client, world):
    deal = lead_deal(world)
    add_broker(deal, world.colleague)
    headers = headers_for(client, world.broker.user)

    async def scenario():
        communicator = connect(headers)
        connected, _code = await communicator.connect(timeout=10)
        assert connected
        try:
            await sync_to_async(services.deal_advance)(
                deal=deal, transition="contact", by=world.colleague.user, expected_stage="lead"
            )
            return await communicator.receive_json_from(timeout=5)
        finally:
            await communicator.disconnect()

    return deal, async_to_sync(scenario)()


def assert_moved(deal, received):
    assert received == {
        "type": "deal.updated",
        "deal": {
            "id": deal.pk,
            "title": deal.title,
            "stage": "contacted",
            "stage_label": "对接",
            "by": "王晓燕",
        },
    }


def test_a_broker_sees_a_colleague_move_their_deal(client, world):
    deal, received = colleague_moves_a_deal_while_the_broker_watches(client, world)
    assert_moved(deal, received)


@pytest.mark.redis
def test_a_broker_sees_a_colleague_move_their_deal_over_redis(client, world, settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": os.environ["REDIS_URL"], "socket_timeout": None}],
                # This run's own groups, so parallel runs on one Redis never hear each other.
                "prefix": f"test-{uuid.uuid4().hex[:8]}",
            },
        }
    }
    from channels.layers import get_channel_layer

    assert type(get_channel_layer()).__name__ == "RedisChannelLayer"
    deal, received = colleague_moves_a_deal_while_the_broker_watches(client, world)
    assert_moved(deal, received)


def test_an_operator_of_the_market_sees_it_and_a_broker_not_on_it_does_not(client, world, operator):
    deal = lead_deal(world)
    operator_headers = headers_for(client, operator)
    other_headers = headers_for(client, world.colleague.user)

    async def scenario():
        watching = connect(operator_headers)
        bystander = connect(other_headers)
        assert (await watching.connect(timeout=10))[0]
        assert (await bystander.connect(timeout=10))[0]
        try:
            await sync_to_async(services.deal_lose)(
                deal=deal, by=world.broker.user, reason="price", note="预算不足"
            )
            received = await watching.receive_json_from(timeout=5)
            assert await bystander.receive_nothing(timeout=0.5)
            return received
        finally:
            await watching.disconnect()
            await bystander.disconnect()

    received = async_to_sync(scenario)()
    assert received["deal"]["id"] == deal.pk
    assert (received["deal"]["stage"], received["deal"]["by"]) == ("lost", "李文博")


def test_an_anonymous_or_unrelated_person_is_refused(client, world, outsider):
    buyer_headers = headers_for(client, world.buyer_user)
    outsider_headers = headers_for(client, outsider)

    async def scenario():
        results = []
        for headers in ([ORIGIN], buyer_headers, outsider_headers):
            communicator = connect(headers)
            results.append(await communicator.connect(timeout=10))
            await communicator.disconnect()
        return results

    assert async_to_sync(scenario)() == [(False, 4401), (False, 4403), (False, 4403)]


def test_a_socket_from_another_site_is_refused(client, world):
    headers = headers_for(client, world.broker.user)
    headers[0] = (b"origin", b"https://evil.example")

    async def scenario():
        communicator = connect(headers)
        result = await communicator.connect(timeout=10)
        await communicator.disconnect()
        return result

    connected, _code = async_to_sync(scenario)()
    assert not connected

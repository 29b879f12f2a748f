"""Live boards: a broker's pipeline and a market's deals move as colleagues move them."""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from brokers.models import Broker
from brokers.services.deals import deal_group, deal_market_group
from market.permissions import operated_market_ids


@database_sync_to_async
def _groups_for(user) -> list[str]:
    """The boards this person watches: their own as a broker, and those of the markets they
    operate (a main market's operators see its sub-markets' deals too)."""
    groups = [
        deal_group(pk) for pk in Broker.objects.filter(user=user).values_list("pk", flat=True)
    ]
    groups += [deal_market_group(pk) for pk in sorted(operated_market_ids(user))]
    return groups


class DealConsumer(AsyncJsonWebsocketConsumer):
    """Relays `deal_broadcast`'s "deal.updated" events to the boards of the deal's brokers
    and of its market's operators. Anyone else, signed in or not, is refused: the events
    name deals they may not see."""

    groups_joined: list[str]

    async def connect(self):
        self.groups_joined = []
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        groups = await _groups_for(user)
        if not groups:
            await self.close(code=4403)
            return
        for group in groups:
            await self.channel_layer.group_add(group, self.channel_name)
        self.groups_joined = groups
        await self.accept()

    async def disconnect(self, code):
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)

    async def deal_updated(self, event):
        await self.send_json({"type": "deal.updated", "deal": event["deal"]})

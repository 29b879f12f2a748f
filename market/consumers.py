from channels.generic.websocket import AsyncJsonWebsocketConsumer

from market.services import notification_group


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Pushes a signed-in person's new notifications to their open pages, live."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = notification_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def notification_created(self, event):
        await self.send_json({"type": "notification", "notification": event["notification"]})

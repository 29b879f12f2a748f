from django.urls import path

from brokers.consumers import DealConsumer
from market.consumers import NotificationConsumer

websocket_urlpatterns = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
    path("ws/deals/", DealConsumer.as_asgi()),
]

"""The 48-hour rule starts the moment a demand is published."""

from django.dispatch import receiver

from listings.choices import ListingStatus
from listings.models import Demand
from listings.signals import listing_changed


@receiver(listing_changed, sender=Demand, dispatch_uid="brokers.assign_on_publish")
def assign_broker_on_publish(sender, pk, **kwargs):
    from brokers.services import demand_assign_broker

    demand = Demand.objects.filter(pk=pk, status=ListingStatus.PUBLISHED).first()
    if demand is not None:
        demand_assign_broker(demand=demand)

"""The 48-hour rule starts the moment a demand is published. `listing_changed` is sent after
commit; the assignment itself is queued for the default worker, off the request path."""

from django.dispatch import receiver

from brokers.tasks import assign_broker
from listings.models import Demand
from listings.signals import listing_changed
from market.tasks import enqueue_or_log


@receiver(listing_changed, sender=Demand, dispatch_uid="brokers.assign_on_publish")
def assign_broker_on_publish(sender, pk, **kwargs):
    # Every change is queued, not only publishing: whether the demand is published is read
    # by the task, so the request spends no query on it.
    enqueue_or_log(
        assign_broker,
        pk,
        what=f"the broker assignment of demand {pk}",
        catch_up="the daily `manage.py assign_brokers`",
    )

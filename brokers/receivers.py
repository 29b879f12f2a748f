"""The 48-hour rule starts the moment a demand is published. `listing_changed` is sent after
commit; the assignment itself is queued for the default worker, off the request path."""

from django.dispatch import receiver
from payments.signals import status_changed

from brokers.models import Payment
from brokers.services.payments import SETTLED_STATUSES, payment_settle
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


@receiver(status_changed, sender=Payment, dispatch_uid="brokers.payment_settle")
def settle_confirmed_payment(sender, instance, **kwargs):
    # django-payments runs the provider callback in a transaction; the payment's meaning is
    # applied in the same one, so a failure rolls back the status change with it.
    if instance.status in SETTLED_STATUSES:
        payment_settle(instance.pk)

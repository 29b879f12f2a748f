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


# ── The deal statistics' cached figures (brokers.selectors.stats.DEAL_FIGURES) ───────────────
# A figure is made of deals (the funnel), their contracts' registration and amounts (with
# the deductions that make the technology amount) and their brokers (the ranking): a save
# or delete of one makes every cached figure and drill-down count stale, now and on commit.
# A save that names its fields and none of those the figures read (a deal's `updated_at`,
# a contract's decision note) leaves them be. bulk_create and QuerySet.update send no
# signal: code that uses them on these rows bumps the group itself (bench/deals.py does).

_FIGURE_FIELDS = {
    "deal": {"market", "stage", "lost_at_stage", "created_at"},
    "contract": {
        "deal",
        "market",
        "field",
        "contract_type",
        "amount",
        "tech_amount",
        "registration_status",
        "registered_on",
    },
}


def _deal_figures_changed(sender, update_fields=None, **kwargs):
    from brokers.selectors.stats import DEAL_FIGURES
    from market.fragments import fragments_bump_now_and_on_commit

    read = _FIGURE_FIELDS.get(sender._meta.model_name)
    if update_fields is not None and read is not None and not read & set(update_fields):
        return
    fragments_bump_now_and_on_commit(DEAL_FIGURES)


def _connect_deal_figures():
    from django.db.models.signals import post_delete, post_save

    from brokers.models import Contract, ContractDeduction, Deal, DealBroker

    for model in (Deal, Contract, ContractDeduction, DealBroker):
        name = model._meta.model_name
        post_save.connect(
            _deal_figures_changed, sender=model, dispatch_uid=f"brokers.figures_saved_{name}"
        )
        post_delete.connect(
            _deal_figures_changed, sender=model, dispatch_uid=f"brokers.figures_gone_{name}"
        )


_connect_deal_figures()

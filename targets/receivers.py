"""Keep the "十百千" figures true: they count listings, transfer institutions and brokers,
and the registered contract value counts contracts, so a change of any of them makes the
cached figures stale; so does a target set or a year frozen."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from brokers.models import Broker, Contract
from listings.models import Achievement, Demand
from listings.signals import listing_changed
from market import pagecache
from market.fragments import fragments_bump, fragments_bump_now_and_on_commit
from market.models import Organization
from targets.models import Target, TargetSnapshot
from targets.selectors import FIGURES_FRAGMENTS


@receiver(listing_changed, dispatch_uid="targets.figures_on_listing_change")
def figures_on_listing_change(sender, pk, **kwargs):
    # Sent after commit: a listing was published, edited, closed or expired.
    fragments_bump(FIGURES_FRAGMENTS)


@receiver(post_save, sender=Achievement, dispatch_uid="targets.figures_achievement_saved")
@receiver(post_delete, sender=Achievement, dispatch_uid="targets.figures_achievement_gone")
@receiver(post_save, sender=Demand, dispatch_uid="targets.figures_demand_saved")
@receiver(post_delete, sender=Demand, dispatch_uid="targets.figures_demand_gone")
@receiver(post_save, sender=Organization, dispatch_uid="targets.figures_org_saved")
@receiver(post_delete, sender=Organization, dispatch_uid="targets.figures_org_gone")
@receiver(post_save, sender=Broker, dispatch_uid="targets.figures_broker_saved")
@receiver(post_delete, sender=Broker, dispatch_uid="targets.figures_broker_gone")
@receiver(post_save, sender=Contract, dispatch_uid="targets.figures_contract_saved")
@receiver(post_delete, sender=Contract, dispatch_uid="targets.figures_contract_gone")
def figures_on_save(sender, **kwargs):
    fragments_bump_now_and_on_commit(FIGURES_FRAGMENTS)


@receiver(post_save, sender=Target, dispatch_uid="targets.figures_target_saved")
@receiver(post_delete, sender=Target, dispatch_uid="targets.figures_target_gone")
@receiver(post_save, sender=TargetSnapshot, dispatch_uid="targets.figures_snapshot_saved")
@receiver(post_delete, sender=TargetSnapshot, dispatch_uid="targets.figures_snapshot_gone")
def figures_on_target_change(sender, **kwargs):
    # The home page shows the main market's targets beside its figures: its cached copy for
    # anonymous readers (market.pagecache, tag "figures") is stale too, after the commit.
    fragments_bump_now_and_on_commit(FIGURES_FRAGMENTS)
    transaction.on_commit(lambda: pagecache.invalidate("figures"))

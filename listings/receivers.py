"""Keep the fragments computed from the public listings (the home page's latest, the
indexes' counts) true: every change of a listing, its modes or its owner makes them stale."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from listings.models import Achievement, Demand
from listings.selectors import LISTINGS_FRAGMENTS
from listings.signals import listing_changed
from market.fragments import fragments_bump, fragments_bump_now_and_on_commit
from market.models import Organization


@receiver(listing_changed, dispatch_uid="listings.fragments_on_change")
def fragments_on_change(sender, pk, **kwargs):
    # Sent after commit: whatever was computed from the rows before it is stale now.
    fragments_bump(LISTINGS_FRAGMENTS)


@receiver(post_save, sender=Achievement, dispatch_uid="listings.fragments_achievement_saved")
@receiver(post_delete, sender=Achievement, dispatch_uid="listings.fragments_achievement_gone")
@receiver(post_save, sender=Demand, dispatch_uid="listings.fragments_demand_saved")
@receiver(post_delete, sender=Demand, dispatch_uid="listings.fragments_demand_gone")
@receiver(post_save, sender=Organization, dispatch_uid="listings.fragments_owner_saved")
@receiver(post_delete, sender=Organization, dispatch_uid="listings.fragments_owner_gone")
@receiver(
    m2m_changed, sender=Achievement.transfer_modes.through, dispatch_uid="listings.fragments_am"
)
@receiver(
    m2m_changed, sender=Demand.cooperation_modes.through, dispatch_uid="listings.fragments_dm"
)
def fragments_on_save(sender, **kwargs):
    fragments_bump_now_and_on_commit(LISTINGS_FRAGMENTS)

"""Rematch a listing whenever it changes, and a market's demands when its weights change.
`listing_changed` and `weights_changed` are sent after commit; the work itself is queued
for the matching worker, off the request path."""

from django.dispatch import receiver

from listings.kinds import kind_of
from listings.signals import listing_changed
from market.tasks import enqueue_or_log
from matching.signals import weights_changed


@receiver(listing_changed, dispatch_uid="matching.rematch_on_change")
def rematch_on_change(sender, pk, **kwargs):
    # tasks reach the engine (numpy, scipy); imported here, loading the app stays light.
    from matching.tasks import rematch_listing

    try:
        kind = kind_of(sender).key
    except LookupError:
        return
    enqueue_or_log(
        rematch_listing,
        kind,
        pk,
        what=f"the rematch of {kind} {pk}",
        catch_up="the nightly `manage.py rematch`",
    )


@receiver(weights_changed, dispatch_uid="matching.rematch_on_weights")
def rematch_on_weights(sender, market_id, **kwargs):
    from matching.tasks import rematch_market

    enqueue_or_log(
        rematch_market,
        market_id,
        what=f"the rematch of market {market_id}",
        catch_up="the nightly `manage.py rematch`",
    )

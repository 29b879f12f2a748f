"""Rematch a listing whenever it changes, and a market's demands when its weights change.
`listing_changed` and `weights_changed` are sent after commit; the work itself is queued
for the matching worker, off the request path."""

import logging

from django.dispatch import receiver

from listings.kinds import kind_of
from listings.signals import listing_changed
from matching.signals import weights_changed

logger = logging.getLogger(__name__)


@receiver(listing_changed, dispatch_uid="matching.rematch_on_change")
def rematch_on_change(sender, pk, **kwargs):
    from matching.tasks import rematch_listing

    try:
        kind = kind_of(sender).key
    except LookupError:
        return
    try:
        rematch_listing.enqueue(kind, pk)
    except Exception:  # the listing is saved; the nightly rematch will catch it up
        logger.exception("could not queue the rematch of %s %s", kind, pk)


@receiver(weights_changed, dispatch_uid="matching.rematch_on_weights")
def rematch_on_weights(sender, market_id, **kwargs):
    from matching.tasks import rematch_market

    try:
        rematch_market.enqueue(market_id)
    except Exception:  # the weights are saved; the nightly rematch will catch the lists up
        logger.exception("could not queue the rematch of market %s", market_id)

"""Rematch a listing whenever it changes. `listing_changed` is sent after commit; the work
itself is queued for the matching worker, off the request path."""

import logging

from django.dispatch import receiver

from listings.kinds import kind_of
from listings.signals import listing_changed

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

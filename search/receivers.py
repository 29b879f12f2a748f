"""Keep the search indexes and saved searches true whenever a listing changes.
`listing_changed` is sent after commit; the work itself is queued for the default worker,
off the request path."""

import logging

from django.dispatch import receiver

from listings.kinds import kind_of
from listings.signals import listing_changed
from search.tasks import sync_listing

logger = logging.getLogger(__name__)


@receiver(listing_changed, dispatch_uid="search.sync_on_change")
def sync_on_change(sender, pk, **kwargs):
    try:
        kind = kind_of(sender).key
    except LookupError:
        return
    try:
        sync_listing.enqueue(kind, pk)
    except Exception:
        # The listing is saved. Until `manage.py reindex --backend all` runs, search misses
        # the change (`search_replay` only replays queued Elasticsearch writes, and this one
        # was never queued), and no saved-search notice goes out for it.
        logger.exception("could not queue the search sync of %s %s", kind, pk)

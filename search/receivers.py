"""Keep the search indexes and saved searches true whenever a listing changes.
`listing_changed` is sent after commit; the work itself is queued for the default worker,
off the request path."""

from django.dispatch import receiver

from listings.kinds import kind_of
from listings.signals import listing_changed
from market.tasks import enqueue_or_log
from search.tasks import sync_listing


@receiver(listing_changed, dispatch_uid="search.sync_on_change")
def sync_on_change(sender, pk, **kwargs):
    try:
        kind = kind_of(sender).key
    except LookupError:
        return
    # `search_replay` only replays Elasticsearch writes that were queued, and this one never
    # was: the change, and its saved-search notices, wait for a reindex.
    enqueue_or_log(
        sync_listing,
        kind,
        pk,
        what=f"the search sync of {kind} {pk}",
        catch_up="`manage.py reindex --backend all`",
    )

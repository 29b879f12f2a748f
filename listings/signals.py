"""Signals other apps listen to. Sent after the transaction commits, never inside it."""

from django.db import transaction
from django.dispatch import Signal

# Sent with sender=<Achievement|Demand model> and pk=<int> whenever a listing's content or
# state changed: search reindexes it, matching recomputes its matches.
listing_changed = Signal()


def announce_listing_changed(listing) -> None:
    model, pk = type(listing), listing.pk
    transaction.on_commit(lambda: listing_changed.send(sender=model, pk=pk))

"""Signals of the matching app. Sent after the transaction commits, never inside it."""

from django.db import transaction
from django.dispatch import Signal

# Sent with sender=MatchSettings and market_id=<int> when a market's weights were saved:
# the lists of the demands ranked with them are ranked again.
weights_changed = Signal()


def announce_weights_changed(match_settings) -> None:
    model, market_id = type(match_settings), match_settings.market_id
    transaction.on_commit(lambda: weights_changed.send(sender=model, market_id=market_id))

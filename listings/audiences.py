"""The people who act for a listing besides its owner organisation's editors.

listings knows who owns a listing; apps above it know who else acts for one: brokers (a
demand's assigned broker) now, deals and events later. Each registers a provider from its
`AppConfig.ready()`, so listings, and matching, which asks when it tells people about new
matches, never import them.

A provider takes a listing kind ("demand", "achievement") and listing pks, and returns the
user ids acting for each of those listings it knows about, in one query for the whole
batch; it returns nothing for kinds it has no part in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

# (kind, pks) -> {pk: {user id, ...}}
AudienceProvider = Callable[[str, Iterable[int]], dict[int, set[int]]]

_providers: dict[str, AudienceProvider] = {}


def register_audience(provider: AudienceProvider) -> None:
    """Add a provider; registering the same function again replaces it (ready() may run
    twice)."""
    _providers[f"{provider.__module__}.{provider.__qualname__}"] = provider


def listing_actors(kind: str, pks: Iterable[int]) -> dict[int, set[int]]:
    """The user ids acting for each of these listings of `kind`, every provider's together;
    listings nobody acts for are left out."""
    pks = set(pks)
    out: dict[int, set[int]] = defaultdict(set)
    if not pks:
        return {}
    for provider in _providers.values():
        for pk, user_ids in provider(kind, pks).items():
            out[pk] |= user_ids
    return dict(out)

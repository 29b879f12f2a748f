"""Fragments of public pages computed once per change, not once per request.

A fragment (the "十百千" figures, the home page's latest listings, a listing index's count)
belongs to a group, and lives in Django's cache (Redis when REDIS_URL is set, locmem
otherwise) under a key that carries its group's version. A change bumps the version: the
next request computes the fragment afresh under the new key, and the old entries are
never read again (they expire on their own).

A group is bumped twice for one change: when the row is saved (so the request that made
the change, and a test inside one transaction, see it at once) and after the transaction
commits (so a request that read the old rows between the save and the commit cannot have
left its figure under the version that follows the change)."""

from __future__ import annotations

import hashlib
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

T = TypeVar("T")

# A fragment is kept at most this long even if nothing changes (the figures' year turns,
# a listing's expiry is caught by the expiry job's signal within the hour anyway).
FRAGMENT_SECONDS = 60 * 60


def _version_key(group: str) -> str:
    return f"fragments:{group}:version"


def fragment_version(group: str) -> int:
    """The group's current version. A version lost from the cache starts again from the
    clock, never from an old number, so no entry of an earlier version is read again."""
    key = _version_key(group)
    version = cache.get(key)
    if version is None:
        version = time.time_ns()
        if not cache.add(key, version, timeout=None):
            version = cache.get(key, version)
    return version


def fragments_bump(group: str) -> None:
    """Every fragment of the group is stale: the next request computes it again."""
    key = _version_key(group)
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns(), timeout=None)


def fragments_bump_now_and_on_commit(group: str) -> None:
    """Bump now and again after the current transaction commits (see the module's doc)."""
    fragments_bump(group)
    transaction.on_commit(lambda: fragments_bump(group))


def _key(group: str, name: str, parts: tuple[Hashable, ...]) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest() if parts else "-"
    return f"fragments:{group}:{fragment_version(group)}:{name}:{get_language()}:{digest}"


# This process's copies of fragments it read: a key names one version of one fragment, so a
# copy is never stale while the version lasts; only the group's version is asked of the
# shared cache on each read (one round trip instead of two). Bounded, oldest out first.
_LOCAL: OrderedDict[str, tuple[float, object]] = OrderedDict()
_LOCAL_SIZE = 256
LOCAL_SECONDS = 60


def _local_get(key: str):
    found = _LOCAL.get(key)
    if found is None:
        return None
    expires, value = found
    if expires < time.monotonic():
        _LOCAL.pop(key, None)
        return None
    return value


def _local_put(key: str, value, expires: float) -> None:
    _LOCAL[key] = (expires, value)
    while len(_LOCAL) > _LOCAL_SIZE:
        try:
            _LOCAL.popitem(last=False)
        except KeyError:  # emptied by another thread meanwhile
            break


def fragments_forget_local() -> None:
    """Drop this process's copies (tests: with the shared cache cleared between them)."""
    _LOCAL.clear()


def fragment(group: str, name: str, compute: Callable[[], T], *parts: Hashable) -> T:
    """The fragment `name` of `group` for these parts (and the active language), computed
    by `compute()` only when the group changed since it was last computed."""
    key = _key(group, name, parts)
    value = _local_get(key)
    if value is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, FRAGMENT_SECONDS)
    # Kept here a minute at most: a change bumps the version (a new key) at once anyway, and
    # what only time changes (the figures' year) is at most a minute later than the cache.
    _local_put(key, value, time.monotonic() + LOCAL_SECONDS)
    return value

"""The fitted index of published achievements, kept in the process that rematches.

Fitting reads and segments every published achievement (about 40 s at 100,000), so a
worker fits once and then keeps the index current: before each use it applies the listings
changed since its last look (added when published, masked out otherwise). A full
`manage.py rematch` fits it anew, which also refreshes IDF and lengths.

Demands are the queries. Folding a new achievement into every demand's list needs the
demands encoded against the index; that encoding is made once per fit, grouped by market so
each market's weights apply to its own demands, and demands changed since are encoded again
on the fly (there are few).

Folding a changed demand into the achievements' own lists needs each list's lowest score
(its "floor"): kept here per index row, read from the database once and then kept current by
this process's own writes, and read again after `FLOORS_TTL` seconds (another process, the
nightly rematch, may have rewritten the lists meanwhile).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from listings.choices import ListingStatus
from listings.kinds import KINDS
from matching import adapter
from matching.engine.index import Index, QueryBatch
from matching.records import Record


class LiveIndex:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.index: Index | None = None
        self.synced_at: datetime | None = None
        self._demand_batches: dict[str, QueryBatch] | None = None
        # Demands changed since the batches were encoded: their fresh record, or None if no
        # longer published. Their rows in the batches are stale and skipped.
        self._demands_changed: dict[str, Record | None] = {}
        self._floors: np.ndarray | None = None
        self._floors_read = 0.0

    FLOORS_TTL = 600.0

    def reset(self) -> None:
        with self._lock:
            self.index, self.synced_at = None, None
            self._demand_batches, self._demands_changed = None, {}
            self._floors = None

    def fit(self, achievements: list[Record] | None = None, *, workers: int = 1) -> Index:
        with self._lock:
            started = timezone.now()
            if achievements is None:
                achievements = list(adapter.records("achievement"))
            index = Index(
                "achievement", candidates=getattr(settings, "MATCHING_CANDIDATES", 200)
            ).fit(achievements, workers=workers)
            self.index, self.synced_at = index, started
            self._demand_batches, self._demands_changed = None, {}
            self._floors = None
            return index

    def get(self) -> Index:
        """The index, fitted on first use and brought up to date with the database."""
        with self._lock:
            if self.index is None:
                return self.fit()
            self.sync()
            return self.index

    def current(self) -> Index:
        """The index as of the last `get()`: for the steps of one rematch, which synced once
        at its start."""
        with self._lock:
            return self.index if self.index is not None else self.get()

    def sync(self) -> None:
        """Apply listings changed since the last look. Changes that commit while this runs
        are seen next time; the listing a rematch is about is always read fresh anyway."""
        with self._lock:
            started = timezone.now()
            for kind in ("achievement", "demand"):
                model = KINDS[kind].model
                changed = model.objects.filter(updated_at__gte=self.synced_at)
                live = {
                    adapter.pk_of(r.id): r
                    for r in adapter.records(kind, changed.filter(status=ListingStatus.PUBLISHED))
                }
                for pk in changed.values_list("pk", flat=True):
                    self.apply(kind, adapter.record_id(kind, pk), live.get(pk))
            self.synced_at = started

    def apply(self, kind: str, record_id: str, record: Record | None) -> None:
        """One listing as it is now: a record if published, None otherwise."""
        with self._lock:
            if self.index is None:
                return
            if kind == "achievement":
                if record is None:
                    self.index.remove(record_id)
                else:
                    self.index.add(record)
            elif self._demand_batches is not None:
                self._demands_changed[record_id] = record

    def demand_batches(self) -> dict[str, QueryBatch]:
        """Every published demand encoded against the index, one batch per market; rows of
        demands changed since are stale (see `demands_changed`)."""
        with self._lock:
            index = self.current()
            if self._demand_batches is None:
                by_market: dict[str, list[Record]] = defaultdict(list)
                for record in adapter.records("demand"):
                    by_market[record.market].append(record)
                self._demand_batches = {m: index.encode(rs) for m, rs in by_market.items()}
                self._demands_changed = {}
            return self._demand_batches

    def demands_changed(self) -> dict[str, Record | None]:
        with self._lock:
            return dict(self._demands_changed)

    def own_floors(self) -> np.ndarray:
        """Per index row, the lowest score on that achievement's own list when the list is
        full, else −inf: a demand scoring above it enters the list."""
        from matching.models import Match

        with self._lock:
            index = self.current()
            n = len(index.ids)
            fresh = time.monotonic() - self._floors_read < self.FLOORS_TTL
            if self._floors is None or not fresh:
                floors = np.full(n, -np.inf)
                rows = (
                    Match.objects.exclude(achievement_rank=None)
                    .values("achievement_id")
                    .annotate(n=Count("id"), low=Min("score"))
                )
                size = getattr(settings, "MATCHING_LIST_SIZE", 20)
                for row in rows:
                    i = index.row(adapter.record_id("achievement", row["achievement_id"]))
                    if i is not None and row["n"] >= size:
                        floors[i] = row["low"]
                self._floors, self._floors_read = floors, time.monotonic()
            elif len(self._floors) < n:  # achievements added to the index since
                grown = np.full(n - len(self._floors), -np.inf)
                self._floors = np.concatenate([self._floors, grown])
            return self._floors

    def set_own_floors(self, floors: dict[str, float]) -> None:
        """Lists this process has just written: achievement record id → new floor."""
        with self._lock:
            if self._floors is None or self.index is None:
                return
            current = self.own_floors()
            for record_id, floor in floors.items():
                i = self.index.row(record_id)
                if i is not None:
                    current[i] = floor


# One per process: the rematch worker's, or a test's.
live_index = LiveIndex()

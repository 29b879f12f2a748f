"""Ranking lists again: one listing as it is now (`listing_rematch`, run by the worker
after a change), a market after its weights changed (`market_rematch`), or everything
(`rematch_all`). Scores come from the live index; the lists are stored by
`matching.services.lists`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from listings.choices import ListingStatus
from listings.models import Demand
from market import pagecache
from market.models import Market
from matching import adapter
from matching.choices import MatchStatus
from matching.engine.index import Match as Ranked
from matching.live import LiveIndex, live_index
from matching.models import Match
from matching.records import Record
from matching.services.lists import (
    RematchResult,
    _drop_demand,
    _insert_into_achievement_lists,
    _insert_into_lists,
    _list_floors,
    _write_achievement_lists,
    _write_lists,
)
from matching.services.notifications import notify_new_matches
from matching.services.weights import _weights_for, list_size, market_weights


def market_rematch(*, market_id: int, live: LiveIndex = live_index) -> RematchResult:
    """Rank again the demands whose weights come from this market: its own, and its
    sub-markets' that have no weights of their own."""
    inheriting = Market.objects.filter(parent_id=market_id, match_settings__isnull=True)
    markets = [market_id, *inheriting.values_list("pk", flat=True)]
    result = RematchResult()
    demands = Demand.objects.filter(market_id__in=markets, status=ListingStatus.PUBLISHED)
    chunk: list[Record] = []
    for record in adapter.records("demand", demands):
        chunk.append(record)
        if len(chunk) == 500:
            with transaction.atomic():
                _write_lists(_rank_demands(chunk, live=live), now=timezone.now(), result=result)
            chunk = []
    if chunk:
        with transaction.atomic():
            _write_lists(_rank_demands(chunk, live=live), now=timezone.now(), result=result)
    _pages_show_new_matches()
    return result


def _dismissed(kind: str, pks: Iterable[int] | None) -> dict[str, set[str]]:
    """Dismissed pairs by listing of `kind` (those `pks`, or all): its record id → the
    record ids of the other side it was dismissed with."""
    rows = Match.objects.filter(status=MatchStatus.DISMISSED)
    if pks is not None:
        rows = rows.filter(**{f"{kind}_id__in": list(pks)})
    other = "achievement" if kind == "demand" else "demand"
    out: dict[str, set[str]] = defaultdict(set)
    for mine, theirs in rows.values_list(f"{kind}_id", f"{other}_id"):
        out[adapter.record_id(kind, mine)].add(adapter.record_id(other, theirs))
    return out


def _rank_demands(
    demands: list[Record], *, live: LiveIndex, explain: bool = True, workers: int = 1
) -> dict[int, tuple[int, list[Ranked]]]:
    index = live.current()
    weights = market_weights(r.market for r in demands)
    exclude = _dismissed("demand", [adapter.pk_of(r.id) for r in demands])
    by_market: dict[str, list[Record]] = defaultdict(list)
    for r in demands:
        by_market[r.market].append(r)
    out = {}
    for market, group in by_market.items():
        ranked = index.rank_many(
            group,
            list_size(),
            explain=explain,
            exclude=exclude,
            weights=_weights_for(weights, market),
            workers=workers,
        )
        for record, matches in zip(group, ranked, strict=True):
            out[adapter.pk_of(record.id)] = (int(record.market), matches)
    return _only_published(out, index)


def _rank_demand_from_elasticsearch(
    record: Record, *, live: LiveIndex
) -> dict[int, tuple[int, list[Ranked]]] | None:
    """One demand's list with its candidates retrieved by Elasticsearch (more_like_this)
    when `MATCHING_RETRIEVAL = "elasticsearch"`; None when it is not configured or not
    reachable. The engine still scores and ranks the candidates, with the same function as
    its own retrieval, so a list only differs if Elasticsearch missed a candidate."""
    if getattr(settings, "MATCHING_RETRIEVAL", "engine") != "elasticsearch":
        return None
    from search.services import similar_listing_ids

    content = "\n".join([record.title, " ".join(record.keywords), record.description])
    pks = similar_listing_ids(
        kind="achievement", content=content, size=getattr(settings, "MATCHING_CANDIDATES", 200)
    )
    if pks is None:
        return None
    index = live.current()
    demand_pk = adapter.pk_of(record.id)
    weights = _weights_for(market_weights([record.market]), record.market)
    skip = _dismissed("demand", [demand_pk]).get(record.id, set())
    batch = index.encode([record])
    scored = []
    for pk in pks:
        target = adapter.record_id("achievement", pk)
        if target in skip:
            continue
        try:
            score = float(index.score_target(target, batch, weights=weights)[0])
        except KeyError:  # not in the index (yet): the next sync brings it
            continue
        if np.isfinite(score) and score > 0:
            scored.append((score, pk, target))
    scored.sort(key=lambda t: (-t[0], t[1]))
    ranked = [
        index.explain(record, target, weights=weights) for _s, _pk, target in scored[: list_size()]
    ]
    return _only_published({demand_pk: (int(record.market), ranked)}, index)


def _only_published(lists: dict, index) -> dict:
    """Drop targets the index still holds but the database no longer publishes (a listing
    deleted outright sends no change the index could see); the index forgets them too."""
    targets = {adapter.pk_of(m.target_id) for _market, ranked in lists.values() for m in ranked}
    live = set(adapter.published("achievement").filter(pk__in=targets).values_list("pk", flat=True))
    for pk in targets - live:
        index.remove(adapter.record_id("achievement", pk))
    if targets - live:
        lists = {
            d: (market, [m for m in ranked if adapter.pk_of(m.target_id) in live])
            for d, (market, ranked) in lists.items()
        }
    return lists


def _pages_show_new_matches() -> None:
    """A listing's page shows its matches: cached copies go once the lists are written."""
    transaction.on_commit(lambda: pagecache.invalidate("matches"))


@transaction.atomic
def listing_rematch(*, kind: str, pk: int, live: LiveIndex = live_index) -> RematchResult:
    """Recompute the matches one listing takes part in, as it is now. Run after commit by
    the matching task; safe to run twice (the result is the same)."""
    now = timezone.now()
    record = adapter.records_by_pk(kind, [pk]).get(pk)
    live.get()
    live.apply(kind, adapter.record_id(kind, pk), record)
    result = RematchResult()
    if kind == "demand":
        if record is None:
            on_their_lists = list(
                Match.objects.filter(demand_id=pk)
                .exclude(achievement_rank=None)
                .values_list("achievement_id", flat=True)
            )
            _drop_demand(pk, result)
            _rerank_achievements(set(on_their_lists), live=live, now=now, result=result)
        else:
            lists = _rank_demand_from_elasticsearch(record, live=live)
            lists = lists if lists is not None else _rank_demands([record], live=live)
            _write_lists(lists, now=now, result=result)
            _fold_demand(pk, record, live=live, now=now, result=result)
    else:
        _fold_achievement(pk, record, live=live, now=now, result=result)
    notify_new_matches(result.created)
    _pages_show_new_matches()
    return result


# A score lower than the stored one by less than this (freshness ageing for a few weeks)
# updates the row in place; a larger drop ranks the list again, as another achievement may
# now beat it.
RANK_TOLERANCE = 0.005


def _fold_achievement(
    pk: int, record: Record | None, *, live: LiveIndex, now, result: RematchResult
) -> None:
    """Put an achievement into the lists of the demands it now makes the cut for, and take
    it out of the ones it no longer does (or all of them, when it is not published).

    One vectorised score of the achievement against every published demand gives its score
    in every list at once. It enters a list by insertion (its score there is what a full
    ranking would compute); a list it was in is updated in place when it still scores as
    well, and ranked again in full when it scores less (another achievement may come back)."""
    index = live.get()
    listed = dict(
        Match.objects.filter(achievement_id=pk)
        .exclude(demand_rank=None)
        .values_list("demand_id", "score")
    )
    target = adapter.record_id("achievement", pk)
    scores: dict[int, tuple[Record, float]] = {}
    if record is not None:
        changed = live.demands_changed()
        batches = live.demand_batches()
        weights = market_weights([*batches, *(r.market for r in changed.values() if r)])
        for market, batch in batches.items():
            s = index.score_target(target, batch, weights=_weights_for(weights, market))
            for j in np.flatnonzero(np.isfinite(s) & (s > 0)):
                if batch.ids[j] not in changed:
                    scores[adapter.pk_of(batch.ids[j])] = (batch.records[j], float(s[j]))
        for r in changed.values():
            if r is not None:
                w = _weights_for(weights, r.market)
                s = float(index.score_target(target, index.encode([r]), weights=w)[0])
                if np.isfinite(s) and s > 0:
                    scores[adapter.pk_of(r.id)] = (r, s)
    rerank = {
        d for d, old in listed.items() if d not in scores or scores[d][1] < old - RANK_TOLERANCE
    }
    inserting: dict[int, tuple[Record, float]] = {d: scores[d] for d in listed.keys() - rerank}
    if scores:
        dismissed = set(
            Match.objects.filter(achievement_id=pk, status=MatchStatus.DISMISSED).values_list(
                "demand_id", flat=True
            )
        )
        fresh = [d for d in scores if d not in listed and d not in dismissed]
        floors = _list_floors(fresh)
        for demand_id in fresh:
            size, floor = floors.get(demand_id, (0, -np.inf))
            if size < list_size() or scores[demand_id][1] > floor:
                inserting[demand_id] = scores[demand_id]
    if rerank:
        demands = list(
            adapter.records(
                "demand", Demand.objects.filter(pk__in=rerank, status=ListingStatus.PUBLISHED)
            )
        )
        lists = _rank_demands(demands, live=live)
        for demand_id in rerank - set(lists):
            _drop_demand(demand_id, result)
        _write_lists(lists, now=now, result=result)
    if inserting:
        live_demands = set(
            adapter.published("demand").filter(pk__in=list(inserting)).values_list("pk", flat=True)
        )
        inserting = {d: v for d, v in inserting.items() if d in live_demands}
    if inserting:
        _insert_into_lists(pk, inserting, index=index, now=now, result=result)
    _write_achievement_lists({pk: _own_list(pk, scores)}, live=live, now=now, result=result)


def _own_list(pk: int, scores: dict[int, tuple[Record, float]]) -> list[tuple[Record, float]]:
    """An achievement's own list from its scores against every demand: the best published
    demands it was not dismissed from, best first (ties: older demand first)."""
    if not scores:
        return []
    target = adapter.record_id("achievement", pk)
    dismissed = _dismissed("achievement", [pk]).get(target, set())
    ranked = sorted(
        ((s, d) for d, (r, s) in scores.items() if r.id not in dismissed),
        key=lambda t: (-t[0], t[1]),
    )
    head = [d for _s, d in ranked[: 2 * list_size()]]
    published = set(adapter.published("demand").filter(pk__in=head).values_list("pk", flat=True))
    return [scores[d] for d in head if d in published][: list_size()]


def _fold_demand(pk: int, record: Record, *, live: LiveIndex, now, result: RematchResult) -> None:
    """Put a published or edited demand into the own lists of the achievements it now makes
    the cut for, as `_fold_achievement` does the other way: one score against every
    achievement; it enters a list by insertion (above the list's floor, `live.own_floors`),
    stays in place where it scores as well as before, and a list where it scores less is
    ranked again in full."""
    index = live.current()
    w = _weights_for(market_weights([record.market]), record.market)
    total, _contrib, _text = index.score_all(record, weights=w, now=now)
    listed = dict(
        Match.objects.filter(demand_id=pk)
        .exclude(achievement_rank=None)
        .values_list("achievement_id", "score")
    )
    skip = _dismissed("demand", [pk]).get(record.id, set())
    scores: dict[int, float] = {}
    for row in np.flatnonzero(np.isfinite(total) & (total > live.own_floors())).tolist():
        if index.ids[row] not in skip:
            scores[adapter.pk_of(index.ids[row])] = float(total[row])
    rerank = set()
    for achievement_id, old in listed.items():
        row = index.row(adapter.record_id("achievement", achievement_id))
        new = float(total[row]) if row is not None else -np.inf
        if not np.isfinite(new) or new < old - RANK_TOLERANCE:
            rerank.add(achievement_id)
            scores.pop(achievement_id, None)
        else:
            scores[achievement_id] = new
    if scores:
        _insert_into_achievement_lists(
            pk, record, scores, weights=w, live=live, now=now, result=result
        )
    _rerank_achievements(rerank, live=live, now=now, result=result)


def _rerank_achievements(pks: set[int], *, live: LiveIndex, now, result: RematchResult) -> None:
    """Rank these achievements' own lists again in full against every published demand
    (demands changed since the batches were encoded are encoded again)."""
    index = live.current()
    targets = [
        t for t in (adapter.record_id("achievement", pk) for pk in pks) if index.row(t) is not None
    ]
    gone = {pk for pk in pks if index.row(adapter.record_id("achievement", pk)) is None}
    if gone:
        _write_achievement_lists({pk: [] for pk in gone}, live=live, now=now, result=result)
    if not targets:
        return
    batches = live.demand_batches()
    changed = live.demands_changed()
    fresh: dict[str, list[Record]] = defaultdict(list)
    for r in changed.values():
        if r is not None:
            fresh[r.market].append(r)
    weights = market_weights([*batches, *fresh])
    # Rows of demands changed since the batches were encoded are stale: left out, and the
    # changed demands still published encoded afresh.
    groups = [
        (batch.take([j for j, rid in enumerate(batch.ids) if rid not in changed]), m)
        for m, batch in batches.items()
    ]
    groups += [(index.encode(rs), m) for m, rs in fresh.items()]
    groups = [(batch, _weights_for(weights, m)) for batch, m in groups]
    records = {
        rid: r for batch, _w in groups for rid, r in zip(batch.ids, batch.records, strict=True)
    }
    exclude = _dismissed("achievement", pks)
    lists = index.top_queries(groups, list_size(), targets=targets, now=now, exclude=exclude)
    _write_achievement_lists(
        {
            adapter.pk_of(t): [(records[m.target_id], m.score) for m in matches]
            for t, matches in lists.items()
        },
        live=live,
        now=now,
        result=result,
    )


def rematch_all(
    *,
    live: LiveIndex = live_index,
    progress: Callable[[int], None] | None = None,
    chunk_size: int = 500,
    workers: int = 1,
    notify_owners: bool = False,
) -> RematchResult:
    """Refit the index on every published achievement and rank every published demand.
    Each chunk of demands is written in its own transaction, so an interrupted run leaves
    whole lists, and a rerun finishes the job."""
    live.fit(workers=workers)
    now = timezone.now()
    result = RematchResult()
    chunk: list[Record] = []

    def flush():
        with transaction.atomic():
            _write_lists(_rank_demands(chunk, live=live, workers=workers), now=now, result=result)
        if progress:
            progress(len(chunk))
        chunk.clear()

    for record in adapter.records("demand"):
        chunk.append(record)
        if len(chunk) >= chunk_size:
            flush()
    if chunk:
        flush()
    _rank_all_achievements(
        live=live,
        now=now,
        result=result,
        chunk_size=chunk_size,
        workers=workers,
        progress=progress,
    )
    # Lists of demands no longer published.
    with transaction.atomic():
        stale = (
            Match.objects.exclude(demand__status=ListingStatus.PUBLISHED)
            .exclude(demand_rank=None)
            .values_list("demand_id", flat=True)
            .distinct()
        )
        for demand_id in list(stale):
            _drop_demand(demand_id, result)
    if notify_owners:
        notify_new_matches(result.created)
    _pages_show_new_matches()
    return result


def _rank_all_achievements(
    *, live: LiveIndex, now, result: RematchResult, chunk_size: int, workers: int, progress
) -> None:
    """Every fitted achievement's own list, against every published demand (the demand
    lists are written first: a pair on both keeps its demand list's row)."""
    index = live.current()
    batches = live.demand_batches()
    weights = market_weights(batches)
    groups = [(batch, _weights_for(weights, market)) for market, batch in batches.items()]
    records = {
        rid: r for batch, _w in groups for rid, r in zip(batch.ids, batch.records, strict=True)
    }
    targets = [rid for rid, alive in zip(index.ids, index.alive.tolist(), strict=True) if alive]
    dismissed = _dismissed("achievement", None)
    # One pass: the index's row-major copy is made once, the workers compute the lists a
    # chunk of achievements at a time, and each chunk is written as it arrives.
    for lists in index.iter_top_queries(
        groups,
        list_size(),
        targets=targets,
        now=now,
        exclude=dismissed,
        workers=workers,
        max_targets=chunk_size,
    ):
        with transaction.atomic():
            _write_achievement_lists(
                {
                    adapter.pk_of(tid): [(records[m.target_id], m.score) for m in matches]
                    for tid, matches in lists.items()
                },
                live=live,
                now=now,
                result=result,
            )
        if progress:
            progress(len(lists))

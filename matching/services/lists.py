"""Stored match lists: writing a demand's list or an achievement's own list exactly,
inserting one listing into several lists, renumbering them, and reading their floors.

A pair leaving one list keeps its row while it is on the other side's list or somebody
acted on it; otherwise the row is deleted."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from listings.models import Achievement, Demand
from matching import adapter
from matching.choices import MatchStatus
from matching.engine.index import Match as Ranked
from matching.engine.weights import Weights
from matching.live import LiveIndex
from matching.models import Match
from matching.records import Record
from matching.selectors import ON_A_LIST
from matching.services.weights import _weights_for, list_size, market_weights


@dataclass
class RematchResult:
    demands: int = 0
    achievements: int = 0
    created: list[Match] = field(default_factory=list)
    updated: int = 0
    removed: int = 0


def _write_lists(
    lists: dict[int, tuple[int, list[Ranked]]], *, now, result: RematchResult
) -> RematchResult:
    """Make each demand's stored list exactly `lists[demand] = (market, ranked)`, keeping
    the rows people acted on. The demands are locked first, so two workers rematching one
    demand write one after the other.

    Rows nobody acted on are replaced (one delete, one bulk insert: far cheaper than
    updating every score in place), keeping when they were first suggested and notified;
    rows with feedback are updated."""
    list(Demand.objects.select_for_update().filter(pk__in=list(lists)).values_list("pk"))
    existing: dict[tuple[int, int], Match] = {
        (m.demand_id, m.achievement_id): m
        for m in Match.objects.filter(demand_id__in=list(lists)).only(
            "id",
            "demand_id",
            "achievement_id",
            "status",
            "demand_rank",
            "achievement_rank",
            "created_at",
            "notified_at",
        )
    }
    to_create, to_update, to_delete = [], [], []
    kept: set[tuple[int, int]] = set()
    for demand_id, (market_id, ranked) in lists.items():
        for rank, r in enumerate(ranked, 1):
            key = (demand_id, adapter.pk_of(r.target_id))
            expl = r.explanation.as_dict() if r.explanation is not None else {}
            old = existing.get(key)
            if old is not None and old.status != MatchStatus.SUGGESTED:
                row = old
                to_update.append(row)
            else:
                row = Match(demand_id=key[0], achievement_id=key[1], status=MatchStatus.SUGGESTED)
                if old is not None:
                    row.created_at, row.notified_at = old.created_at, old.notified_at
                    row.achievement_rank = old.achievement_rank
                    to_delete.append(old.pk)
                to_create.append(row)
            row.market_id, row.score, row.demand_rank = market_id, r.score, rank
            row.explanation, row.computed_at = expl, now
            kept.add(key)
    removed = 0
    for key, row in existing.items():
        if key in kept:
            continue
        if not _on_another_list_or_acted_on(row, row.achievement_rank):
            to_delete.append(row.pk)
            removed += 1
        elif row.demand_rank is not None:
            row.demand_rank = None
            to_update.append(row)
    for start in range(0, len(to_delete), 500):
        Match.objects.filter(pk__in=to_delete[start : start + 500]).delete()
    Match.objects.bulk_create(to_create, batch_size=1000)
    Match.objects.bulk_update(
        to_update,
        ["market", "score", "demand_rank", "explanation", "computed_at"],
        batch_size=500,
    )
    result.demands += len(lists)
    result.created.extend(r for r in to_create if (r.demand_id, r.achievement_id) not in existing)
    result.updated += len(kept & existing.keys())
    result.removed += removed
    return result


def _on_another_list_or_acted_on(row: Match, other_rank: int | None) -> bool:
    """Whether a pair leaving one list keeps its row: it is on the other side's list, or
    somebody acted on it (feedback is history). Otherwise it is deleted."""
    return other_rank is not None or row.status != MatchStatus.SUGGESTED


def _drop_demand(pk: int, result: RematchResult) -> None:
    """A demand no longer published leaves every list: its own and the achievements'."""
    rows = Match.objects.filter(demand_id=pk)
    result.removed += rows.filter(status=MatchStatus.SUGGESTED).delete()[0]
    rows.filter(ON_A_LIST).update(demand_rank=None, achievement_rank=None)


def _write_achievement_lists(
    lists: dict[int, list[tuple[Record, float]]], *, live: LiveIndex, now, result: RematchResult
) -> None:
    """Make each achievement's own list exactly `lists[achievement]` ((demand record,
    score), best first). Pairs new to the table are created with their explanation; a pair
    already stored keeps its row (and, when it is on its demand's list, that list's score).
    A pair that leaves the list is deleted if it is on no list and nobody acted on it."""
    if not lists:
        return
    index = live.current()
    list(Achievement.objects.select_for_update().filter(pk__in=list(lists)).values_list("pk"))
    existing = {
        (m.demand_id, m.achievement_id): m
        for m in Match.objects.filter(achievement_id__in=list(lists)).only(
            "id", "demand_id", "achievement_id", "status", "demand_rank", "achievement_rank"
        )
    }
    weights = market_weights(r.market for ranked in lists.values() for r, _s in ranked)
    to_create, to_update, to_delete = [], [], []
    reranked: dict[int | None, list[int]] = defaultdict(list)
    kept: set[tuple[int, int]] = set()
    for achievement_id, ranked in lists.items():
        target = adapter.record_id("achievement", achievement_id)
        new = [r for r, _s in ranked if (adapter.pk_of(r.id), achievement_id) not in existing]
        explained = index.explain_queries(
            target, new, [_weights_for(weights, r.market) for r in new], now=now
        )
        explanations = {r.id: m.explanation for r, m in zip(new, explained, strict=True)}
        for rank, (record, score) in enumerate(ranked, 1):
            key = (adapter.pk_of(record.id), achievement_id)
            kept.add(key)
            row = existing.get(key)
            if row is None:
                expl = explanations[record.id]
                row = Match(
                    demand_id=key[0],
                    achievement_id=achievement_id,
                    status=MatchStatus.SUGGESTED,
                    market_id=int(record.market),
                    score=score,
                    explanation=expl.as_dict() if expl is not None else {},
                    computed_at=now,
                    achievement_rank=rank,
                )
                to_create.append(row)
                continue
            if row.demand_rank is None:  # on no demand's list: this score is the fresh one
                row.achievement_rank, row.score, row.computed_at = rank, score, now
                to_update.append(row)
            elif row.achievement_rank != rank:
                reranked[rank].append(row.pk)
    for key, row in existing.items():
        if key in kept or row.achievement_rank is None:
            continue
        if not _on_another_list_or_acted_on(row, row.demand_rank):
            to_delete.append(row.pk)
        else:
            reranked[None].append(row.pk)
    for start in range(0, len(to_delete), 500):
        Match.objects.filter(pk__in=to_delete[start : start + 500]).delete()
    Match.objects.bulk_create(to_create, batch_size=1000)
    Match.objects.bulk_update(
        to_update, ["achievement_rank", "score", "computed_at"], batch_size=500
    )
    # Most rows only move on the list: one UPDATE per rank (bulk_update writes a CASE per
    # row, which would be most of a full rematch's time).
    for rank, pks in reranked.items():
        for start in range(0, len(pks), 500):
            Match.objects.filter(pk__in=pks[start : start + 500]).update(achievement_rank=rank)
    result.achievements += len(lists)
    result.created.extend(to_create)
    result.removed += len(to_delete)
    live.set_own_floors(
        {
            adapter.record_id("achievement", pk): ranked[-1][1]
            if len(ranked) >= list_size()
            else -np.inf
            for pk, ranked in lists.items()
        }
    )


def _insert_into_achievement_lists(
    demand_id: int,
    record: Record,
    scores: dict[int, float],
    *,
    weights: Weights,
    live: LiveIndex,
    now,
    result: RematchResult,
) -> None:
    """Put (or update) one demand in several achievements' own lists with its known scores,
    then renumber those lists; whatever falls off the end leaves them."""
    index = live.current()
    list(Achievement.objects.select_for_update().filter(pk__in=list(scores)).values_list("pk"))
    existing = {
        m.achievement_id: m
        for m in Match.objects.filter(demand_id=demand_id, achievement_id__in=list(scores))
    }
    new_ids = [a for a in scores if a not in existing]
    explained = index.explain_targets(
        record, [adapter.record_id("achievement", a) for a in new_ids], weights=weights, now=now
    )
    new_rows = [
        Match(
            demand_id=demand_id,
            achievement_id=a,
            status=MatchStatus.SUGGESTED,
            market_id=int(record.market),
            score=scores[a],
            explanation=m.explanation.as_dict() if m.explanation is not None else {},
            computed_at=now,
            achievement_rank=list_size() + 1,  # placed by the renumbering below
        )
        for a, m in zip(new_ids, explained, strict=True)
    ]
    changed_rows = []
    for a, row in existing.items():
        if row.demand_rank is None:  # on no demand list: this score is the fresh one
            row.score, row.computed_at = scores[a], now
        if row.achievement_rank is None:
            row.achievement_rank = list_size() + 1
        changed_rows.append(row)
    Match.objects.bulk_create(new_rows, batch_size=1000)
    Match.objects.bulk_update(changed_rows, ["score", "computed_at", "achievement_rank"])
    gone, floors = _renumber(list(scores), "achievement")
    live.set_own_floors({adapter.record_id("achievement", a): f for a, f in floors.items()})
    result.updated += len(changed_rows)
    result.removed += len(gone)
    result.created.extend(r for r in new_rows if r.pk not in gone)


def _insert_into_lists(
    achievement_id: int,
    entering: dict[int, tuple[Record, float]],
    *,
    index,
    now,
    result: RematchResult,
) -> None:
    """Put (or update) one achievement in several demands' lists with its known scores,
    then renumber those lists; whatever falls off the end leaves them."""
    list(Demand.objects.select_for_update().filter(pk__in=list(entering)).values_list("pk"))
    weights = market_weights(r.market for r, _s in entering.values())
    existing = {
        m.demand_id: m
        for m in Match.objects.filter(achievement_id=achievement_id, demand_id__in=entering)
    }
    target = adapter.record_id("achievement", achievement_id)
    records = [record for record, _score in entering.values()]
    explained = index.explain_queries(
        target, records, [_weights_for(weights, r.market) for r in records], now=now
    )
    new_rows, changed_rows = [], []
    for (demand_id, (record, score)), m in zip(entering.items(), explained, strict=True):
        expl = m.explanation
        row = existing.get(demand_id)
        if row is None:
            row = Match(
                demand_id=demand_id, achievement_id=achievement_id, status=MatchStatus.SUGGESTED
            )
            new_rows.append(row)
        else:
            changed_rows.append(row)
        row.market_id, row.score, row.computed_at = int(record.market), score, now
        row.explanation = expl.as_dict() if expl is not None else {}
        row.demand_rank = list_size() + 1  # placed by the renumbering below
    Match.objects.bulk_create(new_rows, batch_size=1000)
    Match.objects.bulk_update(
        changed_rows, ["market", "score", "computed_at", "explanation", "demand_rank"]
    )
    result.updated += len(changed_rows)
    gone, _floors = _renumber(list(entering))
    result.removed += len(gone)
    result.created.extend(r for r in new_rows if r.pk not in gone)


def _renumber(pks: list[int], kind: str = "demand") -> tuple[set[int], dict[int, float]]:
    """Ranks 1..k by score (ties: older listing of the other side first) on the lists of
    these listings of `kind`; rows past k leave it: deleted if on no other list and nobody
    acted on them, kept without this rank otherwise. Returns the deleted rows' ids and each
    list's floor (its lowest score when full, else −inf)."""
    other = "achievement" if kind == "demand" else "demand"
    rank_field, other_rank = f"{kind}_rank", f"{other}_rank"
    rows = (
        Match.objects.filter(**{f"{kind}_id__in": pks})
        .exclude(**{rank_field: None})
        .order_by(f"{kind}_id", "-score", f"{other}_id")
        .only("id", "demand_id", "achievement_id", "status", "score", rank_field, other_rank)
    )
    by_listing: dict[int, list[Match]] = defaultdict(list)
    for row in rows:
        by_listing[getattr(row, f"{kind}_id")].append(row)
    to_update, to_delete = [], []
    floors = {pk: -np.inf for pk in pks}
    for pk, ranked in by_listing.items():
        if len(ranked) >= list_size():
            floors[pk] = ranked[list_size() - 1].score
        for rank, row in enumerate(ranked, 1):
            new_rank = rank if rank <= list_size() else None
            if new_rank is None and not _on_another_list_or_acted_on(row, getattr(row, other_rank)):
                to_delete.append(row.pk)
            elif getattr(row, rank_field) != new_rank:
                setattr(row, rank_field, new_rank)
                to_update.append(row)
    Match.objects.bulk_update(to_update, [rank_field], batch_size=1000)
    Match.objects.filter(pk__in=to_delete).delete()
    return set(to_delete), floors


def _list_floors(demand_ids: list[int]) -> dict[int, tuple[int, float]]:
    """(list size, lowest score on the list) of each demand's stored list."""
    out: dict[int, tuple[int, float]] = {}
    if not demand_ids:
        return out
    from django.db.models import Count, Min

    rows = (
        Match.objects.filter(demand_id__in=demand_ids)
        .exclude(demand_rank=None)
        .values("demand_id")
        .annotate(n=Count("id"), low=Min("score"))
    )
    for row in rows:
        out[row["demand_id"]] = (row["n"], row["low"])
    return out

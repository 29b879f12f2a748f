"""Writes of the matching app: stored match lists, feedback, weights, notifications.

Every match is a (demand, achievement) pair scored with the demand as the query and the
weights of the demand's market. A demand's list is its best `MATCHING_LIST_SIZE`
achievements (`demand_rank`); an achievement's list is its best demands by the same score
(`achievement_rank`). An achievement's page shows both: its own list, and the demands
whose lists it is in. So:

- a demand published or edited gets its list ranked afresh (`listing_rematch`) and is
  folded into every achievement's own list it now beats the floor of (`_fold_demand`);
  closed, it leaves every list and the lists it was on are ranked again;
- an achievement published or edited is folded into every demand's list it now beats the
  last entry of, dropped from lists when it is no longer published, and gets its own list
  from the same scores;
- `rematch_all` (``manage.py rematch``) refits the index, ranks every demand, then every
  achievement's list (`Index.top_queries`).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from listings.choices import ListingStatus
from listings.locations import listing_url
from listings.models import Achievement, Demand
from market.models import Market, User
from market.services import notify, transition_apply
from matching import adapter
from matching.choices import DismissReason, MatchStatus
from matching.engine.index import Match as Ranked
from matching.engine.weights import Weights
from matching.explain import Explanation
from matching.live import LiveIndex, live_index
from matching.models import Match, MatchPreference, MatchSettings
from matching.records import Record
from matching.selectors import ON_A_LIST, match_audiences

logger = logging.getLogger(__name__)


def list_size() -> int:
    return getattr(settings, "MATCHING_LIST_SIZE", 20)


# Weights


def market_weights(market_ids: Iterable[int | str]) -> dict[int, Weights]:
    """Each market's weights: its own settings, else its parent's, else the defaults."""
    ids = {int(m) for m in market_ids if m not in ("", None)}
    markets = Market.objects.filter(pk__in=ids).select_related("parent")
    settings_by_market = {
        s.market_id: s.weights()
        for s in MatchSettings.objects.filter(
            Q(market_id__in=ids) | Q(market__in=[m.parent_id for m in markets if m.parent_id])
        )
    }
    out = {}
    for m in markets:
        out[m.pk] = settings_by_market.get(m.pk) or settings_by_market.get(m.parent_id) or Weights()
    return out


def _weights_for(weights: dict[int, Weights], market: str) -> Weights:
    return weights.get(int(market), Weights()) if market else Weights()


@transaction.atomic
def match_settings_update(*, market: Market, actor: User, **values: float) -> MatchSettings:
    """Set a market's weights. Only that market's operators (or the main market's) may, and
    only within the bounds the engine allows."""
    from market import permissions

    if not permissions.is_market_operator(actor, market.pk):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("只有该市场的运营人员可以调整匹配权重。"))
    obj = MatchSettings.objects.select_for_update().filter(market=market).first()
    obj = obj or MatchSettings(market=market)
    unknown = set(values) - set(MatchSettings.WEIGHT_FIELDS)
    if unknown:
        raise ValidationError(_("未知的权重：%s") % "、".join(sorted(unknown)))
    for name, value in values.items():
        setattr(obj, name, value)
    obj.updated_by = actor
    obj.full_clean()
    obj.save()
    from matching.tasks import rematch_market

    # The market's lists are ranked again with the new weights, by the worker.
    transaction.on_commit(lambda: rematch_market.enqueue(market.pk))
    return obj


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
    return result


# Storing lists


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


def _on_another_list_or_acted_on(row: Match, other_rank: int | None) -> bool:
    """Whether a pair leaving one list keeps its row: it is on the other side's list, or
    somebody acted on it (feedback is history). Otherwise it is deleted."""
    return other_rank is not None or row.status != MatchStatus.SUGGESTED


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


# Rematching


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
    return result


def _drop_demand(pk: int, result: RematchResult) -> None:
    """A demand no longer published leaves every list: its own and the achievements'."""
    rows = Match.objects.filter(demand_id=pk)
    result.removed += rows.filter(status=MatchStatus.SUGGESTED).delete()[0]
    rows.filter(ON_A_LIST).update(demand_rank=None, achievement_rank=None)


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


# Notifications


DEFAULT_THRESHOLD = MatchPreference._meta.get_field("notify_threshold").default


def notify_new_matches(created: list[Match]) -> int:
    """Tell the demand's people, its assigned broker and the achievement's people about new
    matches that score at or above each person's threshold. Once per match.

    A handful of queries for the whole batch, whatever its size: the audiences
    (`selectors.match_audiences`, the same people the daily digest writes to) and their
    thresholds are read once; matches no threshold can reach are skipped unread."""
    from django.db.models import Min

    lowest = MatchPreference.objects.aggregate(low=Min("notify_threshold"))["low"]
    floor = min(DEFAULT_THRESHOLD, lowest if lowest is not None else DEFAULT_THRESHOLD)
    pks = [m.pk for m in created if m.pk and m.score >= floor]
    if not pks:
        return 0
    matches = list(
        Match.objects.filter(pk__in=pks, notified_at=None).select_related("demand", "achievement")
    )
    audiences = match_audiences(matches)
    user_ids = {u for audience in audiences.values() for u, _kind in audience}
    users = User.objects.in_bulk(user_ids)
    thresholds = dict(
        MatchPreference.objects.filter(user_id__in=user_ids).values_list(
            "user_id", "notify_threshold"
        )
    )
    urls: dict[tuple[str, int], str] = {}
    sent = 0
    for match in matches:
        text = Explanation.from_dict(match.explanation).as_text()
        for user_id, other_kind in audiences[match.pk]:
            user = users.get(user_id)
            if user is None or match.score < thresholds.get(user_id, DEFAULT_THRESHOLD):
                continue
            other = match.achievement if other_kind == "achievement" else match.demand
            title = (
                _("新匹配：“%(title)s”可能满足您的需求")
                if other_kind == "achievement"
                else _("新匹配：您的成果可能满足需求“%(title)s”")
            ) % {"title": other.title}
            key = (other_kind, other.pk)
            if key not in urls:
                urls[key] = listing_url(*key)
            notify(recipient=user, verb="match.new", title=title[:200], body=text, url=urls[key])
            sent += 1
    Match.objects.filter(pk__in=[m.pk for m in matches]).update(notified_at=timezone.now())
    return sent


# Feedback

FEEDBACK_TRANSITIONS = ("view", "dismiss", "restore", "contact", "close_deal")


@transaction.atomic
def match_feedback(
    *,
    match: Match,
    actor: User,
    action: str,
    reason: str = "",
    note: str = "",
) -> Match:
    """Record what someone did with a match: viewed, dismissed (with a reason), restored,
    contacted, or turned into a deal. Dismissed matches stay out of the demand's list."""
    if action not in FEEDBACK_TRANSITIONS:
        raise ValidationError(_("未知的操作。"), code="unknown_action")
    if action == "dismiss" and reason not in DismissReason.values:
        raise ValidationError(_("请选择忽略的原因。"), code="reason_required")
    if action == "view" and match.status != MatchStatus.SUGGESTED:
        return match  # opening a match again is not news
    match = transition_apply(match, transition=action, by=actor, reason=reason or note)
    if action == "dismiss":
        match.dismiss_reason, match.dismiss_note = reason, note[:300]
        match.save(update_fields=["dismiss_reason", "dismiss_note"])
    return match


def demands_without_matches(queryset=None):
    """Published demands that have no stored list yet (the 48-hour rule's first item)."""
    qs = queryset if queryset is not None else Demand.objects.all()
    return qs.filter(status=ListingStatus.PUBLISHED).exclude(matches__demand_rank__isnull=False)

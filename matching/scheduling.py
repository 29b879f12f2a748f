"""The meeting scheduler of a matchmaking event: who meets whom, in which slot, at which table.

An instance is plain data (JSON), so the scheduler runs without the database:

    {"slots": 16, "tables": 60,
     "participants": [{"id": "p1", "available": [0, 1, 2], "max_meetings": 8}, ...],
     "requests": [{"a": "p1", "b": "p2", "kind": "mutual"}, ...],
     "locked": [{"a": "p1", "b": "p2", "slot": 0, "table": 3}, ...]}

Slots and tables are numbered from 0. `requests` and `locked` may be left out.

The hard rules: only requested pairs meet, each pair at most once; nobody is in two places
in one slot; each person meets only in the slots they are available and at most
`max_meetings` times; a table holds one meeting per slot; locked meetings stay exactly
where they are. A locked meeting must itself keep the rules (its pair requested, both
available, no clash, within the limits): one that does not makes the instance bad.

Several requests for the same unordered pair (a→b and b→a, or a repeated row) are one
request: the heaviest kind is kept (mutual, then one-sided, then suggested) and the others
are listed under "duplicates" in the answer.

The objective: mutual requests weigh 3, one-sided 2, engine suggestions 1; the total
weight placed is maximised. Among schedules of equal weight, idle gaps are kept small: a
person's idle gap is a slot they are available in, between their first and last meeting,
in which they have no meeting. The weight is never traded for gaps.

The solver is OR-Tools CP-SAT, within one time limit (model building included):

1. A slot-free bound: a maximum-weight b-matching (each person at most min(their limit,
   their free slots) meetings, all together at most the free tables), by CP-SAT. Its
   optimum bounds every schedule's weight. Its meetings, the scarcest first, then the rest,
   go to the greedy placement (earliest slot that fits); the better of that and the plain
   greedy schedule is the hint. When the hint reaches the bound, the weight is proven.
2. Otherwise the slot model maximises the weight from the hint. Variables are
   x[request, slot] for the slots both people are free in; tables are not variables
   (they are interchangeable): each slot holds at most `tables` meetings, and tables are
   given out afterwards, locked meetings keeping theirs and the others taking the lowest
   free numbers in request order.
3. The gaps: a local search moves meetings to slots that close gaps; then the slot model,
   with the weight held at the proven optimum (minimise gaps) or at least at the best
   found (maximise `weight * (G + 1) - gaps`, G bounding the gaps, so a gap is never
   bought with weight), improves it if time is left. A result is only taken if it is
   better on (weight, -gaps), so the answer never weighs less than the greedy schedule.

"OPTIMAL" means both the weight and the gaps at that weight are proven best;
"weight_bound" is the proven bound on the weight (equal to "weight" when the weight is
proven).

    python -m matching.scheduling INSTANCE.json [--time-limit 8]
        # the answer as JSON on stdout; a bad instance: a message on stderr, exit status 2

The web flow calls `schedule(instance, time_limit=...)`; `greedy(instance)` is the
baseline the benchmark and the tests compare against.
"""

from __future__ import annotations

import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

WEIGHTS = {"mutual": 3, "one_sided": 2, "suggested": 1}


class BadInstance(ValueError):
    """The instance breaks its format or its own rules; `problems` lists every message."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass
class Request:
    index: int  # position among the kept requests
    a: str
    b: str
    kind: str

    @property
    def weight(self) -> int:
        return WEIGHTS[self.kind]

    def as_dict(self) -> dict[str, str]:
        return {"a": self.a, "b": self.b, "kind": self.kind}


@dataclass
class Instance:
    slots: int
    tables: int
    ids: list[str]
    available: dict[str, frozenset[int]]
    max_meetings: dict[str, int]
    requests: list[Request]  # one per unordered pair
    duplicates: list[dict[str, str]]
    locked: list[dict[str, Any]]  # {"a", "b", "slot", "table", "request": Request}
    by_pair: dict[frozenset[str], Request] = field(default_factory=dict)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate(instance: Any) -> Instance:
    """The instance, checked and normalised; BadInstance with every problem found."""
    problems: list[str] = []
    if not isinstance(instance, dict):
        raise BadInstance(["the instance must be a JSON object"])
    for key in ("slots", "tables", "participants"):
        if key not in instance:
            problems.append(f'missing "{key}"')
    if problems:
        raise BadInstance(problems)
    slots, tables = instance["slots"], instance["tables"]
    for name, value in (("slots", slots), ("tables", tables)):
        if not _is_int(value) or value < 0:
            problems.append(f'"{name}" must be a whole number ≥ 0, not {value!r}')
    participants = instance["participants"]
    requests = instance.get("requests", [])
    locked = instance.get("locked", [])
    for name, value in (("participants", participants), ("requests", requests), ("locked", locked)):
        if not isinstance(value, list):
            problems.append(f'"{name}" must be a list')
    if problems:
        raise BadInstance(problems)

    ids: list[str] = []
    available: dict[str, frozenset[int]] = {}
    max_meetings: dict[str, int] = {}
    for i, p in enumerate(participants):
        where = f"participants[{i}]"
        if not isinstance(p, dict):
            problems.append(f"{where} must be an object")
            continue
        pid = p.get("id")
        if not isinstance(pid, str) or not pid:
            problems.append(f'{where}: "id" must be a non-empty string, not {pid!r}')
            continue
        where = f"participant {pid!r}"
        if pid in available:
            problems.append(f"{where} appears more than once")
            continue
        avail = p.get("available", [])
        if not isinstance(avail, list):
            problems.append(f'{where}: "available" must be a list of slot numbers')
            avail = []
        bad = [s for s in avail if not _is_int(s) or not 0 <= s < slots]
        if bad:
            problems.append(
                f"{where}: available slots {bad!r} are out of range (slots are 0 to {slots - 1})"
            )
        limit = p.get("max_meetings")
        if not _is_int(limit) or limit < 0:
            problems.append(f'{where}: "max_meetings" must be a whole number ≥ 0, not {limit!r}')
            limit = 0
        ids.append(pid)
        available[pid] = frozenset(s for s in avail if _is_int(s) and 0 <= s < slots)
        max_meetings[pid] = limit

    def pair_problems(where: str, row: Any) -> str | None:
        if not isinstance(row, dict):
            return f"{where} must be an object"
        a, b = row.get("a"), row.get("b")
        unknown = [x for x in (a, b) if not isinstance(x, str) or x not in available]
        if unknown:
            return f"{where}: unknown participant {unknown[0]!r}"
        if a == b:
            return f"{where}: {a!r} cannot meet themselves"
        return None

    kept: dict[frozenset[str], Request] = {}
    order: list[frozenset[str]] = []
    duplicates: list[dict[str, str]] = []
    for i, r in enumerate(requests):
        where = f"requests[{i}]"
        problem = pair_problems(where, r)
        if problem:
            problems.append(problem)
            continue
        if r.get("kind") not in WEIGHTS:
            problems.append(
                f'{where}: "kind" must be one of mutual, one_sided, suggested, '
                f"not {r.get('kind')!r}"
            )
            continue
        request = Request(0, r["a"], r["b"], r["kind"])
        pair = frozenset((r["a"], r["b"]))
        if pair not in kept:
            kept[pair] = request
            order.append(pair)
        elif request.weight > kept[pair].weight:
            duplicates.append(kept[pair].as_dict())
            kept[pair] = request
        else:
            duplicates.append(request.as_dict())
    kept_requests = []
    for index, pair in enumerate(order):
        kept[pair].index = index
        kept_requests.append(kept[pair])

    locked_rows: list[dict[str, Any]] = []
    busy: dict[tuple[str, int], int] = {}
    tables_used: dict[tuple[int, int], int] = {}
    pairs_locked: dict[frozenset[str], int] = {}
    count: dict[str, int] = defaultdict(int)
    for i, m in enumerate(locked):
        where = f"locked[{i}]"
        problem = pair_problems(where, m)
        if problem:
            problems.append(problem)
            continue
        a, b, slot, table = m["a"], m["b"], m.get("slot"), m.get("table")
        where = f"locked meeting {a!r}–{b!r}"
        if not _is_int(slot) or not 0 <= slot < slots:
            problems.append(f"{where}: slot {slot!r} is out of range (0 to {slots - 1})")
            continue
        if not _is_int(table) or not 0 <= table < tables:
            problems.append(f"{where}: table {table!r} is out of range (0 to {tables - 1})")
            continue
        pair = frozenset((a, b))
        if pair not in kept:
            problems.append(f"{where}: the pair has no request")
            continue
        if pair in pairs_locked:
            problems.append(f"{where}: the pair is locked twice (locked[{pairs_locked[pair]}])")
            continue
        clash = False
        for person in (a, b):
            if slot not in available[person]:
                problems.append(f"{where}: {person!r} is not available in slot {slot}")
                clash = True
            if (person, slot) in busy:
                problems.append(
                    f"{where}: {person!r} is already in locked[{busy[person, slot]}] in slot {slot}"
                )
                clash = True
        if (slot, table) in tables_used:
            problems.append(
                f"{where}: table {table} in slot {slot} is already taken by "
                f"locked[{tables_used[slot, table]}]"
            )
            clash = True
        if clash:
            continue
        pairs_locked[pair] = i
        busy[a, slot] = busy[b, slot] = i
        tables_used[slot, table] = i
        count[a] += 1
        count[b] += 1
        locked_rows.append({"a": a, "b": b, "slot": slot, "table": table, "request": kept[pair]})
    for person, n in count.items():
        if n > max_meetings[person]:
            problems.append(
                f"participant {person!r} has {n} locked meetings, above max_meetings "
                f"{max_meetings[person]}"
            )
    if problems:
        raise BadInstance(problems)
    return Instance(
        slots=slots,
        tables=tables,
        ids=ids,
        available=available,
        max_meetings=max_meetings,
        requests=kept_requests,
        duplicates=duplicates,
        locked=locked_rows,
        by_pair=kept,
    )


# -- gaps and the answer ------------------------------------------------------------------


def gaps_of(meetings: list[dict[str, Any]], available: dict[str, frozenset[int]]) -> dict:
    """Idle gaps: slots a person is available in, between their first and last meeting,
    without a meeting."""
    taken: dict[str, set[int]] = defaultdict(set)
    for m in meetings:
        taken[m["a"]].add(m["slot"])
        taken[m["b"]].add(m["slot"])
    per_person = {}
    for person, slots in taken.items():
        lo, hi = min(slots), max(slots)
        per_person[person] = sum(1 for s in available[person] if lo < s < hi and s not in slots)
    return {"total": sum(per_person.values()), "per_person": dict(sorted(per_person.items()))}


def _answer(
    inst: Instance,
    placed: dict[int, int],  # request index -> slot, locked ones included
    *,
    status: str,
    started: float,
    bound: int | None = None,
) -> dict:
    locked_index = {m["request"].index: m for m in inst.locked}
    taken: dict[int, set[int]] = defaultdict(set)
    meetings = []
    for m in inst.locked:
        taken[m["slot"]].add(m["table"])
        meetings.append(
            {
                "a": m["a"],
                "b": m["b"],
                "slot": m["slot"],
                "table": m["table"],
                "kind": m["request"].kind,
                "locked": True,
            }
        )
    for index in sorted(placed):
        if index in locked_index:
            continue
        r, slot = inst.requests[index], placed[index]
        table = next(t for t in range(inst.tables) if t not in taken[slot])
        taken[slot].add(table)
        meetings.append(
            {"a": r.a, "b": r.b, "slot": slot, "table": table, "kind": r.kind, "locked": False}
        )
    meetings.sort(key=lambda m: (m["slot"], m["table"]))
    weight = sum(inst.requests[i].weight for i in placed)
    answer = {
        "meetings": meetings,
        "weight": weight,
        "unplaced": [r.as_dict() for r in inst.requests if r.index not in placed],
        "duplicates": inst.duplicates,
        "gaps": gaps_of(meetings, inst.available),
        "status": status,
        "seconds": round(time.perf_counter() - started, 3),
    }
    if bound is not None:
        answer["weight_bound"] = bound
    return answer


# -- the greedy baseline ------------------------------------------------------------------


def _greedy_placement(inst: Instance, first: list[int] | None = None) -> dict[int, int]:
    """Heaviest requests first (input order among equals), each in the earliest slot that
    keeps every rule; locked meetings first, where they are. `first` (request indexes) are
    tried before the others, in their order."""
    busy: set[tuple[str, int]] = set()
    count: dict[str, int] = defaultdict(int)
    in_slot: dict[int, int] = defaultdict(int)
    placed: dict[int, int] = {}
    for m in inst.locked:
        placed[m["request"].index] = m["slot"]
        busy.update(((m["a"], m["slot"]), (m["b"], m["slot"])))
        count[m["a"]] += 1
        count[m["b"]] += 1
        in_slot[m["slot"]] += 1
    rest = sorted(inst.requests, key=lambda r: (-r.weight, r.index))
    order = [inst.requests[i] for i in first or []] + rest
    for r in order:
        if r.index in placed:
            continue
        if count[r.a] >= inst.max_meetings[r.a] or count[r.b] >= inst.max_meetings[r.b]:
            continue
        for s in sorted(inst.available[r.a] & inst.available[r.b]):
            if (r.a, s) in busy or (r.b, s) in busy or in_slot[s] >= inst.tables:
                continue
            placed[r.index] = s
            busy.update(((r.a, s), (r.b, s)))
            count[r.a] += 1
            count[r.b] += 1
            in_slot[s] += 1
            break
    return placed


def _matching_first(inst: Instance, seconds: float, workers: int) -> tuple[list[int], int | None]:
    """Which meetings to place, slots aside: a maximum-weight b-matching (each person at
    most min(their room, their free slots), all at most the free tables), by CP-SAT. Its
    meetings, the scarcest first, go to the greedy placement before the rest. Also returns
    the bound it proves on any schedule's weight (locked meetings included), or None."""
    from ortools.sat.python import cp_model

    busy = {(m[p], m["slot"]) for m in inst.locked for p in ("a", "b")}
    count: dict[str, int] = defaultdict(int)
    for m in inst.locked:
        count[m["a"]] += 1
        count[m["b"]] += 1
    free = {p: {s for s in inst.available[p] if (p, s) not in busy} for p in inst.ids}
    locked = {m["request"].index for m in inst.locked}
    model = cp_model.CpModel()
    y, by_person, options = {}, defaultdict(list), {}
    for r in inst.requests:
        if r.index in locked:
            continue
        common = free[r.a] & free[r.b]
        if not common:
            continue
        y[r.index] = v = model.new_bool_var(f"y{r.index}")
        options[r.index] = len(common)
        by_person[r.a].append(v)
        by_person[r.b].append(v)
    locked_weight = sum(m["request"].weight for m in inst.locked)
    if not y:
        return [], locked_weight
    for p, vs in by_person.items():
        model.add(sum(vs) <= max(0, min(inst.max_meetings[p] - count[p], len(free[p]))))
    model.add(sum(y.values()) <= inst.slots * inst.tables - len(inst.locked))
    model.maximize(sum(inst.requests[i].weight * v for i, v in y.items()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, seconds)
    solver.parameters.num_search_workers = workers
    solver.parameters.random_seed = 1
    # The model is a plain b-matching whose LP is nearly tight: presolve costs seconds on a
    # large instance and saves nothing (0.4 s against 4.3 s at 3,000 requests).
    solver.parameters.cp_model_presolve = False
    result = solver.solve(model)
    if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], None
    chosen = [i for i, v in y.items() if solver.boolean_value(v)]
    bound = round(solver.best_objective_bound) + locked_weight
    return sorted(chosen, key=lambda i: (options[i], -inst.requests[i].weight, i)), bound


def greedy(instance: dict) -> dict:
    """The baseline: by weight, then in the earliest slot that fits. Same answer shape."""
    started = time.perf_counter()
    inst = validate(instance)
    return _answer(inst, _greedy_placement(inst), status="FEASIBLE", started=started)


def _fewer_gaps(inst: Instance, placed: dict[int, int], deadline: float) -> dict[int, int]:
    """Moves meetings (not locked ones) to other slots while a move takes idle gaps off the
    two people's days and keeps every rule: a local search, for when the solver's gap
    phase has no time on a large instance. The weight does not change."""
    locked = {m["request"].index for m in inst.locked}
    placed = dict(placed)
    slots_of: dict[str, set[int]] = defaultdict(set)
    in_slot: dict[int, int] = defaultdict(int)
    for i, s in placed.items():
        r = inst.requests[i]
        slots_of[r.a].add(s)
        slots_of[r.b].add(s)
        in_slot[s] += 1

    def gaps(person: str, taken: set[int]) -> int:
        if len(taken) < 2:
            return 0
        lo, hi = min(taken), max(taken)
        return sum(1 for s in inst.available[person] if lo < s < hi and s not in taken)

    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for i in sorted(placed):
            if i in locked:
                continue
            r, s = inst.requests[i], placed[i]
            ta, tb = slots_of[r.a], slots_of[r.b]
            now = gaps(r.a, ta) + gaps(r.b, tb)
            if now == 0:
                continue
            for t in sorted(inst.available[r.a] & inst.available[r.b]):
                if t in ta or t in tb or in_slot[t] >= inst.tables:
                    continue
                after = gaps(r.a, ta - {s} | {t}) + gaps(r.b, tb - {s} | {t})
                if after < now:
                    ta.discard(s)
                    tb.discard(s)
                    ta.add(t)
                    tb.add(t)
                    in_slot[s] -= 1
                    in_slot[t] += 1
                    placed[i] = t
                    improved = True
                    break
    return placed


# -- the solver ---------------------------------------------------------------------------


def schedule(
    instance: dict, *, time_limit: float = 8.0, workers: int = 2, fewer_gaps: bool = True
) -> dict:
    """The best schedule CP-SAT finds within `time_limit` seconds (model building included).

    Returns {"meetings": [{"a", "b", "slot", "table", "kind", "locked"}], "weight",
    "unplaced": [{"a", "b", "kind"}], "duplicates", "gaps": {"total", "per_person"},
    "status": "OPTIMAL" | "FEASIBLE", "weight_bound", "seconds"}. "OPTIMAL" means both the
    weight and, among that weight, the gaps are proven best (with `fewer_gaps=False`, which
    skips the gaps and is for measuring, just the weight). Raises BadInstance.
    """
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    deadline = started + time_limit
    inst = validate(instance)
    hint = _greedy_placement(inst)
    hint_weight = sum(inst.requests[i].weight for i in hint)
    first, upper = _matching_first(inst, (deadline - time.perf_counter()) * 0.4, workers)
    if first:
        better = _greedy_placement(inst, first)
        better_weight = sum(inst.requests[i].weight for i in better)
        if better_weight > hint_weight:
            hint, hint_weight = better, better_weight

    locked_slot = {m["request"].index: m["slot"] for m in inst.locked}
    busy: set[tuple[str, int]] = set()
    count: dict[str, int] = defaultdict(int)
    in_slot: dict[int, int] = defaultdict(int)
    for m in inst.locked:
        busy.update(((m["a"], m["slot"]), (m["b"], m["slot"])))
        count[m["a"]] += 1
        count[m["b"]] += 1
        in_slot[m["slot"]] += 1
    room = {p: inst.max_meetings[p] - count[p] for p in inst.ids}

    model = cp_model.CpModel()
    x: dict[tuple[int, int], Any] = {}
    by_request: dict[int, list] = defaultdict(list)
    by_person_slot: dict[tuple[str, int], list] = defaultdict(list)
    by_person: dict[str, list] = defaultdict(list)
    by_slot: dict[int, list] = defaultdict(list)
    for r in inst.requests:
        if r.index in locked_slot or room[r.a] <= 0 or room[r.b] <= 0:
            continue
        for s in sorted(inst.available[r.a] & inst.available[r.b]):
            if (r.a, s) in busy or (r.b, s) in busy or in_slot[s] >= inst.tables:
                continue
            v = model.new_bool_var(f"x{r.index}_{s}")
            x[r.index, s] = v
            by_request[r.index].append(v)
            by_person_slot[r.a, s].append(v)
            by_person_slot[r.b, s].append(v)
            by_person[r.a].append(v)
            by_person[r.b].append(v)
            by_slot[s].append(v)
    for vs in by_request.values():
        if len(vs) > 1:
            model.add_at_most_one(vs)
    for vs in by_person_slot.values():
        if len(vs) > 1:
            model.add_at_most_one(vs)
    for p, vs in by_person.items():
        if len(vs) > room[p]:
            model.add(sum(vs) <= room[p])
    for s, vs in by_slot.items():
        if len(vs) > inst.tables - in_slot[s]:
            model.add(sum(vs) <= inst.tables - in_slot[s])

    locked_weight = sum(m["request"].weight for m in inst.locked)
    weight_expr = sum(inst.requests[i].weight * v for (i, _s), v in x.items())
    for (i, s), v in x.items():
        model.add_hint(v, hint.get(i) == s)

    def solver_for(seconds: float):
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, seconds)
        solver.parameters.num_search_workers = workers
        solver.parameters.random_seed = 1
        return solver

    def placement(solver) -> dict[int, int]:
        placed = dict(locked_slot)
        for (i, s), v in x.items():
            if solver.boolean_value(v):
                placed[i] = s
        return placed

    if not x:
        return _answer(inst, hint, status="OPTIMAL", started=started, bound=hint_weight)

    # Phase 1: the weight, unless the hint already meets the matching's bound. Most of the
    # time left, keeping some for the gaps.
    placed, best = hint, hint_weight
    bound = upper if upper is not None else sum(r.weight for r in inst.requests)
    weight_proven = best >= bound
    if not weight_proven:
        model.maximize(weight_expr)
        solver = solver_for((deadline - time.perf_counter()) * 0.6)
        result = solver.solve(model)
        if result in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            bound = min(bound, round(solver.best_objective_bound) + locked_weight)
            found = round(solver.objective_value) + locked_weight
            if found > best:
                placed, best = placement(solver), found
            weight_proven = result == cp_model.OPTIMAL or best >= bound

    def key(chosen: dict[int, int]) -> tuple[int, int]:
        rows = [
            {"a": inst.requests[i].a, "b": inst.requests[i].b, "slot": s} for i, s in chosen.items()
        ]
        weight = sum(inst.requests[i].weight for i in chosen)
        return weight, -gaps_of(rows, inst.available)["total"]

    # Phase 2: the gaps among schedules of that weight (or more, if not proven), from the
    # local search's schedule, which is also kept if the solver finds nothing better.
    if not fewer_gaps:
        status = "OPTIMAL" if weight_proven else "FEASIBLE"
        return _answer(inst, placed, status=status, started=started, bound=max(bound, best))
    placed = _fewer_gaps(inst, placed, deadline - 0.5)
    model.clear_hints()
    for (i, s), v in x.items():
        model.add_hint(v, placed.get(i) == s)
    gap_terms = []
    for p in inst.ids:
        slots_p = sorted(inst.available[p])
        if not by_person.get(p) or len(slots_p) < 3:
            continue
        has = {}
        for s in slots_p:
            vs = by_person_slot.get((p, s), [])
            has[s] = 1 if (p, s) in busy else (sum(vs) if vs else 0)
        if sum(1 for s in slots_p if not isinstance(has[s], int) or has[s]) < 2:
            continue
        seen, ahead = {}, {}
        prev = None
        for s in slots_p:
            b = model.new_bool_var(f"seen{p}_{s}")
            model.add(b >= has[s])
            if prev is not None:
                model.add(b >= prev)
            seen[s] = prev = b
        prev = None
        for s in reversed(slots_p):
            e = model.new_bool_var(f"ahead{p}_{s}")
            model.add(e >= has[s])
            if prev is not None:
                model.add(e >= prev)
            ahead[s] = prev = e
        for s in slots_p[1:-1]:
            g = model.new_bool_var(f"gap{p}_{s}")
            model.add(g >= seen[s] + ahead[s] - 1 - has[s])
            gap_terms.append(g)
    status = "OPTIMAL" if weight_proven else "FEASIBLE"
    # CP-SAT can overrun its limit by a fraction of a second while it presolves.
    remaining = deadline - time.perf_counter() - 0.5
    if gap_terms and remaining > 0.2:
        gaps = sum(gap_terms)
        if weight_proven:
            model.add(weight_expr == best - locked_weight)
            model.minimize(gaps)
        else:
            model.add(weight_expr >= best - locked_weight)
            model.maximize(weight_expr * (len(gap_terms) + 1) - gaps)
        solver = solver_for(remaining)
        result = solver.solve(model)
        if result in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            candidate = placement(solver)
            if key(candidate) > key(placed):
                placed = candidate
            if result != cp_model.OPTIMAL:
                status = "FEASIBLE"
            elif not weight_proven:
                status = "OPTIMAL"  # the combined objective proves both at once
        else:
            status = "FEASIBLE"
    elif gap_terms:
        status = "FEASIBLE"
    weight = sum(inst.requests[i].weight for i in placed)
    if status == "OPTIMAL" or weight_proven:
        bound = weight
    return _answer(inst, placed, status=status, started=started, bound=max(bound, weight))


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m matching.scheduling",
        description="Schedule a matchmaking event's meetings; the answer as JSON on stdout.",
    )
    parser.add_argument("instance", help="the instance, a JSON file")
    parser.add_argument("--time-limit", type=float, default=8.0, help="seconds (8)")
    args = parser.parse_args(argv)  # a usage error exits with status 2 too
    try:
        with open(args.instance, encoding="utf-8") as f:
            instance = json.load(f)
    except OSError as e:
        print(f"cannot read {args.instance}: {e.strerror or e}", file=sys.stderr)
        return 2
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        print(f"{args.instance} is not valid JSON: {e}", file=sys.stderr)
        return 2
    try:
        answer = schedule(instance, time_limit=args.time_limit)
    except BadInstance as e:
        print(f"bad instance {args.instance}:", file=sys.stderr)
        for problem in e.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    json.dump(answer, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

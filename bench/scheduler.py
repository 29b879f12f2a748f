"""Benchmark of the meeting scheduler (issue 15): `matching.scheduling.schedule`.

    python bench/scheduler.py                     # the large instance and 5 small ones
    python bench/scheduler.py --small 10 --seed 7

The large instance: 300 participants, 3,000 accepted requests (30 % mutual, 40 % one-sided,
30 % engine suggestions; popular participants are asked more, Zipf-like), 16 slots, 60
tables, 20 locked meetings. A quarter of the participants miss a block of 2–5 slots, and
each may meet 4–10 times. Timed: `schedule` with the production settings (time limit 8 s,
2 workers), model building included; target < 10 s. Beside it, the greedy baseline measured
in the same run (heaviest first, earliest slot that fits), and the weight bound CP-SAT
proved.

The small instances (40 participants, 200 requests, 8 slots, 10 tables by default): CP-SAT
without time pressure (a limit of --exact-limit seconds) proves the maximum weight; then the
production settings' weight as a share of it (the exact run skips the gap phase, which
only orders schedules of equal weight) (target ≥ 98 %), beside greedy's share.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from matching.scheduling import greedy, schedule

KINDS = (("mutual", 0.3), ("one_sided", 0.4), ("suggested", 0.3))


def make_instance(
    rng: random.Random,
    *,
    participants: int,
    requests: int,
    slots: int,
    tables: int,
    locked: int = 0,
    limits: tuple[int, int] = (4, 10),
) -> dict:
    people = []
    for i in range(participants):
        available = list(range(slots))
        if rng.random() < 0.25 and slots > 4:
            length = rng.randint(2, min(5, slots - 2))
            start = rng.randint(0, slots - length)
            available = [s for s in available if not start <= s < start + length]
        people.append(
            {"id": f"p{i:03d}", "available": available, "max_meetings": rng.randint(*limits)}
        )
    popularity = [1.0 / (rank + 5) for rank in range(participants)]
    rng.shuffle(popularity)
    ids = [p["id"] for p in people]
    pairs: set[frozenset[str]] = set()
    rows = []
    while len(rows) < requests:
        a, b = rng.choices(ids, weights=popularity, k=2)
        if a == b or frozenset((a, b)) in pairs:
            continue
        pairs.add(frozenset((a, b)))
        kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
        rows.append({"a": a, "b": b, "kind": kind})
    # Locked meetings that keep the rules: a request, a slot both are free in, a free table.
    avail = {p["id"]: set(p["available"]) for p in people}
    limit = {p["id"]: p["max_meetings"] for p in people}
    busy, used, count, locks = set(), set(), {}, []
    for r in rng.sample(rows, len(rows)):
        if len(locks) >= locked:
            break
        a, b = r["a"], r["b"]
        if count.get(a, 0) >= limit[a] or count.get(b, 0) >= limit[b]:
            continue
        free = [s for s in avail[a] & avail[b] if (a, s) not in busy and (b, s) not in busy]
        if not free:
            continue
        s = rng.choice(sorted(free))
        t = next((t for t in range(tables) if (s, t) not in used), None)
        if t is None:
            continue
        busy.update(((a, s), (b, s)))
        used.add((s, t))
        count[a] = count.get(a, 0) + 1
        count[b] = count.get(b, 0) + 1
        locks.append({"a": a, "b": b, "slot": s, "table": t})
    return {
        "slots": slots,
        "tables": tables,
        "participants": people,
        "requests": rows,
        "locked": locks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--slots", type=int, default=16)
    parser.add_argument("--tables", type=int, default=60)
    parser.add_argument("--time-limit", type=float, default=8.0, help="production setting")
    parser.add_argument("--small", type=int, default=5, help="small instances to prove")
    parser.add_argument("--small-participants", type=int, default=40)
    parser.add_argument("--small-requests", type=int, default=200)
    parser.add_argument("--small-slots", type=int, default=8)
    parser.add_argument("--small-tables", type=int, default=10)
    parser.add_argument("--small-max-meetings", type=int, default=6, help="limits 2 to this")
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--exact-limit", type=float, default=300.0)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    big = make_instance(
        rng,
        participants=args.participants,
        requests=args.requests,
        slots=args.slots,
        tables=args.tables,
        locked=20,
    )
    if not args.skip_large:
        run_large(args, big)
    run_small(args, rng)


def run_large(args, big: dict) -> None:
    t0 = time.perf_counter()
    base = greedy(big)
    greedy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    answer = schedule(big, time_limit=args.time_limit)
    solve_s = time.perf_counter() - t0
    print(
        f"scheduler benchmark: {args.participants} participants, {args.requests} requests, "
        f"{args.slots} slots, {args.tables} tables, {len(big['locked'])} locked (seed {args.seed})"
    )
    print(
        f"  CP-SAT (time limit {args.time_limit:g} s, 2 workers): {solve_s:.2f} s "
        f"{'met' if solve_s < 10 else 'NOT met'} (< 10 s), status {answer['status']}"
    )
    print(
        f"    weight {answer['weight']} (proven bound {answer['weight_bound']}, "
        f"{100 * answer['weight'] / answer['weight_bound']:.2f} % of it), "
        f"{len(answer['meetings'])} meetings, {len(answer['unplaced'])} unplaced, "
        f"idle gaps {answer['gaps']['total']}"
    )
    print(
        f"  greedy baseline: {greedy_s:.3f} s, weight {base['weight']}, "
        f"{len(base['meetings'])} meetings, idle gaps {base['gaps']['total']}"
    )
    print(
        f"  CP-SAT / greedy weight: {answer['weight'] / base['weight']:.3f}× "
        f"(+{answer['weight'] - base['weight']})"
    )


def run_small(args, rng: random.Random) -> None:
    print(
        f"\nsmall instances: {args.small_participants} participants, {args.small_requests} "
        f"requests, {args.small_slots} slots, {args.small_tables} tables, 3 locked"
    )
    prod_shares, greedy_shares = [], []
    for i in range(args.small):
        inst = make_instance(
            rng,
            participants=args.small_participants,
            requests=args.small_requests,
            slots=args.small_slots,
            tables=args.small_tables,
            locked=3,
            limits=(2, args.small_max_meetings),
        )
        t0 = time.perf_counter()
        exact = schedule(inst, time_limit=args.exact_limit, fewer_gaps=False)
        exact_s = time.perf_counter() - t0
        proven = exact["weight"] == exact["weight_bound"]
        t0 = time.perf_counter()
        fast = schedule(inst, time_limit=args.time_limit)
        fast_s = time.perf_counter() - t0
        base = greedy(inst)
        optimum = exact["weight_bound"]
        prod_shares.append(100 * fast["weight"] / optimum)
        greedy_shares.append(100 * base["weight"] / optimum)
        print(
            f"  #{i + 1}: optimum {optimum} ({'proven' if proven else 'NOT proven'}, "
            f"{exact_s:.2f} s, status {exact['status']}); production {fast['weight']} "
            f"= {prod_shares[-1]:.1f} % ({fast_s:.2f} s); greedy {base['weight']} "
            f"= {greedy_shares[-1]:.1f} %; gaps {fast['gaps']['total']} vs greedy "
            f"{base['gaps']['total']}"
        )
    if prod_shares:
        worst = min(prod_shares)
        print(
            f"  production: mean {statistics.mean(prod_shares):.1f} %, worst {worst:.1f} % "
            f"of the proven optimum ({'met' if worst >= 98 else 'NOT met'}, ≥ 98 %); greedy "
            f"mean {statistics.mean(greedy_shares):.1f} %, worst {min(greedy_shares):.1f} %"
        )


if __name__ == "__main__":
    main()

"""The meeting scheduler (matching.scheduling): the hard rules, checked by an independent
checker on seeded random instances; the optimum against exhaustive search on tiny ones;
the greedy baseline; the gap tie-break; the command line. No database."""

import itertools
import json
import random
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from matching.scheduling import WEIGHTS, BadInstance, greedy, schedule, validate

ROOT = Path(__file__).resolve().parents[2]


def check(instance: dict, answer: dict) -> None:
    """Every hard rule, from the instance and the answer alone."""
    slots, tables = instance["slots"], instance["tables"]
    people = {p["id"]: p for p in instance["participants"]}
    kinds: dict[frozenset, int] = {}
    for r in instance.get("requests", []):
        pair = frozenset((r["a"], r["b"]))
        kinds[pair] = max(kinds.get(pair, 0), WEIGHTS[r["kind"]])
    seen_pairs, where, at_table = set(), set(), set()
    count = defaultdict(int)
    weight = 0
    for m in answer["meetings"]:
        a, b, s, t = m["a"], m["b"], m["slot"], m["table"]
        pair = frozenset((a, b))
        assert pair in kinds, f"{a}-{b} was not requested"
        assert pair not in seen_pairs, f"{a}-{b} meet twice"
        seen_pairs.add(pair)
        assert 0 <= s < slots and 0 <= t < tables
        for person in (a, b):
            assert (person, s) not in where, f"{person} is in two places in slot {s}"
            where.add((person, s))
            assert s in people[person]["available"], f"{person} is not free in slot {s}"
            count[person] += 1
        assert (s, t) not in at_table, f"table {t} holds two meetings in slot {s}"
        at_table.add((s, t))
        weight += kinds[pair]
    for person, n in count.items():
        assert n <= people[person]["max_meetings"]
    placed = {(m["a"], m["b"], m["slot"], m["table"]) for m in answer["meetings"]}
    for lock in instance.get("locked", []):
        assert (lock["a"], lock["b"], lock["slot"], lock["table"]) in placed or (
            lock["b"],
            lock["a"],
            lock["slot"],
            lock["table"],
        ) in placed, f"locked {lock} moved"
    assert answer["weight"] == weight
    assert len(answer["meetings"]) + len(answer["unplaced"]) == len(kinds)
    assert answer["gaps"]["total"] == total_gaps(instance, answer["meetings"])


def total_gaps(instance: dict, meetings: list[dict]) -> int:
    """Available slots between a person's first and last meeting without a meeting."""
    taken = defaultdict(set)
    for m in meetings:
        taken[m["a"]].add(m["slot"])
        taken[m["b"]].add(m["slot"])
    people = {p["id"]: p for p in instance["participants"]}
    return sum(
        sum(1 for s in people[p]["available"] if min(ss) < s < max(ss) and s not in ss)
        for p, ss in taken.items()
    )


def random_instance(rng: random.Random, n: int, requests: int, slots: int, tables: int):
    people = [
        {
            "id": f"p{i}",
            "available": sorted(rng.sample(range(slots), rng.randint(1, slots))),
            "max_meetings": rng.randint(0, slots),
        }
        for i in range(n)
    ]
    rows = []
    for _ in range(requests):
        a, b = rng.sample([p["id"] for p in people], 2)
        rows.append({"a": a, "b": b, "kind": rng.choice(list(WEIGHTS))})
    instance = {"slots": slots, "tables": tables, "participants": people, "requests": rows}
    # Lock a few of the greedy schedule's meetings, moved to other tables where one is free.
    base = greedy(instance)
    locked = []
    for m in base["meetings"][: rng.randint(0, 3)]:
        locked.append({"a": m["a"], "b": m["b"], "slot": m["slot"], "table": m["table"]})
    instance["locked"] = locked
    return instance


def exhaustive(instance: dict) -> tuple[int, int]:
    """The maximum weight, and the fewest gaps at that weight, by trying every schedule."""
    inst = validate(instance)
    locked = {m["request"].index: m["slot"] for m in inst.locked}
    free = [r for r in inst.requests if r.index not in locked]
    best = (-1, 0)
    for choice in itertools.product(range(-1, inst.slots), repeat=len(free)):
        slot_of = dict(locked)
        slot_of.update({r.index: s for r, s in zip(free, choice, strict=True) if s >= 0})
        where, count, per_slot = set(), defaultdict(int), defaultdict(int)
        ok = True
        for i, s in slot_of.items():
            r = inst.requests[i]
            per_slot[s] += 1
            for p in (r.a, r.b):
                if (p, s) in where or s not in inst.available[p]:
                    ok = False
                where.add((p, s))
                count[p] += 1
        ok = ok and all(count[p] <= inst.max_meetings[p] for p in count)
        ok = ok and all(n <= inst.tables for n in per_slot.values())
        if not ok:
            continue
        rows = [
            {"a": inst.requests[i].a, "b": inst.requests[i].b, "slot": s}
            for i, s in slot_of.items()
        ]
        weight = sum(inst.requests[i].weight for i in slot_of)
        best = max(best, (weight, -total_gaps(instance, rows)))
    return best[0], -best[1]


@pytest.mark.parametrize("seed", range(12))
def test_random_instances_keep_every_rule_and_beat_greedy(seed):
    rng = random.Random(seed)
    instance = random_instance(
        rng, n=rng.randint(4, 25), requests=rng.randint(5, 80), slots=rng.randint(1, 8), tables=3
    )
    answer = schedule(instance, time_limit=5)
    check(instance, answer)
    base = greedy(instance)
    check(instance, base)
    assert answer["weight"] >= base["weight"]
    assert answer["weight"] <= answer["weight_bound"]
    assert answer["status"] in ("OPTIMAL", "FEASIBLE")
    locked = {(m["a"], m["b"], m["slot"], m["table"]) for m in answer["meetings"] if m["locked"]}
    assert locked == {(m["a"], m["b"], m["slot"], m["table"]) for m in instance["locked"]}


@pytest.mark.parametrize("seed", range(15))
def test_tiny_instances_reach_the_exhaustive_optimum(seed):
    rng = random.Random(100 + seed)
    instance = random_instance(
        rng, n=rng.randint(3, 5), requests=rng.randint(2, 6), slots=rng.randint(1, 3), tables=2
    )
    weight, gaps = exhaustive(instance)
    answer = schedule(instance, time_limit=5)
    check(instance, answer)
    assert answer["status"] == "OPTIMAL"
    assert answer["weight"] == weight
    assert answer["gaps"]["total"] == gaps


def test_the_solver_beats_greedy_where_greedy_blocks_itself():
    # Greedy places the heavy a-b first, in slot 0, which both a-c and b-d need.
    instance = {
        "slots": 2,
        "tables": 5,
        "participants": [
            {"id": "a", "available": [0, 1], "max_meetings": 1},
            {"id": "b", "available": [0, 1], "max_meetings": 1},
            {"id": "c", "available": [0], "max_meetings": 1},
            {"id": "d", "available": [0], "max_meetings": 1},
        ],
        "requests": [
            {"a": "a", "b": "b", "kind": "mutual"},
            {"a": "a", "b": "c", "kind": "one_sided"},
            {"a": "b", "b": "d", "kind": "one_sided"},
        ],
    }
    assert greedy(instance)["weight"] == 3
    answer = schedule(instance)
    check(instance, answer)
    assert answer["weight"] == 4
    assert answer["status"] == "OPTIMAL"


def test_among_equal_weights_the_gaps_are_small():
    # c is only free in slot 2; greedy puts a-b in slot 0 and leaves a idle in slot 1.
    instance = {
        "slots": 3,
        "tables": 5,
        "participants": [
            {"id": "a", "available": [0, 1, 2], "max_meetings": 3},
            {"id": "b", "available": [0, 1, 2], "max_meetings": 3},
            {"id": "c", "available": [2], "max_meetings": 3},
        ],
        "requests": [
            {"a": "a", "b": "b", "kind": "mutual"},
            {"a": "c", "b": "a", "kind": "suggested"},
        ],
    }
    base = greedy(instance)
    assert base["gaps"] == {"total": 1, "per_person": {"a": 1, "b": 0, "c": 0}}
    answer = schedule(instance)
    check(instance, answer)
    assert answer["weight"] == base["weight"] == 4
    assert answer["gaps"]["total"] == 0
    assert {(m["a"], m["slot"]) for m in answer["meetings"]} == {("a", 1), ("c", 2)}


def test_locked_meetings_stay_and_tables_are_given_around_them():
    instance = {
        "slots": 1,
        "tables": 2,
        "participants": [{"id": x, "available": [0], "max_meetings": 1} for x in "abcd"],
        "requests": [
            {"a": "a", "b": "b", "kind": "suggested"},
            {"a": "c", "b": "d", "kind": "mutual"},
        ],
        "locked": [{"a": "a", "b": "b", "slot": 0, "table": 0}],
    }
    answer = schedule(instance)
    check(instance, answer)
    assert answer["meetings"] == [
        {"a": "a", "b": "b", "slot": 0, "table": 0, "kind": "suggested", "locked": True},
        {"a": "c", "b": "d", "slot": 0, "table": 1, "kind": "mutual", "locked": False},
    ]


def test_duplicate_requests_keep_the_heaviest():
    instance = {
        "slots": 1,
        "tables": 1,
        "participants": [{"id": x, "available": [0], "max_meetings": 1} for x in "ab"],
        "requests": [
            {"a": "a", "b": "b", "kind": "suggested"},
            {"a": "b", "b": "a", "kind": "mutual"},
            {"a": "a", "b": "b", "kind": "one_sided"},
        ],
    }
    answer = schedule(instance)
    assert answer["weight"] == 3
    assert [m["kind"] for m in answer["meetings"]] == ["mutual"]
    assert answer["duplicates"] == [
        {"a": "a", "b": "b", "kind": "suggested"},
        {"a": "a", "b": "b", "kind": "one_sided"},
    ]


GOOD = {
    "slots": 2,
    "tables": 1,
    "participants": [
        {"id": "a", "available": [0, 1], "max_meetings": 2},
        {"id": "b", "available": [0, 1], "max_meetings": 2},
        {"id": "c", "available": [1], "max_meetings": 1},
    ],
    "requests": [{"a": "a", "b": "b", "kind": "mutual"}, {"a": "a", "b": "c", "kind": "mutual"}],
    "locked": [],
}


def bad(**changes):
    instance = json.loads(json.dumps(GOOD))
    for key, value in changes.items():
        instance[key] = value
    return instance


BAD = {
    "unknown participant": (
        bad(requests=[{"a": "a", "b": "zz", "kind": "mutual"}]),
        "unknown participant 'zz'",
    ),
    "slot out of range": (
        bad(participants=[{"id": "a", "available": [0, 5], "max_meetings": 1}]),
        "out of range",
    ),
    "bad kind": (bad(requests=[{"a": "a", "b": "b", "kind": "maybe"}]), '"kind" must be'),
    "duplicate participant": (
        bad(participants=GOOD["participants"] + [GOOD["participants"][0]]),
        "appears more than once",
    ),
    "negative limit": (
        bad(participants=[{"id": "a", "available": [0], "max_meetings": -1}]),
        "max_meetings",
    ),
    "negative tables": (bad(tables=-1), '"tables" must be'),
    "missing slots": ({"tables": 1, "participants": []}, 'missing "slots"'),
    "locked clash": (
        bad(
            locked=[
                {"a": "a", "b": "b", "slot": 0, "table": 0},
                {"a": "a", "b": "c", "slot": 0, "table": 0},
            ]
        ),
        "'a' is already in locked[0]",
    ),
    "locked unavailable": (
        bad(locked=[{"a": "a", "b": "c", "slot": 0, "table": 0}]),
        "'c' is not available in slot 0",
    ),
    "locked without request": (
        bad(locked=[{"a": "b", "b": "c", "slot": 1, "table": 0}]),
        "the pair has no request",
    ),
    "locked over the limit": (
        bad(
            participants=[
                {"id": "a", "available": [0, 1], "max_meetings": 1},
                {"id": "b", "available": [0, 1], "max_meetings": 2},
                {"id": "c", "available": [1], "max_meetings": 1},
            ],
            locked=[
                {"a": "a", "b": "b", "slot": 0, "table": 0},
                {"a": "a", "b": "c", "slot": 1, "table": 0},
            ],
        ),
        "above max_meetings",
    ),
    "self meeting": (bad(requests=[{"a": "a", "b": "a", "kind": "mutual"}]), "themselves"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_instances_raise_with_a_message(name):
    instance, message = BAD[name]
    with pytest.raises(BadInstance) as caught:
        schedule(instance)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "matching.scheduling", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_cli_prints_the_answer_as_json(tmp_path):
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(GOOD))
    done = run_cli(str(path))
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    check(GOOD, answer)
    assert answer["weight"] == 6
    assert answer["status"] == "OPTIMAL"
    assert isinstance(answer["seconds"], float)


@pytest.mark.parametrize("name", ["unknown participant", "locked clash", "negative limit"])
def test_cli_exits_2_on_a_bad_instance(tmp_path, name):
    instance, message = BAD[name]
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(instance))
    done = run_cli(str(path))
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_cli_exits_2_on_unreadable_input(tmp_path):
    missing = run_cli(str(tmp_path / "nowhere.json"))
    assert missing.returncode == 2
    assert "cannot read" in missing.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"slots": 2,')
    done = run_cli(str(broken))
    assert done.returncode == 2
    assert "not valid JSON" in done.stderr
    listed = tmp_path / "list.json"
    listed.write_text("[]")
    done = run_cli(str(listed))
    assert done.returncode == 2
    assert "JSON object" in done.stderr


def test_the_scheduler_runs_without_django():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, matching.scheduling as s; "
            "s.schedule({'slots': 1, 'tables': 1, 'participants': []}); "
            "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr


def test_the_solver_proves_what_the_matching_bound_cannot():
    # A triangle in two slots: each person can meet twice, so the slot-free matching bound
    # takes all three meetings (9), but three meetings that pairwise share a person need
    # three slots. The solver proves 6.
    instance = {
        "slots": 2,
        "tables": 3,
        "participants": [{"id": x, "available": [0, 1], "max_meetings": 2} for x in "abc"],
        "requests": [
            {"a": "a", "b": "b", "kind": "mutual"},
            {"a": "b", "b": "c", "kind": "mutual"},
            {"a": "c", "b": "a", "kind": "mutual"},
        ],
    }
    answer = schedule(instance)
    check(instance, answer)
    assert answer["weight"] == answer["weight_bound"] == 6
    assert answer["status"] == "OPTIMAL"
    assert len(answer["unplaced"]) == 1


def test_cli_usage_errors_exit_2(tmp_path):
    done = run_cli()
    assert done.returncode == 2
    assert "usage" in done.stderr
    path = tmp_path / "instance.json"
    path.write_text(json.dumps(GOOD))
    done = run_cli(str(path), "--time-limit", "2")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["weight"] == 6

"""The Locust side of bench/load.py: one headless run, as a library, in its own process.

Locust patches the standard library with gevent, which Django and asyncio in bench/load.py
must not see, so load.py runs this file as a subprocess and reads the JSON it writes:

    python bench/load_locust.py PLAN.json OUT.json

PLAN.json says where the server is (a loopback URL), which user classes to run ("ceiling",
"mix" or "signed_in"), how many users, for how long and up to how many requests, and the
paths to draw from (listing ids, search terms, the owner's session cookie). OUT.json holds,
per page group, the request count, failures, req/s, median and p95 (ms), plus the
anonymous and signed-in groups merged (their percentiles from the merged histograms).
"""

from __future__ import annotations

import json
import random
import sys
import time
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, constant, events, task
from locust.env import Environment
from locust.stats import StatsEntry

PLAN = json.loads(open(sys.argv[1], encoding="utf-8").read()) if __name__ == "__main__" else {}
PROXY = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy in front would say
ANONYMOUS = ("home", "list", "detail", "search", "api")
SIGNED_IN = ("owner",)


def _get(user, path: str, name: str, headers=PROXY, params=None) -> None:
    """GET one page; anything but a 200 counts as a failure (a redirect to the login page
    or to HTTPS would otherwise be a fast wrong answer)."""
    with user.client.get(path, params=params, headers=headers, name=name, allow_redirects=False,
                         catch_response=True) as response:  # fmt: skip
        if response.status_code != 200:
            response.failure(f"HTTP {response.status_code}")


class Ceiling(FastHttpUser):
    """The trivial view alone: the stack's own cost on this machine."""

    wait_time = constant(0)

    @task
    def healthz(self):
        _get(self, "/healthz", "healthz")


class Visitor(FastHttpUser):
    """The mix: 60% home, list and detail pages; 20% search; 10% API; 10% signed-in owner
    pages (the task weights are tenths)."""

    wait_time = constant(0)

    def on_start(self):
        self.rng = random.Random()
        self.owner_headers = {**PROXY, "Cookie": PLAN.get("cookie", "")}

    @task(2)
    def home(self):
        _get(self, "/", "home")

    @task(2)
    def listing_index(self):
        path = self.rng.choice(["/achievements/", "/demands/"])
        page = self.rng.choice([1, 1, 1, 2, 3, 10])
        _get(self, path if page == 1 else f"{path}?page={page}", "list")

    @task(2)
    def detail(self):
        kind, pk = self.rng.choice(PLAN["details"])
        _get(self, f"/{kind}s/{pk}/", "detail")

    @task(2)
    def search(self):
        q = self.rng.choice(PLAN["terms"])
        _get(self, "/search/", "search", params={"q": q})

    @task(1)
    def api(self):
        q = self.rng.choice(PLAN["terms"])
        _get(self, "/api/v1/search", "api", params={"q": q})

    @task(1)
    def owner(self):
        _get(self, self.rng.choice(PLAN["owner_paths"]), "owner", self.owner_headers)


class Owner(FastHttpUser):
    """Signed-in owner pages alone: the uncached part of the site under the same load."""

    wait_time = constant(0)

    def on_start(self):
        self.rng = random.Random()
        self.owner_headers = {**PROXY, "Cookie": PLAN.get("cookie", "")}

    @task
    def owner(self):
        _get(self, self.rng.choice(PLAN["owner_paths"]), "owner", self.owner_headers)


CLASSES = {"ceiling": [Ceiling], "mix": [Visitor], "signed_in": [Owner]}


def _merged(stats, name: str, groups) -> StatsEntry:
    entry = StatsEntry(stats, name, "GET")
    for group in groups:
        found = stats.entries.get((group, "GET"))
        if found is not None:
            entry.extend(found)
    return entry


def _row(entry: StatsEntry, seconds: float) -> dict:
    return {
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": entry.num_requests / seconds if seconds else 0.0,
        "median_ms": entry.median_response_time if entry.num_requests else None,
        "p95_ms": entry.get_response_time_percentile(0.95) if entry.num_requests else None,
    }


def main() -> int:
    out_path = sys.argv[2]
    host = PLAN["host"]
    assert urlsplit(host).hostname == "127.0.0.1", "the benchmark talks to loopback only"
    env = Environment(user_classes=CLASSES[PLAN["classes"]], host=host, events=events)
    runner = env.create_local_runner()
    measured = {}

    def on_spawned(user_count, **_kwargs):
        env.stats.reset_all()  # the window starts with every user running
        measured["start"] = time.monotonic()

    env.events.spawning_complete.add_listener(on_spawned)
    runner.start(PLAN["users"], spawn_rate=PLAN["spawn_rate"])
    deadline = time.monotonic() + PLAN["users"] / PLAN["spawn_rate"] + PLAN["seconds"] + 5
    while time.monotonic() < deadline:
        gevent.sleep(0.2)
        if "start" in measured:
            elapsed = time.monotonic() - measured["start"]
            if elapsed >= PLAN["seconds"] or env.stats.total.num_requests >= PLAN["max_requests"]:
                break
    seconds = time.monotonic() - measured.get("start", time.monotonic())
    runner.stop()
    runner.quit()
    stats = env.stats
    groups = sorted({name for name, _method in stats.entries})
    result = {
        "seconds": seconds,
        "groups": {g: _row(stats.entries[(g, "GET")], seconds) for g in groups},
        "anonymous": _row(_merged(stats, "anonymous", ANONYMOUS), seconds),
        "signed_in": _row(_merged(stats, "signed_in", SIGNED_IN), seconds),
        "total": _row(stats.total, seconds),
        "errors": [
            {"name": e.name, "error": str(e.error), "count": e.occurrences}
            for e in stats.errors.values()
        ][:10],
    }
    with open(out_path, "w", encoding="utf-8") as out:
        json.dump(result, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

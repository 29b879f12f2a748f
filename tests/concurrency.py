"""Real concurrency for tests on PostgreSQL: callables in their own threads, so each has its
own connection and transaction, released together."""

import threading

from django.core.exceptions import ValidationError
from django.db import connection


def race(*callables):
    """Run each callable in its own thread, all released at once; a ValidationError is
    returned in its place, so a test can count the refusals."""
    barrier = threading.Barrier(len(callables))
    outcomes = [None] * len(callables)

    def run(i, fn):
        barrier.wait()
        try:
            outcomes[i] = fn()
        except ValidationError as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(callables)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not any(t.is_alive() for t in threads)
    return outcomes

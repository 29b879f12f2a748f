"""Queueing background jobs from after-commit receivers, one way for every app."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def enqueue_or_log(task, *args, what: str, catch_up: str) -> bool:
    """Queue `task(*args)` for its worker. The change that asked for it is committed
    already, so a queue that cannot be reached must not undo or hide it: log what was
    not queued and what catches it up, and go on."""
    try:
        task.enqueue(*args)
    except Exception:
        logger.exception("could not queue %s; %s catches it up", what, catch_up)
        return False
    return True

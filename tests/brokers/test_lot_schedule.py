"""A lot closes at its closing time on its own: listing it queues its closing on the database
task queue with run_after, and the worker (`manage.py db_worker`) closes it once due."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from brokers.choices import LotStatus
from brokers.models import Lot
from tests.brokers.deal_world import list_lot

pytestmark = pytest.mark.django_db

DB_QUEUE = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "matching": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["matching"]},
}


def _list(university, university_user, closes_at):
    return list_lot(university, university_user, closes_at=closes_at)


# The worker closes its database connections after each task: the test commits for real.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@override_settings(TASKS=DB_QUEUE)
def test_listing_queues_the_closing_and_the_worker_closes_it_when_due(university, university_user):
    closes_at = timezone.now() + timedelta(seconds=2)
    lot = _list(university, university_user, closes_at)  # committed: its closing is queued
    queued = DBTaskResult.objects.get(task_path="brokers.tasks.close_lot")
    assert queued.run_after == closes_at
    assert queued.args_kwargs["args"] == [lot.pk]

    call_command("db_worker", batch=True, no_startup_delay=True, queue_name="default")
    lot.refresh_from_db()
    assert lot.status == LotStatus.LISTED  # not due yet: the worker leaves it queued

    time.sleep(max(0.0, (closes_at - timezone.now()).total_seconds()) + 0.2)
    call_command("db_worker", batch=True, no_startup_delay=True, queue_name="default")
    lot.refresh_from_db()
    assert lot.status == LotStatus.UNSOLD  # no bids: 流拍
    assert lot.closed_at is not None


def test_a_moved_closing_time_is_left_to_its_own_task(university, university_user):
    from brokers.tasks import close_lot

    lot = _list(university, university_user, timezone.now() + timedelta(days=1))
    assert close_lot.call(lot.pk) is None  # queued for yesterday's time, say: not due now
    Lot.objects.filter(pk=lot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    assert close_lot.call(lot.pk) == LotStatus.UNSOLD
    assert close_lot.call(lot.pk) is None  # closed already


def test_on_a_queue_that_cannot_wait_the_command_closes_it(
    university, university_user, django_capture_on_commit_callbacks
):
    # The test settings run tasks at once (no run_after): listing still works, and the
    # command closes the lot once due.
    with django_capture_on_commit_callbacks(execute=True):
        lot = _list(university, university_user, timezone.now() + timedelta(hours=1))
    assert not DBTaskResult.objects.exists()
    Lot.objects.filter(pk=lot.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    call_command("close_lots")
    lot.refresh_from_db()
    assert lot.status == LotStatus.UNSOLD

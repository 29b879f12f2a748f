"""A published demand's broker is assigned by the task worker, never in the request that
published it; a lost job is caught up by `manage.py assign_brokers`."""

import logging

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from brokers import receivers
from brokers.models import Assignment
from listings import services as listing_services
from listings.choices import ListingStatus
from market.models import Notification
from search.models import SearchDocument
from search.services import SAVED_SEARCH_VERB, saved_search_create
from tests.factories import BrokerFactory, DemandFactory, OrganizationFactory

QUEUED = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "matching": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["matching"],
    },
}


@pytest.fixture
def broker(main_market):
    institution = OrganizationFactory(kind="transfer_institution", market=main_market)
    return BrokerFactory(institution=institution, fields=["new_materials"])


def run_worker():
    call_command(
        "db_worker",
        "--backend",
        "default",
        "--queue-name",
        "default",
        "--batch",
        "--no-startup-delay",
        verbosity=0,
    )


# Committed for real, so on_commit fires as in production; the worker closes and reopens
# database connections between tasks.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_approving_a_demand_over_http_only_queues_its_broker_and_search_sync(
    client, enterprise, university_user, operator, broker, settings
):
    settings.TASKS = QUEUED
    settings.ELASTICSEARCH_URL = ""
    saved_search_create(user=university_user, kind="demand", q="注塑件", filters={})
    demand = DemandFactory(
        owner=enterprise,
        status=ListingStatus.SUBMITTED,
        title="注塑件缩痕解决方案",
        field="new_materials",
    )
    client.force_login(operator)
    response = client.post(reverse("review_queue:approve", args=["demand", demand.pk]))
    assert response.status_code == 302
    demand.refresh_from_db()
    assert demand.status == ListingStatus.PUBLISHED  # committed
    # Nothing slow ran in the request: no broker, no search document, no saved-search
    # notice, only queued jobs.
    assert not Assignment.objects.filter(demand=demand).exists()
    assert not SearchDocument.objects.filter(kind="demand", listing_id=demand.pk).exists()
    assert not Notification.objects.filter(recipient=university_user).exists()
    queued = DBTaskResult.objects.filter(backend_name="default", status="READY")
    # Wagtail's reference-index updates (listings are snippets) share the queue.
    listeners = queued.exclude(task_path__startswith="wagtail.")
    assert sorted(listeners.values_list("task_path", flat=True)) == [
        "brokers.tasks.assign_broker",
        "search.tasks.sync_listing",
    ]

    run_worker()

    assert Assignment.objects.get(demand=demand).broker == broker
    assert Notification.objects.filter(recipient=broker.user, verb="demand.assigned").exists()
    assert SearchDocument.objects.filter(kind="demand", listing_id=demand.pk).exists()
    assert Notification.objects.filter(recipient=university_user, verb=SAVED_SEARCH_VERB).exists()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db
def test_the_task_skips_a_demand_that_is_not_published(enterprise, broker):
    from brokers.tasks import assign_broker

    draft = DemandFactory(owner=enterprise)
    assert assign_broker.call(draft.pk) is None
    assert assign_broker.call(draft.pk + 1000) is None
    assert not Assignment.objects.exists()


@pytest.mark.django_db
def test_a_lost_assignment_job_is_logged_and_caught_up_by_the_command(
    enterprise, operator, broker, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    class Down:
        @staticmethod
        def enqueue(*args):
            raise ConnectionError("queue unreachable")

    monkeypatch.setattr(receivers, "assign_broker", Down)
    demand = DemandFactory(owner=enterprise, status=ListingStatus.SUBMITTED)
    with caplog.at_level(logging.ERROR, logger="brokers.receivers"):
        with django_capture_on_commit_callbacks(execute=True):
            listing_services.listing_approve(listing=demand, actor=operator)
    demand.refresh_from_db()
    assert demand.status == ListingStatus.PUBLISHED
    assert not Assignment.objects.filter(demand=demand).exists()
    assert "could not queue the broker assignment" in caplog.text

    call_command("assign_brokers", verbosity=0)
    assert Assignment.objects.get(demand=demand).broker == broker

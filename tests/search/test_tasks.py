"""A listing change reaches search through the task worker; when the job cannot even be
queued the listing stays saved and `manage.py reindex` catches search up."""

import logging

import pytest
from django.core.management import call_command

from listings import services as listing_services
from search import receivers
from search.models import SearchDocument
from search.tasks import sync_listing
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db


def submitted(university):
    return AchievementFactory(title="氢燃料电池双极板", owner=university, status="submitted")


def test_the_receiver_queues_the_sync_with_kind_and_pk(
    settings, university, operator, monkeypatch, django_capture_on_commit_callbacks
):
    settings.ELASTICSEARCH_URL = ""
    queued = []

    class Recorder:
        @staticmethod
        def enqueue(*args):
            queued.append(args)

    monkeypatch.setattr(receivers, "sync_listing", Recorder)
    listing = submitted(university)
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_approve(listing=listing, actor=operator)
    assert queued == [("achievement", listing.pk)]
    assert not SearchDocument.objects.filter(listing_id=listing.pk).exists()

    assert sync_listing.call(*queued[0]) == {"notified": 0}
    assert SearchDocument.objects.filter(kind="achievement", listing_id=listing.pk).exists()


def test_a_lost_sync_job_is_logged_and_reindex_catches_up(
    settings, university, operator, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    settings.ELASTICSEARCH_URL = ""

    class Down:
        @staticmethod
        def enqueue(*args):
            raise ConnectionError("queue unreachable")

    monkeypatch.setattr(receivers, "sync_listing", Down)
    listing = submitted(university)
    with caplog.at_level(logging.ERROR, logger="search.receivers"):
        with django_capture_on_commit_callbacks(execute=True):
            listing_services.listing_approve(listing=listing, actor=operator)
    listing.refresh_from_db()
    assert listing.status == "published"
    assert "could not queue the search sync of achievement" in caplog.text
    assert not SearchDocument.objects.filter(listing_id=listing.pk).exists()

    call_command("reindex", "--backend", "embedded", verbosity=0)
    assert SearchDocument.objects.filter(kind="achievement", listing_id=listing.pk).exists()

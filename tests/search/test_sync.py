"""Keeping the index true when Elasticsearch is down, the replay, and `manage.py reindex`."""

import io

import pytest
from django.core.management import call_command

from listings import services as listing_services
from search import services
from search.backends import elastic
from search.contract import SearchQuery
from search.models import PendingIndexOp, ReindexRun, SearchDocument
from tests.factories import AchievementFactory
from tests.search.conftest import DEAD_NODE, published

pytestmark = pytest.mark.django_db


def submitted(university):
    return AchievementFactory(title="氢燃料电池双极板", owner=university, status="submitted")


def test_publish_succeeds_and_queues_when_elasticsearch_is_down(
    settings, university, operator, django_capture_on_commit_callbacks
):
    settings.ELASTICSEARCH_URL = DEAD_NODE
    settings.SEARCH_ES_TIMEOUT = 0.5
    listing = submitted(university)
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_approve(listing=listing, actor=operator)
    listing.refresh_from_db()
    assert listing.status == "published"
    assert list(PendingIndexOp.objects.values_list("kind", "listing_id", "op")) == [
        ("achievement", listing.pk, "index")
    ]
    results = services.search(SearchQuery.clean(q="双极板"))
    assert results.backend == "embedded"
    assert [h.title for h in results.hits] == ["氢燃料电池双极板"]
    assert "全文检索服务暂时不可用" in results.notice


def test_dead_node_is_not_asked_again_while_breaker_is_open(settings, university, monkeypatch):
    settings.ELASTICSEARCH_URL = DEAD_NODE
    services.search(SearchQuery.clean(q="电池"))
    calls = []
    monkeypatch.setattr(elastic, "search", lambda q: calls.append(q))
    results = services.search(SearchQuery.clean(q="电池"))
    assert calls == []
    assert results.notice


def test_replay_without_node_keeps_the_queue(settings):
    settings.ELASTICSEARCH_URL = DEAD_NODE
    PendingIndexOp.objects.create(kind="achievement", listing_id=1, op="index")
    out = io.StringIO()
    call_command("search_replay", stdout=out)
    assert "still queued 1" in out.getvalue()
    assert PendingIndexOp.objects.get().attempts == 1


@pytest.mark.elasticsearch
def test_replay_applies_queue_once_node_is_back(
    elasticsearch, university, operator, django_capture_on_commit_callbacks
):
    services.search_reindex(kind="achievement")
    real_url = elasticsearch.ELASTICSEARCH_URL
    elasticsearch.ELASTICSEARCH_URL = DEAD_NODE
    listing = submitted(university)
    with django_capture_on_commit_callbacks(execute=True):
        listing_services.listing_approve(listing=listing, actor=operator)
    assert PendingIndexOp.objects.count() == 1

    elasticsearch.ELASTICSEARCH_URL = real_url
    services.breaker_reset()
    assert services.search(SearchQuery.clean(q="双极板")).total == 0  # ES missed it
    out = io.StringIO()
    call_command("search_replay", stdout=out)
    assert "applied 1, still queued 0" in out.getvalue()
    results = services.search(SearchQuery.clean(q="双极板"))
    assert results.backend == "elasticsearch"
    assert [h.pk for h in results.hits] == [listing.pk]
    assert results.notice is None


def test_reindex_command_rebuilds_embedded_index(settings, university):
    settings.ELASTICSEARCH_URL = ""
    kept = published(AchievementFactory, title="海水淡化膜组件", owner=university)
    SearchDocument.objects.create(
        kind="achievement", listing_id=999999, title="过期残留", title_tokens="过期 残留",
        field="new_materials", indexed_at="2000-01-01T00:00:00Z",
    )  # fmt: skip
    out = io.StringIO()
    call_command("reindex", "--kind", "achievement", stdout=out, stderr=io.StringIO())
    assert "achievement: 1 listings indexed" in out.getvalue()
    assert list(SearchDocument.objects.values_list("listing_id", flat=True)) == [kept.pk]


def _interrupt_after_first_batch(monkeypatch):
    real = services.embedded.write
    calls = {"n": 0}

    def flaky(kind, docs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(kind, docs)

    monkeypatch.setattr(services.embedded, "write", flaky)
    return lambda: monkeypatch.setattr(services.embedded, "write", real)


@pytest.fixture
def five_listings(university):
    return [published(AchievementFactory, owner=university) for _ in range(5)]


def test_reindex_resumes_after_interruption(settings, five_listings, monkeypatch):
    settings.ELASTICSEARCH_URL = ""
    restore = _interrupt_after_first_batch(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        call_command("reindex", "--kind", "achievement", "--batch-size", "2", stderr=io.StringIO())
    run = ReindexRun.objects.get()
    assert (run.done, run.finished_at) == (2, None)
    assert SearchDocument.objects.count() == 2
    restore()
    out = io.StringIO()
    call_command(
        "reindex", "--kind", "achievement", "--resume", "--batch-size", "2",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    run.refresh_from_db()
    assert run.done == 5 and run.finished_at is not None
    assert ReindexRun.objects.count() == 1
    assert SearchDocument.objects.count() == 5


@pytest.mark.elasticsearch
def test_reindex_resumes_into_same_index_and_swaps_alias(elasticsearch, five_listings, monkeypatch):
    call_command("reindex", "--kind", "achievement", stdout=io.StringIO(), stderr=io.StringIO())
    first = ReindexRun.objects.get().index_name
    restore = _interrupt_after_first_batch(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        call_command("reindex", "--kind", "achievement", "--batch-size", "2", stderr=io.StringIO())
    restore()
    interrupted = ReindexRun.objects.filter(finished_at__isnull=True).get()
    # Searches still use the old index while the new one is half built.
    assert services.search(SearchQuery.clean(q="")).total == 5
    call_command(
        "reindex", "--kind", "achievement", "--resume", "--batch-size", "2",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    es = elastic.client()
    behind_alias = list(es.indices.get_alias(name=elastic.alias_name("achievement")).body)
    assert behind_alias == [interrupted.index_name]
    assert not es.indices.exists(index=first)
    results = services.search(SearchQuery.clean(q=""))
    assert (results.backend, results.total) == ("elasticsearch", 5)


def test_reindex_segments_in_worker_processes(settings, five_listings, monkeypatch):
    """The pooled path (forked jieba workers, one batch ahead) indexes what the inline path
    does: same tokens, every listing."""
    settings.ELASTICSEARCH_URL = ""
    services.search_reindex(kind="achievement", batch_size=2)
    inline = dict(SearchDocument.objects.values_list("listing_id", "body_tokens"))
    SearchDocument.objects.all().delete()
    monkeypatch.setattr(services, "PARALLEL_MIN_LISTINGS", 1)
    run = services.search_reindex(kind="achievement", batch_size=2)
    assert run.done == 5
    assert dict(SearchDocument.objects.values_list("listing_id", "body_tokens")) == inline


def test_reindex_backend_option_rebuilds_only_what_was_asked(settings, five_listings, monkeypatch):
    settings.ELASTICSEARCH_URL = DEAD_NODE
    monkeypatch.setattr(elastic, "create_index", lambda *a: pytest.fail("Elasticsearch touched"))
    call_command(
        "reindex", "--kind", "achievement", "--backend", "embedded",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    run = ReindexRun.objects.get()
    assert (run.index_name, run.embedded, SearchDocument.objects.count()) == ("", True, 5)


@pytest.mark.elasticsearch
def test_reindex_elasticsearch_only_leaves_embedded_index_alone(
    elasticsearch, five_listings, monkeypatch
):
    SearchDocument.objects.all().delete()
    monkeypatch.setattr(services.embedded, "write", lambda *a: pytest.fail("embedded touched"))
    call_command(
        "reindex", "--kind", "achievement", "--backend", "es",
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip
    assert not ReindexRun.objects.get().embedded
    assert SearchDocument.objects.count() == 0
    results = services.search(SearchQuery.clean(q=""))
    assert (results.backend, results.total) == ("elasticsearch", 5)

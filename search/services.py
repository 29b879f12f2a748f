"""Search writes and the one search entry point.

Every listing change reaches the embedded index at once (same database). Elasticsearch, when
configured, gets it too; if the node is down the change is queued in PendingIndexOp and a
short-lived circuit-breaker flag in the cache stops every later request from waiting on a
dead node. Search then answers from the embedded index with a notice.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable, Collection

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from search import text
from search.backends import BackendUnavailable, elastic, embedded
from search.contract import FALLBACK_NOTICE, SearchQuery, SearchResults
from search.documents import KIND_MODELS, listing_document, listings_for_index, segment
from search.models import PendingIndexOp, ReindexRun

logger = logging.getLogger(__name__)

BREAKER_KEY = "search:elasticsearch:down"


def elasticsearch_configured() -> bool:
    return bool(settings.ELASTICSEARCH_URL)


def elasticsearch_available() -> bool:
    return elasticsearch_configured() and not cache.get(BREAKER_KEY)


def _trip(exc: Exception) -> None:
    logger.warning("Elasticsearch unavailable, falling back for a while: %s", exc)
    cache.set(BREAKER_KEY, True, settings.SEARCH_ES_RETRY_SECONDS)


def breaker_reset() -> None:
    cache.delete(BREAKER_KEY)


# ── Keeping the index true ──────────────────────────────────────────────────────────────────


def _rebuilding_indexes(kind: str) -> list[str]:
    """Indexes a full reindex is filling now: live changes go there too, so none is lost."""
    return list(
        ReindexRun.objects.filter(kind=kind, finished_at__isnull=True)
        .exclude(index_name="")
        .values_list("index_name", flat=True)
    )


def _load_document(kind: str, listing_id: int):
    listing = listings_for_index(kind).filter(pk=listing_id).first()
    return listing_document(kind, listing) if listing is not None else None


def _elastic_apply(kind: str, listing_id: int, doc) -> None:
    extra = _rebuilding_indexes(kind)
    if doc is None:
        elastic.delete(kind, [listing_id], extra_indexes=extra)
    else:
        elastic.write(kind, [doc], extra_indexes=extra)


def search_index_listing(*, kind: str, listing_id: int) -> None:
    """Bring both indexes in line with a listing now: index it if published, else remove it."""
    doc = _load_document(kind, listing_id)
    if doc is None:
        embedded.delete(kind, [listing_id])
    else:
        embedded.write(kind, [doc])
    if not elasticsearch_configured():
        return
    op = PendingIndexOp.Op.DELETE if doc is None else PendingIndexOp.Op.INDEX
    if not elasticsearch_available():
        PendingIndexOp.objects.create(kind=kind, listing_id=listing_id, op=op)
        return
    try:
        _elastic_apply(kind, listing_id, doc)
    except BackendUnavailable as exc:
        _trip(exc)
        PendingIndexOp.objects.create(kind=kind, listing_id=listing_id, op=op, last_error=str(exc))


def on_listing_changed(sender, pk, **kwargs) -> None:
    """Receiver of listings.signals.listing_changed (sent after commit)."""
    kind = {m: k for k, m in KIND_MODELS.items()}.get(sender)
    if kind is not None:
        search_index_listing(kind=kind, listing_id=pk)


def search_replay(*, limit: int | None = None) -> tuple[int, int]:
    """Apply queued changes to Elasticsearch, oldest first. Returns (applied, still queued).

    Each listing is written as it is now, so several queued changes to one listing cost one
    write. Stops at the first failure: the node is still down."""
    if not elasticsearch_configured():
        return 0, PendingIndexOp.objects.count()
    applied = 0
    ops = PendingIndexOp.objects.order_by("id")
    if limit:
        ops = ops[:limit]
    done: set[tuple[str, int]] = set()
    for op in list(ops):
        key = (op.kind, op.listing_id)
        if key not in done:
            try:
                _elastic_apply(op.kind, op.listing_id, _load_document(op.kind, op.listing_id))
            except BackendUnavailable as exc:
                PendingIndexOp.objects.filter(pk=op.pk).update(
                    attempts=op.attempts + 1, last_error=str(exc)
                )
                _trip(exc)
                break
            done.add(key)
        # Only ops up to this one are done; a newer op for the same listing stays queued.
        PendingIndexOp.objects.filter(pk=op.pk).delete()
        applied += 1
    else:
        breaker_reset()
    return applied, PendingIndexOp.objects.count()


# ── Full reindex ─────────────────────────────────────────────────────────────────────────────


BACKENDS = ("embedded", "elasticsearch")
# Segmenting is most of a reindex's work and jieba is single-threaded: below this many
# listings the pool costs more than it saves.
SEGMENT_PROCESSES = 2
PARALLEL_MIN_LISTINGS = 5000


def _segmenter(total: int):
    """A pool of forked worker processes for jieba, or None for small jobs. The dictionary is
    loaded here first, so every worker inherits it instead of loading its own."""
    if total < PARALLEL_MIN_LISTINGS or SEGMENT_PROCESSES < 2:
        return None
    if "fork" not in multiprocessing.get_all_start_methods():
        return None
    text.tokens("预热")
    return multiprocessing.get_context("fork").Pool(SEGMENT_PROCESSES)


def _chunks(items: list, parts: int) -> list[list]:
    size = max(1, -(-len(items) // parts))
    return [items[i : i + size] for i in range(0, len(items), size)]


def search_reindex(
    *,
    kind: str,
    resume: bool = False,
    batch_size: int = 500,
    on_batch: Callable[[int, int], None] | None = None,
    use_elasticsearch: bool | None = None,
    backends: Collection[str] | None = None,
) -> ReindexRun:
    """Rebuild one kind's embedded index and/or a new Elasticsearch index that replaces the
    old one behind the alias at the end. `backends` picks which ("embedded",
    "elasticsearch"); by default the embedded one, plus Elasticsearch when it is configured
    (or as `use_elasticsearch` says). `on_batch(done, total)` reports progress. An
    interrupted run is continued by `resume=True`: same run, same backends, same new index,
    from the last listing it finished.

    Text is segmented in worker processes for large jobs, one batch ahead of the writes, so
    jieba, SQLite and Elasticsearch work at the same time."""
    if backends is None:
        use_es = elasticsearch_configured() if use_elasticsearch is None else use_elasticsearch
        backends = ("embedded", "elasticsearch") if use_es else ("embedded",)
    unknown = set(backends) - set(BACKENDS)
    if unknown or not backends:
        raise ValueError(f"backends must be a non-empty subset of {BACKENDS}")
    use_es = "elasticsearch" in backends
    if use_es and PendingIndexOp.objects.exists():
        search_replay()
    run = None
    if resume:
        run = ReindexRun.objects.filter(kind=kind, finished_at__isnull=True).first()
    if run is None:
        run = ReindexRun.objects.create(
            kind=kind, started_at=timezone.now(), embedded="embedded" in backends
        )
        if use_es:
            run.index_name = elastic.new_index_name(kind)
            elastic.create_index(kind, run.index_name)
            run.save(update_fields=["index_name"])
    queryset = listings_for_index(kind)
    total = queryset.count()

    def batches():
        last_pk = run.last_pk
        while True:
            batch = list(queryset.filter(pk__gt=last_pk)[:batch_size])
            if not batch:
                return
            last_pk = batch[-1].pk
            docs = [listing_document(kind, x, segmented=False) for x in batch]
            yield [d for d in docs if d is not None], len(batch), last_pk

    def store(docs, count, last_pk):
        if run.embedded:
            embedded.write(kind, docs)
        if run.index_name:
            elastic.bulk_write(run.index_name, docs)
        run.last_pk = last_pk
        run.done += count
        run.save(update_fields=["last_pk", "done"])
        if on_batch:
            on_batch(run.done, total)

    pool = _segmenter(total - run.done)
    try:
        if pool is None:
            for docs, count, last_pk in batches():
                store(segment(docs), count, last_pk)
        else:
            pending = None
            for docs, count, last_pk in batches():
                job = pool.map_async(segment, _chunks(docs, SEGMENT_PROCESSES * 2))
                if pending:
                    store([d for part in pending[0].get() for d in part], *pending[1:])
                pending = (job, count, last_pk)
            if pending:
                store([d for part in pending[0].get() for d in part], *pending[1:])
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    with transaction.atomic():
        if run.embedded:
            embedded.delete_stale(kind, run.started_at)
        if run.index_name:
            elastic.finish_index(kind, run.index_name)
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    # Older interrupted runs of this kind are superseded: drop their half-built indexes.
    for stale in ReindexRun.objects.filter(kind=kind, finished_at__isnull=True).exclude(pk=run.pk):
        if stale.index_name and use_es:
            elastic.delete_index(stale.index_name)
        stale.finished_at = run.finished_at
        stale.save(update_fields=["finished_at"])
    return run


# ── Reading ──────────────────────────────────────────────────────────────────────────────────


def _with_notices(results: SearchResults, extra: list[str]) -> SearchResults:
    notices = [*results.query.notices, *extra]
    results.notice = " ".join(str(n) for n in notices) or None
    return results


def search(query: SearchQuery) -> SearchResults:
    """Answer a query from Elasticsearch when it is configured and up, else from the
    embedded index; a fallback says so in `notice`."""
    if elasticsearch_available():
        try:
            return _with_notices(elastic.search(query), [])
        except BackendUnavailable as exc:
            _trip(exc)
    results = embedded.search(query)
    fallback = [str(FALLBACK_NOTICE)] if elasticsearch_configured() else []
    return _with_notices(results, fallback)


def suggest(*, q: str, kind: str = "achievement", limit: int = 8) -> list[str]:
    """Autocomplete: titles whose title or keywords start with what was typed."""
    if kind not in KIND_MODELS:
        kind = "achievement"
    tokens = text.tokens(q[: text.MAX_QUERY_CHARS])[:8]
    if not tokens:
        return []
    if elasticsearch_available():
        try:
            return elastic.suggest(kind, tokens, limit)
        except BackendUnavailable as exc:
            _trip(exc)
    return embedded.suggest(kind, tokens, limit)

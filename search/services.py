"""Search writes and the one search entry point.

Every listing change reaches the embedded index as soon as the task worker syncs it (same
database). Elasticsearch, when configured, gets it too; if the node is down the change is
queued in PendingIndexOp and a short-lived circuit-breaker flag in the cache stops every later
sync and search from waiting on a dead node. Search then answers from the embedded index with
a notice.
"""

from __future__ import annotations

import logging
import multiprocessing
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Collection

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from listings.choices import ListingStatus
from listings.kinds import KINDS
from listings.locations import listing_url
from market.services import notify
from search import text
from search.backends import BackendUnavailable, elastic, embedded
from search.contract import (
    FALLBACK_NOTICE,
    KIND_LABELS,
    SearchQuery,
    SearchResults,
    filter_labels,
    filters_key,
)
from search.documents import listing_document, listings_for_index, segment
from search.models import (
    SAVED_SEARCH_DUPLICATE,
    PendingIndexOp,
    ReindexRun,
    SavedSearch,
    SavedSearchHit,
    SavedSearchTerm,
    SearchDocument,
)

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


def listing_sync(*, kind: str, listing_id: int) -> int:
    """After a listing changed: reindex it, then, with the index true, tell the people whose
    saved searches it newly matches. Returns how many were told. Run by the task worker
    (search.tasks.sync_listing), never in the request."""
    search_index_listing(kind=kind, listing_id=listing_id)
    try:
        return saved_searches_notify_for_listing(kind=kind, listing_id=listing_id)
    except Exception:
        # A saved search's notice is a courtesy: publishing a listing never fails for it.
        logger.exception("saved-search check failed for %s %s", kind, listing_id)
        return 0


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
    if kind not in KINDS:
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


# ── Saved searches (订阅) ─────────────────────────────────────────────────────────────────────

SAVED_SEARCH_LIMIT = 20
SAVED_SEARCH_VERB = "saved_search.match"
# The token lists of one listing are looked up in slices, to stay under any database's limit
# on query parameters.
TOKEN_CHUNK = 500


def _fold(token: str) -> str:
    """A token with its diacritics removed, for the saved-search prefilter only: SQLite's FTS5
    folds them when matching, so the prefilter must not tell "café" from "cafe" either."""
    decomposed = unicodedata.normalize("NFD", token)
    return "".join(c for c in decomposed if not unicodedata.combining(c))[:200]


def _saved_search_name(query: SearchQuery) -> str:
    words = [" ".join(query.q.split()) or str(KIND_LABELS[query.kind])]
    return " · ".join(words + filter_labels(query.filters))[:100]


@transaction.atomic
def saved_search_create(
    *,
    user,
    kind: str,
    q: str = "",
    filters: dict | None = None,
    name: str = "",
) -> SavedSearch:
    """Save a search for a person, cleaned exactly as the search page cleans it (unknown
    filters dropped), so the saved search is the search they were looking at."""
    query = SearchQuery.clean(q=q, kind=kind, filters=filters)
    q = " ".join(query.q.split())
    if not q and not query.filters:
        raise ValidationError(_("请先输入检索词或选择筛选条件，再保存此搜索。"))
    # Lock the person's row, so two saves at once cannot both slip under the limit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    mine = SavedSearch.objects.filter(user=user)
    if mine.filter(kind=query.kind, q=q, filters_key=filters_key(query.filters)).exists():
        raise ValidationError(str(SAVED_SEARCH_DUPLICATE))
    if mine.count() >= SAVED_SEARCH_LIMIT:
        raise ValidationError(
            _("最多可保存%(limit)d个搜索。请先在“我的订阅”中删除不再需要的，再保存新的。")
            % {"limit": SAVED_SEARCH_LIMIT}
        )
    groups = text.query_groups(q)
    saved = SavedSearch(
        user=user,
        name=(name or "").strip() or _saved_search_name(query),
        kind=query.kind,
        q=q,
        filters=query.filters,
        filters_key=filters_key(query.filters),
        group_count=len(groups),
    )
    saved.full_clean()
    try:
        with transaction.atomic():
            saved.save()
    except IntegrityError as exc:
        # The same search saved by a concurrent request (a double click) a moment earlier.
        raise ValidationError(str(SAVED_SEARCH_DUPLICATE)) from exc
    SavedSearchTerm.objects.bulk_create(
        SavedSearchTerm(saved_search=saved, group=number, token=token)
        for number, group in enumerate(groups)
        for token in sorted({_fold(t) for t in group})
    )
    return saved


@transaction.atomic
def saved_search_delete(*, saved_search: SavedSearch, user) -> None:
    if saved_search.user_id != user.pk:
        raise PermissionDenied
    saved_search.delete()


@transaction.atomic
def saved_search_set_active(*, saved_search: SavedSearch, user, active: bool) -> SavedSearch:
    """Pause a saved search (no notifications) or resume it; resuming does not replay what
    was published meanwhile."""
    if saved_search.user_id != user.pk:
        raise PermissionDenied
    saved_search.active = active
    saved_search.save(update_fields=["active"])
    return saved_search


def _document_tokens(document: SearchDocument) -> set[str]:
    words = f"{document.title_tokens} {document.keywords_tokens} {document.body_tokens}"
    return {_fold(t) for t in words.split()}


def _word_candidates(kind: str, tokens: set[str]) -> list[int]:
    """Saved searches with words, each of whose words the document has a token of."""
    found: dict[int, set[int]] = defaultdict(set)
    ordered = sorted(tokens)
    for start in range(0, len(ordered), TOKEN_CHUNK):
        rows = SavedSearchTerm.objects.filter(
            token__in=ordered[start : start + TOKEN_CHUNK],
            saved_search__kind=kind,
            saved_search__active=True,
        ).values_list("saved_search_id", "group")
        for saved_id, group in rows:
            found[saved_id].add(group)
    counts = SavedSearch.objects.filter(pk__in=list(found)).values_list("pk", "group_count")
    return [pk for pk, group_count in counts if len(found[pk]) == group_count]


def _filters_admit(document: SearchDocument) -> Q:
    """Saved searches whose every filter the document passes (an absent filter passes)."""

    def facet(name: str, passes: Q | None) -> Q:
        absent = ~Q(filters__has_key=name)
        return absent if passes is None else absent | passes

    modes = [code for code in document.modes.split(",") if code]
    return (
        facet("field", Q(filters__field=document.field))
        & facet(
            "market",
            Q(filters__market=document.market_id) if document.market_id is not None else None,
        )
        & facet("trl_min", Q(filters__trl_min__lte=document.trl) if document.trl else None)
        & facet("mode", Q(filters__mode__in=modes) if modes else None)
        & facet("price", Q(filters__price=document.price_band))
        & facet("holder", Q(filters__holder=document.holder_kind))
    )


@transaction.atomic
def saved_searches_notify_for_listing(*, kind: str, listing_id: int) -> int:
    """Notify the people whose saved searches a newly published listing matches. Returns how
    many saved searches it notified. Call it after the listing has been indexed.

    "Matches" means: the search page, run for the saved search now, would list this listing.
    It is decided in three steps, cheapest first, so thousands of saved searches cost a few
    queries per publish:

    1. Words, through an inverted index. Each saved search's query is kept as its jieba word
       groups in SavedSearchTerm (token → saved search, group). One indexed lookup with the
       listing's distinct index tokens finds the saved searches whose every group it has a
       token of; saved searches that never share a token are not read at all. Saved
       searches with filters but no words come along as they are.
    2. Filters, in the same SQL: each saved filter (field, market, TRL, mode, price band,
       holder kind) must equal the listing's indexed value, read from its JSON.
       Also dropped there: inactive saved searches, those that already notified about this
       listing, those saved after the listing was published (an old listing edited is not
       news), and those of the listing's own organization and author.
    3. Confirmation: for each distinct (query, filters) left, the embedded backend's own
       match and filter conditions run against the listing's one index row. That is the
       very query the search page runs, so the rule cannot drift from what it shows.

    The check reads the embedded index only, which is written in the same database just
    before this runs; Elasticsearch is not asked. The contract tests hold both backends to
    the same results, and the check keeps working when the node is unreachable."""
    listing = (
        KINDS[kind]
        .model.objects.filter(pk=listing_id, status=ListingStatus.PUBLISHED)
        .select_related("owner")
        .first()
    )
    document = SearchDocument.objects.filter(kind=kind, listing_id=listing_id).first()
    if listing is None or document is None:
        return 0
    candidates = (
        SavedSearch.objects.filter(kind=kind, active=True)
        .filter(Q(group_count=0) | Q(pk__in=_word_candidates(kind, _document_tokens(document))))
        .filter(_filters_admit(document))
        .exclude(hits__listing_id=listing_id)
        .exclude(user__memberships__organization_id=listing.owner_id)
        .select_related("user")
        .order_by("pk")
    )
    if listing.published_at is not None:
        candidates = candidates.filter(created_at__lte=listing.published_at)
    if listing.created_by_id is not None:
        candidates = candidates.exclude(user_id=listing.created_by_id)

    same_query: dict[tuple[str, str], list[SavedSearch]] = defaultdict(list)
    for saved in candidates:
        same_query[(saved.q, saved.filters_key)].append(saved)
    matched: list[SavedSearch] = []
    for group in same_query.values():
        query = SearchQuery.clean(q=group[0].q, kind=kind, filters=group[0].filters)
        if embedded.matches(query, document.pk):
            matched.extend(group)
    if not matched:
        return 0

    try:
        with transaction.atomic():
            SavedSearchHit.objects.bulk_create(
                SavedSearchHit(saved_search=saved, listing_id=listing_id) for saved in matched
            )
    except IntegrityError:
        # A concurrent check of the same listing recorded (and sent) these first.
        return 0
    SavedSearch.objects.filter(pk__in=[s.pk for s in matched]).update(
        last_notified_at=timezone.now()
    )
    url = listing_url(kind, listing_id)
    by_user: dict[int, list[SavedSearch]] = defaultdict(list)
    for saved in matched:
        by_user[saved.user_id].append(saved)
    for searches in by_user.values():
        # One notice per person, however many of their saved searches the listing matches.
        notify(
            recipient=searches[0].user,
            verb=SAVED_SEARCH_VERB,
            title=(_("新的匹配信息：%(title)s") % {"title": listing.title})[:200],
            body=_("符合你保存的搜索：%(names)s") % {"names": "、".join(s.name for s in searches)},
            url=url,
        )
    return len(matched)


SIMILAR_TEXT_CHARS = 20_000


def similar_listing_ids(*, kind: str, content: str, size: int) -> list[int] | None:
    """Published listings of `kind` most like `content`, from Elasticsearch; None when it is
    not configured or not reachable (the caller uses its own retrieval then)."""
    if not elasticsearch_configured() or not elasticsearch_available():
        return None
    try:
        tokens = text.analyze(content[:SIMILAR_TEXT_CHARS])
        return elastic.similar_ids(kind, tokens, size=size)
    except BackendUnavailable as exc:
        _trip(exc)
        return None

"""The Elasticsearch backend, defined with the Elasticsearch DSL (`elasticsearch.dsl`).

One index per listing kind behind an alias (`<prefix>-achievement` → `<prefix>-achievement-
<timestamp>`), so a full reindex fills a new index and swaps the alias atomically. Text
arrives already cut by jieba (search.text) and is split on whitespace only, so a document and
a query are segmented identically here and in the embedded backend.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from typing import Any

import elastic_transport
from django.conf import settings
from django.utils import timezone
from elasticsearch import ApiError, Elasticsearch, NotFoundError, helpers
from elasticsearch.dsl import (
    Boolean,
    Date,
    Document,
    Double,
    Index,
    Integer,
    Keyword,
    Long,
    Q,
    Search,
    Text,
)

from search.backends import BackendUnavailable, build_facets, make_hit
from search.contract import MAX_RESULT_WINDOW, SearchQuery, SearchResults, clamp_page
from search.text import query_groups

logger = logging.getLogger(__name__)

NAME = "elasticsearch"
# The built-in `whitespace` analyzer is in core; the whitespace *tokenizer* (and so any custom
# analyzer built on it) lives in analysis-common, which the test distribution lacks. Tokens
# are already lower-cased by search.text, so no filter is needed.
TOKENS = "whitespace"
TEXT_FIELDS = ["title_tokens^3", "keywords_tokens^2", "body_tokens"]
UNAVAILABLE = (elastic_transport.TransportError, ApiError)


class ListingDocument(Document):
    """What achievements and demands share in the index."""

    kind = Keyword()
    listing_id = Long()
    title = Keyword(index=False, doc_values=False)
    excerpt = Text(index=False)
    keywords = Text(index=False)
    title_tokens = Text(analyzer=TOKENS)
    keywords_tokens = Text(analyzer=TOKENS)
    body_tokens = Text(analyzer=TOKENS)
    field = Keyword()
    market_id = Keyword()
    region_code = Keyword()
    modes = Keyword(multi=True)
    price = Double()
    price_negotiable = Boolean()
    price_band = Keyword()
    holder_kind = Keyword()
    published_at = Date()


class AchievementDocument(ListingDocument):
    """A technology achievement (科技成果) in the index."""

    trl = Integer()


class DemandDocument(ListingDocument):
    """A technology demand (技术需求) in the index."""


DOCUMENTS = {"achievement": AchievementDocument, "demand": DemandDocument}


@lru_cache(maxsize=4)
def _client(url: str, timeout: float) -> Elasticsearch:
    # No retries and a short timeout: a dead node must cost one quick failure, not several.
    return Elasticsearch(url, request_timeout=timeout, max_retries=0, retry_on_timeout=False)


def client() -> Elasticsearch:
    return _client(settings.ELASTICSEARCH_URL, float(settings.SEARCH_ES_TIMEOUT))


def alias_name(kind: str) -> str:
    return f"{settings.SEARCH_INDEX_PREFIX}-{kind}"


def new_index_name(kind: str) -> str:
    return f"{alias_name(kind)}-{timezone.now().strftime('%Y%m%d%H%M%S%f')}"


def _refresh() -> bool | str:
    return "wait_for" if settings.SEARCH_ES_REFRESH else False


def _source(doc: dict[str, Any]) -> dict[str, Any]:
    source = dict(doc)
    source["market_id"] = str(doc["market_id"]) if doc["market_id"] is not None else None
    source["price"] = float(doc["price"]) if doc["price"] is not None else None
    if doc["kind"] != "achievement":
        source.pop("trl", None)
    return source


# ── Writing ──────────────────────────────────────────────────────────────────────────────────


def create_index(kind: str, name: str) -> None:
    index = Index(name)
    # One node: no replicas, so the cluster stays green. No refresh while bulk loading.
    # The translog is fsynced lazily while loading: a crash mid-build loses nothing that the
    # resumable rebuild cannot redo. finish_index restores per-request durability.
    index.settings(
        number_of_shards=1,
        number_of_replicas=0,
        refresh_interval="-1",
        translog={"durability": "async"},
    )
    index.document(DOCUMENTS[kind])
    try:
        index.create(using=admin_client())
    except UNAVAILABLE as exc:
        raise BackendUnavailable(str(exc)) from exc


BULK_TIMEOUT = 120.0
# Creating, switching and dropping indexes waits on the cluster's master, which on a busy
# machine takes seconds: these are operators' and the rebuild's requests, never a search's.
ADMIN_TIMEOUT = 30.0


def admin_client() -> Elasticsearch:
    return client().options(request_timeout=ADMIN_TIMEOUT)


def bulk_write(index: str, docs: list[dict[str, Any]], *, refresh: bool | str = False) -> None:
    """Index documents into one concrete index. Actions are built up front and sent by
    parallel_bulk (two threads, so one request is in flight while the next is serialised)
    with a timeout fit for bulk requests rather than searches."""
    actions = [
        {"_op_type": "index", "_index": index, "_id": d["listing_id"], "_source": _source(d)}
        for d in docs
    ]
    if not actions:
        return
    es = client().options(request_timeout=BULK_TIMEOUT)
    try:
        if len(actions) <= 500:
            helpers.bulk(es, actions, chunk_size=500, refresh=refresh)
            return
        for _ok, _info in helpers.parallel_bulk(
            es, actions, thread_count=2, chunk_size=500, queue_size=2
        ):
            pass
        if refresh:
            es.indices.refresh(index=index)
    except (helpers.BulkIndexError, *UNAVAILABLE) as exc:
        raise BackendUnavailable(str(exc)) from exc


def write(kind: str, docs: list[dict[str, Any]], *, extra_indexes: list[str] = ()) -> bool:
    """Index documents through the alias (and any index a running rebuild fills). Returns
    False when the alias does not exist yet: nothing to keep true until a reindex builds it."""
    for index in extra_indexes:
        bulk_write(index, docs, refresh=_refresh())
    try:
        for d in docs:
            client().index(
                index=alias_name(kind),
                id=str(d["listing_id"]),
                document=_source(d),
                require_alias=True,
                refresh=_refresh(),
            )
    except NotFoundError:
        return False
    except ApiError as exc:
        if exc.meta.status == 404 or "alias" in str(exc):
            return False
        raise BackendUnavailable(str(exc)) from exc
    except elastic_transport.TransportError as exc:
        raise BackendUnavailable(str(exc)) from exc
    return True


def delete(kind: str, listing_ids: list[int], *, extra_indexes: list[str] = ()) -> None:
    for index in [alias_name(kind), *extra_indexes]:
        for pk in listing_ids:
            try:
                client().delete(index=index, id=str(pk), refresh=_refresh())
            except NotFoundError:
                pass
            except UNAVAILABLE as exc:
                raise BackendUnavailable(str(exc)) from exc


def finish_index(kind: str, name: str) -> None:
    """Make a rebuilt index searchable, point the alias at it alone, drop the old ones."""
    es = admin_client()
    try:
        es.indices.put_settings(
            index=name,
            settings={"index": {"refresh_interval": "1s", "translog.durability": "request"}},
        )
        es.indices.refresh(index=name)
        alias = alias_name(kind)
        old = (
            list(es.indices.get_alias(name=alias).body)
            if es.indices.exists_alias(name=alias)
            else []
        )
        actions: list[dict] = [{"remove": {"index": o, "alias": alias}} for o in old if o != name]
        actions.append({"add": {"index": name, "alias": alias}})
        es.indices.update_aliases(actions=actions)
        for o in old:
            if o != name:
                es.indices.delete(index=o)
    except UNAVAILABLE as exc:
        raise BackendUnavailable(str(exc)) from exc


def delete_index(name: str) -> None:
    try:
        admin_client().indices.delete(index=name, ignore_unavailable=True)
    except UNAVAILABLE as exc:
        raise BackendUnavailable(str(exc)) from exc


def drop_all() -> None:
    """Delete every index of this prefix (tests, and a clean slate)."""
    es = admin_client()
    for kind in DOCUMENTS:
        es.indices.delete(index=f"{alias_name(kind)}-*", ignore_unavailable=True)
    # A stray index auto-created under the alias name itself would block the alias.
    for kind in DOCUMENTS:
        if es.indices.exists(index=alias_name(kind)) and not es.indices.exists_alias(
            name=alias_name(kind)
        ):
            es.indices.delete(index=alias_name(kind))


# ── Query ────────────────────────────────────────────────────────────────────────────────────


def _search(query: SearchQuery) -> Search:
    s = Search(using=client(), index=alias_name(query.kind))
    groups = query_groups(query.q)
    if groups:
        # Every word the person typed must match, through any of its alternatives.
        s = s.query(
            "bool",
            must=[
                Q("multi_match", query=" ".join(group), fields=TEXT_FIELDS, operator="or")
                for group in groups
            ],
        )
    f = query.filters
    if "field" in f:
        s = s.filter("term", field=f["field"])
    if "market" in f:
        s = s.filter("term", market_id=str(f["market"]))
    if "trl_min" in f:
        s = s.filter("range", trl={"gte": f["trl_min"]})
    if "mode" in f:
        s = s.filter("term", modes=f["mode"])
    if "price" in f:
        s = s.filter("term", price_band=f["price"])
    if "holder" in f:
        s = s.filter("term", holder_kind=f["holder"])
    s.aggs.bucket("field", "terms", field="field", size=20)
    s.aggs.bucket("market", "terms", field="market_id", size=200)
    if query.kind == "achievement":
        s.aggs.bucket("trl", "terms", field="trl", size=10)
    s.aggs.bucket("mode", "terms", field="modes", size=10)
    s.aggs.bucket("price", "terms", field="price_band", size=10)
    s.aggs.bucket("holder", "terms", field="holder_kind", size=10)
    newest = [{"published_at": {"order": "desc"}}, {"listing_id": {"order": "desc"}}]
    # By price, 面议 (negotiable, or no price given) comes after every price, in both directions.
    negotiable_last = {"price_negotiable": {"order": "asc"}}
    sort = {
        "relevance": ["_score", *newest],
        "newest": newest,
        "price": [
            negotiable_last,
            {"price": {"order": "asc", "missing": "_last"}},
            {"listing_id": "desc"},
        ],
        "-price": [
            negotiable_last,
            {"price": {"order": "desc", "missing": "_last"}},
            {"listing_id": "desc"},
        ],
    }[query.effective_sort]
    return (
        s.sort(*sort)
        .source(
            [
                "listing_id",
                "title",
                "excerpt",
                "keywords",
                "published_at",
                "price",
                "price_negotiable",
                "field",
            ]  # fmt: skip
        )
        # Counting hits exactly past the reachable window costs time for nothing: the exact
        # total comes from the field facet instead (every document has exactly one field).
        .extra(track_total_hits=MAX_RESULT_WINDOW)
    )


def _total(result) -> int:
    field = result.aggregations.field if "field" in result.aggregations else None
    from_facet = sum(b.doc_count for b in field.buckets) if field is not None else 0
    return max(result.hits.total.value, from_facet)


def search(query: SearchQuery) -> SearchResults:
    base = _search(query)
    try:
        page = query.page
        response = base.extra(from_=(page - 1) * query.page_size, size=query.page_size)
        if (page - 1) * query.page_size >= 10_000:
            response = base.extra(size=0)
        result = response.execute()
        total = _total(result)
        page, pages = clamp_page(query, total)
        if page != query.page or (total and not result.hits):
            result = base.extra(from_=(page - 1) * query.page_size, size=query.page_size).execute()
    except UNAVAILABLE as exc:
        raise BackendUnavailable(str(exc)) from exc
    hits = []
    for h in result.hits:
        row = h.to_dict()
        if row.get("published_at"):
            row["published_at"] = datetime.fromisoformat(row["published_at"])
        score = h.meta.score if query.effective_sort == "relevance" else None
        hits.append(make_hit(query, row, score))
    raw = {
        name: {str(b.key): b.doc_count for b in result.aggregations[name].buckets}
        for name in ("field", "market", "trl", "mode", "price", "holder")
        if name in result.aggregations
    }
    return SearchResults(
        query=query,
        total=total,
        hits=hits,
        facets=build_facets(query, raw),
        page=page,
        pages=pages,
        backend=NAME,
    )


def suggest(kind: str, prefix_tokens: list[str], limit: int) -> list[str]:
    if not prefix_tokens:
        return []
    must = [Q("multi_match", query=t, fields=TEXT_FIELDS[:2]) for t in prefix_tokens[:-1]]
    last = prefix_tokens[-1]
    must.append(
        Q("bool", should=[Q("prefix", title_tokens=last), Q("prefix", keywords_tokens=last)])
    )
    s = Search(using=client(), index=alias_name(kind)).query("bool", must=must)
    try:
        result = s.source(["title"]).extra(size=limit).execute()
    except UNAVAILABLE as exc:
        raise BackendUnavailable(str(exc)) from exc
    return [h.title for h in result.hits]


def similar_ids(kind: str, tokens: str, *, size: int) -> list[int]:
    """Listings of `kind` most like a text (already segmented, space-joined tokens), best
    first: Elasticsearch's more_like_this over the token fields. Matching uses it to
    retrieve candidates; it ranks them itself."""
    if not tokens.strip():
        return []
    query = Q(
        "more_like_this",
        fields=["title_tokens", "keywords_tokens", "body_tokens"],
        like=tokens,
        min_term_freq=1,
        min_doc_freq=1,
        max_query_terms=100,
        minimum_should_match="1",
    )
    s = Search(using=client(), index=alias_name(kind)).query(query).source(["listing_id"])
    try:
        result = s.extra(size=size).execute()
    except UNAVAILABLE as exc:
        raise BackendUnavailable(str(exc)) from exc
    return [int(h.listing_id) for h in result.hits]

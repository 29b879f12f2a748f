"""The embedded backend (内置检索): the default, needing nothing but the database.

Documents live in search_searchdocument with their text as jieba tokens. SQLite searches
them through an FTS5 table with BM25 (title > keywords > body); PostgreSQL through a weighted
tsvector with a GIN index and ts_rank. Facet counts are GROUP BYs over the matching rows.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from market.fragments import fragment, fragments_bump_now_and_on_commit
from search.backends import build_facets, make_hit
from search.contract import SearchQuery, SearchResults, clamp_page
from search.models import SearchDocument
from search.text import query_groups

NAME = "embedded"
# BM25 column weights for title, keywords and body.
FTS_WEIGHTS = "10.0, 5.0, 1.0"
COLUMNS = [
    "kind", "listing_id", "title", "excerpt", "keywords", "title_tokens", "keywords_tokens",
    "body_tokens", "field", "market_id", "region_code", "trl", "modes", "price",
    "price_negotiable", "price_band", "holder_kind", "published_at",
]  # fmt: skip


def _values(doc: dict[str, Any], now) -> list[Any]:
    values = [doc[c] for c in COLUMNS]
    modes = COLUMNS.index("modes")
    values[modes] = "," + ",".join(doc["modes"]) + "," if doc["modes"] else ""
    price = COLUMNS.index("price")
    if values[price] is not None:
        values[price] = connection.ops.adapt_decimalfield_value(values[price], 12, 2)
    published = COLUMNS.index("published_at")
    values[published] = connection.ops.adapt_datetimefield_value(values[published])
    return [*values, now]


def _tsvector(doc: dict[str, Any]) -> str:
    """A tsvector literal with positions and weights, built here rather than by to_tsvector,
    so PostgreSQL's parser never re-splits the jieba tokens (it would, on CJK)."""
    positions: dict[str, list[str]] = defaultdict(list)
    pos = 0
    for column, weight in (("title_tokens", "A"), ("keywords_tokens", "B"), ("body_tokens", "C")):
        for token in (doc[column] or "").split():
            pos += 1
            if len(positions[token]) < 200:
                positions[token].append(f"{min(pos, 16383)}{weight}")
    return " ".join(f"'{t}':{','.join(p)}" for t, p in positions.items())


def _upsert_sql(with_vector: bool) -> str:
    columns = [*COLUMNS, "indexed_at"] + (["vector"] if with_vector else [])
    placeholders = ["%s"] * (len(columns) - 1) + ["%s::tsvector" if with_vector else "%s"]
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in ("kind", "listing_id"))
    return (
        f"INSERT INTO search_searchdocument ({', '.join(columns)}) "
        f"VALUES ({', '.join(placeholders)}) "
        f"ON CONFLICT (kind, listing_id) DO UPDATE SET {updates}"
    )


@transaction.atomic
def write(kind: str, docs: list[dict[str, Any]]) -> None:
    """Insert or replace documents: one executemany upsert in one transaction (on SQLite the
    FTS table follows through the triggers; on PostgreSQL the tsvector is written with it)."""
    if not docs:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    postgres = connection.vendor == "postgresql"
    rows = []
    for doc in docs:
        values = _values(doc, now)
        if postgres:
            values.append(_tsvector(doc))
        rows.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(_upsert_sql(postgres), rows)
    index_changed(kind)


def delete(kind: str, listing_ids: list[int]) -> None:
    SearchDocument.objects.filter(kind=kind, listing_id__in=listing_ids).delete()
    index_changed(kind)


def delete_stale(kind: str, before) -> int:
    """Drop documents a full rebuild did not rewrite: listings no longer published."""
    deleted = SearchDocument.objects.filter(kind=kind, indexed_at__lt=before).delete()[0]
    index_changed(kind)
    return deleted


def _results_group(kind: str) -> str:
    return f"search-results:{kind}"


def index_changed(kind: str) -> None:
    """Every cached answer over this kind's documents is stale (see `search`)."""
    fragments_bump_now_and_on_commit(_results_group(kind))


# ── Query ────────────────────────────────────────────────────────────────────────────────────


# On SQLite, the covering index of migration 0003 (rowid first, then every column a search
# filters, counts or sorts on): joined through it, a match never reads the wide row.
COVERING_INDEX = "search_doc_cover"


def _match(groups: list[list[str]]) -> tuple[str, str, str, list[Any]]:
    """(FROM clause, match condition, score expression, params) for this database.

    On SQLite the CROSS JOIN pins the FTS table as the outer loop: left to itself the planner
    may walk every document of the kind and probe the FTS index once per row. INDEXED BY makes
    the rowid lookup of each match go through the narrow covering index."""
    if connection.vendor == "postgresql":
        tsquery = " & ".join("(" + " | ".join(f"'{t}'" for t in group) + ")" for group in groups)
        return (
            "search_searchdocument d",
            "d.vector @@ %s::tsquery",
            "ts_rank(d.vector, %s::tsquery)",
            [tsquery],
        )
    expression = " AND ".join("(" + " OR ".join(f'"{t}"' for t in group) + ")" for group in groups)
    return (
        f"search_fts CROSS JOIN search_searchdocument d INDEXED BY {COVERING_INDEX} "
        "ON d.id = search_fts.rowid",
        "search_fts MATCH %s",
        f"-bm25(search_fts, {FTS_WEIGHTS})",
        [expression],
    )


def _where(query: SearchQuery) -> tuple[list[str], list[Any]]:
    conditions, params = ["d.kind = %s"], [query.kind]
    f = query.filters
    if "field" in f:
        conditions.append("d.field = %s")
        params.append(f["field"])
    if "market" in f:
        conditions.append("d.market_id = %s")
        params.append(f["market"])
    if "trl_min" in f:
        conditions.append("d.trl >= %s")
        params.append(f["trl_min"])
    if "mode" in f:
        conditions.append("d.modes LIKE %s")
        params.append(f"%,{f['mode']},%")
    if "price" in f:
        conditions.append("d.price_band = %s")
        params.append(f["price"])
    if "holder" in f:
        conditions.append("d.holder_kind = %s")
        params.append(f["holder"])
    return conditions, params


# By price, 面议 (negotiable, or no price given) comes after every price, in both directions.
ORDER = {
    "relevance": "score DESC, d.published_at DESC, d.listing_id DESC",
    "newest": "d.published_at DESC, d.listing_id DESC",
    "price": "d.price_negotiable ASC, d.price ASC NULLS LAST, d.listing_id DESC",
    "-price": "d.price_negotiable ASC, d.price DESC NULLS LAST, d.listing_id DESC",
}


HIT_COLUMNS = (
    "d.listing_id, d.title, d.excerpt, d.keywords, d.published_at, d.price, "
    "d.price_negotiable, d.field"
)


def search(query: SearchQuery) -> SearchResults:
    """One page of results. A query over many documents costs the database a pass over
    every match (the total, the facet counts, the ranking), and popular queries repeat, so
    answers are kept in the cache (`market.fragments`) until the kind's documents change:
    any write or delete here bumps their version. The search page's and the API's hits
    alike come from here."""
    parts = (
        query.q,
        tuple(sorted((k, str(v)) for k, v in query.filters.items())),
        query.sort,
        query.page,
        query.page_size,
    )
    results = fragment(_results_group(query.kind), "results", lambda: _search(query), *parts)
    # The answer is shared; what this reader typed (and was told about it) is their own.
    return dataclasses.replace(results, query=query)


def _search(query: SearchQuery) -> SearchResults:
    groups = query_groups(query.q)
    conditions, params = _where(query)
    if groups:
        source, match, score, match_params = _match(groups)
        conditions.insert(0, match)
        params = match_params + params
        score_params = match_params if connection.vendor == "postgresql" else []
    else:
        source, score, score_params = "search_searchdocument d", "0", []
    where = " AND ".join(conditions)

    raw = _facet_counts(source, where, params)
    total = sum(raw.get("field", {}).values())
    page, pages = clamp_page(query, total)
    hits = []
    if total:
        # Rank (or sort) and page on the narrow columns first, then read the wide rows of
        # the page only: the sorter never carries excerpts for every match.
        sql = (
            f"SELECT d.id, {score} AS score FROM {source} WHERE {where} "
            f"ORDER BY {ORDER[query.effective_sort]} LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql, score_params + params + [query.page_size, (page - 1) * query.page_size]
            )
            ranked = cursor.fetchall()
            if ranked:
                cursor.execute(
                    f"SELECT d.id, {HIT_COLUMNS} FROM search_searchdocument d "
                    f"WHERE d.id IN ({', '.join(['%s'] * len(ranked))})",
                    [pk for pk, _ in ranked],
                )
                names = [c[0] for c in cursor.description]
                rows = {r[0]: dict(zip(names, r, strict=True)) for r in cursor.fetchall()}
                for row in rows.values():
                    # SQLite gives the stored time back naive, in the connection's time zone.
                    stamp = row["published_at"]
                    if isinstance(stamp, datetime) and timezone.is_naive(stamp):
                        row["published_at"] = timezone.make_aware(stamp, connection.timezone)
            for pk, value in ranked:
                if pk in rows:
                    hits.append(make_hit(query, rows[pk], float(value) if groups else None))
    return SearchResults(
        query=query,
        total=total,
        hits=hits,
        facets=build_facets(query, raw),
        page=page,
        pages=pages,
        backend=NAME,
    )


def matches(query: SearchQuery, document_id: int) -> bool:
    """Whether one indexed document is among `query`'s results: the search's own match and
    filter conditions, applied to that row alone (saved searches check new listings so).
    On SQLite the rowid condition lets FTS5 look the one row up in each posting list
    instead of reading every document that shares the query's words."""
    groups = query_groups(query.q)
    conditions, params = _where(query)
    if groups:
        source, match, _score, match_params = _match(groups)
        conditions.insert(0, match)
        params = match_params + params
        if connection.vendor == "sqlite":
            conditions.append("search_fts.rowid = %s")
            params.append(document_id)
    else:
        source = "search_searchdocument d"
    conditions.append("d.id = %s")
    params.append(document_id)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {source} WHERE {' AND '.join(conditions)} LIMIT 1", params)
        return cursor.fetchone() is not None


def _facet_counts(source: str, where: str, params: list[Any]) -> dict[str, dict[str, int]]:
    """Every facet's counts from one grouped pass over the matching rows: one row per
    combination of facet values (a few hundred at most), folded into per-facet counts here.
    On SQLite the pass reads the covering index only."""
    if source == "search_searchdocument d" and connection.vendor == "sqlite":
        source = f"search_searchdocument d INDEXED BY {COVERING_INDEX}"
    sql = (
        "SELECT d.field, d.market_id, d.trl, d.modes, d.price_band, d.holder_kind, COUNT(*) "
        f"FROM {source} WHERE {where} GROUP BY 1, 2, 3, 4, 5, 6"
    )
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for field, market, trl, modes, band, holder, count in cursor.fetchall():
            counts["field"][field] += count
            if market is not None:
                counts["market"][str(market)] += count
            if trl is not None:
                counts["trl"][str(trl)] += count
            counts["price"][band] += count
            counts["holder"][holder] += count
            for code in (modes or "").split(","):
                if code:
                    counts["mode"][code] += count
    return {facet: dict(values) for facet, values in counts.items()}


def suggest(kind: str, prefix_tokens: list[str], limit: int) -> list[str]:
    """Titles whose title or keywords start with the typed tokens (prefix match on the last)."""
    if not prefix_tokens:
        return []
    if connection.vendor == "postgresql":
        # Weights A and B: title and keywords only.
        tsquery = " & ".join(f"'{t}':AB" for t in prefix_tokens[:-1])
        last = f"'{prefix_tokens[-1]}':*AB"
        tsquery = f"{tsquery} & {last}" if tsquery else last
        sql = (
            "SELECT d.title FROM search_searchdocument d WHERE d.kind = %s "
            "AND d.vector @@ %s::tsquery ORDER BY d.published_at DESC LIMIT %s"
        )
        params = [kind, tsquery, limit]
    else:
        terms = [f'"{t}"' for t in prefix_tokens[:-1]] + [f'"{prefix_tokens[-1]}"*']
        expression = "{title_tokens keywords_tokens} : (" + " AND ".join(terms) + ")"
        sql = (
            "SELECT d.title FROM search_fts CROSS JOIN search_searchdocument d "
            "ON d.id = search_fts.rowid WHERE search_fts MATCH %s AND d.kind = %s "
            f"ORDER BY bm25(search_fts, {FTS_WEIGHTS}) LIMIT %s"
        )
        params = [expression, kind, limit]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [r[0] for r in cursor.fetchall()]

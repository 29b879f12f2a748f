"""The embedded backend (内置检索): the default, needing nothing but the database.

Documents live in search_searchdocument with their text as jieba tokens. SQLite searches
them through an FTS5 table with BM25 (title > keywords > body); PostgreSQL through a weighted
tsvector with a GIN index and ts_rank. Facet counts are GROUP BYs over the matching rows.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from listings.choices import CooperationMode
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


def _row(doc: dict[str, Any], now) -> SearchDocument:
    values = {c: doc[c] for c in COLUMNS}
    values["modes"] = "," + ",".join(doc["modes"]) + "," if doc["modes"] else ""
    return SearchDocument(indexed_at=now, **values)


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


@transaction.atomic
def write(kind: str, docs: list[dict[str, Any]]) -> None:
    """Insert or replace documents."""
    if not docs:
        return
    now = timezone.now()
    ids = [d["listing_id"] for d in docs]
    SearchDocument.objects.filter(kind=kind, listing_id__in=ids).delete()
    rows = SearchDocument.objects.bulk_create([_row(d, now) for d in docs])
    if connection.vendor == "postgresql":
        by_listing = {r.listing_id: r.pk for r in rows}
        if None in by_listing.values():
            by_listing = dict(
                SearchDocument.objects.filter(kind=kind, listing_id__in=ids).values_list(
                    "listing_id", "pk"
                )
            )
        with connection.cursor() as cursor:
            cursor.executemany(
                "UPDATE search_searchdocument SET vector = %s::tsvector WHERE id = %s",
                [(_tsvector(d), by_listing[d["listing_id"]]) for d in docs],
            )


def delete(kind: str, listing_ids: list[int]) -> None:
    SearchDocument.objects.filter(kind=kind, listing_id__in=listing_ids).delete()


def delete_stale(kind: str, before) -> int:
    """Drop documents a full rebuild did not rewrite: listings no longer published."""
    return SearchDocument.objects.filter(kind=kind, indexed_at__lt=before).delete()[0]


# ── Query ────────────────────────────────────────────────────────────────────────────────────


def _match(groups: list[list[str]]) -> tuple[str, str, str, list[Any]]:
    """(FROM clause, match condition, score expression, params) for this database.

    On SQLite the CROSS JOIN pins the FTS table as the outer loop: left to itself the planner
    may walk every document of the kind and probe the FTS index once per row."""
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
        "search_fts CROSS JOIN search_searchdocument d ON d.id = search_fts.rowid",
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


ORDER = {
    "relevance": "score DESC, d.published_at DESC, d.listing_id DESC",
    "newest": "d.published_at DESC, d.listing_id DESC",
    "price": "d.price ASC NULLS LAST, d.listing_id DESC",
    "-price": "d.price DESC NULLS LAST, d.listing_id DESC",
}


def search(query: SearchQuery) -> SearchResults:
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
        sql = (
            f"SELECT d.listing_id, d.title, d.excerpt, d.keywords, d.published_at, d.price, "
            f"d.price_negotiable, d.field, {score} AS score FROM {source} WHERE {where} "
            f"ORDER BY {ORDER[query.effective_sort]} LIMIT %s OFFSET %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                sql, score_params + params + [query.page_size, (page - 1) * query.page_size]
            )
            names = [c[0] for c in cursor.description]
            for values in cursor.fetchall():
                row = dict(zip(names, values, strict=True))
                hits.append(make_hit(query, row, float(row["score"]) if groups else None))
    return SearchResults(
        query=query,
        total=total,
        hits=hits,
        facets=build_facets(query, raw),
        page=page,
        pages=pages,
        backend=NAME,
    )


def _facet_counts(source: str, where: str, params: list[Any]) -> dict[str, dict[str, int]]:
    """Every facet's counts in one statement over the matching rows, materialised once."""
    parts = [
        "SELECT 'field' AS facet, field AS value, COUNT(*) FROM m GROUP BY field",
        "SELECT 'market', CAST(market_id AS TEXT), COUNT(*) FROM m GROUP BY market_id",
        "SELECT 'trl', CAST(trl AS TEXT), COUNT(*) FROM m WHERE trl IS NOT NULL GROUP BY trl",
        "SELECT 'price', price_band, COUNT(*) FROM m GROUP BY price_band",
        "SELECT 'holder', holder_kind, COUNT(*) FROM m GROUP BY holder_kind",
    ]
    mode_params = []
    for code in CooperationMode.values:
        parts.append(f"SELECT 'mode', '{code}', COUNT(*) FROM m WHERE modes LIKE %s")
        mode_params.append(f"%,{code},%")
    sql = (
        f"WITH m AS MATERIALIZED (SELECT d.field, d.market_id, d.trl, d.modes, d.price_band, "
        f"d.holder_kind FROM {source} WHERE {where}) " + " UNION ALL ".join(parts)
    )
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, params + mode_params)
        for facet, value, count in cursor.fetchall():
            if count:
                counts[facet][value] = count
    return counts


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

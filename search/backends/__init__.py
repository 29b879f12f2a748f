"""The two search backends behind the one contract in search.contract."""

from __future__ import annotations

from datetime import UTC, datetime

from django.utils import timezone

from search.contract import (
    HOLDER_LABELS,
    PRICE_BANDS,
    FacetValue,
    Hit,
    SearchQuery,
)
from search.text import highlight, query_terms


class BackendUnavailable(Exception):
    """The backend cannot answer now (unreachable, timed out, index missing)."""


def published(value: datetime | str | None) -> datetime | None:
    """A hit's publication time, aware and in the site's time zone (Asia/Shanghai), whatever
    a backend read: ISO text, an aware datetime, or a naive one, which is UTC as both
    backends store it."""
    if not value:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return timezone.localtime(value)


def make_hit(query: SearchQuery, row: dict, score: float | None) -> Hit:
    """A hit from a stored document, highlighted the same way by both backends."""
    terms = query_terms(query.q)
    snippet = highlight(row.get("excerpt") or "", terms, length=160)
    if terms and "<mark>" not in snippet and row.get("keywords"):
        snippet = highlight(row["keywords"], terms, length=160)
    return Hit(
        kind=query.kind,
        pk=int(row["listing_id"]),
        title=row["title"],
        title_html=highlight(row["title"], terms, length=200),
        snippet_html=snippet,
        score=score,
        published_at=published(row.get("published_at")),
        price=row.get("price"),
        price_negotiable=bool(row.get("price_negotiable")),
        field=row.get("field") or "",
    )


def build_facets(query: SearchQuery, raw: dict[str, dict[str, int]]) -> dict[str, list]:
    """Facet values with labels from raw counts {facet: {value: count}}, in a stable order."""
    from listings.choices import CooperationMode, TechField
    from market.models import Market

    facets: dict[str, list[FacetValue]] = {}
    field_counts = raw.get("field", {})
    facets["field"] = [
        FacetValue(v, str(label), field_counts[v])
        for v, label in TechField.choices
        if field_counts.get(v)
    ]
    market_counts = {str(k): c for k, c in raw.get("market", {}).items() if k not in (None, "")}
    names = dict(
        Market.objects.filter(pk__in=[int(k) for k in market_counts]).values_list("pk", "name")
    )
    facets["market"] = [
        FacetValue(k, names.get(int(k), k), c)
        for k, c in sorted(market_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    if query.kind == "achievement":
        exact = {int(k): c for k, c in raw.get("trl", {}).items() if k not in (None, "")}
        facets["trl_min"] = [
            FacetValue(str(n), f"TRL ≥ {n}", sum(c for t, c in exact.items() if t >= n))
            for n in range(1, 10)
            if any(t >= n for t in exact)
        ]
    mode_counts = raw.get("mode", {})
    facets["mode"] = [
        FacetValue(v, str(label), mode_counts[v])
        for v, label in CooperationMode.choices
        if mode_counts.get(v)
    ]
    price_counts = raw.get("price", {})
    facets["price"] = [
        FacetValue(code, str(band[2]), price_counts[code])
        for code, band in PRICE_BANDS.items()
        if price_counts.get(code)
    ]
    holder_counts = raw.get("holder", {})
    facets["holder"] = [
        FacetValue(v, str(label), holder_counts[v])
        for v, label in HOLDER_LABELS.items()
        if holder_counts.get(v)
    ]
    return facets

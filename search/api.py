"""The JSON API, /api/v1/, documented by OpenAPI at /api/v1/openapi.json (docs: /api/v1/docs)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.http import HttpRequest
from ninja import NinjaAPI, Query, Schema, Status

from search import services
from search.contract import SearchQuery, query_string_too_long, too_long_message
from search.selectors import hit_urls
from search.text import MAX_QUERY_CHARS

api = NinjaAPI(
    title="省技术市场 API",
    version="1",
    urls_namespace="api-v1",
    description="科技成果与技术需求的检索接口。",
)


class SearchParams(Schema):
    q: str = ""
    type: str = "achievement"
    field: str | None = None
    market: str | None = None
    trl_min: str | None = None
    mode: str | None = None
    price: str | None = None
    holder: str | None = None
    sort: str = "relevance"
    page: str = "1"
    page_size: str = "20"


class HitOut(Schema):
    id: int
    type: Literal["achievement", "demand"]
    title: str
    title_html: str
    snippet_html: str
    url: str
    score: float | None
    published_at: datetime | None
    price: float | None
    price_negotiable: bool
    field: str


class FacetValueOut(Schema):
    value: str
    label: str
    count: int


class TooLongOut(Schema):
    detail: str
    max_query_chars: int


class SearchOut(Schema):
    q: str
    type: str
    total: int
    page: int
    pages: int
    page_size: int
    backend: str
    notice: str | None
    hits: list[HitOut]
    facets: dict[str, list[FacetValueOut]]


@api.get("/search", response={200: SearchOut, 414: TooLongOut}, summary="检索科技成果或技术需求")
def search(request: HttpRequest, params: Query[SearchParams]):
    """Every parameter is optional and forgiving: unknown facet values and sort orders are
    ignored with a `notice`, a too-long `q` is cut, a page past the end gives the last page.
    Only a query string over 4,096 bytes is refused, with 414. `published_at` is an RFC 3339
    date-time with its offset (Asia/Shanghai, +08:00)."""
    if query_string_too_long(request.META.get("QUERY_STRING", "")):
        return Status(414, {"detail": too_long_message(), "max_query_chars": MAX_QUERY_CHARS})
    query = SearchQuery.clean(
        q=params.q,
        kind=params.type,
        filters={
            name: getattr(params, name)
            for name in ("field", "market", "trl_min", "mode", "price", "holder")
            if getattr(params, name)
        },
        sort=params.sort,
        page=params.page,
        page_size=params.page_size,
    )
    results = hit_urls(services.search(query))
    return {
        "q": query.q,
        "type": query.kind,
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "page_size": query.page_size,
        "backend": results.backend,
        "notice": results.notice,
        "hits": [
            {
                "id": h.pk,
                "type": h.kind,
                "title": h.title,
                "title_html": h.title_html,
                "snippet_html": h.snippet_html,
                "url": h.url,
                "score": h.score,
                "published_at": h.published_at,
                "price": float(h.price) if h.price is not None else None,
                "price_negotiable": h.price_negotiable,
                "field": h.field,
            }
            for h in results.hits
        ],
        "facets": {
            name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
            for name, values in results.facets.items()
        },
    }

"""The one search contract both backends answer: a `SearchQuery` in, `SearchResults` out.

Everything a person can send is cleaned here, once, before a backend sees it: unknown facet
values are dropped with a notice, the query is cut to a sane length, the page is clamped.
A request whose query string is absurdly long is not searched at all: the page and the API
answer it with 414 (`query_string_too_long`).
Query text is never parsed as a query language: it only ever becomes jieba tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from listings import kinds as listing_kinds
from listings.choices import CooperationMode, TechField
from search.text import MAX_QUERY_CHARS

KINDS = listing_kinds.KEYS
KIND_LABELS = {key: kind.label for key, kind in listing_kinds.KINDS.items()}
SORTS = ("relevance", "newest", "price", "-price")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_PAGE = 10**9
MAX_RESULT_WINDOW = 10_000
# The longest query string (as sent, percent-encoded) a search answers. The search box takes
# MAX_QUERY_CHARS characters, 1,800 bytes of Chinese once encoded, so this leaves room for
# every filter; a query longer than MAX_QUERY_CHARS but within this is cut with a notice.
MAX_QUERY_STRING_BYTES = 4096

FACETS = ("field", "market", "trl_min", "mode", "price", "holder")

# Price bands in 万元 (an achievement's asking price, a demand's budget ceiling).
PRICE_BANDS: dict[str, tuple[Decimal | None, Decimal | None, object]] = {
    "lt50": (None, Decimal(50), gettext_lazy("50万元以下")),
    "50-200": (Decimal(50), Decimal(200), gettext_lazy("50–200万元")),
    "200-1000": (Decimal(200), Decimal(1000), gettext_lazy("200–1000万元")),
    "gte1000": (Decimal(1000), None, gettext_lazy("1000万元以上")),
    "negotiable": (None, None, gettext_lazy("面议")),
}

HOLDER_LABELS = {k.value: k.label for k in listing_kinds.HOLDER_KINDS}

FALLBACK_NOTICE = gettext_lazy("全文检索服务暂时不可用，当前结果来自备用检索，可能不完整。")


def price_band(price: Decimal | float | None, negotiable: bool) -> str:
    """The band a price falls in; the one rule both backends index by."""
    if negotiable or price is None:
        return "negotiable"
    price = Decimal(str(price))
    for code, (low, high, _label) in PRICE_BANDS.items():
        if code == "negotiable":
            continue
        if (low is None or price >= low) and (high is None or price < high):
            return code
    return "negotiable"


@dataclass
class SearchQuery:
    """What a person asked for. Build it with `SearchQuery.clean(...)` from raw input."""

    q: str = ""
    kind: str = "achievement"
    filters: dict[str, str | int] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    notices: list[str] = field(default_factory=list)

    @property
    def browsing(self) -> bool:
        from search.text import query_groups

        return not query_groups(self.q)

    @property
    def effective_sort(self) -> str:
        # With nothing to rank by, relevance means newest first.
        if self.sort == "relevance" and self.browsing:
            return "newest"
        return self.sort

    @classmethod
    def clean(
        cls,
        *,
        q: str | None = "",
        kind: str | None = "achievement",
        filters: dict | None = None,
        sort: str | None = "relevance",
        page: object = 1,
        page_size: object = DEFAULT_PAGE_SIZE,
    ) -> SearchQuery:
        notices: list[str] = []
        q = str(q or "").strip()
        if len(q) > MAX_QUERY_CHARS:
            q = q[:MAX_QUERY_CHARS]
            notices.append(_("检索词过长，只使用了前%(n)d个字。") % {"n": MAX_QUERY_CHARS})
        if kind not in KINDS:
            notices.append(_("未知的信息类型，已显示科技成果。"))
            kind = "achievement"
        if sort not in SORTS:
            if sort:
                notices.append(_("未知的排序方式，已按相关度排序。"))
            sort = "relevance"
        clean_filters, unknown = _clean_filters(kind, filters or {})
        if unknown:
            notices.append(
                _("以下筛选条件无效，已忽略：%(names)s") % {"names": "、".join(sorted(unknown))}
            )
        return cls(
            q=q,
            kind=kind,
            filters=clean_filters,
            sort=sort,
            page=_int(page, 1, 1, MAX_PAGE),
            page_size=_int(page_size, DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE),
            notices=notices,
        )


def query_string_too_long(query_string: str | bytes) -> bool:
    """Whether a search request is too long to answer (414): its query string, as sent, is
    over MAX_QUERY_STRING_BYTES."""
    if isinstance(query_string, str):
        query_string = query_string.encode("utf-8", "surrogateescape")
    return len(query_string) > MAX_QUERY_STRING_BYTES


def too_long_message() -> str:
    return _("检索词太长，无法检索。请缩短到%(n)d个字以内再试。") % {"n": MAX_QUERY_CHARS}


def filters_key(filters: dict) -> str:
    """Cleaned filters in one canonical order: the same filters always give the same key."""
    return "&".join(f"{name}={filters[name]}" for name in sorted(filters))


def filter_labels(filters: dict) -> list[str]:
    """What cleaned filters say, in the words of the search page's facets, in FACETS order."""
    from market.models import Market

    labels: list[str] = []
    for name in FACETS:
        value = filters.get(name)
        if value in (None, ""):
            continue
        if name == "field":
            labels.append(str(dict(TechField.choices).get(value, value)))
        elif name == "market":
            market = Market.objects.filter(pk=value).values_list("name", flat=True).first()
            labels.append(market or str(value))
        elif name == "trl_min":
            labels.append(f"TRL ≥ {value}")
        elif name == "mode":
            labels.append(str(dict(CooperationMode.choices).get(value, value)))
        elif name == "price":
            labels.append(str(PRICE_BANDS[value][2]) if value in PRICE_BANDS else str(value))
        elif name == "holder":
            labels.append(str(HOLDER_LABELS.get(value, value)))
    return labels


def _int(value: object, default: int, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return max(low, min(high, number))


def _clean_filters(kind: str, raw: dict) -> tuple[dict[str, str | int], set[str]]:
    from market.models import Market

    clean: dict[str, str | int] = {}
    unknown: set[str] = set()
    for name, value in raw.items():
        if value in (None, ""):
            continue
        value = str(value).strip()
        if name == "field" and value in TechField.values:
            clean[name] = value
        elif name == "market" and value.isdigit() and Market.objects.filter(pk=value).exists():
            clean[name] = int(value)
        elif (
            name == "trl_min" and kind == "achievement" and value in {str(n) for n in range(1, 10)}
        ):
            clean[name] = int(value)
        elif name == "mode" and value in CooperationMode.values:
            clean[name] = value
        elif name == "price" and value in PRICE_BANDS:
            clean[name] = value
        elif name == "holder" and value in HOLDER_LABELS:
            clean[name] = value
        else:
            unknown.add(name)
    return clean, unknown


@dataclass
class Hit:
    kind: str
    pk: int
    title: str
    title_html: str
    snippet_html: str
    score: float | None = None
    published_at: object = None
    price: Decimal | None = None
    price_negotiable: bool = False
    field: str = ""
    url: str = ""


@dataclass
class FacetValue:
    value: str
    label: str
    count: int


@dataclass
class SearchResults:
    """What a person sees: one page of hits, the total, facet counts and any notice."""

    query: SearchQuery
    total: int
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    page: int
    pages: int
    backend: str
    notice: str | None = None

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def clamp_page(query: SearchQuery, total: int) -> tuple[int, int]:
    """(page, pages): a page past the end shows the last page. Like Elasticsearch's result
    window, only the first MAX_RESULT_WINDOW hits are reachable by paging."""
    pages = max(1, min(math.ceil(total / query.page_size), MAX_RESULT_WINDOW // query.page_size))
    return min(query.page, pages), pages

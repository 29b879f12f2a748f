"""The thin layer between the database and the ORM-free core: listings in, `Record`s out.

Record ids carry the side ("a12", "d34"): an achievement and a demand may share a primary
key, and the engine never matches a record with itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from listings.choices import ListingStatus
from listings.kinds import KINDS
from matching.records import Record

OTHER_SIDE = {key: kind.other.key for key, kind in KINDS.items()}

_COMMON = (
    "pk",
    "title",
    "summary",
    "description",
    "keywords",
    "field",
    "industry",
    "region_code",
    "market_id",
    "published_at",
)
_FIELDS = {
    "achievement": (*_COMMON, "advantage", "trl", "asking_price", "price_negotiable"),
    "demand": (
        *_COMMON,
        "expected_outcome",
        "required_trl",
        "budget_min",
        "budget_max",
        "budget_negotiable",
    ),
}


PREFIX = {"achievement": "a", "demand": "d"}


def record_id(kind: str, pk: int) -> str:
    return f"{PREFIX[kind]}{pk}"


def pk_of(rid: str) -> int:
    return int(rid[1:])


def _float(value) -> float | None:
    return None if value is None else float(value)


def _record(kind: str, row: dict, modes: frozenset[str]) -> Record:
    keywords = tuple(k for k in (row["keywords"] or []) if isinstance(k, str))
    if kind == "achievement":
        extra, trl = row["advantage"], row["trl"]
        price, price_min, negotiable = _float(row["asking_price"]), None, row["price_negotiable"]
    else:
        extra, trl = row["expected_outcome"], row["required_trl"]
        price, price_min = _float(row["budget_max"]), _float(row["budget_min"])
        negotiable = row["budget_negotiable"]
    return Record(
        id=record_id(kind, row["pk"]),
        title=row["title"] or "",
        description="\n".join(t for t in (row["summary"], row["description"], extra) if t),
        keywords=keywords,
        field=row["field"] or "",
        industry=row["industry"] or "",
        trl=trl,
        modes=modes,
        price=price,
        price_min=price_min,
        negotiable=bool(negotiable),
        region=row["region_code"] or "",
        market=str(row["market_id"] or ""),
        published_at=row["published_at"],
    )


def published(kind: str):
    return KINDS[kind].model.objects.filter(status=ListingStatus.PUBLISHED)


def records(kind: str, queryset=None, *, chunk_size: int = 2000) -> Iterator[Record]:
    """Records for the listings of `queryset` (default: every published listing of `kind`),
    read in chunks with two queries a chunk (rows, then their modes)."""
    model = KINDS[kind].model
    qs = (published(kind) if queryset is None else queryset).order_by("pk")
    through = getattr(model, model.modes_relation()).through
    fk = f"{model._meta.model_name}_id"
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).values(*_FIELDS[kind])[:chunk_size])
        if not rows:
            return
        pks = [r["pk"] for r in rows]
        modes: dict[int, set[str]] = defaultdict(set)
        for owner_id, code in through.objects.filter(**{f"{fk}__in": pks}).values_list(
            fk, "mode__code"
        ):
            modes[owner_id].add(code)
        for row in rows:
            yield _record(kind, row, frozenset(modes.get(row["pk"], ())))
        last = pks[-1]


def records_by_pk(kind: str, pks: Iterable[int]) -> dict[int, Record]:
    """The published ones among `pks`; a listing that is not published has no record."""
    qs = published(kind).filter(pk__in=list(pks))
    return {pk_of(r.id): r for r in records(kind, qs)}

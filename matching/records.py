"""Plain records the matching engine works on: no ORM, so the web, the commands, the
benchmark and the evaluator all feed the same core.

One `Record` type serves both sides of the market. Its fields read from the side that
owns them:

========== ============================== ==============================================
field      technology achievement (科技成果)   technology demand (技术需求)
========== ============================== ==============================================
trl        TRL on offer (1–9)             minimum TRL required (required_trl)
modes      transfer modes (转化方式)        acceptable cooperation modes (合作方式)
price      asking price, 万元              budget_max, 万元
price_min  —                              budget_min, 万元
negotiable 面议 (no price given)           预算面议 (no budget given)
========== ============================== ==============================================

Anything unknown stays at its default (None, "" or empty) and the engine treats it as
unknown: it neither rewards nor punishes a match.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Record:
    """One listing, reduced to what matching reads."""

    id: str
    title: str
    description: str
    keywords: tuple[str, ...] = ()
    field: str = ""
    industry: str = ""
    trl: int | None = None
    modes: frozenset[str] = frozenset()
    price: float | None = None
    price_min: float | None = None
    negotiable: bool = False
    region: str = ""
    market: str = ""
    published_at: datetime | None = None


class GoldFormatError(ValueError):
    """A gold file, or one of its records, is not in the format matching/evaluate reads."""


def record_from_gold(item: Mapping[str, Any], *, where: str = "record") -> Record:
    """A `Record` from one achievement or demand of a gold file (see ../shared/data/README.md).

    Only id, title, description, keywords and field are read; a wrong type gets a message
    that says which record and which key.
    """
    if not isinstance(item, Mapping):
        raise GoldFormatError(f"{where}: expected an object, got {type(item).__name__}")
    rid = item.get("id")
    if not isinstance(rid, str) or not rid:
        raise GoldFormatError(f"{where}: missing or non-string 'id'")
    for key in ("title", "description", "field"):
        if not isinstance(item.get(key, ""), str):
            raise GoldFormatError(f"{where} {rid}: '{key}' must be a string")
    keywords = item.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise GoldFormatError(f"{where} {rid}: 'keywords' must be a list of strings")
    return Record(
        id=rid,
        title=item.get("title", ""),
        description=item.get("description", ""),
        keywords=tuple(keywords),
        field=item.get("field", ""),
    )

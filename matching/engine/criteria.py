"""The market's criteria beyond text: the listings' other attributes as arrays (`_Meta`),
each criterion's value for (demand, offer) pairs, vectorised, and the `Criterion` an
explanation shows for one pair."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import UTC, datetime

import numpy as np

from matching.explain import Criterion
from matching.records import Record


class _Codes:
    """Small dictionary encoding strings (fields, industries, markets, modes) as ints."""

    def __init__(self) -> None:
        self._codes: dict[str, int] = {}

    def code(self, value: str, *, grow: bool = True) -> int:
        if not value:
            return -1
        if value in self._codes:
            return self._codes[value]
        if not grow:
            return -2  # known to the query, unknown to every target: never equal
        self._codes[value] = len(self._codes)
        return self._codes[value]


@dataclass
class _Meta:
    """The non-text attributes of many records as arrays, for vectorised criteria."""

    field: np.ndarray
    industry: np.ndarray
    trl: np.ndarray
    price: np.ndarray
    price_min: np.ndarray
    negotiable: np.ndarray
    modes: np.ndarray
    province: np.ndarray
    market: np.ndarray
    published: np.ndarray

    def take(self, idx) -> _Meta:
        return _Meta(**{f.name: getattr(self, f.name)[idx] for f in fields(self)})

    def concat(self, other: _Meta) -> _Meta:
        return _Meta(
            **{
                f.name: np.concatenate([getattr(self, f.name), getattr(other, f.name)])
                for f in fields(self)
            }
        )


def _timestamp(moment: datetime | None) -> float:
    if moment is None:
        return math.nan
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _province(region: str) -> int:
    return int(region[:2]) if len(region) >= 2 and region[:2].isdigit() else -1


def criterion_values(
    demand: _Meta,
    offer: _Meta,
    target_published: np.ndarray,
    now_ts: float,
    half_life_days: float,
) -> dict[str, np.ndarray]:
    """Each criterion as a value in [-1, 1], NaN when either side lacks the data.

    Broadcasts: one side may be a column of queries, the other a matrix of candidates.
    """
    with np.errstate(invalid="ignore", divide="ignore"):

        def agree(a: np.ndarray, b: np.ndarray) -> np.ndarray:
            known = (a != -1) & (b != -1)
            return np.where(known, np.where(a == b, 1.0, -1.0), np.nan)

        # Maturity: meeting the required TRL is met; each level short costs a third.
        gap = offer.trl - demand.trl
        maturity = np.where(gap >= 0, 1.0, np.maximum(-1.0, gap / 3.0))

        # Price: within the budget's upper end is met; above it, penalised in proportion
        # to the overshoot (twice the budget is fully missed).
        over = offer.price / demand.price - 1.0
        price = np.where(offer.price <= demand.price, 1.0, -np.minimum(1.0, over))
        price = np.where(demand.price > 0, price, np.where(offer.price <= 0, 1.0, price))

        both = (demand.modes != 0) & (offer.modes != 0)
        modes = np.where(both, np.where((demand.modes & offer.modes) != 0, 1.0, -1.0), np.nan)

        same_market = (demand.market >= 0) & (demand.market == offer.market)
        same_province = (demand.province >= 0) & (demand.province == offer.province)
        region_known = ((demand.market >= 0) & (offer.market >= 0)) | (
            (demand.province >= 0) & (offer.province >= 0)
        )
        region = np.where(
            same_market, 1.0, np.where(same_province, 0.5, np.where(region_known, 0.0, np.nan))
        )

        # Freshness of the listing being recommended: +1 when just published, 0 at the
        # half-life, towards −1 for stale listings.
        age_days = np.maximum(0.0, (now_ts - target_published) / 86400.0)
        freshness = 2.0 * np.power(0.5, age_days / half_life_days) - 1.0

    return {
        "field": agree(demand.field, offer.field),
        "industry": agree(demand.industry, offer.industry),
        "maturity": maturity,
        "price": price,
        "modes": modes,
        "region": region,
        "freshness": freshness,
    }


def _criterion(name: str, contribution: float, demand: Record, offer: Record) -> Criterion:
    status = "unknown"
    detail: dict = {}
    if name == "maturity" and demand.trl is not None and offer.trl is not None:
        detail = {"offered": offer.trl, "required": demand.trl}
    elif name == "modes" and demand.modes and offer.modes:
        detail = {"shared": sorted(demand.modes & offer.modes)}
    elif name == "price" and offer.price is not None and demand.price is not None:
        detail = {"price": offer.price, "budget_max": demand.price}
    elif name == "region":
        if demand.market and demand.market == offer.market:
            detail = {"level": "market"}
        elif len(demand.region) >= 2 and demand.region[:2] == offer.region[:2]:
            detail = {"level": "province"}
    if contribution > 0:
        status = "met"
    elif contribution < 0:
        status = "missed"
    elif name == "region" and (demand.region or demand.market) and (offer.region or offer.market):
        status = "missed"
    return Criterion(name, status, contribution, detail)

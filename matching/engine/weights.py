"""How much each criterion counts (`Weights`), within the bounds operators may tune it in.

Plain Python, no numpy or scipy: `matching.models` builds its fields from these bounds and
defaults, and loading the models must not load the numerical stack."""

from __future__ import annotations

import math
from dataclasses import dataclass, fields


class WeightsError(ValueError):
    """A weight outside the bounds operators may tune it within."""

    def __init__(self, name: str, value: float, low: float, high: float):
        self.name, self.value, self.low, self.high = name, value, low, high
        super().__init__(f"weight {name}={value} is outside its bounds [{low}, {high}]")


def _bounded(default: float, low: float, high: float):
    from dataclasses import field

    return field(default=default, metadata={"bounds": (low, high)})


@dataclass(frozen=True)
class Weights:
    """How much each criterion counts. Operators tune these per market, within bounds.

    Text relevance lies in [0, 1) and stays the backbone (its weight cannot drop below
    0.5); each other criterion adds at most ± its weight, so together they re-rank close
    text candidates rather than override the text.
    """

    text: float = _bounded(1.0, 0.5, 2.0)
    field: float = _bounded(0.10, 0.0, 0.3)
    industry: float = _bounded(0.05, 0.0, 0.2)
    maturity: float = _bounded(0.10, 0.0, 0.3)
    price: float = _bounded(0.08, 0.0, 0.3)
    modes: float = _bounded(0.06, 0.0, 0.2)
    region: float = _bounded(0.05, 0.0, 0.2)
    freshness: float = _bounded(0.03, 0.0, 0.1)
    freshness_half_life_days: float = _bounded(180.0, 30.0, 730.0)

    def __post_init__(self) -> None:
        for f in fields(self):
            low, high = f.metadata["bounds"]
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or math.isnan(value):
                raise WeightsError(f.name, value, low, high)
            if not low <= value <= high:
                raise WeightsError(f.name, value, low, high)

    @classmethod
    def bounds(cls) -> dict[str, tuple[float, float]]:
        return {f.name: f.metadata["bounds"] for f in fields(cls)}

    def criterion_weights(self) -> dict[str, float]:
        return {
            name: getattr(self, name)
            for name in ("field", "industry", "maturity", "price", "modes", "region", "freshness")
        }

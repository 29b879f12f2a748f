"""Chart data for static/js/charts.js (Apache ECharts, served from static/vendor/echarts),
rendered into the page with json_script. Each page also shows the same figures as plain HTML,
for readers without JS and for tests."""

from __future__ import annotations


def stacked_bars(labels: list[str], series: list[dict], *, horizontal: bool = True) -> dict:
    """Stacked bars: `series` items are {"name", "colour", "values"} with one value per label."""
    return {
        "labels": [str(label) for label in labels],
        "series": [
            {"name": str(s["name"]), "colour": s["colour"], "values": list(s["values"])}
            for s in series
        ],
        "horizontal": horizontal,
        "stacked": True,
    }


def bars_against_target(
    labels: list[str],
    values: list,
    *,
    name: str = "",
    links: list[str] | None = None,
    target=None,
    targets: list | None = None,
    target_name: str = "",
) -> dict:
    """Bars against a target: one target line across the chart (`target`), or a target per
    bar drawn as a line through them (`targets`; None where a bar has none)."""
    data = {
        "name": str(name),
        "labels": [str(label) for label in labels],
        "values": [str(v) for v in values],
        "links": list(links or []),
    }
    if target is not None:
        data["target"] = {"name": str(target_name), "value": str(target)}
    if targets is not None and any(t is not None for t in targets):
        data["lines"] = [
            {"name": str(target_name), "values": [None if t is None else str(t) for t in targets]}
        ]
    return data

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

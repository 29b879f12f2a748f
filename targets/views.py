"""The rows behind each "十百千" figure, for anyone to check what a figure counts, and the
operators' dashboard of every figure against its target, market by market."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from market.charts import bars_against_target
from market.models import Market
from market.pagination import CountedPaginator
from market.permissions import operated_market_ids
from market.spreadsheets import xlsx_response
from targets.selectors import (
    FIGURES,
    dashboard_figures,
    figure_frozen_rows,
    figure_row_records,
    figure_rows,
    market_figure,
    market_figure_shown,
)

PAGE_SIZE = 50


def _year(request) -> int:
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError as error:
        raise Http404 from error
    if not 2000 <= year <= 2100:
        raise Http404
    return year


def figure_url(key: str, *, year: int | None = None, market: Market | None = None) -> str:
    query = {}
    if year:
        query["year"] = year
    if market is not None and market.parent_id is not None:
        query["market"] = market.code
    url = reverse("targets:figure", args=[key])
    return f"{url}?{urlencode(query)}" if query else url


def figure_detail(request, key: str):
    if key not in FIGURES:
        raise Http404
    market = None
    if request.GET.get("market"):
        market = get_object_or_404(Market, code=request.GET["market"])
    if "year" in request.GET or market is not None:
        figure = market_figure(key, year=_year(request), market=market)
    else:
        figure = market_figure_shown(key)
    frozen = figure_frozen_rows(key, year=figure.year, market=market) if figure.frozen_at else None
    if frozen is not None:
        page_obj = Paginator(frozen, PAGE_SIZE).get_page(request.GET.get("page"))
    else:
        rows = figure_rows(key, year=figure.year, market=market)
        count = figure.value if not FIGURES[key].value else rows.count()
        page_obj = CountedPaginator(rows, PAGE_SIZE, count).get_page(request.GET.get("page"))
    query = {k: v for k, v in request.GET.items() if k in ("year", "market")}
    return render(
        request,
        "targets/figure_detail.html",
        {
            "figure": figure,
            "market": market,
            "frozen": frozen is not None,
            "columns": [str(c) for c in FIGURES[key].columns],
            "amount_columns": FIGURES[key].amount_columns,
            "page_obj": page_obj,
            "rows": page_obj.object_list,
            "page_query": urlencode(query) + "&" if query else "",
        },
    )


def _operated(request) -> list[Market]:
    ids = operated_market_ids(request.user)
    if not ids:
        raise PermissionDenied
    return list(Market.objects.filter(id__in=ids).order_by("kind", "code"))


@login_required
def dashboard(request):
    """Every figure, for every market the operator operates, against the market's target;
    by month for one market and by market, against the target line."""
    year = _year(request)
    markets = _operated(request)
    focus = next((m for m in markets if m.code == request.GET.get("market")), markets[0])
    figures = dashboard_figures(year=year, markets=markets, focus=focus, url=figure_url)
    for f in figures:
        f["month_chart"] = bars_against_target(
            f["months"]["labels"],
            f["months"]["values"],
            name=f["label"],
            target=f["months"]["target"],
            target_name=_("年度目标"),
        )
        f["market_chart"] = bars_against_target(
            [r["market"].name for r in f["markets"]],
            [r["figure"].value for r in f["markets"]],
            name=f["label"],
            links=[r["href"] for r in f["markets"]],
            targets=[r["figure"].target for r in f["markets"]],
            target_name=_("年度目标"),
        )
    return render(
        request,
        "targets/dashboard.html",
        {
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 5, -1),
            "markets": markets,
            "focus": focus,
            "figures": figures,
            "export": reverse("targets:dashboard_export")
            + "?"
            + urlencode({"year": year, "market": focus.code}),
        },
    )


@login_required
def dashboard_export(request):
    """The dashboard as .xlsx: one sheet of every figure per market against its target, then
    one sheet per figure with the rows behind it for the chosen market."""
    year = _year(request)
    markets = _operated(request)
    focus = next((m for m in markets if m.code == request.GET.get("market")), markets[0])
    header = [_("指标"), _("市场"), _("年度"), _("数值"), _("单位"), _("年度目标"), _("完成（%）")]
    summary = []
    for market in markets:
        for key in FIGURES:
            f = market_figure(key, year=year, market=market)
            summary.append(
                [
                    f.label,
                    market.name,
                    year,
                    f.value,
                    f.unit,
                    f.target,
                    f.percent if f.target else None,
                ]
            )
    sheets = [(_("指标"), header, summary)]
    for key, spec in FIGURES.items():
        records = figure_row_records(key, year=year, market=focus)
        sheets.append(
            (
                f"{key}",
                [_("编号"), *[str(c) for c in spec.columns]],
                [[str(r["id"]), *r["cells"]] for r in records],
            )
        )
    return xlsx_response(f"targets-{year}-{focus.code}.xlsx", sheets)

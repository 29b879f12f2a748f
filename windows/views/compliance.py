"""The compliance dashboard (窗口合规) for market operators (their markets' windows) and
window clerks (their own window): the figures as charts and tables, each opening the rows
behind it, and the monthly report as .xlsx or PDF for operators."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from market.pagination import CountedPaginator
from windows import reports
from windows.choices import RatingLevel
from windows.selectors import compliance

PAGE_SIZE = 50


def _filter(request):
    flt = compliance.compliance_filter(request.user, request.GET)
    if not flt.window_ids:
        raise PermissionDenied
    return flt


def _rows_link(flt, figure, **extra):
    return reverse("windows:compliance_rows", args=[figure]) + "?" + urlencode(flt.query(**extra))


def _links(flt, **narrow):
    """Each figure of a table row (the filter narrowed to its window or standard) as the
    link to its rows."""
    scoped = replace(flt, **narrow) if narrow else flt
    return {figure: _rows_link(scoped, figure) for figure in compliance.FIGURES}


def _chart(labels, values, links, name):
    return {
        "name": str(name),
        "labels": [str(label) for label in labels],
        "values": [str(v if v is not None else 0) for v in values],
        "links": links,
    }


def _month_of(flt, first_day):
    """The filter narrowed to one month of its period (the part of it inside the period)."""
    last_day = compliance.month_period(f"{first_day:%Y-%m}")[1]
    return replace(flt, date_from=max(first_day, flt.date_from), date_to=min(last_day, flt.date_to))


@login_required
def compliance_page(request):
    flt = _filter(request)
    figures = compliance.compliance_figures(flt)
    total_links = _links(flt)
    windows = [(row, _links(flt, window_id=row.key)) for row in figures.by_window]
    standards = [(row, _links(flt, standard_code=row.key)) for row in figures.by_standard]
    levels = [{**lv, "href": _rows_link(flt, "rated", level=lv["level"])} for lv in figures.levels]
    months = [
        {**m, "href": _rows_link(_month_of(flt, m["month"]), "on_time")} for m in figures.by_month
    ]
    report_markets = list(reports.report_markets(request.user))
    last_month = timezone.localdate().replace(day=1) - timedelta(days=1)
    return render(
        request,
        "windows/compliance_page.html",
        {
            "flt": flt,
            "f": figures,
            "total_links": total_links,
            "windows": windows,
            "standards": standards,
            "levels": levels,
            "months": months,
            "window_choices": compliance.compliance_windows(flt).order_by("name"),
            "standard_choices": compliance.compliance_standards(),
            "report_markets": report_markets,
            "report_month": f"{last_month:%Y-%m}",
            "charts": {
                "window": _chart(
                    [r.label for r, _l in windows],
                    [r.on_time_share for r, _l in windows],
                    [links["on_time"] for _r, links in windows],
                    _("按时完成率（%）"),
                ),
                "standard": _chart(
                    [r.label for r, _l in standards],
                    [r.on_time_share for r, _l in standards],
                    [links["on_time"] for _r, links in standards],
                    _("按时完成率（%）"),
                ),
                "month": _chart(
                    [m["label"] for m in months],
                    [m["share"] for m in months],
                    [m["href"] for m in months],
                    _("按时完成率（%）"),
                ),
                "levels": _chart(
                    [lv["label"] for lv in levels],
                    [lv["n"] for lv in levels],
                    [lv["href"] for lv in levels],
                    _("评价数"),
                ),
            },
        },
    )


@login_required
def compliance_rows(request, figure):
    """The items, cases or complaints behind one figure, under the page's filters."""
    if figure not in compliance.FIGURES:
        raise Http404
    flt = _filter(request)
    qs = compliance.figure_rows(flt, figure)
    kind = compliance.figure_kind(figure)
    if kind == "items":
        # Done items newest first, undone ones by deadline: each walks its own index.
        order = ("due_at", "id") if figure == "overdue" else ("-done_at", "-id")
        qs = qs.select_related("case__window", "case__standard", "standard_item").order_by(*order)
    elif kind == "cases":
        qs = qs.select_related("window", "standard", "rating").order_by("-opened_at", "-id")
    else:
        qs = qs.select_related("window", "market").order_by("-received_at", "-id")
    # The figure itself (computed once per change) is the count: no COUNT over the rows.
    count = compliance.figure_count(compliance.compliance_figures(flt), figure, flt.level)
    page = CountedPaginator(qs, PAGE_SIZE, count).get_page(request.GET.get("page"))
    extra = {"level": flt.level} if figure == "rated" else {}
    label = compliance.FIGURES[figure][0]
    if figure == "rated" and flt.level is not None:
        label = f"{label}（{RatingLevel(flt.level).label}）"
    return render(
        request,
        "windows/compliance_rows.html",
        {
            "figure": figure,
            "label": label,
            "kind": kind,
            "page": page,
            "count": count,
            "flt": flt,
            "now": flt.now,
            "query": urlencode(flt.query(**extra)),
            "back": reverse("windows:compliance") + "?" + urlencode(flt.query()),
        },
    )


@login_required
def compliance_report(request):
    """The month's report of one market, generated on request: operators only."""
    markets = reports.report_markets(request.user)
    if not markets.exists():
        raise PermissionDenied
    market = get_object_or_404(markets, code=request.GET.get("market", ""))
    fmt = request.GET.get("format") or "pdf"
    if fmt not in reports.FORMATS:
        raise Http404
    month = request.GET.get("month") or f"{timezone.localdate():%Y-%m}"
    try:
        report = reports.report_build(market=market, month=month)
        body = reports.report_render(report, fmt)
    except (ValueError, reports.PdfUnavailable) as exc:
        # A month that does not read as one, or a PDF this machine cannot make: said on the
        # dashboard, where the person can pick again.
        messages.error(request, str(exc))
        return redirect(reverse("windows:compliance"))
    content_type = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{report.filename_stem}.{fmt}"'
    return response

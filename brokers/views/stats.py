"""Deal statistics for market operators: figures, their drill-downs and .xlsx exports.

Operators of the main market see every sub-market; a sub-market's operators see theirs."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from brokers.selectors import stats
from market.pagination import CountedPaginator
from market.spreadsheets import xlsx_response

PAGE_SIZE = 50


def _filter(request):
    flt = stats.stats_filter(request.user, request.GET)
    if not flt.market_ids:
        raise PermissionDenied
    return flt


def _link(name, flt, **extra):
    return reverse(name) + "?" + urlencode({**flt.query(), **extra})


def _tables(flt):
    """The page's tables: (slug, title, rows), each row with its drill-down link."""
    titles = {
        "market": _("按分市场"),
        "month": _("按登记月份"),
        "field": _("按技术领域"),
        "contract_type": _("按合同类型"),
    }
    tables = []
    for dim in stats.DIMENSIONS:
        rows = stats.contracts_by(flt, dim)
        for r in rows:
            r["href"] = _link("brokers:stats_contracts", flt, by=dim, key=r["key"])
        tables.append({"slug": dim, "title": titles[dim], "rows": rows})
    return tables


def _brokers(flt):
    rows = stats.broker_ranking(flt)
    for r in rows:
        r["href"] = _link("brokers:stats_contracts", flt, by="broker", key=r["key"])
    return rows


def _funnel(flt):
    rows = stats.funnel(flt)
    for r in rows:
        r["href"] = _link("brokers:stats_deals", flt, stage=r["key"])
    return rows


def _chart(rows, value="amount_sum", name=""):
    return {
        "name": name,
        "labels": [str(r["label"]) for r in rows],
        "values": [str(r[value]) for r in rows],
        "links": [r["href"] for r in rows],
    }


@login_required
def stats_page(request):
    flt = _filter(request)
    tables = _tables(flt)
    for t in tables:
        t["chart"] = _chart(t["rows"], name=_("成交额（万元）"))
        t["export"] = _link("brokers:stats_export", flt, table=t["slug"])
    funnel = _funnel(flt)
    brokers = _brokers(flt)
    return render(
        request,
        "brokers/stats_page.html",
        {
            "flt": flt,
            "markets": stats.stats_markets(flt),
            "totals": stats.contract_totals(flt),
            "totals_href": _link("brokers:stats_contracts", flt),
            "tables": tables,
            "funnel": funnel,
            "funnel_chart": _chart(funnel, value="n", name=_("交易数")),
            "funnel_export": _link("brokers:stats_export", flt, table="funnel"),
            "brokers": brokers,
            "brokers_export": _link("brokers:stats_export", flt, table="brokers"),
        },
    )


@login_required
def stats_contracts(request):
    """The registered contracts behind one figure, under the page's filters."""
    flt = _filter(request)
    by, key = request.GET.get("by") or None, request.GET.get("key")
    qs = stats.contracts_behind(flt, by, key).only(
        "id",
        "deal_id",
        "title",
        "registered_on",
        "amount",
        "tech_amount",
        "market__name",
        "registration_status",
    )
    totals = stats.contracts_behind_totals(flt, by, key)
    rows = qs.order_by("-registered_on", "-id")
    page = CountedPaginator(rows, PAGE_SIZE, totals["n"]).get_page(request.GET.get("page"))
    query = urlencode({**flt.query(), **({"by": by, "key": key} if by else {})})
    return render(
        request,
        "brokers/stats_contracts.html",
        {"page": page, "totals": totals, "query": query, "by": by, "key": key},
    )


@login_required
def stats_deals(request):
    """The deals that reached one stage of the funnel, under the page's filters."""
    flt = _filter(request)
    stage = request.GET.get("stage") or None
    qs = stats.deals_behind(flt, stage).only("id", "title", "stage", "created_at", "market__name")
    count = stats.deals_behind_count(flt, stage)
    page = CountedPaginator(qs, PAGE_SIZE, count).get_page(request.GET.get("page"))
    query = urlencode({**flt.query(), **({"stage": stage} if stage else {})})
    return render(
        request,
        "brokers/stats_deals.html",
        {"page": page, "count": page.paginator.count, "query": query, "stage": stage},
    )


@login_required
def stats_export(request):
    """One of the page's tables as .xlsx."""
    flt = _filter(request)
    table = request.GET.get("table")
    if table in stats.DIMENSIONS:
        header = [_("项目"), _("合同数"), _("成交额（万元）"), _("技术交易额（万元）")]
        rows = [
            [str(r["label"]), r["n"], r["amount_sum"], r["tech_sum"]]
            for r in stats.contracts_by(flt, table)
        ]
    elif table == "brokers":
        header = [_("技术经纪人"), _("合同数"), _("成交额（万元）"), _("技术交易额（万元）")]
        rows = [
            [str(r["label"]), r["n"], r["amount_sum"], r["tech_sum"]]
            for r in stats.broker_ranking(flt)
        ]
    elif table == "funnel":
        header = [_("阶段"), _("到达交易数"), _("转化率（%）")]
        rows = [[str(r["label"]), r["n"], r["rate"]] for r in stats.funnel(flt)]
    else:
        raise Http404
    return xlsx_response(f"deal-stats-{table}.xlsx", [(table, header, rows)])

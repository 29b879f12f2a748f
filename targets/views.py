"""The rows behind each "十百千" figure, for anyone to check what a figure counts."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from targets.selectors import FIGURES, figure_rows, market_figure_shown

PAGE_SIZE = 50


def figure_detail(request, key: str):
    if key not in FIGURES:
        raise Http404
    figure = market_figure_shown(key)
    page_obj = Paginator(figure_rows(key, year=figure.year), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "targets/figure_detail.html",
        {
            "figure": figure,
            "page_obj": page_obj,
            "rows": page_obj.object_list,
        },
    )

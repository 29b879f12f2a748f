"""The search page and autocomplete. Thin: the contract and services do the work."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from search import services
from search.contract import FACETS, SearchQuery
from search.selectors import hit_urls


def query_from_params(params) -> SearchQuery:
    return SearchQuery.clean(
        q=params.get("q", ""),
        kind=params.get("type") or "achievement",
        filters={name: params.get(name) for name in FACETS if params.get(name)},
        sort=params.get("sort") or "relevance",
        page=params.get("page") or 1,
        page_size=params.get("page_size") or 20,
    )


@require_GET
def search_page(request):
    query = query_from_params(request.GET)
    results = hit_urls(services.search(query))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "search/search.html",
        {"results": results, "query": query, "params": params},
    )


@require_GET
def suggest(request):
    kind = request.GET.get("type") or "achievement"
    return JsonResponse(
        {"suggestions": services.suggest(q=request.GET.get("q", ""), kind=kind)},
        json_dumps_params={"ensure_ascii": False},
    )

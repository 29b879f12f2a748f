"""The search page, autocomplete and saved searches. Thin: the contract and services do the
work."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from market import pagecache
from search import selectors, services
from search.contract import FACETS, SearchQuery, query_string_too_long, too_long_message
from search.selectors import hit_urls
from search.text import MAX_QUERY_CHARS


def query_from_params(params) -> SearchQuery:
    return SearchQuery.clean(
        q=params.get("q", ""),
        kind=params.get("type") or "achievement",
        filters={name: params.get(name) for name in FACETS if params.get(name)},
        sort=params.get("sort") or "relevance",
        page=params.get("page") or 1,
        page_size=params.get("page_size") or 20,
    )


def _too_long(request) -> bool:
    return query_string_too_long(request.META.get("QUERY_STRING", ""))


@require_GET
def search_page(request):
    if _too_long(request):
        return render(
            request,
            "search/too_long.html",
            {
                "message": too_long_message(),
                "q": str(request.GET.get("q", "")).strip()[:MAX_QUERY_CHARS],
                "max_query_chars": MAX_QUERY_CHARS,
            },
            status=414,
        )
    pagecache.depends_on(
        request, "search", pagecache.kind_tag("achievement"), pagecache.kind_tag("demand")
    )
    query = query_from_params(request.GET)
    results = hit_urls(services.search(query))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "search/search.html",
        {
            "results": results,
            "query": query,
            "params": params,
            "max_query_chars": MAX_QUERY_CHARS,
            "can_save": bool(query.q.strip() or query.filters),
            "saved_search": selectors.saved_search_for_query(request.user, query),
        },
    )


@require_GET
def suggest(request):
    if _too_long(request):
        return JsonResponse(
            {"detail": too_long_message(), "suggestions": []},
            status=414,
            json_dumps_params={"ensure_ascii": False},
        )
    kind = request.GET.get("type") or "achievement"
    return JsonResponse(
        {"suggestions": services.suggest(q=request.GET.get("q", ""), kind=kind)},
        json_dumps_params={"ensure_ascii": False},
    )


@login_required
@require_GET
def saved_list(request):
    return render(
        request,
        "search/saved_list.html",
        {
            "saved_searches": selectors.saved_searches_of_user(request.user),
            "limit": services.SAVED_SEARCH_LIMIT,
        },
    )


@require_POST
def saved_create(request):
    query = query_from_params(request.POST)
    # Back to the search the person was looking at, whatever happens.
    back = reverse("search:search") + "?" + _search_params(query)
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    try:
        services.saved_search_create(
            user=request.user,
            kind=query.kind,
            q=query.q,
            filters=query.filters,
            name=request.POST.get("name", ""),
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("已保存此搜索。有新的匹配信息发布时会通知你。"))
    return redirect(back)


@login_required
@require_POST
def saved_delete(request, pk):
    saved = get_object_or_404(selectors.saved_searches_of_user(request.user), pk=pk)
    services.saved_search_delete(saved_search=saved, user=request.user)
    messages.success(request, _("已删除保存的搜索“%(name)s”。") % {"name": saved.name})
    return redirect("search:saved_list")


@login_required
@require_POST
def saved_toggle(request, pk):
    saved = get_object_or_404(selectors.saved_searches_of_user(request.user), pk=pk)
    saved = services.saved_search_set_active(
        saved_search=saved, user=request.user, active=not saved.active
    )
    text = _("已恢复“%(name)s”的通知。") if saved.active else _("已暂停“%(name)s”的通知。")
    messages.success(request, text % {"name": saved.name})
    return redirect("search:saved_list")


def _search_params(query: SearchQuery) -> str:
    params = {"q": query.q, "type": query.kind, **query.filters}
    if query.sort != "relevance":
        params["sort"] = query.sort
    return urlencode(params)

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def listing_index_url(context, kind):
    """The URL of the public index of a listing kind, looked up once per request."""
    pages = _index_pages(context)
    page = pages.get(kind)
    return page.url if page else ""


@register.simple_tag(takes_context=True)
def listing_detail_url(context, kind, pk):
    page = _index_pages(context).get(kind)
    if page is None:
        return reverse("listings:detail", args=[kind, pk])
    return page.url + page.reverse_subpage("detail", args=[pk])


def _index_pages(context):
    request = context.get("request")
    cache = getattr(request, "_listing_index_pages", None) if request else None
    if cache is None:
        from cms.selectors import INDEX_PAGES

        cache = {kind: model.objects.live().first() for kind, model in INDEX_PAGES.items()}
        if request is not None:
            request._listing_index_pages = cache
    return cache

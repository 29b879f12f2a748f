from django import template

from listings.locations import listing_detail_url as detail_url_of_kind
from listings.locations import listing_index_url as index_url_of_kind

register = template.Library()


@register.simple_tag(takes_context=True)
def listing_index_url(context, kind):
    """The URL of the public index of a listing kind, looked up once per request."""
    return _per_request(context, "index", kind, index_url_of_kind)


@register.simple_tag(takes_context=True)
def listing_detail_url(context, kind, pk):
    """A listing's public page; its kind's pages are looked up once per request."""
    return _per_request(context, "detail", kind, detail_url_of_kind)(pk)


def _per_request(context, what, kind, lookup):
    request = context.get("request")
    if request is None:
        return lookup(kind)
    cache = request.__dict__.setdefault("_listing_locations", {})
    if (what, kind) not in cache:
        cache[what, kind] = lookup(kind)
    return cache[what, kind]

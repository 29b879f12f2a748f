from django import template

register = template.Library()


@register.simple_tag
def with_param(params, name, value):
    """The current query string with one parameter set (or removed when value is empty)."""
    copy = params.copy()
    copy.pop("page", None)
    if value in (None, ""):
        copy.pop(name, None)
    else:
        copy[name] = value
    return copy.urlencode()

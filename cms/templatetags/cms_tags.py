"""The public site's navigation, read from the page tree in the reader's language."""

from django import template

from cms.selectors import navigation_links

register = template.Library()


@register.simple_tag
def nav_pages():
    return navigation_links()

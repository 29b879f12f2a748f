"""The "十百千" figures as the public pages show them."""

from django import template

from listings.choices import ListingStatus
from targets.selectors import market_figures_shown

register = template.Library()


@register.inclusion_tag("targets/_figures.html")
def market_figures():
    figures = market_figures_shown()
    return {"figures": figures, "year": figures[0].year if figures else None}


@register.filter
def listing_status_label(value: str) -> str:
    """A listing state's name, for rows read as values rather than models."""
    try:
        return ListingStatus(value).label
    except ValueError:
        return value

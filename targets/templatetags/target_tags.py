"""The "十百千" figures as the public pages show them."""

from django import template

from targets.selectors import market_figures as compute_market_figures

register = template.Library()


@register.inclusion_tag("targets/_figures.html")
def market_figures():
    return {"figures": compute_market_figures()}

"""Panels on a listing's detail page that other apps contribute.

listings renders the page; an app above it (matching's "matches" now, deals and events
later) registers a panel from its `AppConfig.ready()`, so listings never imports it. The
broker's view of an assigned demand shows the same panels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

# (request, kind, listing) -> the panel's own context, or None when it has nothing to show
PanelContext = Callable[..., dict | None]


@dataclass(frozen=True)
class DetailPanel:
    key: str
    template: str
    context: PanelContext
    order: int = 100


_panels: dict[str, DetailPanel] = {}


def register_detail_panel(panel: DetailPanel) -> None:
    """Add a panel; registering the same key again replaces it (ready() may run twice)."""
    _panels[panel.key] = panel


def detail_panels(request, *, kind: str, listing) -> list[SafeString]:
    """Every registered panel that has something to show for this listing, rendered in
    order with the listing, its kind and the panel's own context."""
    rendered = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        extra = panel.context(request=request, kind=kind, listing=listing)
        if extra is None:
            continue
        context = {"listing": listing, "kind": kind, **extra}
        rendered.append(render_to_string(panel.template, context, request=request))
    return rendered

"""The "your broker" panel on a demand's page (需求对接): for the demand's own organisation
only, its assigned broker with contact details and the thread between them, with a form to
continue it. Registered with `listings.panels` in `BrokersConfig.ready()`."""

from __future__ import annotations

from django.urls import reverse

from brokers import selectors
from brokers.forms import MessageForm
from brokers.services import THREAD_ANCHOR
from listings.choices import ListingStatus
from listings.panels import DetailPanel
from market import permissions


def thread_panel_context(*, request, kind: str, listing) -> dict | None:
    if kind != "demand" or not permissions.is_org_editor(request.user, listing.owner_id):
        return None
    assignment = selectors.demand_current_assignment(listing)
    thread = list(selectors.demand_thread(listing))
    if assignment is None and not thread and listing.status != ListingStatus.PUBLISHED:
        return None
    return {
        "assignment": assignment,
        "broker": assignment.broker if assignment else None,
        "thread": thread,
        "form": MessageForm() if assignment else None,
        "post_url": reverse("brokers:demand_message", args=[listing.pk]),
        "anchor": THREAD_ANCHOR,
    }


THREAD_PANEL = DetailPanel(
    key="broker-thread",
    template="brokers/_thread_panel.html",
    context=thread_panel_context,
    order=40,
)

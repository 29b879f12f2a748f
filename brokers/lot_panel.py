"""The "挂牌竞价" panel on an achievement's page: the way in to listing with bidding. Its
holder's people list it for bidding from here; while a lot is listed, everyone sees it and
goes to the lot to qualify and bid. Registered with `listings.panels` in
`BrokersConfig.ready()`."""

from __future__ import annotations

from brokers.choices import LotStatus
from brokers.models import Lot
from listings.choices import ListingStatus
from listings.panels import DetailPanel
from market import permissions


def lot_panel_context(*, request, kind: str, listing) -> dict | None:
    if kind != "achievement" or listing.status != ListingStatus.PUBLISHED:
        return None
    lot = Lot.objects.filter(achievement=listing, status=LotStatus.LISTED).first()
    holder = permissions.is_org_editor(request.user, listing.owner_id)
    if lot is None and not holder:
        return None
    return {"lot": lot, "holder": holder}


LOT_PANEL = DetailPanel(
    key="lot", template="brokers/_lot_panel.html", context=lot_panel_context, order=45
)

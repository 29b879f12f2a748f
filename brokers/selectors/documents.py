"""Reads for a deal's documents: the ones a person may download."""

from __future__ import annotations

from brokers.models import Deal, DealDocument
from brokers.selectors.access import deal_access


def deal_documents(deal: Deal):
    return deal.documents.select_related("uploaded_by").order_by("uploaded_at", "id")


def document_visible_to(key, user) -> DealDocument | None:
    """The document with this key, if this person is a party to its deal (its brokers, the
    buyer's and the seller's editors, the market's operators) or the registry its contract
    is filed with (the filing's documents are what it reads); None for a key that does not
    exist and for one they may not see, so the two cannot be told apart."""
    document = DealDocument.objects.select_related("deal").filter(key=key).first()
    if document is None:
        return None
    if deal_access(document.deal, user) is None:
        return None
    return document

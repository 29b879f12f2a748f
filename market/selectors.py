"""Reads of the market network that views and the admin share."""

from __future__ import annotations

from django.db.models import QuerySet

from market import permissions
from market.choices import OrganizationStatus
from market.models import Organization


def organizations_pending_review(user) -> QuerySet[Organization]:
    """Organizations waiting for review (待审核) in the markets `user` operates, oldest first."""
    return (
        Organization.objects.filter(
            status=OrganizationStatus.PENDING,
            market_id__in=permissions.operated_market_ids(user),
        )
        .select_related("market")
        .order_by("created_at", "id")
    )


def organizations_of(user) -> QuerySet[Organization]:
    """The organizations `user` belongs to, with their review state."""
    if not user.is_authenticated:
        return Organization.objects.none()
    return Organization.objects.filter(memberships__user=user).distinct().select_related("market")

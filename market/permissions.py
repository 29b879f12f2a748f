"""Who may do what in the market network. Services and views both ask these."""

from __future__ import annotations

from django.db.models import Q

from market.choices import LISTING_EDITOR_ROLES, MarketKind, Role
from market.models import Market, Membership


def _memberships(user):
    if not user or not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user)


def is_org_editor(user, organization_id: int | None) -> bool:
    """An org admin or member of the organization: may write its listings."""
    if organization_id is None:
        return False
    return (
        _memberships(user)
        .filter(organization_id=organization_id, role__in=LISTING_EDITOR_ROLES)
        .exists()
    )


def editable_organization_ids(user) -> list[int]:
    return list(
        _memberships(user)
        .filter(role__in=LISTING_EDITOR_ROLES)
        .values_list("organization_id", flat=True)
        .distinct()
    )


def operated_market_ids(user) -> set[int]:
    """Markets this user operates: the ones named in their operator roles, and for the main
    market every sub-market under it."""
    if not user or not user.is_authenticated:
        return set()
    if user.is_superuser:
        return set(Market.objects.values_list("id", flat=True))
    market_ids = set(
        _memberships(user).filter(role=Role.OPERATOR).values_list("market_id", flat=True)
    )
    if not market_ids:
        return set()
    children = Market.objects.filter(Q(parent_id__in=market_ids)).values_list("id", flat=True)
    return market_ids | set(children)


def is_market_operator(user, market_id: int | None = None) -> bool:
    ids = operated_market_ids(user)
    return bool(ids) if market_id is None else market_id in ids


def operates_province(user) -> bool:
    """An operator of a main market (or the administrator): the one who sets what holds for
    every market of the province, such as a province-wide working-calendar exception."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return _memberships(user).filter(role=Role.OPERATOR, market__kind=MarketKind.MAIN).exists()

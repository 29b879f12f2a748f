"""Reads for service cases: the windows a person works at, a window's open cases with their
next deadlines (overdue first), one case with everything its page shows, and the case a
requester's key opens. Each runs a fixed number of queries, however many cases or items."""

from __future__ import annotations

from django.db.models import Count, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from market.choices import Role
from market.permissions import operated_market_ids
from market.services import transition_history
from windows.calendar import unknown_years
from windows.choices import CaseState
from windows.models import CaseItem, CaseNotice, ServiceCase, ServiceWindow
from windows.services.cases import CASE_STEP_LABELS


def desk_windows(user) -> QuerySet[ServiceWindow]:
    """The windows whose desk `user` works: their window clerk markets' and the markets
    they operate."""
    if not user or not user.is_authenticated:
        return ServiceWindow.objects.none()
    clerk_markets = set(
        user.memberships.filter(role=Role.WINDOW_CLERK).values_list("market_id", flat=True)
    )
    market_ids = clerk_markets | operated_market_ids(user)
    return ServiceWindow.objects.filter(market_id__in=market_ids).select_related("market")


def window_open_cases(window: ServiceWindow) -> QuerySet[ServiceCase]:
    """A window's open cases, the one whose next undone item is due first on top (so the
    overdue ones lead), each with `next_due`, `next_action` and `items_left`."""
    undone = Q(items__done_at=None)
    next_item = CaseItem.objects.filter(case=OuterRef("pk"), done_at=None).order_by(
        "due_at", "position"
    )
    return (
        ServiceCase.objects.filter(window=window, state=CaseState.OPEN)
        .select_related("opened_by")
        .annotate(
            next_due=Min("items__due_at", filter=undone),
            items_left=Count("items", filter=undone),
            next_action=Subquery(next_item.values("standard_item__action")[:1]),
        )
        .order_by("next_due", "opened_at")
    )


def deadline_is_provisional(case: ServiceCase) -> bool:
    """A deadline counted across a year whose official holiday arrangement is not known
    yet is provisional: the days were counted Monday to Friday."""
    if case.due_at is None:
        return False
    first = timezone.localdate(case.opened_at).year
    last = timezone.localdate(case.due_at).year
    return bool(unknown_years(_year_starts(first, last)))


def _year_starts(first: int, last: int):
    import datetime

    return [datetime.date(year, 1, 1) for year in range(first, last + 1)]


def case_history(case: ServiceCase) -> list:
    """The case's audit log, each row with `label`: the step in words."""
    rows = list(transition_history(case))
    for row in rows:
        row.label = str(CASE_STEP_LABELS.get(row.transition, row.transition))
    return rows


def _case_queryset() -> QuerySet[ServiceCase]:
    return ServiceCase.objects.select_related(
        "window__market",
        "standard",
        "opened_by",
        "organization",
        "contract",
        "rating__follow_up__rectified_by",
        "rating__follow_up__visited_by",
    ).prefetch_related(
        Prefetch(
            "items",
            queryset=CaseItem.objects.select_related("standard_item", "done_by").order_by(
                "position"
            ),
        ),
        Prefetch(
            "notices",
            queryset=CaseNotice.objects.select_related("sent_by").prefetch_related(
                Prefetch("items", queryset=CaseItem.objects.select_related("standard_item"))
            ),
        ),
    )


def case_with_everything(pk: int) -> ServiceCase | None:
    """One case with its items (in order, with who did them), its notices, rating and
    follow-up, for its page."""
    return _case_queryset().filter(pk=pk).first()


def case_for_requester(requester_key: str) -> ServiceCase | None:
    if not requester_key:
        return None
    return _case_queryset().filter(requester_key=requester_key).first()


def rating_of(case: ServiceCase):
    """The case's rating, or None (a reverse one-to-one raises when absent)."""
    try:
        return case.rating
    except ServiceCase.rating.RelatedObjectDoesNotExist:
        return None


def follow_up_of(case: ServiceCase):
    rating = rating_of(case)
    if rating is None:
        return None
    try:
        return rating.follow_up
    except type(rating).follow_up.RelatedObjectDoesNotExist:
        return None

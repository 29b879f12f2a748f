"""Reads for complaints: one by its code, a market's open complaints for its operators, and
the public statistics (counts only: never a text, a name or a code)."""

from __future__ import annotations

import datetime

from django.db.models import Case, Count, F, IntegerField, Q, Value, When
from django.utils import timezone

from market.permissions import operated_market_ids
from windows.choices import ComplaintState, ComplaintSubject, RatingLevel
from windows.models import Complaint
from windows.services.complaints import normalize_code

WAITING = (ComplaintState.RECEIVED, ComplaintState.HANDLING)


def complaint_by_code(code: str) -> Complaint | None:
    code = normalize_code(code)
    if not code:
        return None
    return Complaint.objects.select_related("window", "standard").filter(code=code).first()


def _with_next_due(qs, now: datetime.datetime):
    """`next_due`: the deadline of the complaint's next step; `overdue`: 1 when it passed."""
    next_due = Case(
        When(state=ComplaintState.RECEIVED, then=F("handling_due_at")),
        default=F("answer_due_at"),
    )
    return qs.annotate(next_due=next_due).annotate(
        overdue=Case(
            When(Q(state__in=WAITING) & Q(next_due__lt=now), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def complaints_for_operator(user, *, open_only: bool = True, now=None):
    """The complaints of the markets this person operates; the overdue first, then by the
    nearest deadline."""
    now = now or timezone.now()
    qs = Complaint.objects.filter(market_id__in=operated_market_ids(user)).select_related(
        "market", "window", "broker__user", "achievement", "demand"
    )
    if open_only:
        qs = qs.exclude(state=ComplaintState.CLOSED)
    return _with_next_due(qs, now).order_by("-overdue", "next_due", "id")


def complaint_stats(*, market_id: int | None = None) -> dict:
    """The public figures: complaints by subject and by state, the share answered on time,
    and how complainants rated the answers."""
    qs = Complaint.objects.all()
    if market_id is not None:
        qs = qs.filter(market_id=market_id)
    by_subject = dict(qs.values_list("subject").annotate(n=Count("id")).values_list("subject", "n"))
    totals = qs.aggregate(
        total=Count("id"),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        on_time=Count(
            "id", filter=Q(answered_at__isnull=False, answered_at__lte=F("answer_due_at"))
        ),
        rated=Count("id", filter=Q(satisfaction__isnull=False)),
    )
    ratings = dict(
        qs.filter(satisfaction__isnull=False)
        .values_list("satisfaction")
        .annotate(n=Count("id"))
        .values_list("satisfaction", "n")
    )
    answered = totals["answered"]
    return {
        "total": totals["total"],
        "answered": answered,
        "on_time": totals["on_time"],
        "on_time_percent": round(100 * totals["on_time"] / answered) if answered else None,
        "rated": totals["rated"],
        "by_subject": [
            {"key": key, "label": label, "n": by_subject.get(key, 0)}
            for key, label in ComplaintSubject.choices
        ],
        "satisfaction": [
            {"key": level, "label": label, "n": ratings.get(level, 0)}
            for level, label in sorted(RatingLevel.choices, reverse=True)
        ],
    }

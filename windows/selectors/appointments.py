"""Reads for appointments: a window's open slots with places left, a day at a clerk's desk."""

from __future__ import annotations

import datetime
from itertools import groupby

from django.db.models import Count, F, Q
from django.utils import timezone

from market.choices import Role
from market.permissions import operated_market_ids
from windows.choices import AppointmentStatus
from windows.models import Appointment, AppointmentSlot, ServiceWindow

# Bookings that hold a place: a cancelled booking frees its place, a missed one does not
# (its time has passed anyway).
HOLDING = (AppointmentStatus.BOOKED, AppointmentStatus.SERVED, AppointmentStatus.NO_SHOW)


def open_slots(window: ServiceWindow, *, days: int = 14, now: datetime.datetime | None = None):
    """The window's slots still to come in the next `days` days with a place left, each with
    `places_left`: one query, however many slots."""
    now = now or timezone.now()
    return (
        AppointmentSlot.objects.filter(
            window=window, starts_at__gt=now, starts_at__lt=now + datetime.timedelta(days=days)
        )
        .annotate(taken=Count("appointments", filter=Q(appointments__status__in=HOLDING)))
        .annotate(places_left=F("capacity") - F("taken"))
        .filter(places_left__gt=0)
        .order_by("starts_at")
    )


def slots_by_day(slots) -> list[tuple[datetime.date, list[AppointmentSlot]]]:
    """Slots grouped by their local day, in order."""
    return [
        (day, list(group))
        for day, group in groupby(slots, key=lambda s: timezone.localtime(s.starts_at).date())
    ]


def desk_windows(user):
    """The windows this person works at: their clerk markets' and the markets they operate."""
    if not user or not user.is_authenticated:
        return ServiceWindow.objects.none()
    clerk = set(user.memberships.filter(role=Role.WINDOW_CLERK).values_list("market_id", flat=True))
    return ServiceWindow.objects.filter(market_id__in=clerk | operated_market_ids(user)).order_by(
        "market__kind", "market__code"
    )


def day_appointments(window: ServiceWindow, day: datetime.date):
    """The window's appointments on one (local) day, in time order, with the case opened
    from each, if any."""
    tz = timezone.get_current_timezone()
    begins = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), tz)
    return (
        Appointment.objects.filter(
            slot__window=window,
            slot__starts_at__gte=begins,
            slot__starts_at__lt=begins + datetime.timedelta(days=1),
        )
        .select_related("slot", "organization", "case")
        .order_by("slot__starts_at", "id")
    )


def day_slots(window: ServiceWindow, day: datetime.date):
    """All of the window's slots on one day, with their places taken."""
    tz = timezone.get_current_timezone()
    begins = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), tz)
    return (
        AppointmentSlot.objects.filter(
            window=window,
            starts_at__gte=begins,
            starts_at__lt=begins + datetime.timedelta(days=1),
        )
        .annotate(taken=Count("appointments", filter=Q(appointments__status__in=HOLDING)))
        .order_by("starts_at")
    )

"""A checklist item's deadline: its limit in working hours or working days, counted from a
start, on a market's working calendar and a window's hours. Cases and complaints both count
their deadlines with it."""

from __future__ import annotations

import datetime

from django.utils import timezone

from windows.calendar import DEFAULT_CLOSES, DEFAULT_OPENS, WorkingCalendar
from windows.choices import LimitUnit


def item_deadline(
    calendar: WorkingCalendar,
    standard_item,
    start: datetime.datetime,
    *,
    opens: datetime.time = DEFAULT_OPENS,
    closes: datetime.time = DEFAULT_CLOSES,
) -> datetime.datetime:
    """In hours: that many working hours after `start`, counting only `opens`-`closes` on
    working days. In working days: closing time on the n-th working day after `start`'s
    date (which does not count)."""
    if standard_item.limit_unit == LimitUnit.HOURS:
        return calendar.add_working_hours(
            start, standard_item.limit_amount, opens=opens, closes=closes
        )
    tz = timezone.get_current_timezone()
    day = calendar.add_working_days(
        timezone.localtime(start, tz).date(), standard_item.limit_amount
    )
    return timezone.make_aware(datetime.datetime.combine(day, closes), tz)

"""Working days (工作日) by China's official calendar, for the windows' deadlines.

The State Council's yearly arrangement of public holidays, and of the weekend days that
become working days in exchange (调休), comes from the chinesecalendar package. Operators add
local exceptions in the admin (`CalendarException`: a local holiday, or a year's official
arrangement entered before the package carries it), for one market or for the province.

A year the package does not know yet is not guessed silently: the day falls back to Monday
to Friday (with any exceptions entered for it), and an `UnknownCalendarYear` warning is
issued and logged, so that a deadline counted across it can be shown as provisional.

    add_working_days(start, n)          the n-th working day after `start` (not counting it)
    is_working_day(day)                 one date
    add_working_hours(start, hours)     counting only working hours (09:00-17:00 by default,
                                        or the window's own) on working days
"""

from __future__ import annotations

import datetime
import logging
import warnings
from collections.abc import Iterable

import chinese_calendar
from chinese_calendar import constants as official
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

DEFAULT_OPENS = datetime.time(9, 0)
DEFAULT_CLOSES = datetime.time(17, 0)
# The furthest a search for the next working day goes before it gives up: no calendar has a
# break this long, so reaching it means the exceptions close every day.
MAX_DAYS_WITHOUT_WORK = 60

OFFICIAL_FIRST_YEAR = min(official.holidays).year
OFFICIAL_LAST_YEAR = max(max(official.holidays), max(official.workdays)).year


class UnknownCalendarYear(UserWarning):
    """The official arrangement of a year is not in the calendar package yet."""


def official_year_known(year: int) -> bool:
    return OFFICIAL_FIRST_YEAR <= year <= OFFICIAL_LAST_YEAR


def unknown_years(days: Iterable[datetime.date]) -> list[int]:
    """The years among `days` whose official arrangement is not known: a deadline counted
    across them is provisional."""
    return sorted({day.year for day in days if not official_year_known(day.year)})


def _market_id(market) -> int | None:
    if market is None:
        return None
    return market if isinstance(market, int) else market.pk


class WorkingCalendar:
    """The working calendar of one market (or of the province, for None): the official
    calendar, overridden by the province's exceptions, overridden by the market's own.
    Exceptions are read once per year touched."""

    def __init__(self, market=None):
        self.market_id = _market_id(market)
        self._years: dict[int, dict[datetime.date, bool]] = {}
        self._warned: set[int] = set()

    def _exceptions(self, year: int) -> dict[datetime.date, bool]:
        if year not in self._years:
            from windows.models import CalendarException

            rows = CalendarException.objects.filter(day__year=year)
            if self.market_id is None:
                rows = rows.filter(market__isnull=True)
            else:
                from django.db.models import Q

                rows = rows.filter(Q(market__isnull=True) | Q(market_id=self.market_id))
            province: dict[datetime.date, bool] = {}
            own: dict[datetime.date, bool] = {}
            for day, working, market_id in rows.values_list("day", "is_working_day", "market_id"):
                (province if market_id is None else own)[day] = working
            # The market's own exceptions outrank the province's.
            self._years[year] = province | own
        return self._years[year]

    def _warn_unknown(self, year: int) -> None:
        if year in self._warned:
            return
        self._warned.add(year)
        message = _(
            "%(year)s 年的法定节假日安排尚未收录（日历数据只到 %(last)s 年）：这一年按周一至"
            "周五并结合后台录入的“工作日调整”计算，期限仅供参考。请升级 chinesecalendar，"
            "或在后台录入当年安排。"
        ) % {"year": year, "last": OFFICIAL_LAST_YEAR}
        logger.warning(message)
        warnings.warn(message, UnknownCalendarYear, stacklevel=3)

    def is_working_day(self, day: datetime.date) -> bool:
        local = self._exceptions(day.year)
        if day in local:
            return local[day]
        if official_year_known(day.year):
            return chinese_calendar.is_workday(day)
        self._warn_unknown(day.year)
        return day.weekday() < 5

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """The first working day after `day`."""
        for step in range(1, MAX_DAYS_WITHOUT_WORK + 1):
            candidate = day + datetime.timedelta(days=step)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError(
            _("%(day)s 之后 %(n)s 天内没有工作日：请检查后台的“工作日调整”。")
            % {"day": day, "n": MAX_DAYS_WITHOUT_WORK}
        )

    def add_working_days(self, start: datetime.date, n: int) -> datetime.date:
        """The n-th working day after `start`; `start` itself does not count, and 0 is
        `start`."""
        if n < 0:
            raise ValueError(_("工作日数不能为负数。"))
        day = start
        for _step in range(n):
            day = self.next_working_day(day)
        return day

    def add_working_hours(
        self,
        start: datetime.datetime,
        hours: float,
        *,
        opens: datetime.time = DEFAULT_OPENS,
        closes: datetime.time = DEFAULT_CLOSES,
    ) -> datetime.datetime:
        """The moment `hours` working hours after `start`, counting only the time between
        `opens` and `closes` on working days. A start outside working time begins at the
        next opening."""
        if hours < 0:
            raise ValueError(_("小时数不能为负数。"))
        if opens >= closes:
            raise ValueError(_("上班时间须早于下班时间。"))
        aware = timezone.is_aware(start)
        tz = timezone.get_current_timezone()
        cursor = timezone.localtime(start, tz) if aware else start
        remaining = datetime.timedelta(hours=hours)

        def at(day: datetime.date, moment: datetime.time) -> datetime.datetime:
            naive = datetime.datetime.combine(day, moment)
            return timezone.make_aware(naive, tz) if aware else naive

        if remaining == datetime.timedelta(0):
            return start
        while True:
            day = cursor.date()
            if not self.is_working_day(day) or cursor >= at(day, closes):
                day = self.next_working_day(day)
                cursor = at(day, opens)
            elif cursor < at(day, opens):
                cursor = at(day, opens)
            left_today = at(day, closes) - cursor
            if remaining <= left_today:
                return cursor + remaining
            remaining -= left_today
            cursor = at(self.next_working_day(day), opens)


def is_working_day(day: datetime.date, *, market=None) -> bool:
    """Whether `day` is a working day, by the official calendar and the local exceptions."""
    return WorkingCalendar(market).is_working_day(day)


def add_working_days(start: datetime.date, n: int, *, market=None) -> datetime.date:
    """The n-th working day after `start`; `start` itself does not count."""
    return WorkingCalendar(market).add_working_days(start, n)


def add_working_hours(
    start: datetime.datetime, hours: float, *, window=None, market=None
) -> datetime.datetime:
    """`hours` working hours after `start`: the window's hours (09:00-17:00 by default) on
    the working days of its market."""
    if window is not None:
        return WorkingCalendar(window.market_id).add_working_hours(
            start, hours, opens=window.opens_at, closes=window.closes_at
        )
    return WorkingCalendar(market).add_working_hours(start, hours)

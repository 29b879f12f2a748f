"""Working days by China's official calendar: the 2026 National Day and Spring Festival
weeks with their 调休 weekend working days, local exceptions per market and for the
province, working hours, and a year the calendar does not know yet warned, not guessed
silently. The expected dates are the State Council's published arrangement for 2026."""

import datetime as dt
import warnings
from zoneinfo import ZoneInfo

import pytest

from tests.factories import SubMarketFactory
from windows import calendar
from windows.calendar import UnknownCalendarYear, add_working_days, is_working_day
from windows.models import CalendarException, ServiceWindow

D = dt.date
SHANGHAI = ZoneInfo("Asia/Shanghai")

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2026, 9, 30), True),  # Wednesday before the holiday
        (D(2026, 10, 1), False),  # National Day
        (D(2026, 10, 7), False),  # the last day of the week off
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday made a working day (调休)
        (D(2026, 10, 11), False),  # an ordinary Sunday
        (D(2026, 9, 20), True),  # Sunday made a working day (调休)
        (D(2026, 9, 25), False),  # Mid-Autumn Festival, a Friday
        (D(2026, 2, 14), True),  # Saturday before the Spring Festival, working
        (D(2026, 2, 15), False),
        (D(2026, 2, 17), False),  # 春节, a Tuesday
        (D(2026, 2, 23), False),  # the last day off, a Monday
        (D(2026, 2, 24), True),
        (D(2026, 2, 28), True),  # Saturday made a working day (调休)
    ],
)
def test_is_working_day_follows_the_official_calendar(day, working):
    assert is_working_day(day) is working


def test_add_working_days_skips_the_national_day_week_and_counts_its_saturday():
    start = D(2026, 9, 30)
    assert add_working_days(start, 0) == start
    assert add_working_days(start, 1) == D(2026, 10, 8)
    assert add_working_days(start, 2) == D(2026, 10, 9)
    assert add_working_days(start, 3) == D(2026, 10, 10)  # the 调休 Saturday
    assert add_working_days(start, 4) == D(2026, 10, 12)  # Sunday the 11th is off
    # The start itself does not count, even when it is a working day...
    assert add_working_days(D(2026, 9, 19), 1) == D(2026, 9, 20)  # ...Saturday → 调休 Sunday
    assert add_working_days(D(2026, 9, 24), 1) == D(2026, 9, 28)  # over Mid-Autumn


def test_add_working_days_across_the_spring_festival():
    assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)  # the 调休 Saturday
    assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)  # nine days off
    assert add_working_days(D(2026, 2, 13), 6) == D(2026, 2, 28)  # 24, 25, 26, 27, then Sat
    assert add_working_days(D(2026, 2, 13), 7) == D(2026, 3, 2)
    with pytest.raises(ValueError):
        add_working_days(D(2026, 2, 13), -1)


def test_local_exceptions_for_a_market_and_for_the_province(main_market):
    sub = SubMarketFactory(parent=main_market)
    other = SubMarketFactory(parent=main_market)
    CalendarException.objects.create(
        day=D(2026, 10, 9), is_working_day=False, market=sub, note="本地活动闭馆"
    )
    assert add_working_days(D(2026, 9, 30), 2, market=sub) == D(2026, 10, 10)
    assert add_working_days(D(2026, 9, 30), 2, market=other) == D(2026, 10, 9)
    assert add_working_days(D(2026, 9, 30), 2) == D(2026, 10, 9)

    # The province opens a Sunday; a market's own exception outranks the province's.
    CalendarException.objects.create(
        day=D(2026, 10, 11), is_working_day=True, market=None, note="全省统一加班"
    )
    CalendarException.objects.create(
        day=D(2026, 10, 11), is_working_day=False, market=other, note="本市场照常休息"
    )
    assert is_working_day(D(2026, 10, 11))
    assert is_working_day(D(2026, 10, 11), market=sub)
    assert not is_working_day(D(2026, 10, 11), market=other)


def test_working_hours_count_only_the_window_hours_on_working_days(main_market, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    start = dt.datetime(2026, 9, 30, 16, 30, tzinfo=SHANGHAI)
    assert calendar.add_working_hours(start, 1) == dt.datetime(2026, 10, 8, 9, 30, tzinfo=SHANGHAI)
    assert calendar.add_working_hours(start, 0.5) == dt.datetime(
        2026, 9, 30, 17, 0, tzinfo=SHANGHAI
    )
    # Friday afternoon to the 调休 Saturday.
    friday = dt.datetime(2026, 10, 9, 16, 0, tzinfo=SHANGHAI)
    assert calendar.add_working_hours(friday, 2) == dt.datetime(
        2026, 10, 10, 10, 0, tzinfo=SHANGHAI
    )
    # Before opening counts from the opening; a whole day is eight hours.
    early = dt.datetime(2026, 10, 8, 7, 0, tzinfo=SHANGHAI)
    assert calendar.add_working_hours(early, 8) == dt.datetime(2026, 10, 8, 17, 0, tzinfo=SHANGHAI)
    assert calendar.add_working_hours(early, 16) == dt.datetime(2026, 10, 9, 17, 0, tzinfo=SHANGHAI)
    # A window with extended hours counts its own.
    window = ServiceWindow.objects.create(
        market=main_market,
        name="一站式窗口",
        address="科技大道1号",
        hours="8:30-18:00",
        opens_at=dt.time(8, 30),
        closes_at=dt.time(18, 0),
    )
    assert calendar.add_working_hours(friday, 2, window=window) == dt.datetime(
        2026, 10, 9, 18, 0, tzinfo=SHANGHAI
    )
    assert calendar.add_working_hours(friday, 3, window=window) == dt.datetime(
        2026, 10, 10, 9, 30, tzinfo=SHANGHAI
    )


def test_an_unknown_year_is_warned_and_counted_monday_to_friday_with_exceptions():
    assert calendar.official_year_known(2026)
    assert not calendar.official_year_known(calendar.OFFICIAL_LAST_YEAR + 1)
    year = calendar.OFFICIAL_LAST_YEAR + 1
    monday = next(D(year, 1, d) for d in range(1, 8) if D(year, 1, d).weekday() == 0)
    with pytest.warns(UnknownCalendarYear, match=f"{year} 年的法定节假日安排尚未收录"):
        assert is_working_day(monday)
    saturday = monday + dt.timedelta(days=5)
    CalendarException.objects.create(
        day=saturday, is_working_day=True, market=None, note="当年调休（国务院通知）"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an entered day needs no guess, so no warning
        assert is_working_day(saturday)
    assert calendar.unknown_years([D(2026, 12, 30), saturday]) == [year]


ADMIN = "/admin/snippets/windows/calendarexception/"


def test_an_operator_enters_their_own_markets_exceptions_only(client, main_market):
    from market.choices import OrganizationKind
    from tests.factories import OrganizationFactory, make_operator

    mine = SubMarketFactory(parent=main_market)
    other = SubMarketFactory(parent=main_market)
    operator = make_operator(OrganizationFactory(kind=OrganizationKind.OPERATOR, market=mine), mine)
    client.force_login(operator)
    assert client.get(ADMIN).status_code == 200
    form = {"day": "2026-10-09", "is_working_day": "", "note": "本地活动闭馆"}
    assert client.post(f"{ADMIN}add/", {**form, "market": mine.pk}).status_code == 302
    assert not is_working_day(D(2026, 10, 9), market=mine)
    # Another market's, or the whole province's, is not theirs to close.
    assert client.post(f"{ADMIN}add/", {**form, "market": other.pk}).status_code == 200
    assert client.post(f"{ADMIN}add/", {**form, "market": ""}).status_code == 200
    assert CalendarException.objects.count() == 1
    assert is_working_day(D(2026, 10, 9), market=other) and is_working_day(D(2026, 10, 9))


def test_the_provinces_operator_enters_province_wide_exceptions(client, operator):
    client.force_login(operator)  # operates the main market
    form = {"day": "2026-10-11", "is_working_day": "on", "note": "全省统一加班", "market": ""}
    assert client.post(f"{ADMIN}add/", form).status_code == 302
    assert is_working_day(D(2026, 10, 11))
    listing = client.get(ADMIN).content.decode()
    assert "全省统一加班" in listing

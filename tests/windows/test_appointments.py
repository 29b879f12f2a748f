"""Appointments (预约) and extended hours (延时服务): a window's regular slots on working
days, made once however often generated; extended slots added by its clerks; a booking that
refuses the past, a full slot and a window without appointments, and that a second send does
not double; the requester's secret link to cancel; a missed appointment; the public booking
page, the clerk's day and the scheduled command."""

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from market.choices import OrganizationKind, Role
from market.models import TransitionLog
from tests.concurrency import race
from tests.factories import MembershipFactory, OrganizationFactory, SubMarketFactory
from tests.factories.windows import ServiceWindowFactory
from windows.calendar import WorkingCalendar
from windows.choices import AppointmentStatus, WindowService
from windows.models import Appointment, AppointmentSlot, CalendarException
from windows.selectors.appointments import day_appointments, open_slots
from windows.services import appointments as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(sub_market):
    org = OrganizationFactory(kind=OrganizationKind.OPERATOR, market=sub_market)
    return MembershipFactory(
        role=Role.WINDOW_CLERK, market=sub_market, organization=org, user__name="窗口小陈"
    ).user


@pytest.fixture
def other_clerk(main_market):
    other = SubMarketFactory(parent=main_market)
    org = OrganizationFactory(kind=OrganizationKind.OPERATOR, market=other)
    return MembershipFactory(role=Role.WINDOW_CLERK, market=other, organization=org).user


def next_working_day(window, after=None):
    return WorkingCalendar(window.market_id).next_working_day(after or timezone.localdate())


def at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def a_slot(window, *, day=None, hour=10, capacity=1, extended=False, minutes=30):
    day = day or next_working_day(window)
    return AppointmentSlot.objects.create(
        window=window,
        starts_at=at(day, hour),
        ends_at=at(day, hour) + dt.timedelta(minutes=minutes),
        capacity=capacity,
        extended=extended,
    )


def book(slot, phone="13800000001", name="李四", **kwargs):
    return services.appointment_book(
        slot=slot,
        service=kwargs.pop("service", WindowService.CONTRACT_REGISTRATION),
        requester_name=name,
        requester_phone=phone,
        **kwargs,
    )


# --- slots --------------------------------------------------------------------------------


def test_slots_generate_fills_working_hours_on_working_days_only(window, clerk):
    first = next_working_day(window)
    holiday = next_working_day(window, first)
    CalendarException.objects.create(
        day=holiday, is_working_day=False, market=window.market, note="本地假日"
    )
    made = services.slots_generate(window=window, start=first, days=10, by=clerk)
    days = {timezone.localtime(s.starts_at).date() for s in AppointmentSlot.objects.all()}
    calendar = WorkingCalendar(window.market_id)
    expected_days = {
        first + dt.timedelta(days=i)
        for i in range(10)
        if calendar.is_working_day(first + dt.timedelta(days=i))
    }
    assert holiday not in days and first in days
    assert days == expected_days
    # 09:00-17:00 in half hours: 16 a day, the last from 16:30 to 17:00.
    assert made == 16 * len(expected_days)
    on_first = AppointmentSlot.objects.filter(starts_at__date=first).order_by("starts_at")
    assert timezone.localtime(on_first.first().starts_at).time() == dt.time(9, 0)
    assert timezone.localtime(on_first.last().ends_at).time() == dt.time(17, 0)
    assert not AppointmentSlot.objects.filter(extended=True).exists()
    assert TransitionLog.objects.filter(transition="slots_generate", by=clerk).count() == 1


def test_slots_generate_is_idempotent_and_keeps_existing_slots(window, clerk):
    first = next_working_day(window)
    own = a_slot(window, day=first, hour=9, capacity=3)
    made = services.slots_generate(window=window, start=first, days=1, by=clerk)
    assert made == 15
    assert services.slots_generate(window=window, start=first, days=1, by=clerk) == 0
    assert AppointmentSlot.objects.filter(window=window).count() == 16
    own.refresh_from_db()
    assert own.capacity == 3


def test_slots_generate_only_by_the_windows_staff(window, other_clerk, outsider):
    for person in (other_clerk, outsider):
        with pytest.raises(PermissionDenied):
            services.slots_generate(window=window, start=timezone.localdate(), days=3, by=person)
    assert not AppointmentSlot.objects.exists()


def test_slot_create_adds_extended_hours_and_refuses_overlaps_and_the_past(window, clerk):
    day = next_working_day(window)
    evening = services.slot_create(
        window=window, starts_at=at(day, 17), ends_at=at(day, 19), capacity=4, by=clerk
    )
    assert evening.extended and evening.capacity == 4
    with pytest.raises(ValidationError, match="重叠"):
        services.slot_create(window=window, starts_at=at(day, 18), ends_at=at(day, 20), by=clerk)
    with pytest.raises(ValidationError, match="已经过去"):
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        services.slot_create(
            window=window, starts_at=at(yesterday, 17), ends_at=at(yesterday, 19), by=clerk
        )
    with pytest.raises(PermissionDenied):
        services.slot_create(window=window, starts_at=at(day, 7), ends_at=at(day, 8), by=None)
    assert AppointmentSlot.objects.count() == 1


# --- booking ------------------------------------------------------------------------------


def test_booking_returns_a_reference_and_a_secret_link(window):
    slot = a_slot(window)
    appointment = book(slot, phone="138-0000 0001")
    assert appointment.requester_phone == "13800000001"
    assert services.appointment_reference(appointment).startswith("YY")
    token = services.appointment_token(appointment)
    assert services.appointment_from_token(token) == appointment
    assert services.appointment_from_token(token[:-2] + "xx") is None
    assert services.appointment_from_token(str(appointment.pk)) is None
    log = TransitionLog.objects.get(transition="book", object_id=appointment.pk)
    assert log.to_state == AppointmentStatus.BOOKED


def test_booking_twice_by_the_same_person_gives_the_same_booking(window):
    slot = a_slot(window, capacity=2)
    first = book(slot)
    assert book(slot, phone="138 0000 0001").pk == first.pk
    assert Appointment.objects.count() == 1


def test_booking_refuses_a_full_slot_the_past_and_a_closed_window(window):
    slot = a_slot(window, capacity=1)
    book(slot, phone="13800000001")
    with pytest.raises(ValidationError, match="约满"):
        book(slot, phone="13800000002")
    past = a_slot(window, day=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="已过去"):
        book(past)
    with pytest.raises(ValidationError, match="办理的事项"):
        book(a_slot(window, hour=11), service=WindowService.COMPLAINT)
    window.appointment_available = False
    window.save()
    with pytest.raises(ValidationError, match="不提供预约"):
        book(a_slot(window, hour=14))
    assert Appointment.objects.count() == 1


def test_a_cancelled_booking_frees_its_place(window):
    slot = a_slot(window)
    appointment = book(slot)
    token = services.appointment_token(appointment)
    services.appointment_cancel(appointment=appointment, token=token)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert book(slot, phone="13800000002").status == AppointmentStatus.BOOKED
    with pytest.raises(ValidationError, match="不能取消"):
        services.appointment_cancel(appointment=appointment, token=token)


def test_cancel_needs_the_bookings_own_link_or_a_clerk(window, clerk, outsider):
    slot = a_slot(window, capacity=3)
    mine, theirs = book(slot), book(slot, phone="13800000002")
    with pytest.raises(PermissionDenied):
        services.appointment_cancel(appointment=mine, token=services.appointment_token(theirs))
    with pytest.raises(PermissionDenied):
        services.appointment_cancel(appointment=mine, by=outsider)
    services.appointment_cancel(appointment=mine, by=clerk, reason="来电取消")
    mine.refresh_from_db()
    assert mine.status == AppointmentStatus.CANCELLED
    assert TransitionLog.objects.get(transition="cancel", object_id=mine.pk).by == clerk


def test_no_show_only_once_the_slot_has_begun(window, clerk, other_clerk):
    slot = a_slot(window)
    appointment = book(slot)
    with pytest.raises(ValidationError, match="尚未开始"):
        services.appointment_no_show(appointment=appointment, by=clerk)
    AppointmentSlot.objects.filter(pk=slot.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=40),
        ends_at=timezone.now() - dt.timedelta(minutes=10),
    )
    with pytest.raises(PermissionDenied):
        services.appointment_no_show(appointment=appointment, by=other_clerk)
    services.appointment_no_show(appointment=appointment, by=clerk)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_people_cannot_both_take_the_last_place(window):
    slot = a_slot(window, capacity=1)
    outcomes = race(
        lambda: book(slot, phone="13800000001").pk, lambda: book(slot, phone="13800000002").pk
    )
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1 and "约满" in refused[0].messages[0]
    assert Appointment.objects.filter(slot=slot).count() == 1


# --- selectors ----------------------------------------------------------------------------


def test_open_slots_have_places_left_in_constant_queries(window):
    day = next_working_day(window)
    full = a_slot(window, day=day, hour=9)
    book(full)
    half = a_slot(window, day=day, hour=10, capacity=2)
    book(half)
    a_slot(window, day=day + dt.timedelta(days=30), hour=10)  # beyond the next 14 days
    for hour in range(11, 16):
        a_slot(window, day=day, hour=hour)
    with CaptureQueriesContext(connection) as queries:
        slots = list(open_slots(window, days=14))
    assert len(queries) == 1
    assert full not in slots
    assert [s.places_left for s in slots if s.pk == half.pk] == [1]
    assert len(slots) == 6


def test_day_appointments_are_the_windows_in_time_order(window, main_market):
    day = next_working_day(window)
    late = book(a_slot(window, day=day, hour=15), phone="1")
    early = book(a_slot(window, day=day, hour=9), phone="2")
    book(a_slot(window, day=next_working_day(window, day), hour=9), phone="3")
    other = ServiceWindowFactory(market=SubMarketFactory(parent=main_market))
    book(a_slot(other, day=day, hour=9), phone="4")
    assert list(day_appointments(window, day)) == [early, late]


# --- pages --------------------------------------------------------------------------------


def test_booking_page_lists_open_slots_by_day_and_marks_extended_ones(client, window, clerk):
    day = next_working_day(window)
    a_slot(window, day=day, hour=10)
    services.slot_create(window=window, starts_at=at(day, 17), ends_at=at(day, 19), by=clerk)
    full = a_slot(window, day=day, hour=11)
    book(full)
    response = client.get(reverse("windows:appointment_book", args=[window.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="day-{day:%Y-%m-%d}"' in html
    assert "10:00–10:30" in html and "17:00–19:00" in html and "11:00–11:30" not in html
    assert html.count('class="tag">延时服务') == 1
    assert "投诉处理" not in html.split('name="service"')[1].split("</select>")[0]


def test_booking_from_the_page_shows_the_confirmation(client, window):
    slot = a_slot(window)
    data = {
        "slot": slot.pk,
        "service": WindowService.EVALUATION,
        "requester_name": "王五",
        "requester_phone": "13900000000",
    }
    url = reverse("windows:appointment_book", args=[window.pk])
    response = client.post(url, data)
    assert response.status_code == 302
    page = client.get(response["Location"])
    appointment = Appointment.objects.get()
    assert services.appointment_reference(appointment) in page.content.decode()
    # A double-clicked submit lands on the same booking.
    assert client.post(url, data)["Location"] == response["Location"]
    assert Appointment.objects.count() == 1
    cancel = reverse("windows:appointment_cancel", args=[response["Location"].split("/")[-2]])
    assert client.get(cancel).status_code == 405
    client.post(cancel)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_booking_page_tells_a_full_slot(client, window):
    slot = a_slot(window)
    book(slot)
    response = client.post(
        reverse("windows:appointment_book", args=[window.pk]),
        {
            "slot": slot.pk,
            "service": "reception",
            "requester_name": "赵六",
            "requester_phone": "13911112222",
        },
    )
    assert response.status_code == 400
    assert "该时段已约满" in response.content.decode()


def test_desk_shows_the_days_appointments_with_their_actions(client, window, clerk):
    day = next_working_day(window)
    appointment = book(a_slot(window, day=day, hour=9), name="孙七")
    client.force_login(clerk)
    response = client.get(reverse("windows:desk_appointments"), {"day": day.isoformat()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "孙七" in html and "技术合同认定登记" in html and "已预约" in html
    accept = reverse("windows:case_open_from_appointment", args=[appointment.pk])
    assert f'action="{accept}"' in html
    # Not begun yet: no 未到 button.
    assert reverse("windows:appointment_no_show", args=[appointment.pk]) not in html


def test_desk_marks_a_no_show_by_post_only(client, window, clerk, other_clerk):
    slot = a_slot(window)
    appointment = book(slot)
    AppointmentSlot.objects.filter(pk=slot.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=40),
        ends_at=timezone.now() - dt.timedelta(minutes=10),
    )
    url = reverse("windows:appointment_no_show", args=[appointment.pk])
    client.force_login(other_clerk)
    assert client.post(url).status_code == 403
    client.force_login(clerk)
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.NO_SHOW


def test_desk_is_for_window_staff_only(client, window, outsider):
    assert client.get(reverse("windows:desk_appointments")).status_code == 302
    client.force_login(outsider)
    assert client.get(reverse("windows:desk_appointments")).status_code == 403
    assert client.post(reverse("windows:desk_slots_generate")).status_code == 403


def test_desk_adds_an_extended_slot_and_generates_two_weeks(client, window, clerk):
    client.force_login(clerk)
    day = next_working_day(window)
    response = client.post(
        reverse("windows:desk_slot_create"),
        {
            "window": window.pk,
            "day": day.isoformat(),
            "starts": "17:00",
            "ends": "19:00",
            "capacity": 2,
        },
    )
    assert response.status_code == 302
    slot = AppointmentSlot.objects.get()
    assert slot.extended and timezone.localtime(slot.starts_at).time() == dt.time(17, 0)
    client.post(reverse("windows:desk_slots_generate"), {"window": window.pk})
    regular = AppointmentSlot.objects.filter(extended=False)
    assert regular.exists()
    last = timezone.localtime(regular.order_by("-starts_at").first().starts_at).date()
    assert last < timezone.localdate() + dt.timedelta(days=14)


def test_windows_slots_command_generates_for_every_window_once(window, main_market):
    other = ServiceWindowFactory(market=SubMarketFactory(parent=main_market))
    closed = ServiceWindowFactory(
        market=SubMarketFactory(parent=main_market), appointment_available=False
    )
    out = StringIO()
    call_command("windows_slots", "--weeks", "1", stdout=out, stderr=StringIO())
    assert AppointmentSlot.objects.filter(window=window).exists()
    assert AppointmentSlot.objects.filter(window=other).exists()
    assert not AppointmentSlot.objects.filter(window=closed).exists()
    count = AppointmentSlot.objects.count()
    assert f"{count} slots made for 2 windows" in out.getvalue()
    call_command("windows_slots", "--weeks", "1", stdout=StringIO(), stderr=StringIO())
    assert AppointmentSlot.objects.count() == count


def test_accepting_an_appointment_opens_its_case_once(client, window, clerk):
    from windows.choices import AppointmentStatus
    from windows.models import ServiceCase

    day = next_working_day(window)
    appointment = book(a_slot(window, day=day, hour=9), name="孙七")
    client.force_login(clerk)
    accept = reverse("windows:case_open_from_appointment", args=[appointment.pk])
    first = client.post(accept)
    second = client.post(accept)
    case = ServiceCase.objects.get()
    assert first.url == second.url == case.get_absolute_url()
    assert case.requester_name == "孙七" and case.appointment == appointment
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.SERVED
    html = client.get(reverse("windows:desk_appointments"), {"day": day.isoformat()})
    assert f'action="{accept}"' not in html.content.decode()

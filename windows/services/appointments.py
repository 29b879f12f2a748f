"""Appointments (预约) and extended hours (延时服务) at a window: its bookable slots, a
requester's booking, its cancellation and a missed appointment (未到).

Every step is recorded in the market's audit log (`market.services.transition_record`).
The requester keeps a reference to read aloud at the window and a secret link (a signed
token) with which they see and cancel their booking without an account.
"""

from __future__ import annotations

import datetime
import re

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from market.choices import Role
from market.permissions import is_market_operator
from market.services import transition_record
from windows.calendar import WorkingCalendar
from windows.choices import AppointmentStatus, WindowService
from windows.models import Appointment, AppointmentSlot, ServiceWindow
from windows.selectors.appointments import HOLDING

CANCEL_SALT = "windows.appointment"
BOOKABLE_SERVICES = [c for c in WindowService.choices if c[0] != WindowService.COMPLAINT]


def may_work_window(user, window: ServiceWindow) -> bool:
    """The window's clerks (窗口工作人员 of its market) and the operators above it."""
    if not user or not user.is_authenticated:
        return False
    if is_market_operator(user, window.market_id):
        return True
    return user.memberships.filter(role=Role.WINDOW_CLERK, market_id=window.market_id).exists()


def _check_worker(user, window: ServiceWindow) -> None:
    if not may_work_window(user, window):
        raise PermissionDenied(_("只有本窗口的工作人员和市场运营人员才能管理预约。"))


def normalize_phone(phone: str) -> str:
    return re.sub(r"[\s\-()（）]", "", phone or "")


def appointment_reference(appointment: Appointment) -> str:
    """The number the requester reads out at the window."""
    local = timezone.localtime(appointment.slot.starts_at)
    return f"YY{local:%Y%m%d}-{appointment.pk:06d}"


def appointment_token(appointment: Appointment) -> str:
    """The requester's secret link to their booking: signed, so it cannot be guessed, and
    without a timestamp, so one booking has one link however often it is shown (a
    double-clicked booking lands on the same page)."""
    return signing.Signer(salt=CANCEL_SALT).sign(str(appointment.pk))


def appointment_from_token(token: str) -> Appointment | None:
    try:
        pk = signing.Signer(salt=CANCEL_SALT).unsign(token)
    except signing.BadSignature:
        return None
    if not pk.isdigit():
        return None
    return Appointment.objects.select_related("slot__window").filter(pk=pk).first()


def _at(day: datetime.date, moment: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, moment))


@transaction.atomic
def slots_generate(
    *,
    window: ServiceWindow,
    start: datetime.date,
    days: int,
    length_minutes: int = 30,
    by=None,
) -> int:
    """The window's regular slots on the working days from `start` for `days` days, from its
    opening to its closing time. Slots that exist already are kept as they are, so running it
    twice makes no more. `by` None is the scheduled command. Returns how many were made."""
    if by is not None:
        _check_worker(by, window)
    if length_minutes < 5:
        raise ValidationError(_("每个时段至少 5 分钟。"))
    if days < 1:
        raise ValidationError(_("天数至少为 1。"))
    calendar = WorkingCalendar(window.market_id)
    length = datetime.timedelta(minutes=length_minutes)
    now = timezone.now()
    wanted = []
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        if not calendar.is_working_day(day):
            continue
        begins, closes = _at(day, window.opens_at), _at(day, window.closes_at)
        while begins + length <= closes:
            if begins > now:
                wanted.append(begins)
            begins += length
    if not wanted:
        return 0
    existing = set(
        AppointmentSlot.objects.filter(
            window=window, starts_at__gte=wanted[0], starts_at__lte=wanted[-1]
        ).values_list("starts_at", flat=True)
    )
    new = [
        AppointmentSlot(window=window, starts_at=s, ends_at=s + length, capacity=1)
        for s in wanted
        if s not in existing
    ]
    # ignore_conflicts: a slot made by a run alongside this one is kept, not doubled.
    AppointmentSlot.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        transition_record(
            window,
            transition="slots_generate",
            by=by,
            reason=_("生成预约时段 %(n)s 个（%(start)s 起 %(days)s 天）")
            % {"n": len(new), "start": start, "days": days},
        )
    return len(new)


@transaction.atomic
def slot_create(
    *,
    window: ServiceWindow,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int = 1,
    extended: bool = True,
    by,
) -> AppointmentSlot:
    """One slot added by hand, usually extended hours (延时服务): after closing time, before
    opening, or on a rest day."""
    _check_worker(by, window)
    if starts_at <= timezone.now():
        raise ValidationError(_("不能添加已经过去的时段。"))
    if starts_at >= ends_at:
        raise ValidationError(_("结束时间须晚于开始时间。"))
    ServiceWindow.objects.select_for_update().get(pk=window.pk)
    overlapping = AppointmentSlot.objects.filter(
        window=window, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).first()
    if overlapping is not None:
        raise ValidationError(
            _("与已有时段 %(slot)s 重叠，请换一个时间。")
            % {"slot": f"{timezone.localtime(overlapping.starts_at):%Y-%m-%d %H:%M}"}
        )
    slot = AppointmentSlot(
        window=window, starts_at=starts_at, ends_at=ends_at, capacity=capacity, extended=extended
    )
    slot.full_clean()
    slot.save()
    transition_record(
        window,
        transition="slot_create",
        by=by,
        reason=_("添加%(kind)s时段 %(start)s–%(end)s")
        % {
            "kind": _("延时服务") if extended else _("预约"),
            "start": f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
            "end": f"{timezone.localtime(ends_at):%H:%M}",
        },
    )
    return slot


@transaction.atomic
def appointment_book(
    *,
    slot: AppointmentSlot,
    service: str,
    requester_name: str,
    requester_phone: str,
    organization=None,
    note: str = "",
    by=None,
) -> Appointment:
    """Book a place in `slot`. The slot row is locked while its places are counted, so two
    people cannot both take its last place. The same phone number booking the same slot
    again (a double click, a second send) gets its existing booking back."""
    slot = AppointmentSlot.objects.select_for_update().select_related("window").get(pk=slot.pk)
    window = slot.window
    if not window.appointment_available:
        raise ValidationError(_("该窗口暂不提供预约服务，请直接前往窗口或致电咨询。"))
    if slot.starts_at <= timezone.now():
        raise ValidationError(_("该时段已经开始或已过去，请选择其他时段。"))
    if service not in dict(BOOKABLE_SERVICES):
        raise ValidationError({"service": _("请选择要办理的事项。")})
    phone = normalize_phone(requester_phone)
    requester_name = (requester_name or "").strip()
    existing = slot.appointments.filter(
        requester_phone=phone, status=AppointmentStatus.BOOKED
    ).first()
    if existing is not None:
        return existing
    taken = slot.appointments.filter(status__in=HOLDING).count()
    if taken >= slot.capacity:
        raise ValidationError(_("该时段已约满，请选择其他时段。"))
    appointment = Appointment(
        slot=slot,
        service=service,
        requester_name=requester_name,
        requester_phone=phone,
        organization=organization,
        booked_by=by if by is not None and by.is_authenticated else None,
        note=note.strip(),
    )
    appointment.full_clean()
    appointment.save()
    transition_record(
        appointment,
        transition="book",
        by=appointment.booked_by,
        to_state=AppointmentStatus.BOOKED,
        reason=str(slot),
    )
    return appointment


def _lock(appointment: Appointment) -> Appointment:
    return (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("slot__window")
        .get(pk=appointment.pk)
    )


def _move(appointment: Appointment, *, to: str, transition: str, by, reason: str = ""):
    from_state = appointment.status
    appointment.status = to
    appointment.save(update_fields=["status"])
    transition_record(
        appointment,
        transition=transition,
        by=by if by is not None and by.is_authenticated else None,
        from_state=from_state,
        to_state=to,
        reason=reason,
    )
    return appointment


@transaction.atomic
def appointment_cancel(
    *, appointment: Appointment, by=None, token: str = "", reason: str = ""
) -> Appointment:
    """Cancel a booking: by the requester with their secret link before the slot starts, or
    by the window's clerk. Its place becomes free again."""
    appointment = _lock(appointment)
    window = appointment.slot.window
    found = appointment_from_token(token) if token else None
    own = found is not None and found.pk == appointment.pk
    clerk = may_work_window(by, window)
    if not own and not clerk:
        raise PermissionDenied(_("只有预约人本人（凭预约链接）或窗口工作人员才能取消预约。"))
    if appointment.status != AppointmentStatus.BOOKED:
        raise ValidationError(
            _("该预约当前为“%(status)s”，不能取消。") % {"status": appointment.get_status_display()}
        )
    if not clerk and appointment.slot.starts_at <= timezone.now():
        raise ValidationError(_("预约时段已经开始，不能在线取消，请联系窗口。"))
    return _move(
        appointment, to=AppointmentStatus.CANCELLED, transition="cancel", by=by, reason=reason
    )


@transaction.atomic
def appointment_no_show(*, appointment: Appointment, by) -> Appointment:
    """The clerk records that the requester did not come (未到), once the slot has begun."""
    appointment = _lock(appointment)
    _check_worker(by, appointment.slot.window)
    if appointment.status != AppointmentStatus.BOOKED:
        raise ValidationError(
            _("该预约当前为“%(status)s”，不能登记未到。")
            % {"status": appointment.get_status_display()}
        )
    if appointment.slot.starts_at > timezone.now():
        raise ValidationError(_("预约时段尚未开始，不能登记未到。"))
    return _move(appointment, to=AppointmentStatus.NO_SHOW, transition="no_show", by=by)

"""Appointments in the browser: the public booking page of a window, the requester's own
page (reached by their secret link) where they can cancel, and the clerk's day at the desk
with its missed appointments (未到) and the slots they add (延时服务) or generate.

Every change is a POST to a service."""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from windows.models import Appointment, ServiceWindow
from windows.selectors import appointments as selectors
from windows.services import appointments as services

BOOKING_DAYS = 14
GENERATE_DAYS = 14


def _errors(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


class BookingForm(forms.Form):
    slot = forms.IntegerField(widget=forms.HiddenInput)
    service = forms.ChoiceField(label=gettext_lazy("办理事项"), choices=services.BOOKABLE_SERVICES)
    requester_name = forms.CharField(label=gettext_lazy("预约人姓名"), max_length=100)
    requester_phone = forms.RegexField(
        label=gettext_lazy("联系电话"),
        max_length=30,
        regex=r"^[0-9\s\-+()（）]{7,30}$",
        error_messages={"invalid": gettext_lazy("请填写有效的电话号码。")},
    )
    note = forms.CharField(
        label=gettext_lazy("事项说明"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def book(request, window_pk):
    """A window's open slots in the coming two weeks, grouped by day, and the booking form."""
    window = get_object_or_404(ServiceWindow.objects.select_related("market"), pk=window_pk)
    form = BookingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        slot = window.slots.filter(pk=data["slot"]).first()
        if slot is None:
            form.add_error(None, _("请选择一个预约时段。"))
        else:
            try:
                appointment = services.appointment_book(
                    slot=slot,
                    service=data["service"],
                    requester_name=data["requester_name"],
                    requester_phone=data["requester_phone"],
                    note=data["note"],
                    by=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                token = services.appointment_token(appointment)
                return redirect("windows:appointment_booking", token=token)
    slots = selectors.open_slots(window, days=BOOKING_DAYS) if window.appointment_available else []
    chosen = form["slot"].value()
    return render(
        request,
        "windows/appointment_book.html",
        {
            "window": window,
            "days": selectors.slots_by_day(slots),
            "form": form,
            "chosen": str(chosen) if chosen else "",
        },
        status=400 if request.method == "POST" else 200,
    )


def _by_token(token: str) -> Appointment:
    appointment = services.appointment_from_token(token)
    if appointment is None:
        raise Http404
    return appointment


def booking(request, token):
    """The requester's own page: the booking's reference and time, and its cancellation."""
    appointment = _by_token(token)
    return render(
        request,
        "windows/appointment_confirmation.html",
        {
            "appointment": appointment,
            "window": appointment.slot.window,
            "reference": services.appointment_reference(appointment),
            "token": token,
            "link": request.build_absolute_uri(
                reverse("windows:appointment_booking", args=[token])
            ),
            "may_cancel": appointment.status == "booked"
            and appointment.slot.starts_at > timezone.now(),
        },
    )


@require_POST
def booking_cancel(request, token):
    appointment = _by_token(token)
    try:
        services.appointment_cancel(appointment=appointment, token=token, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("预约已取消。"))
    return redirect("windows:appointment_booking", token=token)


# --- the clerk's desk ---------------------------------------------------------------------


class SlotForm(forms.Form):
    day = forms.DateField(
        label=gettext_lazy("日期"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    starts = forms.TimeField(
        label=gettext_lazy("开始"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=gettext_lazy("结束"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    capacity = forms.IntegerField(
        label=gettext_lazy("可预约人数"), min_value=1, max_value=50, initial=1
    )

    def clean(self):
        data = super().clean()
        if data.get("starts") and data.get("ends") and data["starts"] >= data["ends"]:
            raise ValidationError(_("结束时间须晚于开始时间。"))
        return data


def _desk_window(request) -> ServiceWindow:
    """The window the clerk works at (one of theirs, chosen with ?window= when several)."""
    windows = selectors.desk_windows(request.user)
    wanted = request.POST.get("window") or request.GET.get("window")
    window = None
    if wanted and str(wanted).isdigit():
        window = windows.filter(pk=wanted).first()
    else:
        window = windows.first()
    if window is None:
        raise PermissionDenied
    return window


def _day(request) -> datetime.date:
    raw = request.GET.get("day") or request.POST.get("day") or ""
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        return timezone.localdate()


def _desk_url(window: ServiceWindow, day: datetime.date) -> str:
    return f"{reverse('windows:desk_appointments')}?window={window.pk}&day={day.isoformat()}"


@login_required
def desk_day(request):
    window = _desk_window(request)
    day = _day(request)
    appointments = list(selectors.day_appointments(window, day))
    rows = [
        {
            "appointment": a,
            "reference": services.appointment_reference(a),
            "started": a.slot.starts_at <= timezone.now(),
            "case": getattr(a, "case", None),
        }
        for a in appointments
    ]
    return render(
        request,
        "windows/appointment_desk.html",
        {
            "window": window,
            "windows": selectors.desk_windows(request.user),
            "day": day,
            "previous_day": day - datetime.timedelta(days=1),
            "next_day": day + datetime.timedelta(days=1),
            "rows": rows,
            "slots": selectors.day_slots(window, day),
            "slot_form": SlotForm(initial={"day": day, "capacity": 1}),
            "generate_days": GENERATE_DAYS,
        },
    )


@login_required
@require_POST
def desk_no_show(request, pk):
    appointment = get_object_or_404(Appointment.objects.select_related("slot__window"), pk=pk)
    window = appointment.slot.window
    if not services.may_work_window(request.user, window):
        raise PermissionDenied
    try:
        services.appointment_no_show(appointment=appointment, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已登记未到：%(name)s") % {"name": appointment.requester_name})
    local = timezone.localtime(appointment.slot.starts_at).date()
    return redirect(_desk_url(window, local))


@login_required
@require_POST
def desk_slot_create(request):
    window = _desk_window(request)
    form = SlotForm(request.POST)
    day = _day(request)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return redirect(_desk_url(window, day))
    data = form.cleaned_data
    tz = timezone.get_current_timezone()
    starts = timezone.make_aware(datetime.datetime.combine(data["day"], data["starts"]), tz)
    ends = timezone.make_aware(datetime.datetime.combine(data["day"], data["ends"]), tz)
    try:
        services.slot_create(
            window=window,
            starts_at=starts,
            ends_at=ends,
            capacity=data["capacity"],
            extended=True,
            by=request.user,
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已添加延时服务时段。"))
    return redirect(_desk_url(window, data["day"]))


@login_required
@require_POST
def desk_slots_generate(request):
    window = _desk_window(request)
    try:
        made = services.slots_generate(
            window=window, start=timezone.localdate(), days=GENERATE_DAYS, by=request.user
        )
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("已生成 %(n)s 个预约时段。") % {"n": made})
    return redirect(_desk_url(window, _day(request)))

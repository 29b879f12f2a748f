"""One-stop cooperation windows (一站式合作窗口): the windows and their working calendar,
service standards as versioned checklists, appointments and cases worked to them, ratings
with their follow-ups, and complaints. One module per concern."""

from windows.models.cases import (
    Appointment,
    AppointmentSlot,
    CaseItem,
    CaseNotice,
    CaseRating,
    FollowUp,
    ServiceCase,
)
from windows.models.complaints import Complaint
from windows.models.network import CalendarException, ServiceWindow
from windows.models.standards import ServiceStandard, StandardItem

__all__ = [
    "Appointment",
    "AppointmentSlot",
    "CalendarException",
    "CaseItem",
    "CaseNotice",
    "CaseRating",
    "Complaint",
    "FollowUp",
    "ServiceCase",
    "ServiceStandard",
    "ServiceWindow",
    "StandardItem",
]

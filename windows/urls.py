from django.urls import path

from windows.views import appointments, complaints, compliance, standards
from windows.views import cases as case_views

app_name = "windows"

# One block per concern: standards, cases, appointments, complaints, compliance.
urlpatterns = [
    # standards
    path("standards/", standards.standard_list, name="standard_list"),
    path(
        "standards/<int:pk>/diff/<int:other_pk>/",
        standards.standard_diff,
        name="standard_diff",
    ),
    # A code holds "/" (TM/CK-01); the diff pattern above is matched first.
    path("standards/<path:code>/", standards.standard_detail, name="standard_detail"),
]

# cases
urlpatterns += [
    path("desk/", case_views.desk, name="desk"),
    path("desk/open/", case_views.case_open, name="case_open"),
    path(
        "cases/from-appointment/<int:pk>/",
        case_views.case_open_from_appointment,
        name="case_open_from_appointment",
    ),
    path("cases/<int:pk>/", case_views.case_detail, name="case_detail"),
    path("cases/<int:pk>/notify/", case_views.case_notify, name="case_notify"),
    path("cases/<int:pk>/close/", case_views.case_close, name="case_close"),
    path("cases/<int:pk>/withdraw/", case_views.case_withdraw, name="case_withdraw"),
    path("cases/items/<int:pk>/complete/", case_views.item_complete, name="item_complete"),
    path(
        "cases/items/<int:pk>/confirmation/",
        case_views.item_confirmation,
        name="item_confirmation",
    ),
    path("cases/items/<int:pk>/evidence/", case_views.item_evidence, name="item_evidence"),
    path("cases/items/<int:pk>/attach/", case_views.item_attach, name="item_attach"),
    path("follow-ups/<int:pk>/rectify/", case_views.follow_up_rectify, name="follow_up_rectify"),
    path("follow-ups/<int:pk>/visit/", case_views.follow_up_visit, name="follow_up_visit"),
    path("r/<str:key>/", case_views.case_requester, name="case_requester"),
    path("r/<str:key>/rate/", case_views.case_rate, name="case_rate"),
    path("confirm/", case_views.confirm_lookup, name="confirm_lookup"),
    path("confirm/<str:code>/", case_views.case_confirm, name="case_confirm"),
]

# appointments
urlpatterns += [
    path("<int:window_pk>/book/", appointments.book, name="appointment_book"),
    path("appointments/<str:token>/", appointments.booking, name="appointment_booking"),
    path(
        "appointments/<str:token>/cancel/",
        appointments.booking_cancel,
        name="appointment_cancel",
    ),
    path("desk/appointments/", appointments.desk_day, name="desk_appointments"),
    path(
        "desk/appointments/<int:pk>/no-show/",
        appointments.desk_no_show,
        name="appointment_no_show",
    ),
    path("desk/slots/", appointments.desk_slot_create, name="desk_slot_create"),
    path("desk/slots/generate/", appointments.desk_slots_generate, name="desk_slots_generate"),
]

# complaints
urlpatterns += [
    path("complaints/new/", complaints.complaint_new, name="complaint_new"),
    path("complaints/filed/", complaints.complaint_filed, name="complaint_filed"),
    path("complaints/track/", complaints.complaint_track, name="complaint_track"),
    path("complaints/track/rate/", complaints.complaint_rate, name="complaint_rate"),
    path("complaints/track/forget/", complaints.complaint_forget, name="complaint_forget"),
    path("complaints/stats/", complaints.complaint_stats_page, name="complaint_stats"),
    path("complaints/", complaints.complaint_list, name="complaints"),
    path("complaints/<int:pk>/", complaints.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/<str:action>/", complaints.complaint_act, name="complaint_act"),
]

# compliance
urlpatterns += [
    path("compliance/", compliance.compliance_page, name="compliance"),
    path("compliance/rows/<slug:figure>/", compliance.compliance_rows, name="compliance_rows"),
    path("compliance/report/", compliance.compliance_report, name="compliance_report"),
]

from django.urls import path

from windows.views import appointments, complaints, standards

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

from django.urls import path

from windows.views import cases as case_views

app_name = "windows"

# One block per concern: standards, cases, appointments, complaints, compliance.
urlpatterns = []

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
    path("follow-ups/<int:pk>/rectify/", case_views.follow_up_rectify, name="follow_up_rectify"),
    path("follow-ups/<int:pk>/visit/", case_views.follow_up_visit, name="follow_up_visit"),
    path("r/<str:key>/", case_views.case_requester, name="case_requester"),
    path("r/<str:key>/rate/", case_views.case_rate, name="case_rate"),
    path("confirm/", case_views.confirm_lookup, name="confirm_lookup"),
    path("confirm/<str:code>/", case_views.case_confirm, name="case_confirm"),
]

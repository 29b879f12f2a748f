from django.urls import path

from windows.views import standards

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

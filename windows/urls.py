from django.urls import path

from windows.views import compliance

app_name = "windows"

# One block per concern: standards, cases, appointments, complaints, compliance.
urlpatterns = []

# compliance
urlpatterns += [
    path("compliance/", compliance.compliance_page, name="compliance"),
    path("compliance/rows/<slug:figure>/", compliance.compliance_rows, name="compliance_rows"),
    path("compliance/report/", compliance.compliance_report, name="compliance_report"),
]

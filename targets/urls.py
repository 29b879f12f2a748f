from django.urls import path

from targets import views

app_name = "targets"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export/", views.dashboard_export, name="dashboard_export"),
    path("<slug:key>/", views.figure_detail, name="figure"),
]

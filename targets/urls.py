from django.urls import path

from targets import views

app_name = "targets"
urlpatterns = [path("<slug:key>/", views.figure_detail, name="figure")]

from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("preferences/", views.preference_edit, name="preferences"),
    path("<int:pk>/open/<str:kind>/", views.match_open, name="open"),
    path("<int:pk>/<str:action>/", views.match_act, name="act"),
]

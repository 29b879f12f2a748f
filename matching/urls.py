from django.urls import path

from matching import views

app_name = "matching"

urlpatterns = [
    path("preferences/", views.preference_edit, name="preferences"),
    path("dismissed/<str:kind>/<int:pk>/", views.dismissed_list, name="dismissed"),
    path("<int:pk>/open/<str:kind>/", views.match_open, name="open"),
    path("<int:pk>/<str:action>/", views.match_act, name="act"),
]

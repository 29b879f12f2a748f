from django.urls import path

from brokers import views

app_name = "brokers"

urlpatterns = [
    path("assignments/", views.assignment_list, name="assignments"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("demands/<int:pk>/messages/", views.demand_message, name="demand_message"),
]

from django.urls import path

from brokers import views

app_name = "brokers"

urlpatterns = [
    path("assignments/", views.assignment_list, name="assignments"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path("demands/<int:pk>/messages/", views.demand_message, name="demand_message"),
    path("deals/", views.deal_list, name="deals"),
    path("deals/new/", views.deal_new, name="deal_new"),
    path("deals/<int:pk>/", views.deal_detail, name="deal"),
    path("deals/<int:pk>/advance/<slug:transition>/", views.deal_advance, name="deal_advance"),
    path("deals/<int:pk>/lose/", views.deal_lose, name="deal_lose"),
    path("matches/<int:pk>/deal/", views.deal_from_match, name="deal_from_match"),
    path("deals/<int:deal_pk>/contract/", views.contract_new, name="contract_new"),
    path("contracts/registry/", views.registry_queue, name="contract_registry"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/<slug:step>/", views.contract_step, name="contract_step"),
]

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
    path("deals/stats/", views.stats_page, name="stats"),
    path("deals/stats/contracts/", views.stats_contracts, name="stats_contracts"),
    path("deals/stats/deals/", views.stats_deals, name="stats_deals"),
    path("deals/stats/export/", views.stats_export, name="stats_export"),
]

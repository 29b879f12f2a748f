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
    path("deals/<int:pk>/card/", views.deal_card, name="deal_card"),
    path("deals/<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("deals/documents/<uuid:key>/", views.document_download, name="document"),
    path("directory/", views.broker_directory, name="directory"),
    path("directory/<int:pk>/", views.broker_profile, name="profile"),
    path("directory/<int:pk>/choose/", views.broker_choose, name="profile_choose"),
    path("deals/<int:pk>/service-fee/", views.service_fee_pay, name="service_fee_pay"),
    path("deals/<int:pk>/rate/", views.deal_rate, name="deal_rate"),
    path("payments/<int:pk>/", views.payment_page, name="service_fee_payment"),
    path("earnings/", views.earnings, name="earnings"),
    path("earnings/<int:broker_pk>/", views.earnings, name="broker_earnings"),
    path(
        "earnings/<int:broker_pk>/<int:year>-<int:month>/",
        views.earnings_month,
        name="earnings_month",
    ),
    path(
        "earnings/<int:broker_pk>/<int:year>-<int:month>.xlsx",
        views.earnings_xlsx,
        name="earnings_xlsx",
    ),
    path("deals/<int:deal_pk>/contract/", views.contract_new, name="contract_new"),
    path("contracts/registry/", views.registry_queue, name="contract_registry"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("contracts/<int:pk>/<slug:step>/", views.contract_step, name="contract_step"),
    path("deals/stats/", views.stats_page, name="stats"),
    path("deals/stats/contracts/", views.stats_contracts, name="stats_contracts"),
    path("deals/stats/deals/", views.stats_deals, name="stats_deals"),
    path("deals/stats/export/", views.stats_export, name="stats_export"),
]

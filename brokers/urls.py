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
    path("notices/", views.notice_list, name="notices"),
    path("notices/<int:pk>/", views.notice_detail, name="notice"),
    path("deals/<int:pk>/notice/", views.notice_publish, name="notice_publish"),
    path("objections/<int:pk>/answer/", views.objection_answer, name="objection_answer"),
    path("lots/new/<int:achievement_pk>/", views.lot_new, name="lot_new"),
    path("lots/<int:pk>/", views.lot_detail, name="lot"),
    path("lots/<int:pk>/qualify/", views.lot_qualify, name="lot_qualify"),
    path("lots/<int:pk>/bid/", views.lot_bid, name="lot_bid"),
    path("deposits/<int:pk>/", views.lot_deposit, name="lot_deposit"),
]

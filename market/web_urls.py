from django.urls import path

from market import views

urlpatterns = [
    path("organizations/register/", views.organization_register, name="organization_register"),
    path("notifications/", views.notification_list, name="notifications"),
]

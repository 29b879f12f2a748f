from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from market import views

urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    # Password reset by e-mail, Django's own views with the site's templates.
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("password_reset_done"),
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "organizations/register/", views.organization_register_entry, name="organization_register"
    ),
    path("organizations/mine/", views.organization_status, name="organization_status"),
    path("healthz", views.healthz, name="healthz"),
    path("regions.json", views.regions_json, name="regions_json"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]

"""Wagtail's users app, pointed at our own user viewset.

Since Wagtail 6.2 the admin user forms are no longer configured through settings
(WAGTAIL_USER_EDIT_FORM and friends are gone in Wagtail 8); instead the `wagtail.users` app
config names the viewset to register. This subclass keeps the app's name and label
("wagtailusers"), so its migrations and permissions are unchanged, and only swaps the viewset.
It replaces "wagtail.users" in INSTALLED_APPS.
"""

from wagtail.users.apps import WagtailUsersAppConfig


class MarketUsersAppConfig(WagtailUsersAppConfig):
    # A dotted path rather than an import: the viewset module builds model forms, which needs
    # the app registry to be ready, and app configs are imported before it is.
    user_viewset = "market.users_admin.MarketUserViewSet"

"""Matching in the operators' back office: the "供需匹配" menu with 匹配成效 (what people
did with each market's matches) and 匹配权重 (each market's weights)."""

from __future__ import annotations

from wagtail import hooks


@hooks.register("register_admin_viewset")
def register_matching_admin():
    # Wagtail imports every app's hooks while Django sets up, but calls this one only when
    # it builds the admin's URLs; the views import the services, and with them the engine
    # and scipy, which loading the app must not pay for.
    from matching.admin_views import MatchingAdminGroup

    return MatchingAdminGroup()

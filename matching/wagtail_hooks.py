"""Matching in the operators' back office: the "供需匹配" menu with 匹配成效 (what people
did with each market's matches) and 匹配权重 (each market's weights)."""

from __future__ import annotations

from wagtail import hooks

from matching.admin_views import MatchingAdminGroup


@hooks.register("register_admin_viewset")
def register_matching_admin():
    return MatchingAdminGroup()

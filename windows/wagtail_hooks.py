"""One-stop service windows (一站式合作窗口) in the operators' back office, under "市场网络"."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.snippets.models import register_snippet

from market.wagtail_hooks import (
    MARKET_NETWORK_MENU_HOOK,
    MarketScopedAdminForm,
    MarketScopedSnippetViewSet,
    YesNoColumn,
)
from windows.models import ServiceWindow


class ServiceWindowForm(MarketScopedAdminForm):
    market_scoped_fields = {"market": "id__in"}


class ServiceWindowViewSet(MarketScopedSnippetViewSet):
    model = ServiceWindow
    menu_name = "service-windows"
    icon = "home"
    list_display = [
        "name",
        "market",
        "hours",
        "phone",
        YesNoColumn(
            "appointment_available", label=_("提供预约/延时服务"), sort_key="appointment_available"
        ),
    ]
    list_filter = ["market", "appointment_available"]
    search_fields = ["name", "address"]
    copy_view_enabled = False
    menu_hook = MARKET_NETWORK_MENU_HOOK
    menu_order = 5  # last in "市场网络"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("market"), FieldPanel("name")]),
            FieldPanel("address"),
            FieldRowPanel([FieldPanel("hours"), FieldPanel("phone")]),
            FieldPanel("services"),
            FieldPanel("appointment_available"),
        ],
        base_form_class=ServiceWindowForm,
    )


register_snippet(ServiceWindowViewSet)

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
from windows.models import CalendarException, ServiceWindow


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
            FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
        ],
        base_form_class=ServiceWindowForm,
    )


register_snippet(ServiceWindowViewSet)


class CalendarExceptionForm(MarketScopedAdminForm):
    market_scoped_fields = {"market": "id__in"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        # A province-wide exception (no market) is the administrator's; operators enter
        # their own markets' exceptions.
        if user is not None and not user.is_superuser and "market" in self.fields:
            self.fields["market"].required = True


class CalendarExceptionViewSet(MarketScopedSnippetViewSet):
    """Local exceptions to the official working calendar (工作日调整)."""

    model = CalendarException
    menu_name = "calendar-exceptions"
    icon = "date"
    list_display = ["day", "is_working_day", "market", "note"]
    list_filter = ["is_working_day", "market"]
    search_fields = ["note"]
    menu_hook = MARKET_NETWORK_MENU_HOOK
    menu_order = 7
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("day"), FieldPanel("is_working_day")]),
            FieldPanel("market"),
            FieldPanel("note"),
        ],
        base_form_class=CalendarExceptionForm,
    )


register_snippet(CalendarExceptionViewSet)

"""One-stop service windows (一站式合作窗口) in the operators' back office, under "市场网络"."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.snippets.models import register_snippet

from market.permissions import operated_market_ids, operates_province
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
        # A province-wide exception (no market) is for who operates the province; other
        # operators enter their own markets' exceptions.
        if "market" in self.fields and not operates_province(self.for_user):
            self.fields["market"].required = True
            self.fields["market"].help_text = ""


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

    def scoped_queryset(self, request):
        if not operates_province(request.user):
            return super().scoped_queryset(request)
        markets = operated_market_ids(request.user)
        return CalendarException.objects.filter(Q(market_id__in=markets) | Q(market__isnull=True))


register_snippet(CalendarExceptionViewSet)


# Imported here so its permission policy is registered before the viewset registers.
from windows.standards_admin import StandardViewSet  # noqa: E402

register_snippet(StandardViewSet)

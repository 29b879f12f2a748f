"""The market network in the operators' back office (Wagtail's admin): markets, organizations
and people's roles, grouped under "市场网络" with the brokers and service windows that
brokers/ and windows/ register into the same menu.

Operators reach the admin through the "市场运营人员" group (see market/0002_operator_group and
`membership_grant`). An operator sees and edits only the records of the markets they operate
(`market.permissions.operated_market_ids`); superusers see everything.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from market.forms import RegionField
from market.models import Market, Membership, Organization
from market.permissions import operated_market_ids
from market.services import membership_grant

# Viewsets in other apps set `menu_hook` to this to appear in the "市场网络" menu.
MARKET_NETWORK_MENU_HOOK = "register_market_network_menu_item"


class YesNoColumn(Column):
    """A yes/no field in a listing as "✓ 是" / "✗ 否", not Python's True and False."""

    def get_value(self, instance):
        value = super().get_value(instance)
        if value is None:
            return ""
        return _("✓ 是") if value else _("✗ 否")


class MarketScopedObjectMixin:
    """Refuse a single-object view (edit, inspect, history…) of a record outside the user's
    markets: the listing hides them, and this stops reaching them by URL."""

    scope = None  # the viewset's scoped_queryset(request), passed in by the viewset

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if self.scope is not None and not self.scope(self.request).filter(pk=obj.pk).exists():
            raise PermissionDenied
        return obj


def market_scoped(view_class):
    """`view_class` with MarketScopedObjectMixin in front."""
    return type(view_class.__name__, (MarketScopedObjectMixin, view_class), {})


class MarketScopedSnippetViewSet(SnippetViewSet):
    """A snippet viewset whose records belong to markets; operators see only their own."""

    # The lookup from this model to the market's id, e.g. "market_id" or "institution__market_id".
    market_lookup = "market_id"

    edit_view_class = market_scoped(snippet_views.EditView)
    delete_view_class = market_scoped(snippet_views.DeleteView)
    copy_view_class = market_scoped(snippet_views.CopyView)
    inspect_view_class = market_scoped(snippet_views.InspectView)
    history_view_class = market_scoped(snippet_views.HistoryView)
    usage_view_class = market_scoped(snippet_views.UsageView)

    def market_filter(self, market_ids: set[int]) -> Q:
        return Q(**{f"{self.market_lookup}__in": market_ids})

    def scoped_queryset(self, request) -> QuerySet:
        queryset = self.model._default_manager.all()
        if request.user.is_superuser:
            return queryset
        return queryset.filter(self.market_filter(operated_market_ids(request.user))).distinct()

    def get_queryset(self, request):
        return self.scoped_queryset(request)

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(scope=self.scoped_queryset, **kwargs)


class MarketScopedAdminForm(WagtailAdminModelForm):
    """Narrow the choices of market-bound foreign keys to the user's markets, so an operator
    cannot move a record (or a role) into a market they do not operate."""

    # Form field name -> lookup on the related model's queryset that takes market ids.
    market_scoped_fields: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is None or user.is_superuser:
            return
        market_ids = operated_market_ids(user)
        for name, lookup in self.market_scoped_fields.items():
            if name in self.fields:
                field = self.fields[name]
                field.queryset = field.queryset.filter(**{lookup: market_ids})


class MarketForm(WagtailAdminModelForm):
    region_code = RegionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.for_user is not None and not self.for_user.is_superuser:
            # The shape of the 1+N network is the province's call, not a sub-market's.
            for name in ("kind", "parent"):
                if name in self.fields:
                    self.fields[name].disabled = True


class OrganizationForm(MarketScopedAdminForm):
    market_scoped_fields = {"market": "id__in"}
    region_code = RegionField()


class MembershipForm(MarketScopedAdminForm):
    market_scoped_fields = {"organization": "market_id__in", "market": "id__in"}

    def save(self, commit=True):
        membership = super().save(commit=commit)
        if commit:
            # Roles are granted through the service: it also lets operators into the admin.
            membership_grant(
                organization=membership.organization,
                user=membership.user,
                role=membership.role,
                market=membership.market,
            )
        return membership


class MarketViewSet(MarketScopedSnippetViewSet):
    model = Market
    menu_name = "markets"
    market_lookup = "id"
    icon = "site"
    list_display = ["name", "code", "kind", "parent", "region_code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("parent")]),
            FieldPanel("region_code"),
            FieldPanel("description"),
        ],
        base_form_class=MarketForm,
    )


class OrganizationViewSet(MarketScopedSnippetViewSet):
    model = Organization
    menu_name = "organizations"
    icon = "group"
    list_display = ["name", "kind", "credit_code", "market", "status"]
    list_filter = ["kind", "market", "status"]
    search_fields = ["name", "credit_code"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("name"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("credit_code")]),
            FieldRowPanel([FieldPanel("market"), FieldPanel("region_code")]),
            FieldPanel("address"),
            FieldPanel("website"),
            MultiFieldPanel(
                [
                    FieldPanel("contact_name"),
                    FieldPanel("contact_phone"),
                    FieldPanel("contact_email"),
                ],
                heading=_("联系方式"),
            ),
            FieldPanel("description"),
        ],
        base_form_class=OrganizationForm,
    )


class MembershipViewSet(MarketScopedSnippetViewSet):
    model = Membership
    menu_name = "memberships"
    icon = "user"
    menu_label = _("成员角色")
    list_display = [
        Column("user", label=_("人员"), sort_key="user"),
        "organization",
        "role",
        "market",
    ]
    list_filter = ["role", "market"]
    search_fields = ["user__username", "user__name", "organization__name"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [FieldPanel("user"), FieldPanel("organization"), FieldPanel("role"), FieldPanel("market")],
        base_form_class=MembershipForm,
    )

    def market_filter(self, market_ids):
        # A role in one of the user's markets, or in an organization belonging to one.
        return Q(market_id__in=market_ids) | Q(organization__market_id__in=market_ids)


class MarketNetworkGroup(SnippetViewSetGroup):
    menu_label = _("市场网络")
    menu_name = "market-network"
    menu_icon = "globe"
    menu_order = 200
    items = (MarketViewSet, OrganizationViewSet, MembershipViewSet)
    # Brokers (brokers/) and service windows (windows/) join this menu through the hook.
    submenu_hook = MARKET_NETWORK_MENU_HOOK


register_snippet(MarketNetworkGroup)


@hooks.register("after_delete_snippet")
def sync_operator_group_after_role_deleted(request, instances):
    """Deleting a role in the admin must also take away the admin access it gave."""
    from market.services import operator_group_sync

    for instance in instances:
        if isinstance(instance, Membership):
            operator_group_sync(user=instance.user)


@hooks.register("register_admin_viewset")
def register_organization_review():
    from market.admin_views import OrganizationReviewViewSet

    return OrganizationReviewViewSet()

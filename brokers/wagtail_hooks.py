"""Technology brokers (技术经纪人) in the operators' back office, under "市场网络"."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet

from brokers.admin_views import ResponseDashboardViewSet
from brokers.models import Broker, TradeSettings
from listings.choices import TechField
from market.wagtail_hooks import (
    MARKET_NETWORK_MENU_HOOK,
    MarketScopedAdminForm,
    MarketScopedSnippetViewSet,
    YesNoColumn,
)


class BrokerForm(MarketScopedAdminForm):
    market_scoped_fields = {"institution": "market_id__in"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model keeps fields as a JSON list of codes; operators tick them instead.
        self.fields["fields"] = forms.MultipleChoiceField(
            label=_("擅长领域"),
            choices=TechField.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )


class BrokerViewSet(MarketScopedSnippetViewSet):
    model = Broker
    menu_name = "brokers"
    market_lookup = "institution__market_id"
    icon = "user"
    list_display = [
        Column("user", label=_("经纪人"), sort_key="user"),
        "institution",
        "grade",
        "certificate_no",
        YesNoColumn("active", label=_("在岗"), sort_key="active"),
    ]
    list_filter = ["grade", "active"]
    search_fields = ["user__username", "user__name", "certificate_no", "institution__name"]
    copy_view_enabled = False
    menu_hook = MARKET_NETWORK_MENU_HOOK
    menu_order = 4  # after markets, organizations and roles in "市场网络"
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("user"), FieldPanel("institution")]),
            FieldRowPanel([FieldPanel("grade"), FieldPanel("certificate_no")]),
            FieldPanel("fields"),
            FieldPanel("active"),
        ],
        base_form_class=BrokerForm,
    )


register_snippet(BrokerViewSet)


@hooks.register("register_admin_viewset")
def register_response_dashboard():
    return ResponseDashboardViewSet()


from brokers.commission_admin import (  # noqa: E402
    CommissionLineViewSet,
    CommissionRuleViewSet,
    TransferInstitutionViewSet,
)

register_snippet(CommissionRuleViewSet)
register_snippet(CommissionLineViewSet)
register_snippet(TransferInstitutionViewSet)


class TradeSettingsForm(MarketScopedAdminForm):
    market_scoped_fields = {"market": "id__in"}


class TradeSettingsViewSet(MarketScopedSnippetViewSet):
    """A market's trading rules (交易规则), such as the public-notice period, set by its
    operators; a market without its own follows its parent's, then the default."""

    model = TradeSettings
    menu_name = "trade-settings"
    icon = "cog"
    list_display = ["market", "notice_days"]
    copy_view_enabled = False
    menu_hook = MARKET_NETWORK_MENU_HOOK
    menu_order = 6
    edit_handler = ObjectList(
        [FieldPanel("market"), FieldPanel("notice_days")], base_form_class=TradeSettingsForm
    )


register_snippet(TradeSettingsViewSet)

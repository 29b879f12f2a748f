"""Yearly targets (年度目标) in the operators' back office, under "市场网络": an operator sets
the numbers for the markets they operate; the progress is computed, never typed in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.snippets.models import register_snippet

from market.wagtail_hooks import (
    MARKET_NETWORK_MENU_HOOK,
    MarketScopedAdminForm,
    MarketScopedSnippetViewSet,
)
from targets.models import Target


class TargetForm(MarketScopedAdminForm):
    market_scoped_fields = {"market": "id__in"}

    def save(self, commit=True):
        self.instance.set_by = self.for_user
        return super().save(commit=commit)


class TargetViewSet(MarketScopedSnippetViewSet):
    model = Target
    menu_name = "targets"
    menu_label = _("年度目标")
    icon = "pick"
    list_display = ["market", "year", "key", "target", "set_by", "updated_at"]
    list_filter = ["year", "market", "key"]
    copy_view_enabled = False
    menu_hook = MARKET_NETWORK_MENU_HOOK
    menu_order = 9
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("market"), FieldPanel("year")]),
            FieldRowPanel([FieldPanel("key"), FieldPanel("target")]),
        ],
        base_form_class=TargetForm,
    )


register_snippet(TargetViewSet)

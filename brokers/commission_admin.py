"""Commission rules, the ledger and the transfer institutions' status in Wagtail's admin.

The ledger is read-only there: its permission policy grants no add, change or delete to
anyone, superusers included, so no admin screen edits history. Corrections are reversing
lines, booked by `brokers.services.commission_line_reverse`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views.snippets import SnippetViewSet

from brokers.models import CommissionLine, CommissionRule, TransferInstitution

WRITE_ACTIONS = {"add", "change", "delete", "publish", "lock", "unlock"}


class ReadOnlyPermissionPolicy(ModelPermissionPolicy):
    def user_has_permission(self, user, action):
        if action in WRITE_ACTIONS:
            return False
        return super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = [a for a in actions if a not in WRITE_ACTIONS]
        if not actions:
            return super().users_with_any_permission([]).none()
        return super().users_with_any_permission(actions)


class CommissionRuleViewSet(SnippetViewSet):
    model = CommissionRule
    icon = "cog"
    menu_label = _("佣金规则")
    list_display = ["basis", "scope_label", "rate", "minimum", "cap", "active"]
    list_filter = ["basis", "active"]
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("basis"),
            FieldRowPanel(
                [FieldPanel("broker"), FieldPanel("institution"), FieldPanel("contract_type")]
            ),
            FieldRowPanel([FieldPanel("rate"), FieldPanel("minimum"), FieldPanel("cap")]),
            FieldPanel("active"),
            FieldPanel("note"),
        ]
    )


class CommissionLineViewSet(SnippetViewSet):
    model = CommissionLine
    icon = "list-ul"
    menu_label = _("佣金台账")
    list_display = ["booked_at", "deal", "broker", "kind", "rule_level", "base", "rate", "amount"]
    list_filter = ["kind", "basis", "rule_level"]
    inspect_view_enabled = True
    copy_view_enabled = False


register_permission_policy(CommissionLine, ReadOnlyPermissionPolicy(CommissionLine))


class TransferInstitutionViewSet(SnippetViewSet):
    model = TransferInstitution
    icon = "site"
    menu_label = _("技术转移机构资质")
    list_display = ["organization", "level", "recognised_on"]
    list_filter = ["level"]
    copy_view_enabled = False

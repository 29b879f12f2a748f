"""Achievements and demands in the operators' back office: the review queue (审核队列) and
read-mostly snippets under "成果与需求" to browse every listing of the operator's markets.

State changes (approve, reject…) happen only in the review queue, through
listings.services; the snippet forms edit content and never the status.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.widgets.button import ListingButton
from wagtail.log_actions import log
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import EditView, InspectView, SnippetViewSetGroup

from listings import services
from listings.admin_views import ReviewQueueViewSet, review_url
from listings.choices import ListingStatus
from listings.forms import KeywordsField
from listings.kinds import kind_of
from listings.models import Achievement, Demand
from listings.views import add_error
from market import permissions
from market.wagtail_hooks import MarketScopedSnippetViewSet, market_scoped


class ListingPermissionPolicy(ModelPermissionPolicy):
    """Nobody adds a listing in the admin: organizations create them through
    listings.services.listing_create, which checks ownership and catches double submits."""

    def user_has_permission(self, user, action):
        return action != "add" and super().user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission([a for a in actions if a != "add"])


# Registered before the viewsets below, which would otherwise get the default policy.
register_permission_policy(Achievement, ListingPermissionPolicy(Achievement), exact_class=True)
register_permission_policy(Demand, ListingPermissionPolicy(Demand), exact_class=True)


@hooks.register("register_admin_viewset")
def register_review_queue():
    return ReviewQueueViewSet()


@hooks.register("register_snippet_listing_buttons")
def review_button(snippet, user, next_url=None):
    """A "审核" button on submitted listings the user may review, leading to the queue page."""
    if (
        isinstance(snippet, (Achievement, Demand))
        and snippet.status == ListingStatus.SUBMITTED
        and permissions.is_market_operator(user, snippet.market_id)
    ):
        yield ListingButton(_("审核"), url=review_url(snippet), icon_name="tasks", priority=5)


class ListingForm(WagtailAdminModelForm):
    keywords = KeywordsField(
        label=_("关键词"), required=False, help_text=_("用逗号或顿号分隔，最多20个")
    )


CONTACT_PANEL = MultiFieldPanel(
    [
        FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_phone")]),
        FieldPanel("contact_email"),
    ],
    heading=_("联系方式"),
)


class ListingInspectView(InspectView):
    def get_field_display_value(self, field_name=None, field=None):
        # Listings have a model field named "field" (技术领域). Wagtail looks for a view method
        # get_<name>_display_value, which for that field is this very method, called with no
        # arguments; answer that call with the field's display value.
        if field_name is None:
            return self.object.get_field_display()
        return super().get_field_display_value(field_name, field)


class ListingEditView(EditView):
    """An operator's edit goes through `listings.services.listing_update`, as an owner's
    does: the same checks, and the change reaches search and matching after commit."""

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except ValidationError as exc:
            add_error(form, exc)
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response

    def save_instance(self):
        modes_field = kind_of(self.model).modes_field
        fields = {name: self.form.cleaned_data[name] for name in self.form.fields}
        modes = fields.pop(modes_field, None)
        listing = services.listing_update(
            listing=self.object,
            actor=self.request.user,
            modes=None if modes is None else [mode.code for mode in modes],
            **fields,
        )
        log(instance=listing, action="wagtail.edit", user=self.request.user)
        return listing


class ListingViewSet(MarketScopedSnippetViewSet):
    """What both listing snippets share. Owner, market, status, the review's reason, the
    client token and the timestamps are not in the form: they change only through services."""

    list_display = ["title", "owner", "market", "field", "status", "submitted_at"]
    list_filter = ["status", "field", "market"]
    search_fields = ["title", "owner__name", "ref"]
    list_per_page = 50
    inspect_view_enabled = True
    inspect_view_class = market_scoped(ListingInspectView)
    inspect_view_fields_exclude = ["client_token", "expiry_reminded_at"]
    edit_view_class = market_scoped(ListingEditView)
    copy_view_enabled = False


class AchievementViewSet(ListingViewSet):
    model = Achievement
    menu_name = "achievements"
    icon = "doc-full"
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("summary"),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("field"), FieldPanel("industry")]),
            FieldRowPanel([FieldPanel("keywords"), FieldPanel("region_code")]),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("trl"), FieldPanel("maturity")]),
                    FieldPanel("transfer_modes", widget=forms.CheckboxSelectMultiple),
                    FieldRowPanel([FieldPanel("price_negotiable"), FieldPanel("asking_price")]),
                ],
                heading=_("成熟度与转化"),
            ),
            FieldPanel("inventors"),
            FieldPanel("advantage"),
            FieldPanel("economics"),
            CONTACT_PANEL,
            FieldPanel("ref"),
        ],
        base_form_class=ListingForm,
    )


class DemandViewSet(ListingViewSet):
    model = Demand
    menu_name = "demands"
    icon = "help"
    edit_handler = ObjectList(
        [
            FieldPanel("title"),
            FieldPanel("summary"),
            FieldPanel("description"),
            FieldPanel("expected_outcome"),
            FieldRowPanel([FieldPanel("field"), FieldPanel("industry")]),
            FieldRowPanel([FieldPanel("keywords"), FieldPanel("region_code")]),
            MultiFieldPanel(
                [
                    FieldRowPanel(
                        [
                            FieldPanel("budget_negotiable"),
                            FieldPanel("budget_min"),
                            FieldPanel("budget_max"),
                        ]
                    ),
                    FieldRowPanel([FieldPanel("deadline"), FieldPanel("required_trl")]),
                    FieldPanel("cooperation_modes", widget=forms.CheckboxSelectMultiple),
                ],
                heading=_("预算与合作"),
            ),
            CONTACT_PANEL,
            FieldPanel("ref"),
        ],
        base_form_class=ListingForm,
    )


class ListingsGroup(SnippetViewSetGroup):
    menu_label = _("成果与需求")
    menu_name = "listings"
    menu_icon = "folder-open-inverse"
    menu_order = 210
    items = (AchievementViewSet, DemandViewSet)


register_snippet(ListingsGroup)

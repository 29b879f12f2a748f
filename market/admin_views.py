"""机构审核 in Wagtail's admin: the organizations that signed themselves up and wait for the
operator of their market, each with approve and reject (with a reason).

The views parse the request and call market.services, which decides who may review; the list
comes from market.selectors, so an operator sees only their own markets' applicants.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from market import permissions, selectors, services
from market.forms import OrganizationRejectForm
from market.models import Organization


def _forbidden(request, message: str) -> TemplateResponse:
    """A plain 403 in the admin's look (Wagtail would turn PermissionDenied into a redirect)."""
    return TemplateResponse(
        request,
        "market/admin/organization_review_forbidden.html",
        {
            "message": message,
            "page_title": _("无权审核"),
            "header_title": _("无权审核"),
            "header_icon": "warning",
            "breadcrumbs_items": [],
        },
        status=403,
    )


class OrganizationReviewView(WagtailAdminTemplateMixin, TemplateView):
    """Pending organizations of the user's markets, oldest first, with the two decisions."""

    template_name = "market/admin/organization_review.html"
    page_title = gettext_lazy("机构审核")
    header_icon = "group"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_market_operator(request.user):
            return _forbidden(request, _("只有市场运营人员可以审核机构。"))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        failed = kwargs.get("failed")  # (organization id, bound reject form) after an error
        rows = []
        for organization in selectors.organizations_pending_review(self.request.user):
            form = failed[1] if failed and failed[0] == organization.pk else None
            rows.append(
                {
                    "organization": organization,
                    "admins": [
                        m.user
                        for m in organization.memberships.select_related("user")
                        if m.role == "org_admin"
                    ],
                    "reject_form": form or OrganizationRejectForm(prefix=f"org{organization.pk}"),
                }
            )
        context["rows"] = rows
        return context


class OrganizationReviewActionView(OrganizationReviewView):
    """POST only: approve or reject one organization through the service."""

    http_method_names = ["post"]
    action = ""  # "approve" or "reject", set in the URLconf

    def dispatch(self, request, *args, **kwargs):
        # The service decides; someone who operates no market learns nothing here either.
        return super(OrganizationReviewView, self).dispatch(request, *args, **kwargs)

    def post(self, request, pk):
        organization = Organization.objects.select_related("market").filter(pk=pk).first()
        if organization is None:
            raise Http404
        form = OrganizationRejectForm(request.POST, prefix=f"org{pk}")
        try:
            if self.action == "approve":
                services.organization_approve(organization=organization, actor=request.user)
                success = _("机构“%s”已通过审核，申请人会收到通知。") % organization.name
            else:
                form.is_valid()  # the service owns the rule that a reason is required
                services.organization_reject(
                    organization=organization,
                    actor=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                )
                success = _("机构“%s”未通过审核，申请人会收到原因。") % organization.name
        except PermissionDenied:
            return _forbidden(request, _("您不负责该机构所属的市场，不能审核。"))
        except ValidationError as exc:
            messages.error(request, _("操作未完成：%s") % "；".join(exc.messages))
            if not permissions.is_market_operator(request.user):
                return redirect("market_organization_review:list")
            return self.render_to_response(self.get_context_data(failed=(pk, form)))
        messages.success(request, success)
        return redirect("market_organization_review:list")


class OrganizationReviewMenuItem(MenuItem):
    """Shown to operators only, with the number of organizations waiting."""

    def is_shown(self, request):
        return permissions.is_market_operator(request.user)

    def render_component(self, request):
        count = selectors.organizations_pending_review(request.user).count()
        label = self.label
        if count:
            label = _("%(label)s（%(count)d）") % {"label": self.label, "count": count}
        return LinkMenuItem(
            self.name,
            label,
            self.url,
            icon_name=self.icon_name,
            classname=self.classname,
            attrs=self.attrs,
        )


class OrganizationReviewViewSet(ViewSet):
    name = "market_organization_review"
    url_prefix = "organization-review"
    icon = "group"
    menu_label = gettext_lazy("机构审核")
    menu_name = "organization-review"
    menu_order = 160
    add_to_admin_menu = True
    menu_item_class = OrganizationReviewMenuItem

    def get_urlpatterns(self):
        return [
            path("", OrganizationReviewView.as_view(), name="list"),
            path(
                "<int:pk>/approve/",
                OrganizationReviewActionView.as_view(action="approve"),
                name="approve",
            ),
            path(
                "<int:pk>/reject/",
                OrganizationReviewActionView.as_view(action="reject"),
                name="reject",
            ),
        ]

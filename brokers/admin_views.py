"""The operators' 48-hour dashboard (48小时响应) in Wagtail's admin: how each demand of their
markets stands against the rule, a chart of the whole, and one-click reassignment."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from brokers import selectors, services
from listings.models import Demand
from market import permissions


def _forbidden(request, *, message: str, back_url: str, back_label: str):
    """The admin's 403 page, saying where to go back: someone who may not see the dashboard
    goes back to the admin's home, an operator refused one reassignment to the dashboard
    (not to the review queue, which the review's own refusals link to)."""
    return TemplateResponse(
        request,
        "listings/admin/review_forbidden.html",
        {
            "message": message,
            "back_url": back_url,
            "back_label": back_label,
            "page_title": _("无权访问"),
            "header_title": _("无权访问"),
            "header_icon": "warning",
            "breadcrumbs_items": [],
        },
        status=403,
    )


class ResponseDashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "brokers/admin/response_dashboard.html"
    page_title = gettext_lazy("48小时响应")
    header_icon = "time"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_market_operator(request.user):
            return _forbidden(
                request,
                message=_("只有市场运营人员可以查看48小时响应情况。"),
                back_url=reverse("wagtailadmin_home"),
                back_label=_("返回管理首页"),
            )
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        compliance = selectors.response_compliance(self.request.user, now=now)
        warning = settings.DEMAND_RESPONSE_WARNING_HOURS * 3600
        rows = []
        for demand in selectors.demands_awaiting_response(self.request.user)[:200]:
            assignment = next((a for a in demand.assignments.all() if a.active), None)
            due = assignment.due_at if assignment else selectors.response_due(demand.published_at)
            left = (due - now).total_seconds()
            state = "overdue" if left <= 0 else "due_soon" if left <= warning else "waiting"
            rows.append(
                {
                    "demand": demand,
                    "assignment": assignment,
                    "due": due,
                    "hours_left": round(left / 3600, 1),
                    "state": state,
                }
            )
        context["compliance"] = compliance
        context["chart"] = _chart(compliance)
        context["rows"] = rows
        return context


def _chart(c: selectors.ResponseCompliance) -> list[dict]:
    """Segments of one stacked bar: share of each state, for an inline SVG."""
    parts = [
        ("answered_on_time", _("按时答复"), c.answered_on_time, "#188038"),
        ("answered_late", _("超时答复"), c.answered_late, "#f29900"),
        ("waiting", _("待答复"), c.waiting, "#1a73e8"),
        ("due_soon", _("即将超时"), c.due_soon, "#e37400"),
        ("overdue", _("已超时"), c.overdue, "#d93025"),
    ]
    total = max(c.total, 1)
    x = 0.0
    segments = []
    for key, label, count, colour in parts:
        width = 100 * count / total
        segments.append(
            {
                "key": key,
                "label": label,
                "count": count,
                "colour": colour,
                "x": round(x, 2),
                "width": round(width, 2),
            }
        )
        x += width
    return segments


class ReassignView(View):
    def post(self, request, pk):
        demand = get_object_or_404(Demand, pk=pk)
        try:
            assignment = services.demand_reassign(demand=demand, actor=request.user)
        except PermissionDenied as exc:
            return _forbidden(
                request,
                message=str(exc) or _("您不负责该需求所属的市场，不能改派。"),
                back_url=reverse("response_dashboard:index"),
                back_label=_("返回48小时响应"),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if assignment is None:
                messages.warning(request, _("没有其他可分派的技术经纪人。"))
            else:
                messages.success(
                    request, _("已改派给 %(broker)s。") % {"broker": assignment.broker}
                )
        return redirect("response_dashboard:index")


class ResponseDashboardViewSet(ViewSet):
    name = "response_dashboard"
    url_prefix = "response"
    icon = "time"
    menu_label = gettext_lazy("48小时响应")
    menu_name = "response-dashboard"
    menu_order = 160
    add_to_admin_menu = True

    def get_urlpatterns(self):
        return [
            path("", ResponseDashboardView.as_view(), name="index"),
            path("<int:pk>/reassign/", ReassignView.as_view(), name="reassign"),
        ]

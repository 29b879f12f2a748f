"""The operators' 48-hour dashboard (48小时响应) in Wagtail's admin: how each demand of their
markets stands against the rule (overdue ones in red, with how long), a chart of the whole,
and reassignment through a confirm page that proposes the best broker of the operator's own
markets and lets the operator choose another."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from brokers import selectors, services
from brokers.forms import ReassignForm
from listings.admin_views import review_url
from listings.choices import ListingStatus
from listings.locations import listing_url
from listings.models import Demand
from listings.views import add_error
from market import permissions
from market.charts import stacked_bars


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


def overdue_text(delta: timedelta) -> str:
    """How long past its deadline a demand is, as an operator reads it: days and hours
    ("3天4小时" / "3 days 4 hours"), or hours and minutes within the first day. Days rather
    than months or weeks: the rule is counted in hours, and "75天" says more than "2个月"."""
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    day_text = ngettext("%(n)d天", "%(n)d天", days) % {"n": days}
    hour_text = ngettext("%(n)d小时", "%(n)d小时", hours) % {"n": hours}
    minute_text = ngettext("%(n)d分钟", "%(n)d分钟", minutes) % {"n": minutes}
    if days:
        parts = [day_text, hour_text] if hours else [day_text]
    elif hours:
        parts = [hour_text, minute_text] if minutes else [hour_text]
    elif minutes:
        parts = [minute_text]
    else:
        return _("不到1分钟")
    if len(parts) == 1:
        return parts[0]
    return _("%(larger)s%(smaller)s") % {"larger": parts[0], "smaller": parts[1]}


def demand_admin_url(demand: Demand) -> str:
    """Where an operator reads a demand: its public page once published (what the enterprise
    and brokers see), else the review page (the only place a draft or a submission shows)."""
    if demand.status == ListingStatus.PUBLISHED:
        return listing_url("demand", demand.pk)
    return review_url(demand)


def response_state(due, now) -> str:
    left = (due - now).total_seconds()
    if left <= 0:
        return "overdue"
    return "due_soon" if left <= settings.DEMAND_RESPONSE_WARNING_HOURS * 3600 else "waiting"


class ResponseDashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "brokers/admin/response_dashboard.html"
    page_title = gettext_lazy("48小时响应")
    header_icon = "time"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_market_operator(request.user):
            return _not_an_operator(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        compliance = selectors.response_compliance(self.request.user, now=now)
        rows = []
        for demand in selectors.demands_awaiting_response(self.request.user)[:200]:
            assignment = next((a for a in demand.assignments.all() if a.active), None)
            due = assignment.due_at if assignment else selectors.response_due(demand.published_at)
            state = response_state(due, now)
            rows.append(
                {
                    "demand": demand,
                    "url": demand_admin_url(demand),
                    "history_url": review_url(demand),
                    "assignment": assignment,
                    "due": due,
                    "hours_left": round((due - now).total_seconds() / 3600, 1),
                    "state": state,
                    "overdue_by": overdue_text(now - due) if state == "overdue" else "",
                }
            )
        context["compliance"] = compliance
        context["chart"] = _chart(compliance)
        context["chart_data"] = stacked_bars(
            [_("当前分派的需求")],
            [
                {"name": s["label"], "colour": s["colour"], "values": [s["count"]]}
                for s in context["chart"]
            ],
        )
        context["rows"] = rows
        return context


def _not_an_operator(request):
    return _forbidden(
        request,
        message=_("只有市场运营人员可以查看48小时响应情况。"),
        back_url=reverse("wagtailadmin_home"),
        back_label=_("返回管理首页"),
    )


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


class ReassignView(WagtailAdminTemplateMixin, TemplateView):
    """Reassignment in two steps. GET shows the demand, who has it, and the brokers of the
    operator's own markets, best first, the best one proposed; it changes nothing. POST gives
    the demand to the broker chosen, provided the assignment the operator saw is still the
    current one (the service says who changed it otherwise)."""

    template_name = "brokers/admin/reassign_confirm.html"
    header_icon = "time"

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_market_operator(request.user):
            return _not_an_operator(request)
        self.demand = get_object_or_404(
            Demand.objects.select_related("owner", "market"), pk=kwargs["pk"]
        )
        if not permissions.is_market_operator(request.user, self.demand.market_id):
            return self._refused(PermissionDenied())
        return super().dispatch(request, *args, **kwargs)

    def _refused(self, exc: PermissionDenied):
        return _forbidden(
            self.request,
            message=str(exc) or _("只有该市场的运营人员可以改派。"),
            back_url=reverse("response_dashboard:index"),
            back_label=_("返回48小时响应"),
        )

    def get_page_title(self):
        return _("改派技术经纪人") if self.current else _("分派技术经纪人")

    def get_page_subtitle(self):
        return self.demand.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("response_dashboard:index"), "label": _("48小时响应")},
            {"url": "", "label": self.get_page_title()},
        ]

    def _load(self):
        self.current = selectors.active_assignment(self.demand)
        self.candidates = selectors.reassign_candidates(self.demand, self.request.user)

    def _closed(self) -> str | None:
        """Why the demand no longer needs a decision, if it does not."""
        if self.demand.status != ListingStatus.PUBLISHED:
            return _("只有已发布的需求才分派技术经纪人。")
        if self.current is not None and self.current.first_response_at is not None:
            return _("该需求已经得到答复，无需改派。")
        return None

    def _due(self):
        if self.current is not None:
            return self.current.due_at
        return selectors.response_due(self.demand.published_at or self.demand.created_at)

    def _initial(self) -> dict:
        if self.current is None:
            reason = _("尚未分派技术经纪人")
        elif response_state(self._due(), timezone.now()) == "overdue":
            reason = _("超过%(hours)d小时仍未答复") % {"hours": settings.DEMAND_RESPONSE_HOURS}
        else:
            reason = ""
        return {
            "broker": self.candidates[0].broker.pk if self.candidates else None,
            "seen_assignment": self.current.pk if self.current else None,
            "reason": reason,
        }

    def get(self, request, *args, **kwargs):
        self._load()
        closed = self._closed()
        if closed:
            messages.warning(request, closed)
            return redirect("response_dashboard:index")
        form = ReassignForm(initial=self._initial())
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = ReassignForm(request.POST)
        if form.is_valid():
            try:
                assignment = services.demand_reassign(
                    demand=self.demand,
                    actor=request.user,
                    broker=form.cleaned_data["broker"],
                    seen_assignment_id=form.cleaned_data["seen_assignment"],
                    reason=form.cleaned_data["reason"],
                )
            except PermissionDenied as exc:
                return self._refused(exc)
            except ValidationError as exc:
                code = getattr(exc, "code", None)
                if code in {"already_answered", "not_published"}:
                    messages.error(request, " ".join(exc.messages))
                    return redirect("response_dashboard:index")
                if code == "stale_assignment":
                    # Someone else decided meanwhile: say who, and show the page as it is
                    # now, so the operator decides again knowing that.
                    messages.error(request, " ".join(exc.messages))
                    self._load()
                    form = ReassignForm(initial=self._initial())
                    return self.render_to_response(self.get_context_data(form=form), status=409)
                add_error(form, exc)
            else:
                if form.cleaned_data["seen_assignment"] is None:
                    done = _("已分派给 %(broker)s。")
                else:
                    done = _("已改派给 %(broker)s。")
                messages.success(request, done % {"broker": assignment.broker})
                return redirect("response_dashboard:index")
        self._load()
        return self.render_to_response(self.get_context_data(form=form))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = kwargs["form"]
        chosen = str(form["broker"].value() or "")
        due = self._due()
        now = timezone.now()
        state = response_state(due, now)
        context.update(
            demand=self.demand,
            demand_url=demand_admin_url(self.demand),
            demand_history_url=review_url(self.demand),
            current=self.current,
            due=due,
            state=state,
            overdue_by=overdue_text(now - due) if state == "overdue" else "",
            candidates=[
                {
                    "candidate": c,
                    "proposed": i == 0,
                    "checked": str(c.broker.pk) == chosen,
                }
                for i, c in enumerate(self.candidates)
            ],
            form=form,
            field_label=self.demand.get_field_display(),
        )
        return context


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

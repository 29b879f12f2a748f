"""Matching in the operators' back office (Wagtail's admin), under "供需匹配":

- 匹配成效: per market the operator oversees, what people did with the matches (viewed,
  contacted, deal, dismissed and why), the rates, a chart, and the demands still waiting for
  a match;
- 匹配权重: each market's weights, edited through `match_settings_update`, which enforces who
  may and the engine's bounds.

Custom views rather than a snippet: the operators' group carries no model permissions on
MatchSettings, and saving must go through the service, not a model form's save().
"""

from __future__ import annotations

from dataclasses import asdict

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet, ViewSetGroup

from market import permissions
from market.charts import stacked_bars
from market.models import Market
from matching import selectors, services
from matching.choices import MatchStatus
from matching.models import BOUNDS, MatchSettings

# Status colours of the chart, in the funnel's order.
STATUS_COLOURS = {
    MatchStatus.DEAL: "#188038",
    MatchStatus.CONTACTED: "#1a73e8",
    MatchStatus.VIEWED: "#8ab4f8",
    MatchStatus.SUGGESTED: "#dadce0",
    MatchStatus.DISMISSED: "#d93025",
}


def _forbidden(request, message=None, *, back_url=None, back_label=None) -> TemplateResponse:
    """A 403 page in the admin's own look (Wagtail would otherwise redirect to the dashboard
    without saying why), with a way back: the admin's home for someone who is no operator,
    the weights' list for an operator refused one market's weights."""
    return TemplateResponse(
        request,
        "matching/admin/forbidden.html",
        {
            "message": message or _("只有市场运营人员可以查看和调整供需匹配。"),
            "back_url": back_url or reverse("wagtailadmin_home"),
            "back_label": back_label or _("返回管理首页"),
            "page_title": _("无权访问"),
            "header_title": _("无权访问"),
            "header_icon": "warning",
            "breadcrumbs_items": [],
        },
        status=403,
    )


class OperatorOnlyMixin:
    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_market_operator(request.user):
            return _forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def market_ids(self) -> set[int]:
        return permissions.operated_market_ids(self.request.user)


class OperatorMenuItem(MenuItem):
    """Shown to market operators only."""

    def is_shown(self, request):
        return permissions.is_market_operator(request.user)


# 匹配成效


def chart_label(status: str) -> str:
    # In the table "已推荐" counts every match; in the status mix it is the untouched ones.
    return _("尚未处理") if status == MatchStatus.SUGGESTED else MatchStatus(status).label


def feedback_chart(rows: list[selectors.MarketFeedback]) -> dict:
    """One stacked horizontal bar per market of its matches' current status mix, laid out in
    SVG user units for an inline, server-rendered chart."""
    label_width, bar_width, row_height, gap = 170, 420, 22, 10
    bars = []
    for i, row in enumerate(rows):
        y = i * (row_height + gap)
        x = float(label_width)
        segments = []
        for status, colour in STATUS_COLOURS.items():
            count = row.status_counts[status]
            if not count:
                continue
            width = bar_width * count / row.suggested
            segments.append(
                {
                    "status": status,
                    "label": chart_label(status),
                    "count": count,
                    "colour": colour,
                    "x": round(x, 2),
                    "width": round(width, 2),
                }
            )
            x += width
        bars.append(
            {
                "name": row.market_name,
                "total": row.suggested,
                "y": y,
                "text_y": round(y + row_height * 0.7, 1),
                "segments": segments,
            }
        )
    return {
        "bars": bars,
        "width": label_width + bar_width + 60,
        "height": max(len(rows) * (row_height + gap) - gap, row_height),
        "label_width": label_width,
        "bar_width": bar_width,
        "bar_end": label_width + bar_width + 6,
        "row_height": row_height,
        "legend": [
            {"status": s, "label": chart_label(s), "colour": c} for s, c in STATUS_COLOURS.items()
        ],
    }


def percent(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def feedback_table(rows: list[selectors.MarketFeedback]) -> list[dict]:
    return [
        {
            "feedback": row,
            "viewed_rate": percent(row.viewed_rate),
            "contacted_rate": percent(row.contacted_rate),
            "deal_rate": percent(row.deal_rate),
        }
        for row in rows
    ]


class MatchFeedbackView(OperatorOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "matching/admin/feedback.html"
    page_title = gettext_lazy("匹配成效")
    header_icon = "crosshairs"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = selectors.match_feedback_by_market(market_ids=self.market_ids)
        waiting = selectors.demands_awaiting_matches(market_ids=self.market_ids)
        total = selectors.feedback_total(rows, name=_("合计"))
        total = [total] if total is not None else []
        context.update(
            table=feedback_table(rows + total),
            reasons=feedback_table([r for r in rows + total if r.dismissed]),
            chart=feedback_chart(rows),
            chart_data=stacked_bars(
                [r.market_name for r in rows],
                [
                    {
                        "name": chart_label(status),
                        "colour": colour,
                        "values": [r.status_counts[status] for r in rows],
                    }
                    for status, colour in STATUS_COLOURS.items()
                ],
            ),
            waiting=waiting[:200],
            waiting_count=waiting.count(),
        )
        return context


class MatchFeedbackViewSet(ViewSet):
    name = "match_feedback"
    url_prefix = "matching"
    icon = "crosshairs"
    menu_label = gettext_lazy("匹配成效")
    menu_name = "match-feedback"
    menu_item_class = OperatorMenuItem

    def get_urlpatterns(self):
        return [path("", MatchFeedbackView.as_view(), name="index")]


# 匹配权重


class MatchWeightsForm(forms.Form):
    """Every weight of a market, labelled and explained as on the model. The bounds are
    checked by the service, so the rule and its message live in one place; the browser is
    told them too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in MatchSettings.WEIGHT_FIELDS:
            model_field = MatchSettings._meta.get_field(name)
            low, high = BOUNDS[name]
            self.fields[name] = forms.FloatField(
                label=model_field.verbose_name,
                help_text=model_field.help_text,
                widget=forms.NumberInput(attrs={"step": "any", "min": low, "max": high}),
            )

    def add_service_error(self, exc: ValidationError) -> None:
        """The service's errors on their fields, each with the range the field allows."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc)
            return
        for name, errors in exc.error_dict.items():
            if name not in self.fields:
                self.add_error(None, errors)
                continue
            self.add_error(name, errors)
            if name in BOUNDS:
                low, high = BOUNDS[name]
                self.add_error(name, _("允许范围：%(low)s – %(high)s") % {"low": low, "high": high})


class MatchWeightsIndexView(OperatorOnlyMixin, WagtailAdminTemplateMixin, TemplateView):
    """The weights each market of the operator's ranks its demands' matches with."""

    template_name = "matching/admin/weights_index.html"
    page_title = gettext_lazy("匹配权重")
    header_icon = "sliders"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        markets = list(
            Market.objects.filter(pk__in=self.market_ids)
            .select_related("parent", "match_settings__updated_by")
            .order_by("kind", "code", "pk")
        )
        weights = services.market_weights(m.pk for m in markets)
        fields = [
            (name, MatchSettings._meta.get_field(name).verbose_name)
            for name in MatchSettings.WEIGHT_FIELDS
        ]
        rows = []
        for market in markets:
            own = getattr(market, "match_settings", None)
            effective = asdict(weights[market.pk])
            rows.append(
                {
                    "market": market,
                    "own": own,
                    "values": [effective[name] for name, _label in fields],
                    "edit_url": reverse("match_weights:edit", args=[market.pk]),
                }
            )
        context.update(rows=rows, fields=fields)
        return context


class MatchWeightsEditView(OperatorOnlyMixin, WagtailAdminTemplateMixin, FormView):
    template_name = "matching/admin/weights_edit.html"
    form_class = MatchWeightsForm
    header_icon = "sliders"

    def dispatch(self, request, *args, **kwargs):
        if permissions.is_market_operator(request.user) and (
            self.market.pk not in permissions.operated_market_ids(request.user)
        ):
            return _forbidden(
                request,
                _("您不负责该市场，不能调整它的匹配权重。"),
                back_url=reverse("match_weights:index"),
                back_label=_("返回匹配权重"),
            )
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def market(self) -> Market:
        return get_object_or_404(Market, pk=self.kwargs["market_id"])

    def get_page_title(self):
        return _("匹配权重")

    def get_page_subtitle(self):
        return str(self.market)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("match_weights:index"), "label": _("匹配权重")},
            {"url": "", "label": str(self.market)},
        ]

    def get_initial(self):
        weights = services.market_weights([self.market.pk])[self.market.pk]
        return asdict(weights)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        own = MatchSettings.objects.filter(market=self.market).select_related("updated_by").first()
        context.update(market=self.market, own=own)
        return context

    def form_valid(self, form):
        try:
            services.match_settings_update(
                market=self.market, actor=self.request.user, **form.cleaned_data
            )
        except PermissionDenied as exc:
            return _forbidden(self.request, str(exc) or None)
        except ValidationError as exc:
            form.add_service_error(exc)
            messages.error(self.request, _("匹配权重未保存，请按提示修改。"))
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已保存“%(market)s”的匹配权重，该市场的匹配正在按新权重重新计算。")
            % {"market": self.market},
        )
        return redirect("match_weights:index")


class MatchWeightsViewSet(ViewSet):
    name = "match_weights"
    url_prefix = "matching/weights"
    icon = "sliders"
    menu_label = gettext_lazy("匹配权重")
    menu_name = "match-weights"
    menu_item_class = OperatorMenuItem

    def get_urlpatterns(self):
        return [
            path("", MatchWeightsIndexView.as_view(), name="index"),
            path("<int:market_id>/", MatchWeightsEditView.as_view(), name="edit"),
        ]


class MatchingAdminGroup(ViewSetGroup):
    menu_label = gettext_lazy("供需匹配")
    menu_name = "matching"
    menu_icon = "link"
    menu_order = 170  # after the review queue and the 48-hour dashboard
    items = (MatchFeedbackViewSet, MatchWeightsViewSet)

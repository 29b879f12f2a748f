"""The operators' review queue (审核队列) in Wagtail's admin: submitted achievements and demands
of the markets a user operates, a page to read each one in full, and approve or reject.

The views parse the request and call listings.services. Which listings are queued comes from
listings.selectors; who may review, and from which state, is decided by the service.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.generic.base import BaseListingView, WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets.button import HeaderButton

from listings import selectors, services
from listings.choices import ListingStatus
from listings.kinds import KINDS, kind_of
from listings.models import Achievement, Listing
from listings.views import add_error
from market import permissions
from market.services import transition_history, transition_label

# Shown elsewhere on the review page (status in the header, the reason with the history) or
# internal bookkeeping nobody reads.
DETAIL_HIDDEN_FIELDS = {"id", "status", "review_reason", "client_token", "expiry_reminded_at"}


def review_url(listing: Listing) -> str:
    return reverse("review_queue:detail", args=[kind_of(listing).key, listing.pk])


def pending_review_count(user) -> int:
    return sum(selectors.listings_review_queue(kind.model, user).count() for kind in KINDS.values())


def _state_label(code: str) -> str:
    return ListingStatus(code).label if code in ListingStatus.values else code


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("审核意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("可选，记入办理记录"),
    )


class RejectForm(forms.Form):
    # Not required here: the service owns the rule and its message, so a blank reason reaches
    # it and comes back as "退回时必须填写原因…".
    reason = forms.CharField(
        label=gettext_lazy("退回原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("发布者会看到它，请写明需要补充或修改的内容"),
    )


def _forbidden(request, exc: PermissionDenied | None = None) -> TemplateResponse:
    """A 403 page in the admin's own look. Wagtail would turn a raised PermissionDenied into a
    redirect to the dashboard; a refused review should say plainly that it was refused."""
    message = str(exc) if exc and str(exc) else _("您不负责该信息所属的市场，不能审核。")
    return TemplateResponse(
        request,
        "listings/admin/review_forbidden.html",
        {
            "message": message,
            "page_title": _("无权审核"),
            "header_title": _("无权审核"),
            "header_icon": "warning",
            "breadcrumbs_items": [],
        },
        status=403,
    )


class ReviewQueueView(BaseListingView):
    """Submitted listings of the user's markets, oldest first: the order they should be read."""

    page_title = gettext_lazy("审核队列")
    header_icon = "tasks"
    index_url_name = "review_queue:index"
    paginate_by = 50
    no_results_message = gettext_lazy("没有待审核的成果或需求。")
    columns = [
        TitleColumn("title", label=gettext_lazy("标题"), get_url=review_url),
        Column("kind", label=gettext_lazy("类型"), accessor=lambda obj: kind_of(obj).short_label),
        Column("owner", label=gettext_lazy("发布机构")),
        Column("market", label=gettext_lazy("所属市场")),
        DateColumn("submitted_at", label=gettext_lazy("提交时间")),
    ]

    def dispatch(self, request, *args, **kwargs):
        if not permissions.is_market_operator(request.user):
            return _forbidden(request, PermissionDenied(_("只有市场运营人员可以使用审核队列。")))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        # Two models in one queue: merge the two selector results by submission time.
        rows = [
            listing
            for kind in KINDS.values()
            for listing in selectors.listings_review_queue(kind.model, self.request.user)
        ]
        return sorted(rows, key=lambda obj: (obj.submitted_at or obj.created_at, obj.pk))


class ReviewDetailView(WagtailAdminTemplateMixin, TemplateView):
    """One listing in full, with its IP, modes, attachments, history and the two decisions."""

    template_name = "listings/admin/review_detail.html"
    header_icon = "tasks"

    def dispatch(self, request, *args, **kwargs):
        # The market's operators only, whatever the listing's state: a published listing is
        # public on the site, but its audit history and the people who handled it are not.
        if not permissions.is_market_operator(request.user, self.listing.market_id):
            return _forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def listing(self) -> Listing:
        kind = KINDS.get(self.kwargs["kind"])
        if kind is None:
            raise Http404
        listing = (
            kind.model.objects.select_related("owner", "market", "created_by")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if listing is None:
            raise Http404
        return listing

    def get_page_title(self):
        return _("审核%(kind)s") % {"kind": kind_of(self.listing).short_label}

    def get_page_subtitle(self):
        return self.listing.title

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse("review_queue:index"), "label": _("审核队列")},
            {"url": "", "label": self.listing.title},
        ]

    def get_header_buttons(self):
        return [HeaderButton(_("前台页面"), url=self.listing.get_absolute_url(), icon_name="view")]

    def get_context_data(self, **kwargs):
        listing = self.listing
        kind = kind_of(listing)
        modes_field = kind.modes_field
        context = super().get_context_data(**kwargs)
        context.update(
            listing=listing,
            kind=kind.key,
            kind_label=kind.short_label,
            fields=self._field_rows(listing),
            modes=getattr(listing, modes_field).all(),
            modes_label=listing._meta.get_field(modes_field).verbose_name,
            ip_items=listing.ip_items.all() if isinstance(listing, Achievement) else None,
            attachments=listing.attachments.all(),
            history=[
                {
                    "at": log.at,
                    "by": log.by,
                    "action": transition_label(log.transition),
                    "from_state": _state_label(log.from_state),
                    "to_state": _state_label(log.to_state),
                    "reason": log.reason,
                }
                for log in transition_history(listing)
            ],
            is_pending=listing.status == ListingStatus.SUBMITTED,
            approve_form=kwargs.get("approve_form") or ApproveForm(),
            reject_form=kwargs.get("reject_form") or RejectForm(),
        )
        return context

    @staticmethod
    def _field_rows(listing: Listing) -> list[tuple[str, object]]:
        """Every stored field of the record, as the operator should read it."""
        rows = []
        for field in listing._meta.concrete_fields:
            if field.name in DETAIL_HIDDEN_FIELDS:
                continue
            value = getattr(listing, field.name)
            if field.choices and value:
                value = getattr(listing, f"get_{field.name}_display")()
            elif field.name == "region_code" and value:
                value = f"{listing.region_name}（{value}）"
            elif isinstance(field, models.BooleanField):
                value = _("是") if value else _("否")
            elif isinstance(value, list):
                value = "、".join(str(item) for item in value)
            elif isinstance(field, models.DateTimeField) and value:
                value = date_format(localtime(value), "SHORT_DATETIME_FORMAT")
            elif isinstance(field, models.DateField) and value:
                value = date_format(value, "SHORT_DATE_FORMAT")
            rows.append((field.verbose_name, value))
        return rows


class ReviewActionView(ReviewDetailView):
    """POST only: approve or reject through the service, then back to the queue."""

    http_method_names = ["post"]
    action = ""  # "approve" or "reject", set in the URLconf

    def post(self, request, *args, **kwargs):
        listing = self.listing
        form = (ApproveForm if self.action == "approve" else RejectForm)(request.POST)
        form.is_valid()  # every field is optional; the service judges what was written
        try:
            if self.action == "approve":
                services.listing_approve(
                    listing=listing, actor=request.user, note=form.cleaned_data["note"]
                )
                success = _("“%s”已审核通过并发布。") % listing.title
            else:
                services.listing_reject(
                    listing=listing, actor=request.user, reason=form.cleaned_data["reason"]
                )
                success = _("“%s”已退回，发布者会收到退回原因。") % listing.title
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ValidationError as exc:
            # Field errors land on the form; the banner says what happened in one line, e.g.
            # a second approve after the first went through ("当前状态为“已发布”…").
            add_error(form, exc)
            messages.error(request, _("操作未完成：%s") % "；".join(exc.messages))
            context = self.get_context_data(**{f"{self.action}_form": form})
            return self.render_to_response(context)
        messages.success(request, success)
        return redirect("review_queue:index")


class ReviewQueueMenuItem(MenuItem):
    """The sidebar entry: shown to operators only, with the number of listings waiting."""

    def is_shown(self, request):
        return permissions.is_market_operator(request.user)

    def render_component(self, request):
        count = pending_review_count(request.user)
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


class ReviewQueueViewSet(ViewSet):
    name = "review_queue"
    url_prefix = "review-queue"
    icon = "tasks"
    menu_label = gettext_lazy("审核队列")
    menu_name = "review-queue"
    # Near the top of the sidebar: reviewing is an operator's daily work.
    menu_order = 150
    add_to_admin_menu = True
    menu_item_class = ReviewQueueMenuItem

    def get_urlpatterns(self):
        return [
            path("", ReviewQueueView.as_view(), name="index"),
            path("<str:kind>/<int:pk>/", ReviewDetailView.as_view(), name="detail"),
            path(
                "<str:kind>/<int:pk>/approve/",
                ReviewActionView.as_view(action="approve"),
                name="approve",
            ),
            path(
                "<str:kind>/<int:pk>/reject/",
                ReviewActionView.as_view(action="reject"),
                name="reject",
            ),
        ]

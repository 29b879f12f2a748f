"""The public broker directory (技术经纪人名录): search and filters, each broker's profile with
their public record, and an enterprise choosing a broker for one of its demands."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from brokers import selectors, services
from brokers.choices import BrokerGrade, InstitutionLevel
from brokers.models import Broker
from listings.choices import ListingStatus, TechField
from listings.models import Demand
from market import permissions
from market.choices import OrganizationKind
from market.models import Market, Organization

PAGE_SIZE = 20


class DirectoryForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("姓名"), required=False, max_length=50)
    field = forms.ChoiceField(
        label=gettext_lazy("擅长领域"),
        required=False,
        choices=[("", gettext_lazy("全部"))] + list(TechField.choices),
    )
    grade = forms.ChoiceField(
        label=gettext_lazy("等级"),
        required=False,
        choices=[("", gettext_lazy("全部"))] + list(BrokerGrade.choices),
    )
    market = forms.ModelChoiceField(
        label=gettext_lazy("服务的分市场"),
        required=False,
        queryset=Market.objects.order_by("kind", "code"),
        empty_label=gettext_lazy("全部"),
    )
    institution = forms.ModelChoiceField(
        label=gettext_lazy("技术转移机构"),
        required=False,
        queryset=Organization.objects.filter(kind=OrganizationKind.TRANSFER_INSTITUTION),
        empty_label=gettext_lazy("全部"),
    )
    level = forms.ChoiceField(
        label=gettext_lazy("示范机构"),
        required=False,
        choices=[("", gettext_lazy("全部"))] + [c for c in InstitutionLevel.choices if c[0]],
    )

    def filters(self) -> selectors.DirectoryFilters:
        if not self.is_valid():
            return selectors.DirectoryFilters()
        data = self.cleaned_data
        return selectors.DirectoryFilters(
            q=data["q"].strip(),
            field=data["field"],
            grade=data["grade"],
            market_id=data["market"].pk if data["market"] else None,
            institution_id=data["institution"].pk if data["institution"] else None,
            level=data["level"],
        )


def broker_directory(request):
    form = DirectoryForm(request.GET or None)
    page_obj = Paginator(selectors.brokers_directory(form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    brokers = selectors.attach_median_response(list(page_obj.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "brokers/directory_list.html",
        {"form": form, "page_obj": page_obj, "brokers": brokers, "query": query.urlencode()},
    )


def _choosable_demands(user, broker: Broker):
    """The published demands of the organizations this person edits that the broker does
    not already hold."""
    if not user.is_authenticated:
        return Demand.objects.none()
    return (
        Demand.objects.filter(
            owner_id__in=permissions.editable_organization_ids(user),
            status=ListingStatus.PUBLISHED,
        )
        .exclude(assignments__active=True, assignments__broker=broker)
        .order_by("-published_at", "-id")
    )


def broker_profile(request, pk):
    try:
        broker = selectors.broker_profile(pk)
    except Broker.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "brokers/directory_profile.html",
        {
            "broker": broker,
            "record": selectors.broker_public_record(broker),
            "ratings": selectors.broker_recent_ratings(broker),
            "demands": _choosable_demands(request.user, broker),
            "may_see_earnings": broker.user_id == request.user.pk
            or permissions.is_market_operator(request.user, broker.institution.market_id),
        },
    )


@login_required
@require_POST
def broker_choose(request, pk):
    broker = get_object_or_404(Broker, pk=pk, active=True)
    try:
        demand = Demand.objects.get(pk=int(request.POST.get("demand", "")))
    except (ValueError, Demand.DoesNotExist):
        messages.error(request, _("请选择您的一项技术需求。"))
        return redirect("brokers:profile", pk=broker.pk)
    try:
        services.demand_choose_broker(demand=demand, actor=request.user, broker=broker)
    except PermissionDenied:
        messages.error(request, _("只有需求方可以为自己的需求选择技术经纪人。"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已请%(broker)s负责“%(demand)s”，经纪人会在 48 小时内答复。")
            % {"broker": broker, "demand": demand.title},
        )
    return redirect("brokers:profile", pk=broker.pk)

"""The ways to trade in the browser: the public notices (公示) with their objection form, the
brokers' answers, and the public lots for bidding (挂牌竞价) with deposits and bids."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from brokers import selectors, services
from brokers.models import BidderQualification, Broker, Deal, DealNotice, Lot, NoticeObjection
from brokers.views.deals import form_token, message_errors
from listings.models import Achievement
from market import permissions
from market.models import Organization


class ObjectionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("异议人（姓名或单位）"), max_length=100)
    contact = forms.CharField(label=gettext_lazy("联系方式"), max_length=100)
    body = forms.CharField(
        label=gettext_lazy("异议内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5})
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())


def notice_list(request):
    notices = DealNotice.objects.filter(
        starts_at__lte=timezone.now(), ends_at__gt=timezone.now()
    ).order_by("ends_at", "id")
    return render(request, "brokers/trading_notice_list.html", {"notices": notices})


def notice_detail(request, pk):
    notice = get_object_or_404(DealNotice.objects.select_related("deal"), pk=pk)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.notice_object(
                notice=notice,
                name=form.cleaned_data["name"],
                contact=form.cleaned_data["contact"],
                body=form.cleaned_data["body"],
                token=form.cleaned_data["token"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errs in exc.message_dict.items():
                    for e in errs:
                        form.add_error(field if field in form.fields else None, e)
            else:
                for e in exc.messages:
                    form.add_error(None, e)
        else:
            messages.success(request, _("异议已提交，交易经纪人将在公示记录中答复。"))
            return redirect(notice)
    context = {
        "notice": notice,
        "objections": notice.objections.all(),
        "form": form,
        "may_work": services.may_work_deal(notice.deal, request.user),
    }
    return render(request, "brokers/trading_notice_detail.html", context, status=200)


def _amount(raw: str) -> Decimal | None:
    """A money amount typed into a form, in 万元: a finite number that fits the ledger's
    columns (14 digits, 2 decimals), else None. `Decimal()` alone accepts "NaN" and
    "Infinity", which no comparison or column can hold."""
    field = forms.DecimalField(max_digits=14, decimal_places=2)
    try:
        return field.clean(raw.strip())
    except ValidationError:
        return None


@login_required
def notice_publish(request, pk):
    deal = get_object_or_404(Deal, pk=pk)
    if not services.may_work_deal(deal, request.user):
        raise Http404
    if request.method == "POST":
        price = _amount(request.POST.get("proposed_price", ""))
        try:
            notice = services.deal_notice_publish(
                deal=deal,
                by=request.user,
                proposed_price=price,
                achievement_name=request.POST.get("achievement_name", ""),
                expected_stage=request.POST.get("stage") or None,
            )
        except ValidationError as exc:
            message_errors(request, exc)
        else:
            messages.success(request, _("公示已发布。"))
            return redirect(notice)
    context = {"deal": deal, "days": services.notice_days(deal.market)}
    return render(request, "brokers/trading_notice_publish.html", context)


@login_required
@require_POST
def objection_answer(request, pk):
    objection = get_object_or_404(NoticeObjection.objects.select_related("notice"), pk=pk)
    try:
        services.objection_answer(
            objection=objection,
            by=request.user,
            answer=request.POST.get("answer", ""),
            upheld=request.POST.get("upheld") == "on",
        )
    except ValidationError as exc:
        message_errors(request, exc)
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("答复已记录并公开。"))
    return redirect(objection.notice)


class LotForm(forms.Form):
    reserve_price = forms.DecimalField(
        label=gettext_lazy("底价（万元）"), min_value=Decimal("0.01"), decimal_places=2
    )
    increment = forms.DecimalField(
        label=gettext_lazy("加价幅度（万元）"), min_value=Decimal("0.01"), decimal_places=2
    )
    deposit = forms.DecimalField(
        label=gettext_lazy("保证金（元）"), min_value=Decimal("0.01"), decimal_places=2
    )
    opens_at = forms.DateTimeField(
        label=gettext_lazy("竞价开始"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("竞价截止"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    # The broker who works the winning deal (and earns its commission); optional.
    broker = forms.ModelChoiceField(
        label=gettext_lazy("技术经纪人"),
        queryset=Broker.objects.filter(active=True).select_related("user", "institution"),
        required=False,
        empty_label=gettext_lazy("暂不指定"),
        help_text=gettext_lazy("成交后由该经纪人推进合同登记和履约"),
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())


@login_required
def lot_new(request, achievement_pk):
    achievement = get_object_or_404(Achievement, pk=achievement_pk)
    if not permissions.is_org_editor(request.user, achievement.owner_id):
        raise Http404
    form = LotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lot = services.lot_list(
                achievement=achievement, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已挂牌竞价。"))
            return redirect(lot)
    return render(
        request, "brokers/trading_lot_new.html", {"form": form, "achievement": achievement}
    )


def lot_detail(request, pk):
    lot = get_object_or_404(
        Lot.objects.select_related("achievement", "seller", "deal", "broker__user"), pk=pk
    )
    numbers = dict(lot.qualifications.values_list("organization_id", "number"))
    bids = [(numbers.get(b.organization_id), b) for b in lot.bids.all()]
    orgs = Organization.objects.filter(
        pk__in=permissions.editable_organization_ids(request.user)
    ).exclude(pk=lot.seller_id)
    mine = {
        q.organization_id: q
        for q in BidderQualification.objects.filter(lot=lot, organization__in=orgs).select_related(
            "payment"
        )
    }
    context = {
        "lot": lot,
        "deal_visible": lot.deal is not None and services.may_see_deal(lot.deal, request.user),
        "bids": bids,
        "best": services.lot_best_bid(lot),
        "minimum": services.lot_minimum_bid(lot),
        "bidders": [(org, mine.get(org.pk)) for org in orgs],
        "token": uuid.uuid4(),
        "now": timezone.now(),
    }
    return render(request, "brokers/trading_lot_detail.html", context)


def _org(request) -> Organization:
    org = Organization.objects.filter(pk=request.POST.get("organization") or 0).first()
    if org is None or not permissions.is_org_editor(request.user, org.pk):
        raise Http404
    return org


@login_required
@require_POST
def lot_qualify(request, pk):
    lot = get_object_or_404(Lot, pk=pk)
    try:
        q = services.lot_qualify(
            lot=lot, organization=_org(request), actor=request.user, token=form_token(request)
        )
    except ValidationError as exc:
        message_errors(request, exc)
        return redirect(lot)
    if q.paid_at:
        return redirect(lot)
    return redirect("brokers:lot_deposit", pk=q.pk)


@login_required
def lot_deposit(request, pk):
    """The deposit's payment page: the dummy provider's stand-in for a bank, which confirms
    through the provider's own callback URL."""
    q = get_object_or_404(BidderQualification.objects.select_related("lot", "payment"), pk=pk)
    if not permissions.is_org_editor(request.user, q.organization_id):
        raise Http404
    return render(request, "brokers/trading_deposit.html", {"q": q, "payment": q.payment})


@login_required
@require_POST
def lot_bid(request, pk):
    lot = get_object_or_404(Lot, pk=pk)
    amount = _amount(request.POST.get("amount", ""))
    if amount is None:
        messages.error(request, _("请填写出价金额：一个不超过两位小数的数字（万元）。"))
        return redirect(lot)
    try:
        services.bid_place(
            lot=lot,
            organization=_org(request),
            actor=request.user,
            amount=amount,
            token=form_token(request),
        )
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        messages.success(request, _("出价成功。"))
    return redirect(lot)


def lot_index(request):
    """挂牌竞价: every lot open for bids, and the latest results."""
    context = {
        "lots": selectors.lots_open(),
        "closed": selectors.lots_recently_closed(),
    }
    return render(request, "brokers/trading_lot_index.html", context)

"""Commissions and service fees in the browser: the buyer paying the brokers' service fee,
the provider's payment page, a party rating its broker, and each broker's monthly earnings
statement (as a page and as .xlsx).

Every change is a POST to a service, with a one-time token against a double click."""

from __future__ import annotations

import io
import uuid
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from payments import PaymentStatus, RedirectNeeded

from brokers import selectors, services
from brokers.choices import PaymentPurpose
from brokers.models import Broker, Deal, Payment
from brokers.services.directory import COMMENT_MAX_LENGTH
from brokers.services.payments import MAX_TOTAL
from market import permissions
from market.spreadsheets import xlsx_cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _TokenForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())


class ServiceFeeForm(_TokenForm):
    amount = forms.DecimalField(
        label=gettext_lazy("服务费金额（元）"),
        min_value=Decimal("0.01"),
        max_value=MAX_TOTAL,
        decimal_places=2,
        error_messages={"required": gettext_lazy("请填写服务费金额。")},
    )


class RatingForm(_TokenForm):
    score = forms.TypedChoiceField(
        label=gettext_lazy("评分"),
        coerce=int,
        choices=[(n, str(n)) for n in range(5, 0, -1)],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("请选择 1 到 5 分。")},
    )
    comment = forms.CharField(
        label=gettext_lazy("评价"),
        max_length=COMMENT_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _visible_deal(request, pk) -> Deal:
    deal = get_object_or_404(Deal, pk=pk)
    if not services.may_see_deal(deal, request.user):
        raise Http404
    return deal


@login_required
@require_POST
def service_fee_pay(request, pk):
    """The buyer opens its service-fee payment and goes to the provider's page."""
    deal = _visible_deal(request, pk)
    form = ServiceFeeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(deal)
    try:
        payment = services.service_fee_start(
            deal=deal,
            actor=request.user,
            amount=form.cleaned_data["amount"],
            token=form.cleaned_data["token"],
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
        return redirect(deal)
    return redirect("brokers:service_fee_payment", pk=payment.pk)


@login_required
def payment_page(request, pk):
    """The provider's own page for one payment (the dummy provider's confirm form), for the
    payer's people only."""
    payment = get_object_or_404(Payment, pk=pk, purpose=PaymentPurpose.SERVICE_FEE)
    if not permissions.is_org_editor(request.user, payment.payer_id):
        raise Http404
    if payment.status not in (PaymentStatus.WAITING, PaymentStatus.INPUT):
        return redirect(payment.get_success_url())
    try:
        form = payment.get_form(data=request.POST or None)
    except RedirectNeeded as to:
        return redirect(str(to))
    return render(request, "brokers/commissions_payment.html", {"payment": payment, "form": form})


@login_required
@require_POST
def deal_rate(request, pk):
    deal = _visible_deal(request, pk)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择 1 到 5 分。"))
        return redirect(deal)
    try:
        services.broker_rate(
            deal=deal,
            by=request.user,
            score=form.cleaned_data["score"],
            comment=form.cleaned_data["comment"],
            token=form.cleaned_data["token"],
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        messages.success(request, _("感谢您的评价。"))
    return redirect(deal)


def _statement_broker(request, broker_pk: int) -> Broker:
    """The broker themself, or an operator of the broker's market."""
    broker = get_object_or_404(Broker.objects.select_related("user", "institution"), pk=broker_pk)
    if broker.user_id != request.user.pk and not permissions.is_market_operator(
        request.user, broker.institution.market_id
    ):
        raise Http404
    return broker


@login_required
def earnings(request, broker_pk=None):
    """The months of a broker's ledger, each linking to its statement."""
    if broker_pk is None:
        broker = getattr(request.user, "broker_profile", None)
        if broker is None:
            raise Http404
    else:
        broker = _statement_broker(request, broker_pk)
    return render(
        request,
        "brokers/commissions_earnings.html",
        {"broker": broker, "months": selectors.broker_statement_months(broker)},
    )


def _statement(request, broker_pk, year, month):
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise Http404
    broker = _statement_broker(request, broker_pk)
    return selectors.broker_statement(broker, year=year, month=month)


@login_required
def earnings_month(request, broker_pk, year, month):
    statement = _statement(request, broker_pk, year, month)
    return render(request, "brokers/commissions_statement.html", {"statement": statement})


STATEMENT_HEADINGS = (
    gettext_lazy("记账时间"),
    gettext_lazy("交易"),
    gettext_lazy("类型"),
    gettext_lazy("规则级别"),
    gettext_lazy("计提基数"),
    gettext_lazy("基数（元）"),
    gettext_lazy("费率（%）"),
    gettext_lazy("最低金额（元）"),
    gettext_lazy("封顶金额（元）"),
    gettext_lazy("佣金（元）"),
    gettext_lazy("分成比例（%）"),
    gettext_lazy("本人所得（元）"),
    gettext_lazy("说明"),
)


def statement_workbook(statement) -> bytes:
    """The statement as an .xlsx file: one row per ledger line, then the month's total.
    Text cells go through market.spreadsheets.xlsx_cell, so a deal titled "=…" stays text."""
    from django.utils import timezone
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = statement.month.strftime("%Y-%m")

    def row(values):
        sheet.append(list(values))
        for cell in sheet[sheet.max_row]:
            xlsx_cell(cell)

    name = statement.broker.user.get_full_name() or statement.broker.user.username
    row([_("月度佣金结算单"), name, statement.broker.certificate_no, sheet.title])
    row([str(h) for h in STATEMENT_HEADINGS])
    for line in statement.lines:
        row(
            [
                timezone.localtime(line.booked_at).replace(tzinfo=None),
                line.deal.title,
                str(line.get_kind_display()),
                str(line.get_rule_level_display()),
                str(line.get_basis_display()),
                line.base,
                line.rate,
                line.minimum,
                line.cap,
                line.commission,
                line.share,
                line.amount,
                line.note,
            ]
        )
    row([_("合计")] + [None] * 10 + [statement.total, None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@login_required
def earnings_xlsx(request, broker_pk, year, month):
    statement = _statement(request, broker_pk, year, month)
    response = HttpResponse(statement_workbook(statement), content_type=XLSX_TYPE)
    filename = f"commissions-{statement.broker.certificate_no}-{year}-{month:02d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

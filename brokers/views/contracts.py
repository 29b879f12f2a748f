"""Contracts in the browser: the contract form with its income assessment, the contract's
page with its registration, and the registry's queue.

Every change is a POST to a service, with the status the person saw: a step taken on a stale
page says who moved the contract and where."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokers import selectors, services
from brokers.choices import RegistrationStatus
from brokers.contract_forms import (
    ContractForm,
    RefuseForm,
    ReturnForm,
    deduction_formset,
    deduction_lines,
)
from brokers.models import Contract, Deal
from brokers.views.deals import message_errors
from market.services import transition_history

FORM_FIELDS = ("contract_type", "title", "signed_on", "term_start", "term_end", "amount")


def _contract_or_404(pk: int, user) -> Contract:
    try:
        contract = selectors.contract_for_page(pk)
    except Contract.DoesNotExist:
        raise Http404 from None
    if not selectors.may_see_contract(contract, user):
        raise Http404  # the same answer as for a contract that does not exist
    return contract


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def _edit(request, *, deal: Deal, contract: Contract | None):
    if contract is None:
        initial = {"title": deal.title, "amount": deal.expected_amount}
        lines = []
    else:
        initial = {name: getattr(contract, name) for name in FORM_FIELDS}
        lines = [
            {"kind": d.kind, "description": d.description, "amount": d.amount}
            for d in contract.deductions.all()
        ]
    form = ContractForm(request.POST or None, initial=initial)
    formset = deduction_formset(request.POST or None, initial=lines)
    if request.method == "POST" and form.is_valid() & formset.is_valid():
        fields = {name: form.cleaned_data[name] for name in FORM_FIELDS}
        try:
            if contract is None:
                contract = services.contract_create(
                    deal=deal,
                    by=request.user,
                    deductions=deduction_lines(formset),
                    token=form.cleaned_data["token"],
                    **fields,
                )
            else:
                contract = services.contract_update(
                    contract=contract,
                    by=request.user,
                    deductions=deduction_lines(formset),
                    **fields,
                )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "exists" and hasattr(deal, "contract"):
                messages.info(request, exc.messages[0])
                return redirect(deal.contract)
            _form_errors(form, exc)
        else:
            messages.success(request, _("合同及技术性收入核定表已保存。"))
            return redirect(contract)
    return render(
        request,
        "brokers/contract_form.html",
        {"deal": deal, "contract": contract, "form": form, "formset": formset},
    )


@login_required
def contract_new(request, deal_pk):
    deal = get_object_or_404(Deal.objects.select_related("buyer", "seller"), pk=deal_pk)
    if not services.may_see_deal(deal, request.user):
        raise Http404
    if not services.may_edit_contract(deal, request.user):
        raise PermissionDenied(_("只有卖方或这笔交易的技术经纪人可以填写合同。"))
    existing = selectors.contract_of_deal(deal)
    if existing is not None:
        return redirect(existing)
    return _edit(request, deal=deal, contract=None)


@login_required
def contract_edit(request, pk):
    contract = _contract_or_404(pk, request.user)
    if not services.may_edit_contract(contract.deal, request.user):
        raise PermissionDenied(_("只有卖方或这笔交易的技术经纪人可以修改合同。"))
    if contract.registration_status not in (RegistrationStatus.DRAFT, RegistrationStatus.RETURNED):
        messages.error(request, _("登记机构办理期间不能修改合同。"))
        return redirect(contract)
    return _edit(request, deal=contract.deal, contract=contract)


@login_required
def contract_detail(request, pk):
    contract = _contract_or_404(pk, request.user)
    steps = services.contract_steps(contract, request.user)
    names = {s["name"] for s in steps}
    context = {
        "contract": contract,
        "deal": contract.deal,
        "deductions": contract.deductions.all(),
        "non_technical": contract.amount - contract.tech_amount,
        "checklist": selectors.contract_checklist(contract),
        "deadline": selectors.decision_deadline(contract),
        "steps": [s for s in steps if s["name"] in ("apply", "accept", "register")],
        "may_edit": contract.registration_status
        in (RegistrationStatus.DRAFT, RegistrationStatus.RETURNED)
        and services.may_edit_contract(contract.deal, request.user),
        "return_form": ReturnForm() if "return_for_correction" in names else None,
        "refuse_form": RefuseForm() if "refuse" in names else None,
        "history": transition_history(contract),
    }
    return render(request, "brokers/contract_detail.html", context)


@login_required
@require_POST
def contract_step(request, pk, step):
    contract = _contract_or_404(pk, request.user)
    seen = request.POST.get("status") or None
    common = {"contract": contract, "by": request.user, "expected_status": seen}
    done = {
        "apply": _("已提交认定登记申请。"),
        "return_for_correction": _("已退回补正。"),
        "accept": _("已受理，办结期限 30 日。"),
        "register": _("已予以登记。"),
        "refuse": _("已作出不予登记决定。"),
    }
    if step not in done:
        raise Http404
    try:
        if step == "apply":
            services.contract_apply(**common)
        elif step == "accept":
            services.contract_accept(**common)
        elif step == "register":
            services.contract_register(**common)
        elif step == "return_for_correction":
            form = ReturnForm(request.POST)
            note = form.data.get("note", "")
            services.contract_return(note=note, **common)
        else:
            form = RefuseForm(request.POST)
            services.contract_refuse(
                ground=form.data.get("ground", ""), note=form.data.get("note", ""), **common
            )
    except ValidationError as exc:
        message_errors(request, exc)
    else:
        messages.success(request, done[step])
    return redirect(request.POST.get("next") or contract.get_absolute_url())


@login_required
def registry_queue(request):
    """The registry's queue: filings to accept, and accepted ones by their deadline."""
    if not selectors.registry_market_ids(request.user):
        raise PermissionDenied(_("只有登记机构（分市场窗口工作人员或运营人员）可以查看登记队列。"))
    rows = selectors.registry_queue(request.user)
    return render(request, "brokers/contract_registry.html", {"rows": rows})

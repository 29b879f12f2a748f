"""Deals in the browser: opening one from a match or a lead, its page, its steps, the board.

Every change is a POST to a service; a step taken on a stale page says who moved the deal."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokers import selectors, services
from brokers.choices import DealStage
from brokers.forms import DealDocumentForm, DealLeadForm, DealLoseForm
from brokers.models import Deal
from matching.models import Match


def form_token(request):
    """The one-time token of a posted form (against a double click), or None."""
    try:
        return uuid.UUID(request.POST.get("token", ""))
    except ValueError:
        return None


def message_errors(request, exc: ValidationError) -> None:
    """Each message of a refusal, shown on the next page."""
    for message in exc.messages:
        messages.error(request, message)


def _next(request, default: str) -> str:
    """Where to go after a step: the page it was taken on, never another site."""
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _wants_json(request) -> bool:
    # The board's drag and drop asks for JSON; a plain form post gets a page.
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def deal_from_match(request, pk):
    match = get_object_or_404(Match, pk=pk)
    try:
        deal = services.deal_open_from_match(
            match=match, actor=request.user, token=form_token(request)
        )
    except ValidationError as exc:
        message_errors(request, exc)
        return redirect(request.META.get("HTTP_REFERER") or "/")
    messages.success(request, _("已开启交易，技术经纪人会推进后续洽谈和签约。"))
    return redirect(deal)


@login_required
def deal_new(request):
    form = DealLeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_open_lead(
                actor=request.user,
                title=form.cleaned_data["title"],
                expected_amount=form.cleaned_data["expected_amount"],
                token=form.cleaned_data["token"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("交易线索已登记。"))
            return redirect(deal)
    elif not hasattr(request.user, "broker_profile"):
        raise PermissionDenied(_("只有在岗的技术经纪人可以登记交易线索。"))
    return render(request, "brokers/deal_new.html", {"form": form})


@login_required
def deal_detail(request, pk):
    try:
        deal = selectors.deal_for_page(pk)
    except Deal.DoesNotExist:
        raise Http404 from None
    access = selectors.deal_access(deal, request.user)
    if access is None:
        raise Http404  # the same answer as for a deal that does not exist
    party = access == "party"
    upload_stages = services.document_stages(deal) if party and deal.file_is_open else []
    context = {
        "deal": deal,
        "brokers": deal.deal_brokers.select_related("broker__user", "broker__institution"),
        "history": selectors.deal_history(deal),
        "steps": services.deal_next_steps(deal, request.user) if party and deal.is_open else [],
        "may_work": services.may_work_deal(deal, request.user),
        "may_edit_contract": services.may_edit_contract(deal, request.user),
        "registry_only": not party,
        "lose_form": DealLoseForm(),
        "sign_blockers": deal.sign_blockers() if deal.stage in (
            DealStage.NEGOTIATION, DealStage.NOTICE) else [],
        "documents": selectors.deal_documents(deal),
        "document_form": DealDocumentForm(stages=upload_stages),
    }  # fmt: skip
    return render(request, "brokers/deal_detail.html", context)


@login_required
@require_POST
def deal_advance(request, pk, transition):
    deal = get_object_or_404(Deal, pk=pk)
    if not services.may_see_deal(deal, request.user):
        raise Http404
    try:
        deal = services.deal_advance(
            deal=deal,
            transition=transition,
            by=request.user,
            expected_stage=request.POST.get("stage") or None,
        )
    except (ValidationError, PermissionDenied) as exc:
        texts = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        if _wants_json(request):
            return JsonResponse({"ok": False, "messages": texts}, status=409)
        for text in texts:
            messages.error(request, text)
    else:
        text = _("已推进到“%s”。") % deal.get_stage_display()
        if _wants_json(request):
            return JsonResponse({"ok": True, "messages": [text], "stage": deal.stage})
        messages.success(request, text)
    return redirect(_next(request, deal.get_absolute_url()))


@login_required
@require_POST
def deal_lose(request, pk):
    deal = get_object_or_404(Deal, pk=pk)
    if not services.may_see_deal(deal, request.user):
        raise Http404
    form = DealLoseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择流失原因。"))
        return redirect(deal)
    try:
        services.deal_lose(
            deal=deal,
            by=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            expected_stage=request.POST.get("stage") or None,
        )
    except ValidationError as exc:
        message_errors(request, exc)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已标记为流失。"))
    return redirect(deal)


@login_required
def deal_list(request):
    """The person's deals by stage: a broker's pipeline, an organization's deals, a market's
    deals for its operators. Works without JS: each card has a button per step the person
    may take; dragging a card to a column posts the same step (static/js/deal-board.js).
    A column shows its newest cards and links to the stage's full list (`?stage=`), paged."""
    deals = selectors.deals_visible_to(request.user)
    stage = request.GET.get("stage") or None
    if stage is not None and stage not in DealStage.values:
        raise Http404
    columns = selectors.board_columns(
        deals, request.user, stage=stage, page=request.GET.get("page")
    )
    context = {
        "columns": columns,
        "stage_moves": selectors.stage_moves(),
        "stage": stage,
        # The drag hint is for who may move a card (a buyer or a seller only watches).
        "may_move": selectors.may_move_cards(request.user),
    }
    return render(request, "brokers/deal_board.html", context)


@login_required
def deal_card(request, pk):
    """One card of the board, as the person would see it now: what the board's script puts
    in place when a colleague moves the deal."""
    deal = selectors.board_card(selectors.deals_visible_to(request.user), pk, request.user)
    if deal is None:
        raise Http404
    return render(request, "brokers/_deal_card.html", {"deal": deal})

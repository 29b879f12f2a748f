"""Service cases in the browser: the clerk's desk (窗口工作台), a case's page with its
checklist, the checked evidence download, and the requester's own pages (their case by its
key, the one-time confirmation, the rating). Every change is a POST; the rules are in
`windows.services.cases`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from windows.case_forms import (
    AttachEvidenceForm,
    CaseOpenForm,
    ItemEvidenceForm,
    NoticeForm,
    RatingForm,
    RectifyForm,
    VisitForm,
    WithdrawForm,
)
from windows.choices import CaseState, EvidenceKind, WindowService
from windows.models import Appointment, CaseItem, FollowUp, ServiceCase
from windows.models.cases import may_work_case
from windows.selectors import cases as selectors
from windows.services import cases as services


def _tell(request, exc) -> None:
    if isinstance(exc, PermissionDenied):
        messages.error(request, str(exc))
        return
    for message in exc.messages:
        messages.error(request, message)


def _desk_window(request, windows):
    chosen = request.POST.get("window") or request.GET.get("window")
    if chosen:
        try:
            return windows.get(pk=int(chosen))
        except (ValueError, windows.model.DoesNotExist):
            raise Http404 from None
    return windows.order_by("pk").first()


def _render_desk(request, windows, window, form, status=200):
    cases = list(selectors.window_open_cases(window))
    now = timezone.now()
    for case in cases:
        case.overdue = case.next_due is not None and case.next_due < now
        case.provisional = selectors.deadline_is_provisional(case)
    return render(
        request,
        "windows/desk.html",
        {
            "windows": windows,
            "window": window,
            "cases": cases,
            "overdue_count": sum(1 for c in cases if c.overdue),
            "form": form,
            "now": now,
        },
        status=status,
    )


@login_required
def desk(request):
    """窗口工作台: the window's open cases, next deadline first, and a walk-in's form."""
    windows = selectors.desk_windows(request.user)
    if not windows.exists():
        raise PermissionDenied(_("只有窗口工作人员和市场运营人员可以使用窗口工作台。"))
    window = _desk_window(request, windows)
    return _render_desk(request, windows, window, CaseOpenForm(window=window))


@login_required
@require_POST
def case_open(request):
    windows = selectors.desk_windows(request.user)
    if not windows.exists():
        raise PermissionDenied(_("只有窗口工作人员和市场运营人员可以受理服务事项。"))
    window = _desk_window(request, windows)
    form = CaseOpenForm(request.POST, window=window)
    if form.is_valid():
        data = form.cleaned_data
        try:
            case = services.case_open(
                window=window,
                service=data["service"],
                requester_name=data["requester_name"],
                requester_phone=data["requester_phone"],
                contract=data["contract"],
                summary=data["summary"],
                by=request.user,
                token=data["token"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已受理服务事项 %(number)s。") % {"number": case.number})
            return redirect(case.get_absolute_url())
    return _render_desk(request, windows, window, form, status=400)


@login_required
@require_POST
def case_open_from_appointment(request, pk):
    """受理 an appointment whose requester has arrived: the appointments' desk page posts
    here. Sent twice, it opens the one case."""
    appointment = get_object_or_404(Appointment.objects.select_related("slot__window"), pk=pk)
    window = appointment.slot.window
    if not selectors.desk_windows(request.user).filter(pk=window.pk).exists():
        raise Http404
    try:
        case = services.case_open(window=window, appointment=appointment, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _tell(request, exc)
        return redirect(reverse("windows:desk") + f"?window={window.pk}")
    messages.success(request, _("已受理服务事项 %(number)s。") % {"number": case.number})
    return redirect(case.get_absolute_url())


def _visible_case(request, pk) -> ServiceCase:
    case = selectors.case_with_everything(pk)
    if case is None or not services.may_see_case(case, request.user):
        # Anyone who may not see it gets the same answer as for a case that does not exist.
        raise Http404
    return case


@login_required
def case_detail(request, pk):
    case = _visible_case(request, pk)
    may_work = may_work_case(case, request.user)
    is_open = case.state == CaseState.OPEN
    now = timezone.now()
    items = list(case.items.all())
    roles = services.item_roles_of(request.user, case.window.market_id) if is_open else set()
    for item in items:
        item.may_do = not item.is_done and item.standard_item.role in roles
        item.overdue = not item.is_done and item.due_at < now
        item.needs_confirmation = item.standard_item.evidence == EvidenceKind.CONFIRMATION
        over = item.time_over
        item.time_over_label = services.format_duration(over) if over else ""
        item.form = ItemEvidenceForm(prefix=f"item{item.pk}") if item.may_do else None
        item.attach_form = (
            AttachEvidenceForm(prefix=f"attach{item.pk}")
            if may_work and is_open and item.evidence_pending
            else None
        )
        if item.confirmation_code:
            item.confirm_url = request.build_absolute_uri(
                reverse("windows:case_confirm", args=[item.confirmation_code])
            )
    missing = [i for i in items if i.standard_item.mandatory and not i.is_done]
    rating = selectors.rating_of(case)
    follow_up = selectors.follow_up_of(case)
    contract_url = ""
    if case.contract_id and case.service == WindowService.CONTRACT_REGISTRATION:
        contract_url = reverse("brokers:contract", args=[case.contract_id])
    return render(
        request,
        "windows/case_detail.html",
        {
            "case": case,
            "items": items,
            "missing": missing,
            "notices": list(case.notices.all()),
            "rating": rating,
            "follow_up": follow_up,
            "history": selectors.case_history(case),
            "may_work": may_work,
            "is_open": is_open,
            "provisional": selectors.deadline_is_provisional(case),
            "requester_url": request.build_absolute_uri(
                reverse("windows:case_requester", args=[case.requester_key])
            ),
            "contract_url": contract_url,
            "notice_form": NoticeForm(),
            "withdraw_form": WithdrawForm(),
            "rectify_form": RectifyForm(),
            "visit_form": VisitForm(),
            "now": now,
        },
    )


def _visible_item(request, pk) -> CaseItem:
    item = get_object_or_404(CaseItem.objects.select_related("case__window"), pk=pk)
    if not services.may_see_case(item.case, request.user):
        raise Http404
    return item


@login_required
@require_POST
def item_complete(request, pk):
    item = _visible_item(request, pk)
    form = ItemEvidenceForm(request.POST, request.FILES, prefix=f"item{item.pk}")
    form.is_valid()
    data = form.cleaned_data
    try:
        services.case_complete_item(
            item=item,
            by=request.user,
            evidence_text=data.get("evidence_text", ""),
            evidence_file=data.get("evidence_file"),
            evidence_later=bool(data.get("evidence_later")),
        )
    except (ValidationError, PermissionDenied) as exc:
        _tell(request, exc)
    else:
        messages.success(request, _("已完成第 %(n)d 项。") % {"n": item.position})
    return redirect(item.case.get_absolute_url() + f"#item-{item.position}")


@login_required
@require_POST
def item_attach(request, pk):
    """补交: the document an item done under 容缺受理 was waiting for."""
    item = _visible_item(request, pk)
    form = AttachEvidenceForm(request.POST, request.FILES, prefix=f"attach{item.pk}")
    form.is_valid()
    try:
        services.item_attach_evidence(
            item=item, by=request.user, evidence_file=form.cleaned_data.get("evidence_file")
        )
    except (ValidationError, PermissionDenied) as exc:
        _tell(request, exc)
    else:
        messages.success(request, _("第 %(n)d 项的材料已补交。") % {"n": item.position})
    return redirect(item.case.get_absolute_url() + f"#item-{item.position}")


@login_required
@require_POST
def item_confirmation(request, pk):
    item = _visible_item(request, pk)
    try:
        services.item_request_confirmation(item=item, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _tell(request, exc)
    else:
        messages.success(request, _("确认码已生成，请交给服务对象本人确认。"))
    return redirect(item.case.get_absolute_url() + f"#item-{item.position}")


@login_required
def item_evidence(request, pk):
    """An item's evidence file, to the case's clerks and operators only; anyone else gets
    the same 404 as for a file that does not exist."""
    item = get_object_or_404(CaseItem.objects.select_related("case__window"), pk=pk)
    if not may_work_case(item.case, request.user) or not item.evidence_file:
        raise Http404
    try:
        content = item.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        content, as_attachment=True, filename=item.evidence_file.name.rsplit("/", 1)[-1]
    )
    patch_cache_control(response, private=True, no_cache=True)
    return response


@login_required
@require_POST
def case_notify(request, pk):
    case = get_object_or_404(ServiceCase.objects.select_related("window"), pk=pk)
    if not services.may_see_case(case, request.user):
        raise Http404
    form = NoticeForm(request.POST)
    form.is_valid()
    try:
        services.case_notify_missing(
            case=case, by=request.user, message=form.cleaned_data.get("message", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        _tell(request, exc)
    else:
        messages.success(request, _("一次性告知已记录，请将告知内容交给服务对象。"))
    return redirect(case.get_absolute_url() + "#notices")


@login_required
@require_POST
def case_close(request, pk):
    case = get_object_or_404(ServiceCase.objects.select_related("window"), pk=pk)
    if not services.may_see_case(case, request.user):
        raise Http404
    try:
        services.case_close(case=case, by=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _tell(request, exc)
    else:
        messages.success(request, _("服务事项已办结，请邀请服务对象评价。"))
    return redirect(case.get_absolute_url())


@login_required
@require_POST
def case_withdraw(request, pk):
    case = get_object_or_404(ServiceCase.objects.select_related("window"), pk=pk)
    if not services.may_see_case(case, request.user):
        raise Http404
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写撤回原因。"))
        return redirect(case.get_absolute_url())
    try:
        services.case_withdraw(case=case, by=request.user, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as exc:
        _tell(request, exc)
    else:
        messages.success(request, _("服务事项已撤回。"))
    return redirect(case.get_absolute_url())


def _visible_follow_up(request, pk) -> FollowUp:
    follow_up = get_object_or_404(FollowUp.objects.select_related("rating__case__window"), pk=pk)
    if not services.may_see_case(follow_up.rating.case, request.user):
        raise Http404
    return follow_up


@login_required
@require_POST
def follow_up_rectify(request, pk):
    follow_up = _visible_follow_up(request, pk)
    try:
        services.follow_up_rectify(
            follow_up=follow_up,
            by=request.user,
            rectification=request.POST.get("rectification", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        _tell(request, exc)
    else:
        messages.success(request, _("整改措施已记录，请回访服务对象。"))
    return redirect(follow_up.rating.case.get_absolute_url() + "#follow-up")


@login_required
@require_POST
def follow_up_visit(request, pk):
    follow_up = _visible_follow_up(request, pk)
    try:
        services.follow_up_visit(
            follow_up=follow_up, by=request.user, note=request.POST.get("note", "")
        )
    except (ValidationError, PermissionDenied) as exc:
        _tell(request, exc)
    else:
        messages.success(request, _("回访情况已记录。"))
    return redirect(follow_up.rating.case.get_absolute_url() + "#follow-up")


# --- the requester's own pages, opened by their key or code, signed in or not ----------


def _requester_case(key) -> ServiceCase:
    case = selectors.case_for_requester(key)
    if case is None:
        raise Http404
    return case


def _no_store(response):
    # A page opened by a secret in its address: no shared cache keeps it.
    patch_cache_control(response, private=True, no_store=True)
    return response


def case_requester(request, key):
    """The requester's page: where the case stands, what is done, what they confirm, and
    after closing, the rating."""
    case = _requester_case(key)
    rating = selectors.rating_of(case)
    form = None
    if case.state == CaseState.CLOSED and rating is None:
        form = RatingForm()
    items = list(case.items.all())
    pending = [i for i in items if i.confirmation_code and not i.is_done]
    return _no_store(
        render(
            request,
            "windows/case_requester.html",
            {
                "case": case,
                "items": items,
                "pending": pending,
                "rating": rating,
                "form": form,
                "provisional": selectors.deadline_is_provisional(case),
            },
        )
    )


@require_POST
def case_rate(request, key):
    case = _requester_case(key)
    form = RatingForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择评价等级。"))
        return redirect("windows:case_requester", key=key)
    try:
        services.case_rate(
            case=case,
            requester_key=key,
            level=form.cleaned_data["level"],
            comment=form.cleaned_data["comment"],
        )
    except (ValidationError, PermissionDenied) as exc:
        _tell(request, exc)
    else:
        messages.success(request, _("感谢您的评价！"))
    return redirect("windows:case_requester", key=key)


def confirm_lookup(request):
    """Where a requester types the code a clerk gave them."""
    code = (request.GET.get("code") or "").strip()
    if code:
        return redirect("windows:case_confirm", code=code)
    return _no_store(render(request, "windows/case_confirm.html", {"lookup": True}))


@require_http_methods(["GET", "POST"])
def case_confirm(request, code):
    """GET shows what the requester confirms; POST confirms it."""
    item = services.item_for_code(code)
    if request.method == "POST":
        try:
            item = services.item_confirm(code=code)
        except ValidationError as exc:
            return _no_store(
                render(
                    request,
                    "windows/case_confirm.html",
                    {"item": item, "error": " ".join(exc.messages)},
                    status=400 if item is None else 409,
                )
            )
        messages.success(request, _("确认成功，感谢您的配合。"))
        return redirect("windows:case_requester", key=item.case.requester_key)
    error = ""
    if item is None:
        error = _("确认码无效。请核对窗口工作人员提供的确认码或链接。")
    elif item.confirmed_at is not None:
        error = _("该确认码已于%(when)s使用，无需再次确认。") % {
            "when": timezone.localtime(item.confirmed_at).strftime("%Y-%m-%d %H:%M")
        }
    elif item.is_done or item.case.state != CaseState.OPEN:
        error = _("该事项已完成或服务事项已结束，无需确认。")
    return _no_store(
        render(
            request,
            "windows/case_confirm.html",
            {"item": item, "error": error},
            status=404 if item is None else 200,
        )
    )

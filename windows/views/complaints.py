"""Complaints in the browser: anyone files one and keeps its code; with the code alone they
follow it, read the answer and rate it; the market's operators work it; everyone sees the
anonymised statistics.

The code never travels in a URL: it is posted, then kept in the person's session, so it
stays out of the server's and proxies' logs and out of the browser's history."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from brokers.models import Broker
from listings.models import Achievement, Demand
from market.charts import stacked_bars
from market.permissions import is_market_operator
from market.services import transition_history, transition_label
from windows.choices import ComplaintState, ComplaintSubject, RatingLevel
from windows.models import Complaint, ServiceWindow
from windows.selectors import complaints as selectors
from windows.services import complaints as services
from windows.services.complaints import PUBLIC_LISTING_STATES, code_grouped

FILED_KEY = "windows.complaint_filed"
TRACKED_KEY = "windows.complaint_code"
STEP_LABELS = {"file": gettext_lazy("受理投诉"), "rate_answer": gettext_lazy("投诉人评价答复")}
LISTING_KINDS = [("achievement", gettext_lazy("科技成果")), ("demand", gettext_lazy("技术需求"))]


class BrokerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.name or obj.user} · {obj.institution.name}"


class ComplaintForm(forms.Form):
    subject = forms.ChoiceField(
        label=gettext_lazy("投诉对象"),
        choices=ComplaintSubject.choices,
        widget=forms.RadioSelect,
    )
    window = forms.ModelChoiceField(
        label=gettext_lazy("被投诉的窗口"),
        required=False,
        queryset=ServiceWindow.objects.order_by("market__kind", "market__code"),
        empty_label=gettext_lazy("请选择窗口"),
    )
    broker = BrokerChoiceField(
        label=gettext_lazy("被投诉的技术经纪人"),
        required=False,
        queryset=Broker.objects.filter(active=True).select_related("user", "institution"),
        empty_label=gettext_lazy("请选择技术经纪人"),
    )
    listing_kind = forms.ChoiceField(
        label=gettext_lazy("信息类别"), required=False, choices=LISTING_KINDS
    )
    listing_id = forms.IntegerField(
        label=gettext_lazy("信息编号"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("成果或需求页面地址中的数字编号"),
    )
    body = forms.CharField(
        label=gettext_lazy("投诉内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("请写明时间、经过和您的诉求。"),
    )
    anonymous = forms.BooleanField(
        label=gettext_lazy("匿名投诉（不留姓名、联系方式和账号，凭查询码查询处理结果）"),
        required=False,
        initial=True,
    )
    name = forms.CharField(label=gettext_lazy("姓名"), required=False, max_length=100)
    contact = forms.CharField(
        label=gettext_lazy("联系方式"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("实名投诉时填写，便于处理人员联系您"),
    )

    def clean(self):
        data = super().clean()
        subject = data.get("subject")
        data["target"] = {}
        if subject == ComplaintSubject.WINDOW:
            if not data.get("window"):
                self.add_error("window", _("请选择被投诉的服务窗口。"))
            else:
                data["target"] = {"window": data["window"]}
        elif subject == ComplaintSubject.BROKER:
            if not data.get("broker"):
                self.add_error("broker", _("请选择被投诉的技术经纪人。"))
            else:
                data["target"] = {"broker": data["broker"]}
        elif subject == ComplaintSubject.LISTING:
            kind, pk = data.get("listing_kind"), data.get("listing_id")
            listing = public_listing(kind, pk)
            if listing is None:
                self.add_error("listing_id", _("找不到这条公开的成果或需求信息，请核对编号。"))
            else:
                data["target"] = {kind: listing}
        return data


def public_listing(kind: str | None, pk) -> Achievement | Demand | None:
    """The public achievement or demand a complaint names, if there is one."""
    model = {"achievement": Achievement, "demand": Demand}.get(kind or "")
    if model is None or not str(pk or "").isdigit():
        return None
    return model.objects.filter(pk=pk, status__in=PUBLIC_LISTING_STATES).first()


def _initial(request) -> dict:
    """The subject a "投诉" link on a window, broker or listing page names."""
    get = request.GET
    for key, subject in (("window", ComplaintSubject.WINDOW), ("broker", ComplaintSubject.BROKER)):
        if get.get(key, "").isdigit():
            return {"subject": subject, key: int(get[key])}
    for kind in ("achievement", "demand"):
        if get.get(kind, "").isdigit():
            return {
                "subject": ComplaintSubject.LISTING,
                "listing_kind": kind,
                "listing_id": get[kind],
            }
    return {}


@never_cache
def complaint_new(request):
    if request.method == "POST":
        form = ComplaintForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                complaint = services.complaint_file(
                    subject=data["subject"],
                    body=data["body"],
                    anonymous=data["anonymous"],
                    name=data["name"],
                    contact=data["contact"],
                    by=request.user,
                    **data["target"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                request.session[FILED_KEY] = complaint.pk
                return redirect("windows:complaint_filed")
    else:
        form = ComplaintForm(initial={"anonymous": True, **_initial(request)})
    # A person who came from a listing's "投诉" link sees which listing they are about to
    # complain about, not only its number.
    named = public_listing(form["listing_kind"].value(), form["listing_id"].value())
    return render(
        request,
        "windows/complaint_new.html",
        {"form": form, "named_listing": named},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
def complaint_filed(request):
    """The code, shown to the person who just filed the complaint."""
    pk = request.session.get(FILED_KEY)
    complaint = Complaint.objects.filter(pk=pk).first() if pk else None
    if complaint is None:
        return redirect("windows:complaint_track")
    request.session[TRACKED_KEY] = complaint.code
    return render(
        request,
        "windows/complaint_filed.html",
        {"complaint": complaint, "code": code_grouped(complaint.code)},
    )


class TrackForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("查询码"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=gettext_lazy("投诉时得到的 16 位查询码，如 ABCD-EFGH-JKLM-NPQR"),
    )


def _tracked(request) -> Complaint | None:
    code = request.session.get(TRACKED_KEY)
    return selectors.complaint_by_code(code) if code else None


@never_cache
def complaint_track(request):
    """Enter the code (posted, never in the URL); then the complaint's status, deadlines,
    answer and the rating form, from the session."""
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        complaint = selectors.complaint_by_code(form.cleaned_data["code"])
        if complaint is not None:
            request.session[TRACKED_KEY] = complaint.code
            return redirect("windows:complaint_track")
        form.add_error("code", _("查询码不正确，请核对后重新输入。"))
    complaint = None if request.method == "POST" else _tracked(request)
    return render(
        request,
        "windows/complaint_track.html",
        {
            "form": form if complaint is None else TrackForm(),
            "complaint": complaint,
            "code": code_grouped(complaint.code) if complaint else "",
            "levels": RatingLevel.choices,
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def complaint_rate(request):
    code = request.session.get(TRACKED_KEY)
    if not code:
        messages.error(request, _("请先输入查询码。"))
        return redirect("windows:complaint_track")
    try:
        services.complaint_rate_answer(code=code, level=request.POST.get("level"))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("感谢您的评价。"))
    return redirect("windows:complaint_track")


@require_POST
def complaint_forget(request):
    """Stop showing the complaint in this browser (a shared computer)."""
    request.session.pop(TRACKED_KEY, None)
    request.session.pop(FILED_KEY, None)
    return redirect("windows:complaint_track")


def complaint_stats_page(request):
    stats = selectors.complaint_stats()
    subject_chart = {
        "name": _("投诉件数"),
        "labels": [str(r["label"]) for r in stats["by_subject"]],
        "values": [r["n"] for r in stats["by_subject"]],
    }
    satisfaction_chart = stacked_bars(
        [_("对答复的评价")],
        [
            {"name": r["label"], "colour": colour, "values": [r["n"]]}
            for r, colour in zip(
                stats["satisfaction"],
                ["#1a7f37", "#4ac26b", "#d4a72c", "#e16f24", "#cf222e"],
                strict=True,
            )
        ],
    )
    return render(
        request,
        "windows/complaint_stats.html",
        {"stats": stats, "subject_chart": subject_chart, "satisfaction_chart": satisfaction_chart},
    )


# --- the operators' side ------------------------------------------------------------------


@login_required
def complaint_list(request):
    if not is_market_operator(request.user):
        raise PermissionDenied
    show_all = request.GET.get("all") == "1"
    return render(
        request,
        "windows/complaint_list.html",
        {
            "complaints": selectors.complaints_for_operator(request.user, open_only=not show_all),
            "show_all": show_all,
        },
    )


def _handled(request, pk) -> Complaint:
    complaint = get_object_or_404(
        Complaint.objects.select_related(
            "market", "window", "broker__user", "achievement", "demand", "standard", "handler"
        ),
        pk=pk,
    )
    if not is_market_operator(request.user, complaint.market_id):
        raise PermissionDenied
    return complaint


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("书面答复"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("说明调查结果和处理措施；投诉人凭查询码阅读。"),
    )


@login_required
def complaint_detail(request, pk):
    complaint = _handled(request, pk)
    return render(
        request,
        "windows/complaint_detail.html",
        {
            "complaint": complaint,
            "history": [
                {
                    "log": log,
                    "label": STEP_LABELS.get(log.transition)
                    or transition_label(log.transition, Complaint),
                }
                for log in transition_history(complaint)
            ],
            "answer_form": AnswerForm(),
            "States": ComplaintState,
        },
    )


@login_required
@require_POST
def complaint_act(request, pk, action):
    complaint = _handled(request, pk)
    try:
        if action == "start":
            services.complaint_start_handling(complaint=complaint, by=request.user)
            messages.success(request, _("已开始处理。"))
        elif action == "answer":
            services.complaint_answer(
                complaint=complaint, by=request.user, answer=request.POST.get("answer", "")
            )
            messages.success(request, _("已答复，投诉人可凭查询码查看。"))
        elif action == "close":
            services.complaint_close(
                complaint=complaint, by=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已办结。"))
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("windows:complaint_detail", pk=complaint.pk)

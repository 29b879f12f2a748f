"""Forms of the case pages: opening a walk-in case at the desk, an item's evidence, the
one-time notification, withdrawing, the requester's rating, and the follow-up's steps. They
only shape input; the rules are in `windows.services.cases`."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from windows.choices import RatingLevel, WindowService

# Complaints have their own intake (windows' complaint pages), not a desk case.
DESK_SERVICES = [(value, label) for value, label in WindowService.choices if value != "complaint"]


class _Form(forms.Form):
    """Labels without the trailing colon, as the site's other forms show them."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class CaseOpenForm(_Form):
    """A walk-in requester at the desk. The hidden token is new each time the form is
    shown, so a double-clicked submit opens one case."""

    service = forms.ChoiceField(label=_("办理事项"), choices=DESK_SERVICES)
    requester_name = forms.CharField(label=_("服务对象"), max_length=100)
    requester_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    contract = forms.ModelChoiceField(
        label=_("登记的合同"),
        queryset=None,
        required=False,
        help_text=_("技术合同认定登记事项可关联本市场的合同。"),
    )
    summary = forms.CharField(
        label=_("事项说明"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, window=None, **kwargs):
        super().__init__(*args, **kwargs)
        from brokers.models import Contract

        contracts = Contract.objects.none()
        if window is not None:
            contracts = Contract.objects.filter(market_id=window.market_id).order_by("-pk")
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = lambda c: f"{c.title}（#{c.pk}）"
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())


class ItemEvidenceForm(_Form):
    evidence_text = forms.CharField(
        label=_("文字记录"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    evidence_file = forms.FileField(label=_("佐证文件"), required=False)
    evidence_later = forms.BooleanField(
        label=_("容缺后补"),
        required=False,
        help_text=_("材料暂缺、先行办理（容缺受理）：在文字记录中写明后补的材料；补齐前不能办结。"),
    )


class AttachEvidenceForm(_Form):
    evidence_file = forms.FileField(label=_("补交材料"))


class NoticeForm(_Form):
    message = forms.CharField(
        label=_("补充说明"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("缺少的事项会自动列出；这里可补充需要特别说明的内容。"),
    )


class WithdrawForm(_Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=300)


class RatingForm(_Form):
    level = forms.TypedChoiceField(
        label=_("您对本次服务的评价"),
        choices=RatingLevel.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class RectifyForm(_Form):
    rectification = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 3}))


class VisitForm(_Form):
    note = forms.CharField(label=_("回访情况"), widget=forms.Textarea(attrs={"rows": 3}))

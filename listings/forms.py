"""Forms owners fill in. They only parse and present; rules live in the models and services."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from listings.choices import PATENT_KINDS, CooperationMode, IPKind, IPStatus
from listings.models import Achievement, Demand, split_keywords
from listings.validators import normalize_patent_number, validate_patent_number
from market.forms import RegionField

COMMON_FIELDS = [
    "title",
    "summary",
    "description",
    "field",
    "industry",
    "keywords",
    "region_code",
    "contact_name",
    "contact_phone",
    "contact_email",
    "ref",
]


class KeywordsField(forms.CharField):
    """Keywords typed as one line, separated by commas or 、."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return "、".join(value)
        return value

    def to_python(self, value):
        return split_keywords(super().to_python(value))


class ListingForm(forms.ModelForm):
    region_code = RegionField()
    keywords = KeywordsField(
        label=_("关键词"), required=False, help_text=_("用逗号或顿号分隔，最多20个")
    )
    modes = forms.MultipleChoiceField(
        label=_("合作方式"),
        choices=CooperationMode.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一种合作方式。")},
    )
    # Sent back with the form so a double-click or a re-post creates nothing twice.
    client_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if field.required:
                field.error_messages["required"] = _("请填写“%s”。") % field.label
            # The model's own wording for a text over its limit (ModelForm does not copy it).
            model_field = next((f for f in self._meta.model._meta.fields if f.name == name), None)
            if model_field is not None and "max_length" in model_field.error_messages:
                field.error_messages["max_length"] = model_field.error_messages["max_length"]
        self.fields["modes"].error_messages["required"] = _("请至少选择一种合作方式。")
        if self.instance.pk:
            self.initial["modes"] = list(self.instance.modes.values_list("code", flat=True))
        else:
            self.initial.setdefault("client_token", uuid.uuid4())

    def service_kwargs(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if k in self._meta.fields}
        data["modes"] = self.cleaned_data["modes"]
        return data


class AchievementForm(ListingForm):
    patents = forms.CharField(
        label=_("专利号"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一个，例如 ZL202110012345.9"),
    )

    class Meta:
        model = Achievement
        fields = [
            *COMMON_FIELDS,
            "trl",
            "maturity",
            "price_negotiable",
            "asking_price",
            "inventors",
            "advantage",
            "economics",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["modes"].label = _("转化方式")
        if self.instance.pk:
            self.initial["patents"] = "\n".join(
                ip.number for ip in self.instance.ip_items.all() if ip.kind in PATENT_KINDS
            )

    def clean_patents(self):
        numbers = [n for n in split_keywords(self.cleaned_data["patents"]) if n]
        for number in numbers:
            validate_patent_number(number)
        return [normalize_patent_number(n) for n in numbers]

    def service_kwargs(self) -> dict:
        data = super().service_kwargs()
        data["ip_items"] = [
            {
                "kind": IPKind.INVENTION_PATENT,
                "number": number,
                "status": IPStatus.GRANTED if number.startswith("ZL") else IPStatus.PENDING,
            }
            for number in self.cleaned_data["patents"]
        ]
        return data


class DemandForm(ListingForm):
    class Meta:
        model = Demand
        fields = [
            *COMMON_FIELDS,
            "expected_outcome",
            "budget_negotiable",
            "budget_min",
            "budget_max",
            "deadline",
            "required_trl",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "deadline": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].label = _("问题描述")
        self.fields["description"].error_messages["required"] = _("请填写“%s”。") % _("问题描述")
        # The browser's date picker offers no past day; a deadline already past stays editable.
        today = timezone.localdate()
        if self.instance.deadline is None or self.instance.deadline >= today:
            self.fields["deadline"].widget.attrs["min"] = today.isoformat()


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}))


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（PDF 或图片）"))


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("导入类型"), choices=[("achievement", _("科技成果")), ("demand", _("技术需求"))]
    )
    file = forms.FileField(label=_("表格文件（.xlsx 或 .csv）"))


class ConfirmImportForm(forms.Form):
    """The second step of an import whose rows look like listings the owner already has."""

    pending = forms.CharField(widget=forms.HiddenInput)
    confirm_duplicates = forms.BooleanField(
        label=_("我已核对，仍然导入这些可能重复的行"),
        error_messages={"required": _("请勾选确认后再导入，或取消这次导入。")},
    )


class InterestForm(forms.Form):
    message = forms.CharField(
        label=_("留言（可选）"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("简单说明您的需求或合作设想"),
    )

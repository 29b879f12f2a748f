"""The forms of a technology contract (技术合同): the contract with its income assessment form
(技术性收入核定表), and the registry's decisions. What is allowed is the services' to say."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from brokers.choices import ContractType, NonTechnicalCost, RefusalGround

DEDUCTION_LINES = 5


class ContractForm(forms.Form):
    contract_type = forms.ChoiceField(
        label=_("合同类型"), choices=[("", _("请选择"))] + ContractType.choices
    )
    title = forms.CharField(label=_("合同名称"), max_length=200)
    signed_on = forms.DateField(label=_("签订日期"), widget=forms.DateInput(attrs={"type": "date"}))
    term_start = forms.DateField(
        label=_("履行期起"), widget=forms.DateInput(attrs={"type": "date"})
    )
    term_end = forms.DateField(label=_("履行期止"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(
        label=_("成交额（万元）"), min_value=0.01, max_digits=14, decimal_places=2
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())


class DeductionForm(forms.Form):
    """One line of the income assessment form: a non-technical part of the amount."""

    kind = forms.ChoiceField(
        label=_("费用类别"), choices=[("", "—")] + NonTechnicalCost.choices, required=False
    )
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    amount = forms.DecimalField(
        label=_("金额（万元）"), min_value=0.01, max_digits=14, decimal_places=2, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("amount") and not data.get("kind"):
            self.add_error("kind", _("请选择费用类别。"))
        if data.get("kind") and not data.get("amount"):
            self.add_error("amount", _("请填写金额。"))
        return data


def deduction_formset(data=None, initial=None) -> forms.BaseFormSet:
    initial = list(initial or [])
    formset_class = forms.formset_factory(
        DeductionForm, extra=max(DEDUCTION_LINES - len(initial), 1), max_num=20
    )
    return formset_class(data, initial=initial, prefix="lines")


def deduction_lines(formset) -> list[dict]:
    return [
        f.cleaned_data for f in formset.forms if f.cleaned_data and f.cleaned_data.get("amount")
    ]


class ReturnForm(forms.Form):
    note = forms.CharField(
        label=_("需要补正的内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RefuseForm(forms.Form):
    ground = forms.ChoiceField(
        label=_("不予登记理由"), choices=[("", _("请选择"))] + RefusalGround.choices
    )
    note = forms.CharField(
        label=_("具体说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

import json
import uuid

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from market.choices import SELF_SERVICE_ORGANIZATION_KINDS
from market.models import Market, Organization
from market.regions import region_full_name, resolve_region
from market.services import may_grant_operator_kind
from market.validators import normalize_credit_code, validate_credit_code


class RegionWidget(forms.TextInput):
    """The region as a name one can type ("湖北省武汉市洪山区"); static/js/region-picker.js turns
    it into three linked lists, province → city → district, that fill in the 6-digit code."""

    class Media:
        js = ["js/region-picker.js"]

    labels = {
        "province": _("省份"),
        "city": _("城市"),
        "district": _("区县"),
        "pickProvince": _("请选择省份"),
        "pickCity": _("请选择城市"),
        "pickDistrict": _("请选择区县"),
        "wholeProvince": _("全省"),
        "wholeCity": _("全市"),
    }

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "data-region-picker": "", **(attrs or {})})

    def format_value(self, value):
        # A stored code reads as its name; what someone typed is given back as typed.
        codes = resolve_region(value or "")
        if (value or "").isdigit() and codes:
            return region_full_name(codes[0])
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        widget_attrs["data-regions-url"] = reverse("regions_json")
        widget_attrs["data-region-labels"] = json.dumps(
            {key: str(label) for key, label in self.labels.items()}, ensure_ascii=False
        )
        codes = resolve_region(value or "")
        if len(codes) == 1:
            widget_attrs["data-region-code"] = codes[0]
        return context


class RegionField(forms.CharField):
    """地区: a region of the national list (GB/T 2260), picked or written by name, cleaned to
    its 6-digit code."""

    widget = RegionWidget

    def __init__(self, **kwargs):
        kwargs.pop("max_length", None)
        kwargs.setdefault("label", _("地区"))
        kwargs.setdefault("help_text", _("依次选择省、市、区县，例如 湖北省 → 武汉市 → 洪山区"))
        super().__init__(max_length=60, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return text
        codes = resolve_region(text)
        if not codes:
            raise ValidationError(
                _("找不到地区“%(value)s”。请选择省、市、区县，或填写完整名称，如“湖北省武汉市”。"),
                code="region_unknown",
                params={"value": text},
            )
        if len(codes) > 1:
            raise ValidationError(
                _("有 %(count)d 个地区叫“%(value)s”：%(names)s。请写上所在的省市。"),
                code="region_ambiguous",
                params={
                    "count": len(codes),
                    "value": text,
                    "names": "、".join(region_full_name(c) for c in codes),
                },
            )
        return codes[0]


def _self_service_kind_choices():
    return [(kind.value, kind.label) for kind in SELF_SERVICE_ORGANIZATION_KINDS]


class OrganizationForm(forms.ModelForm):
    region_code = RegionField()

    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "credit_code",
            "market",
            "region_code",
            "address",
            "website",
            "contact_name",
            "contact_phone",
            "contact_email",
            "description",
        ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # 市场运营方 is granted by operators only; the service refuses it for anyone else too.
        if not may_grant_operator_kind(user):
            self.fields["kind"].choices = [("", "---------"), *_self_service_kind_choices()]

    def clean_credit_code(self):
        return normalize_credit_code(self.cleaned_data["credit_code"])


class SignupForm(forms.Form):
    """注册机构: a person and their organization in one form."""

    # The account
    username = forms.RegexField(
        label=_("用户名"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        help_text=_("登录时使用，可用字母、数字和 @ . + - _"),
        error_messages={"invalid": _("用户名只能包含字母、数字和 @ . + - _。")},
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号"), max_length=20)
    email = forms.EmailField(label=_("邮箱"), help_text=_("审核结果和找回密码的邮件会发到这里"))
    password1 = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("确认密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    # The organization
    org_name = forms.CharField(label=_("机构名称"), max_length=200)
    kind = forms.ChoiceField(label=_("机构类型"), choices=_self_service_kind_choices)
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=30,
        help_text=_("18位，见营业执照或事业单位法人证书"),
    )
    market = forms.ModelChoiceField(
        label=_("所属市场"),
        queryset=Market.objects.all(),
        help_text=_("由该市场的运营人员审核您的机构"),
    )
    region_code = RegionField()
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    signup_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    ACCOUNT_FIELDS = ("username", "name", "phone", "email", "password1", "password2")

    @property
    def account_fields(self):
        return [self[name] for name in self.ACCOUNT_FIELDS]

    @property
    def organization_fields(self):
        return [
            self[name]
            for name in self.fields
            if name not in self.ACCOUNT_FIELDS and name != "signup_token"
        ]

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data["credit_code"])
        validate_credit_code(code)
        return code

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "username": data["username"],
            "password": data["password1"],
            "name": data["name"],
            "email": data["email"],
            "phone": data["phone"],
            "signup_token": data["signup_token"],
            "organization": {
                "name": data["org_name"],
                "kind": data["kind"],
                "credit_code": data["credit_code"],
                "market": data["market"],
                "region_code": data["region_code"],
                "contact_name": data["contact_name"] or data["name"],
                "contact_phone": data["contact_phone"] or data["phone"],
                "contact_email": data["email"],
            },
        }


class OrganizationRejectForm(forms.Form):
    reason = forms.CharField(
        label=_("不通过的原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )

import uuid

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from market.choices import SELF_SERVICE_ORGANIZATION_KINDS
from market.models import Market, Organization
from market.services import may_grant_operator_kind
from market.validators import normalize_credit_code, validate_credit_code


def _self_service_kind_choices():
    return [(kind.value, kind.label) for kind in SELF_SERVICE_ORGANIZATION_KINDS]


class OrganizationForm(forms.ModelForm):
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
    region_code = forms.CharField(
        label=_("地区代码"), max_length=6, help_text=_("6位行政区划代码，例如 420100（武汉市）")
    )
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

"""Validators for the identifiers the market's users type in."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.cn import uscc

from market.regions import province_name

REGION_CODE_RE = re.compile(r"^\d{6}$")


def normalize_credit_code(value: str) -> str:
    """Upper-case, strip spaces and full-width characters people paste from documents."""
    value = (value or "").translate({0x3000: None}).strip()
    value = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in value)
    return uscc.compact(value)


def validate_credit_code(value: str) -> None:
    """Check a unified social credit code (统一社会信用代码, GB 32100-2015)."""
    code = normalize_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，您输入了%(n)d位。"),
            code="credit_code_length",
            params={"n": len(code)},
        )
    try:
        uscc.validate(code)
    except uscc.InvalidChecksum:
        raise ValidationError(
            _(
                "统一社会信用代码“%(code)s”的校验位（第18位）不正确，应为“%(check)s”，请核对营业执照。"
            ),
            code="credit_code_checksum",
            params={"code": code, "check": uscc.calc_check_digit(code)},
        ) from None
    except uscc.ValidationError:
        raise ValidationError(
            _(
                "统一社会信用代码“%(code)s”格式不正确："
                "只能包含数字和除 I、O、Z、S、V 以外的大写字母。"
            ),
            code="credit_code_format",
            params={"code": code},
        ) from None


def validate_region_code(value: str) -> None:
    """A 6-digit administrative division code whose first two digits name a province."""
    if not REGION_CODE_RE.match(value or ""):
        raise ValidationError(
            _("地区代码应为6位数字的行政区划代码，例如 420100（武汉市）。"), code="region_format"
        )
    if not province_name(value):
        raise ValidationError(
            _("地区代码“%(code)s”的前两位不是有效的省级代码。"),
            code="region_province",
            params={"code": value},
        )

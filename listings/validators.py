"""Validation of Chinese patent numbers (专利号) as people write them."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Application numbers: 12 digits since 2003 (year, type, serial) or 8 digits before,
# then a check character after a dot. "ZL" or "CN" may precede them.
APPLICATION_RE = re.compile(r"^(?:ZL|CN)?(\d{12}|\d{8})\.?([0-9X])$")
# Publication / grant numbers: CN, 9 digits, a kind code (A, B, C, U, Y, S).
PUBLICATION_RE = re.compile(r"^CN\d{9}[ABCUYS]\d?$")
WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5)


def normalize_patent_number(value: str) -> str:
    value = (value or "").upper()
    value = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in value)
    return re.sub(r"[\s\u3000]", "", value).replace("。", ".")


def patent_check_char(digits: str) -> str:
    total = sum(int(d) * w for d, w in zip(digits, WEIGHTS, strict=False))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def validate_patent_number(value: str) -> None:
    number = normalize_patent_number(value)
    if PUBLICATION_RE.match(number):
        return
    match = APPLICATION_RE.match(number)
    if not match:
        raise ValidationError(
            _(
                "专利号“%(value)s”格式不正确。请填写申请号（如 ZL202110012345.9）"
                "或公开/公告号（如 CN110123456A）。"
            ),
            code="patent_format",
            params={"value": value},
        )
    digits, check = match.groups()
    if patent_check_char(digits) != check:
        raise ValidationError(
            _("专利号“%(value)s”的校验位不正确（应为 %(check)s），请核对专利证书。"),
            code="patent_checksum",
            params={"value": value, "check": patent_check_char(digits)},
        )

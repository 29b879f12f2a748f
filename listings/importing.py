"""Bulk import of technology achievements (科技成果) and demands (技术需求) from a spreadsheet.

An organization keeps its catalogue in Excel. It downloads the template, fills one listing per
row and uploads the file (.xlsx, or .csv in UTF-8 or GBK). The whole file is checked before
anything is written, and every problem is reported with its row and column, so a person can
fix them all in one pass. Only a clean file is saved, in one transaction, as drafts that the
owner submits for review afterwards.

Row numbers are the ones the person sees in Excel: the header is row 1, the first data row 2.
File-level problems (type, encoding, size) carry row 0; header problems carry row 1.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import PurePath

import filetype
import tablib
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from listings.choices import (
    CooperationMode,
    Industry,
    IPKind,
    IPStatus,
    ListingStatus,
    MaturityStage,
    TechField,
)
from listings.kinds import ACHIEVEMENT, DEMAND, ListingKind
from listings.models import IntellectualProperty, Listing, Mode
from listings.validators import (
    APPLICATION_RE,
    PUBLICATION_RE,
    normalize_patent_number,
    validate_patent_number,
)
from market import permissions
from market.regions import region_full_name, resolve_region
from market.spreadsheets import csv_cell, xlsx_cell

__all__ = [
    "SHEETS",
    "DuplicatesFound",
    "ImportFailed",
    "ImportResult",
    "LikelyDuplicate",
    "PreparedImport",
    "PreparedRow",
    "RowError",
    "import_template",
    "listings_import",
    "listings_import_prepare",
    "listings_import_save",
]

FORMATS = ("xlsx", "csv")
INSTRUCTIONS_SHEET = "说明"
BATCH_SIZE = 1000
# Below the 999-variable limit of older SQLite builds, for `__in` look-ups.
IN_CHUNK = 900
# An .xlsx is a zip; a few MB can inflate to gigabytes. Real sheets compress about 5–10x.
MAX_INFLATION = 20
# The templates have about 20 columns; a cell far to the right (XFD is column 16,384) would
# otherwise make every row that long.
MAX_COLUMNS = 100

XLSX_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls (and .doc)


# ── The public result types ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class RowError:
    """One problem, where the person will look for it."""

    row: int
    column: str
    message: str


class ImportFailed(Exception):
    """The file was not imported; `errors` says everything that must be fixed, sorted by row."""

    def __init__(self, errors: Iterable[RowError]):
        self.errors = list(errors)
        super().__init__(_("导入失败：共 %(n)d 处错误，未导入任何数据。") % {"n": len(self.errors)})


@dataclass
class ImportResult:
    created: int
    kind: str


@dataclass
class PreparedRow:
    """A checked row, ready to save: the unsaved listing and what hangs off it."""

    number: int
    listing: Listing
    mode_codes: list[str]
    patents: list[tuple[str, str, str]] = field(default_factory=list)  # number, kind, status


@dataclass(frozen=True)
class LikelyDuplicate:
    """A row without 编号 whose title the owner already has: likely the same file imported
    again. The person decides; nothing is refused for it."""

    row: int
    title: str
    existing: list[Listing]


@dataclass
class PreparedImport:
    kind: str
    rows: list[PreparedRow]
    duplicates: list[LikelyDuplicate] = field(default_factory=list)


class DuplicatesFound(Exception):
    """Rows look like listings the owner already has; import again with allow_duplicates."""

    def __init__(self, prepared: PreparedImport):
        self.prepared = prepared
        self.duplicates = prepared.duplicates
        super().__init__(
            _("有 %(n)d 行可能与已有的%(kind)s重复（同一机构、同一标题）。")
            % {"n": len(self.duplicates), "kind": _kind(prepared.kind).label}
        )


class _CellError(Exception):
    def __init__(self, *messages: str):
        self.messages = list(messages)


def _file_error(message: str, *, row: int = 0, column: str = "") -> ImportFailed:
    return ImportFailed([RowError(row, column, message)])


# ── Reading cells ────────────────────────────────────────────────────────────────────────────
# Cells arrive as str (CSV, text cells), int/float (numbers typed in Excel), bool or datetime.
# Each parser turns one cell into the model's value or raises _CellError with a reason.

SEPARATORS_RE = re.compile(r"[、,，;；/／\s]+")
LIST_SEPARATORS_RE = re.compile(r"[、,，;；/／\n]+")
DATE_SEPARATORS_RE = re.compile(r"[年月/.\-]")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        # Excel stores every number as a float: 420100 must read back as "420100".
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _key(text: str) -> str:
    """A spelling-insensitive key: full-width to half-width, no spaces, no case."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@lru_cache(maxsize=32)
def _choice_lookup(choices, language: str) -> dict[str, str]:
    """Codes and Chinese labels (and the labels in the active language) to values."""
    lookup = {}
    for value, label in choices.choices:
        lookup[_key(value)] = value
        lookup[_key(str(label))] = value
    with translation.override("zh-hans"):
        for value, label in choices.choices:
            lookup[_key(str(label))] = value
    return lookup


def _choice_labels(choices) -> str:
    return "、".join(str(label) for _value, label in choices.choices)


def _lookup(choices, text: str) -> str | None:
    return _choice_lookup(choices, translation.get_language() or "").get(_key(text))


FIELD_ALIASES = {
    "生物医药": TechField.BIO_MEDICINE,
    "资源环境": TechField.RESOURCES_ENVIRONMENT,
}
MODE_ALIASES = {
    "技术转让": CooperationMode.TRANSFER,
    "专利转让": CooperationMode.TRANSFER,
    "技术许可": CooperationMode.LICENSE,
    "专利许可": CooperationMode.LICENSE,
    "许可使用": CooperationMode.LICENSE,
    "技术入股": CooperationMode.EQUITY,
    "入股": CooperationMode.EQUITY,
    "联合开发": CooperationMode.JOINT_DEVELOPMENT,
}
TRUE_WORDS = {"是", "y", "yes", "1", "true", "√", "面议", "对"}
FALSE_WORDS = {"否", "n", "no", "0", "false", "×", "x", "不"}


def parse_text(value) -> str:
    return _text(value)


def parse_region(value) -> str:
    """A 6-digit code as written (the model checks it), or a region's name: "武汉市",
    "湖北省武汉市", "湖北省武汉市洪山区"."""
    text = _text(value)
    if not text or text.isdigit():
        return text
    codes = resolve_region(text)
    if len(codes) == 1:
        return codes[0]
    if not codes:
        raise _CellError(
            _("找不到地区“%(value)s”。请填写6位行政区划代码或完整的地区名称，如“湖北省武汉市”。")
            % {"value": text}
        )
    raise _CellError(
        _("有 %(count)d 个地区叫“%(value)s”：%(names)s。请写上所在的省市。")
        % {"count": len(codes), "value": text, "names": "、".join(map(region_full_name, codes))}
    )


def parse_field(value) -> str:
    text = _text(value)
    if not text:
        return ""
    found = _lookup(TechField, text) or FIELD_ALIASES.get(_key(text))
    if found:
        return found
    # People shorten the long names ("先进制造", "新能源"); accept a prefix that names one field.
    key = _key(text)
    if len(key) >= 2:
        matches = {
            value
            for value, label in TechField.choices
            if _key(str(label)).startswith(key) or _key(value).startswith(key)
        }
        if len(matches) == 1:
            return matches.pop()
    raise _CellError(
        _("“%(value)s”不是可选的技术领域。可选：%(labels)s。")
        % {"value": text, "labels": _choice_labels(TechField)}
    )


def parse_industry(value) -> str:
    text = _text(value)
    if not text:
        return ""
    found = _lookup(Industry, text)
    if found:
        return found
    # "C 制造业", "C-制造业": the section letter followed by its name.
    key = _key(text)
    letter, rest = key[:1].upper(), key[1:].lstrip("-_.:：、 ")
    if letter in Industry.values and (not rest or _lookup(Industry, rest) == letter):
        return letter
    raise _CellError(
        _("“%(value)s”不是国民经济行业门类。请填写门类字母（A–T，如 C）或名称（如 制造业）。")
        % {"value": text}
    )


def parse_maturity(value) -> str:
    text = _text(value)
    if not text:
        return ""
    found = _lookup(MaturityStage, text) or _lookup(MaturityStage, text.removesuffix("阶段"))
    if found:
        return found
    raise _CellError(
        _("“%(value)s”不是可选的成熟度阶段。可选：%(labels)s。")
        % {"value": text, "labels": _choice_labels(MaturityStage)}
    )


def parse_trl(value) -> int | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer():
            return int(value)
    else:
        key = _key(_text(value))
        if not key:
            return None
        key = key.removeprefix("trl").removesuffix("级")
        if key.isascii() and key.isdigit():
            return int(key)
    raise _CellError(
        _("技术就绪水平应填写 1–9 的整数（阿拉伯数字），您填写的是“%(value)s”。")
        % {"value": _text(value)}
    )


def parse_money(value) -> Decimal | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Through str, so 12.3 stays 12.3 rather than 12.300000000000000710...
        return Decimal(str(value))
    text = _text(value)
    if not text:
        return None
    key = re.sub(r"[,，]", "", _key(text)).lstrip("¥").removesuffix("万元").removesuffix("万")
    try:
        amount = Decimal(key)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise _CellError(
            _("“%(value)s”不是有效的金额。请填写以万元为单位的数字，例如 50 或 12.5。")
            % {"value": text}
        )
    return amount


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    key = _key(_text(value))
    if not key:
        return False
    if key in TRUE_WORDS:
        return True
    if key in FALSE_WORDS:
        return False
    raise _CellError(
        _("请填写“是”或“否”（也可以填 Y/N、true/false、1/0），您填写的是“%(value)s”。")
        % {"value": _text(value)}
    )


def parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    parts = [p for p in DATE_SEPARATORS_RE.split(_key(text).removesuffix("日")) if p]
    try:
        if len(parts) != 3 or not all(p.isdigit() for p in parts):
            raise ValueError(text)
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        raise _CellError(
            _("“%(value)s”不是有效的日期。请按 2026-12-31 的格式填写。") % {"value": text}
        ) from None


def parse_modes(value) -> list[str]:
    codes: list[str] = []
    unknown = []
    for token in SEPARATORS_RE.split(_text(value)):
        if not token:
            continue
        code = _lookup(CooperationMode, token) or MODE_ALIASES.get(_key(token))
        if code is None:
            unknown.append(token)
        elif code not in codes:
            codes.append(code)
    if unknown:
        raise _CellError(
            _("“%(value)s”不是可选的合作方式。可选：%(labels)s，多个用顿号分隔。")
            % {"value": "、".join(unknown), "labels": _choice_labels(CooperationMode)}
        )
    return codes


def patent_kind_and_status(number: str) -> tuple[str, str]:
    """The kind and status a valid, normalized patent number tells.

    In an application number (申请号) the 5th digit (3rd in pre-2003 8-digit numbers) is the
    kind: 1/8 invention, 2/9 utility model, 3 design. "ZL" marks a granted patent (专利号).
    In a publication number the kind code does: A is a published application, B/C a granted
    invention, U/Y a utility model, S a design.
    """
    if PUBLICATION_RE.match(number):
        code = number[11]
        kind = {"U": IPKind.UTILITY_MODEL, "Y": IPKind.UTILITY_MODEL, "S": IPKind.DESIGN_PATENT}
        status = IPStatus.PENDING if code == "A" else IPStatus.GRANTED
        return kind.get(code, IPKind.INVENTION_PATENT), status
    digits = APPLICATION_RE.match(number).group(1)
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    kind = {
        "1": IPKind.INVENTION_PATENT, "8": IPKind.INVENTION_PATENT,
        "2": IPKind.UTILITY_MODEL, "9": IPKind.UTILITY_MODEL,
        "3": IPKind.DESIGN_PATENT,
    }.get(type_digit)  # fmt: skip
    if kind is None:
        raise ValueError(number)
    return kind, IPStatus.GRANTED if number.startswith("ZL") else IPStatus.PENDING


def parse_patents(value) -> list[tuple[str, str, str]]:
    found: dict[str, tuple[str, str, str]] = {}
    messages = []
    for chunk in LIST_SEPARATORS_RE.split(_text(value)):
        chunk = chunk.strip()
        if not chunk:
            continue
        # "ZL 2019 1012 3456.7" is one number written with spaces; "CN…A CN…B" is two.
        candidates = [chunk]
        if re.search(r"\s", chunk):
            try:
                validate_patent_number(chunk)
            except ValidationError:
                candidates = chunk.split()
        for candidate in candidates:
            try:
                validate_patent_number(candidate)
                number = normalize_patent_number(candidate)
                kind, status = patent_kind_and_status(number)
            except ValidationError as e:
                messages.extend(e.messages)
                continue
            except ValueError:
                messages.append(
                    _("无法从专利号“%(value)s”看出专利类型：申请号第5位应为1、2、3、8或9。")
                    % {"value": candidate}
                )
                continue
            found.setdefault(number, (number, kind, status))
    if messages:
        raise _CellError(*messages)
    return list(found.values())


# ── The template's columns ───────────────────────────────────────────────────────────────────
# Headers are the file format, not UI text: they stay Chinese in every language so a template
# downloaded in one language imports in another.


@dataclass(frozen=True)
class Column:
    header: str  # as in the template; "*" marks a required column
    field: str  # the model field, or "modes" / "patents" for the related rows
    parse: Callable
    help: str
    example: str = ""
    aliases: tuple[str, ...] = ()
    dropdown: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.header.rstrip("*")

    @property
    def required(self) -> bool:
        return self.header.endswith("*")


def _labels(choices) -> tuple[str, ...]:
    # Chinese labels are the source strings, so str() of the lazy label is the Chinese one
    # whatever language is active when the module loads.
    return tuple(str(label) for _value, label in choices.choices)


YES_NO = ("是", "否")

REF = Column(
    "编号",
    "ref",
    parse_text,
    gettext_lazy(
        "机构自己的编号，可不填。填写后同一机构内不能重复，再次导入同一编号会被识别为重复。"
    ),
    "KJCG-2026-001",
)
TITLE = Column("标题*", "title", parse_text, gettext_lazy("不超过200字。"))
SUMMARY = Column("摘要", "summary", parse_text, gettext_lazy("一两句话的简介，不超过500字。"))
FIELD = Column(
    "技术领域*",
    "field",
    parse_field,
    gettext_lazy("国家重点支持的高新技术领域，从下拉列表中选择一项。"),
    "新材料",
    dropdown=_labels(TechField),
)
INDUSTRY = Column(
    "所属行业",
    "industry",
    parse_industry,
    gettext_lazy("国民经济行业门类（GB/T 4754）：填写字母 A–T 或名称，例如 C 或 制造业。"),
    "C",
)
KEYWORDS = Column(
    "关键词",
    "keywords",
    parse_text,
    gettext_lazy("多个关键词用顿号、逗号或空格分隔；最多20个，每个不超过30字。"),
    "正极材料、锂离子电池",
)
REGION = Column(
    "地区代码*",
    "region_code",
    parse_region,
    gettext_lazy("6位行政区划代码或地区名称，例如 420100 或 湖北省武汉市。"),
    "420100",
)
CONTACT = Column("联系人*", "contact_name", parse_text, gettext_lazy("不超过50字。"), "张老师")
PHONE = Column(
    "联系电话", "contact_phone", parse_text, gettext_lazy("手机或座机。"), "027-87654321"
)
EMAIL = Column(
    "联系邮箱", "contact_email", parse_text, gettext_lazy("可不填。"), "zhang@example.edu.cn"
)

ACHIEVEMENT_COLUMNS = (
    REF,
    Column(TITLE.header, "title", parse_text, TITLE.help, "一种高镍三元正极材料的低成本制备方法"),
    Column(
        SUMMARY.header,
        "summary",
        parse_text,
        SUMMARY.help,
        "以共沉淀—固相法制备高镍正极材料，成本降低20%。",
    ),
    Column(
        "详细描述*",
        "description",
        parse_text,
        gettext_lazy("技术原理、创新点、应用场景、所处阶段。"),
        "本成果采用……工艺，已完成千吨级中试验证……",
    ),
    FIELD,
    INDUSTRY,
    KEYWORDS,
    Column(
        "TRL",
        "trl",
        parse_trl,
        gettext_lazy("技术就绪水平，1–9 的整数。与“成熟度阶段”至少填写一项。"),
        "6",
        aliases=("技术就绪水平", "技术就绪水平(TRL)"),
    ),
    Column(
        "成熟度阶段",
        "maturity",
        parse_maturity,
        gettext_lazy("从下拉列表中选择；只填 TRL 时会自动推算。"),
        "中试",
        dropdown=_labels(MaturityStage),
    ),
    Column(
        "转化方式*",
        "modes",
        parse_modes,
        gettext_lazy("可填多项，用顿号分隔。可选：转让、许可、作价入股、合作开发、技术服务。"),
        "转让、许可",
    ),
    Column(
        "面议",
        "price_negotiable",
        parse_bool,
        gettext_lazy("填“是”或“否”。选“否”或不填时，必须填写转让价格。"),
        "否",
        dropdown=YES_NO,
    ),
    Column(
        "转让价格（万元）",
        "asking_price",
        parse_money,
        gettext_lazy("单位万元，例如 50 或 12.5。"),
        "300",
        aliases=("转让价格", "价格"),
    ),
    Column("发明人", "inventors", parse_text, gettext_lazy("多人用顿号分隔。"), "张三、李四"),
    Column(
        "量化优势",
        "advantage",
        parse_text,
        gettext_lazy("与现有技术相比的量化指标，企业最关心这一项。"),
        "能耗降低30%，循环寿命提高至2000次",
    ),
    Column(
        "经济效益",
        "economics",
        parse_text,
        gettext_lazy("投资、成本、预期收益。"),
        "投资约2000万元，达产后年产值1.5亿元",
    ),
    Column(
        "专利号",
        "patents",
        parse_patents,
        gettext_lazy(
            "申请号（如 ZL202110012345.9）或公开/公告号（如 CN110123456A），多个用顿号分隔。"
            "以 ZL 开头的视为已授权。"
        ),
        "ZL202110012345.9、CN110123456A",
    ),
    REGION,
    CONTACT,
    PHONE,
    EMAIL,
)

DEMAND_COLUMNS = (
    Column(REF.header, "ref", parse_text, REF.help, "XQ-2026-001"),
    Column(TITLE.header, "title", parse_text, TITLE.help, "寻求动力电池高镍正极材料量产技术"),
    Column(SUMMARY.header, "summary", parse_text, SUMMARY.help, "现有产线良品率低，寻求工艺改进。"),
    Column(
        "问题描述*",
        "description",
        parse_text,
        gettext_lazy("要解决的问题、现状、已经尝试过的办法。"),
        "我公司正极材料产线良品率为92%……",
    ),
    Column(
        "预期目标*",
        "expected_outcome",
        parse_text,
        gettext_lazy("希望达到的量化指标，例如良品率提高到99%。"),
        "良品率提高到99%",
    ),
    Column(FIELD.header, "field", parse_field, FIELD.help, "新材料", dropdown=FIELD.dropdown),
    INDUSTRY,
    Column(KEYWORDS.header, "keywords", parse_text, KEYWORDS.help, "正极材料、良品率"),
    Column(
        "最低TRL",
        "required_trl",
        parse_trl,
        gettext_lazy("可接受的最低技术就绪水平，1–9 的整数，可不填。"),
        "6",
        aliases=("最低技术就绪水平",),
    ),
    Column(
        "合作方式*",
        "modes",
        parse_modes,
        gettext_lazy(
            "可接受的方式，可填多项，用顿号分隔。可选：转让、许可、作价入股、合作开发、技术服务。"
        ),
        "合作开发、技术服务",
    ),
    Column(
        "预算面议",
        "budget_negotiable",
        parse_bool,
        gettext_lazy("填“是”或“否”。选“否”或不填时，必须填写预算下限或上限。"),
        "否",
        dropdown=YES_NO,
    ),
    Column(
        "预算下限（万元）",
        "budget_min",
        parse_money,
        gettext_lazy("单位万元。"),
        "50",
        aliases=("预算下限",),
    ),
    Column(
        "预算上限（万元）",
        "budget_max",
        parse_money,
        gettext_lazy("单位万元，不能低于下限。"),
        "200",
        aliases=("预算上限",),
    ),
    Column(
        "截止日期",
        "deadline",
        parse_date,
        gettext_lazy("格式 2026-12-31，可不填。"),
        "2026-12-31",
    ),
    REGION,
    Column(CONTACT.header, "contact_name", parse_text, CONTACT.help, "王经理"),
    Column(PHONE.header, "contact_phone", parse_text, PHONE.help, "13800138000"),
    Column(EMAIL.header, "contact_email", parse_text, EMAIL.help, "wang@example.com"),
)


@dataclass(frozen=True)
class _Sheet:
    """How one kind of listing is written in a spreadsheet. The sheet's title stays Chinese
    in every language, so a template downloaded under English imports under Chinese."""

    kind: ListingKind
    title: str
    columns: tuple[Column, ...]

    @property
    def model(self) -> type[Listing]:
        return self.kind.model

    @property
    def label(self):
        return self.kind.label

    @property
    def modes_field(self) -> str:
        return self.kind.modes_field

    @property
    def org_kinds(self) -> tuple[str, ...]:
        return self.kind.owner_kinds


SHEETS = {
    ACHIEVEMENT.key: _Sheet(ACHIEVEMENT, "科技成果", ACHIEVEMENT_COLUMNS),
    DEMAND.key: _Sheet(DEMAND, "技术需求", DEMAND_COLUMNS),
}


def _kind(kind: str) -> _Sheet:
    try:
        return SHEETS[kind]
    except KeyError:
        raise ValueError(f"unknown listing kind {kind!r}; expected {sorted(SHEETS)}") from None


# ── The template ─────────────────────────────────────────────────────────────────────────────


def import_template(kind: str, fmt: str) -> bytes:
    """The empty template for `kind` as .xlsx (with a 说明 sheet and drop-downs) or as .csv
    (the header row only, UTF-8 with a BOM so Excel on Chinese Windows reads it right)."""
    spec = _kind(kind)
    headers = [c.header for c in spec.columns]
    if fmt == "csv":
        headers = [csv_cell(h) for h in headers]
        return ("\ufeff" + tablib.Dataset(headers=headers).export("csv")).encode("utf-8")
    if fmt != "xlsx":
        raise ValueError(f"unknown template format {fmt!r}; expected one of {FORMATS}")

    sheet = tablib.Dataset(headers=headers, title=spec.title)
    notes = tablib.Dataset(
        headers=[_("列名"), _("是否必填"), _("填写说明"), _("可选值"), _("示例")],
        title=INSTRUCTIONS_SHEET,
    )
    for column in spec.columns:
        notes.append([
            column.header, _("必填") if column.required else _("选填"), str(column.help),
            _allowed_values(column), column.example,
        ])  # fmt: skip
    notes.append([""] * notes.width)
    for line in (
        _("在“%(sheet)s”工作表中每行填写一条%(kind)s，第1行是表头，请勿修改或删除带 * 的列。")
        % {"sheet": spec.title, "kind": spec.label},
        _("导入时会检查所有行：只要有一处错误，就不会导入任何数据，并列出每处错误所在的行和列。"),
        _("导入的%(kind)s是草稿，请在“我的发布”中检查后提交审核。") % {"kind": spec.label},
    ):
        notes.append(["", "", line, "", ""])
    return _decorate_xlsx(tablib.Databook([sheet, notes]).export("xlsx"), spec)


def _allowed_values(column: Column) -> str:
    if column.parse is parse_industry:
        return "；".join(f"{value} {label}" for value, label in Industry.choices)
    choices = {
        parse_field: TechField, parse_maturity: MaturityStage, parse_modes: CooperationMode,
    }.get(column.parse)  # fmt: skip
    if choices is not None:
        return _choice_labels(choices)
    return {parse_bool: "是、否", parse_trl: "1–9"}.get(column.parse, "")


def _decorate_xlsx(data: bytes, spec: _Sheet) -> bytes:
    """Add what tablib cannot express: drop-down lists, text-formatted code columns, widths."""
    from openpyxl.worksheet.datavalidation import DataValidation

    book = load_workbook(io.BytesIO(data))
    sheet = book[spec.title]
    last_row = settings.LISTING_IMPORT_MAX_ROWS + 1
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        width = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in column.header)
        sheet.column_dimensions[letter].width = max(width + 4, 12)
        if column.dropdown:
            validation = DataValidation(
                type="list",
                formula1='"' + ",".join(column.dropdown) + '"',
                allow_blank=True,
                errorStyle="warning",
                showErrorMessage=True,
            )
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.add_data_validation(validation)
        if column.field in ("ref", "region_code", "contact_phone", "patents"):
            # As text, so Excel keeps "0012" and long numbers instead of reformatting them.
            sheet.column_dimensions[letter].number_format = "@"
    notes = book[INSTRUCTIONS_SHEET]
    for row in (*sheet.iter_rows(), *notes.iter_rows()):
        for cell in row:
            xlsx_cell(cell)
    for letter, width in zip("ABCDE", (18, 10, 60, 50, 36), strict=True):
        notes.column_dimensions[letter].width = width
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ── Reading the file ─────────────────────────────────────────────────────────────────────────


@dataclass
class _Table:
    header: list
    header_row: int
    rows: list[tuple[int, list]]  # (row number as Excel shows it, cells)


def _not_a_table(hint: str = "") -> ImportFailed:
    message = _(
        "文件内容不是有效的 Excel/CSV 表格。请下载模板，填写后保存为 .xlsx 或 .csv 再导入。"
    )
    if hint:
        message += _("（这个文件实际是 %(type)s 文件。）") % {"type": hint}
    return _file_error(message)


def _read_table(kind: _Sheet, file_name: str, data: bytes) -> _Table:
    max_bytes = settings.LISTING_IMPORT_MAX_BYTES
    if not data:
        raise _file_error(_("文件是空的。请下载模板，填写后再导入。"))
    if len(data) > max_bytes:
        raise _file_error(
            _("文件大小为 %(size)s，超过上限 %(limit)s。请拆分成几个文件分别导入。")
            % {"size": _size(len(data)), "limit": _size(max_bytes)}
        )
    suffix = PurePath(file_name or "").suffix.lower()
    if data.startswith(XLSX_MAGIC):
        cells, numbers = _read_xlsx(kind, data)
    elif data.startswith(OLE2_MAGIC):
        raise _file_error(
            _("这是旧版 Excel（.xls）文件。请在 Excel 中“另存为”.xlsx 或 CSV UTF-8 后再导入。")
        )
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        raise _not_a_table()
    else:
        cells, numbers = _read_csv(data)

    rows = [(n, list(r)) for n, r in zip(numbers, cells, strict=True) if not all(map(_is_blank, r))]
    if not rows:
        raise _file_error(_("文件中没有内容。请下载模板，填写后再导入。"))
    (header_row, header), data_rows = rows[0], rows[1:]
    if not data_rows:
        raise _file_error(
            _("表格中只有表头，没有数据。请从第2行起每行填写一条%(kind)s。") % {"kind": kind.label}
        )
    max_rows = settings.LISTING_IMPORT_MAX_ROWS
    if len(data_rows) > max_rows:
        raise _file_error(
            _("表格有 %(n)d 行数据，超过每次导入的上限 %(max)d 行。请拆分成几个文件分别导入。")
            % {"n": len(data_rows), "max": max_rows}
        )
    return _Table(header=header, header_row=header_row, rows=data_rows)


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _last_row(max_rows: int) -> int:
    """The last sheet row read: the header, the data rows allowed, and room for blank rows."""
    return 1 + max_rows + max(100, max_rows // 10)


def _read_xlsx(kind: _Sheet, data: bytes) -> tuple[list[list], list[int]]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _not_a_table() from None
    if "xl/workbook.xml" not in names:
        hint = "Word" if "word/document.xml" in names else "zip"
        raise _not_a_table(hint)
    if inflated > MAX_INFLATION * settings.LISTING_IMPORT_MAX_BYTES:
        raise _file_error(_("表格解压后过大，请拆分成几个文件分别导入。"))
    try:
        # Read-only: the sheet is streamed row by row, so a lone cell far down or far right
        # costs nothing until it is reached, and reading stops at the limits.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of error on a damaged file
        raise _not_a_table() from None
    try:
        sheets = [s for s in book.worksheets if s.title != INSTRUCTIONS_SHEET] or book.worksheets
        sheet = next((s for s in sheets if s.title == kind.title), sheets[0] if sheets else None)
        return _stream_sheet(sheet) if sheet is not None else ([], [])
    except ImportFailed:
        raise
    except Exception:  # a damaged sheet shows only while it is read
        raise _not_a_table() from None
    finally:
        book.close()


def _stream_sheet(sheet) -> tuple[list[list], list[int]]:
    """The sheet's non-blank rows and their numbers, read up to the row and column limits."""
    # The <dimension> a sheet records may be wrong (some programs write A1 for any sheet);
    # trusting it would silently drop rows or columns, so read what the sheet really holds.
    sheet.reset_dimensions()
    max_rows = settings.LISTING_IMPORT_MAX_ROWS
    last_row = _last_row(max_rows)
    cells: list[list] = []
    numbers: list[int] = []
    # Rows the sheet skips come back empty, so the count is the row number Excel shows.
    for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
        if number > last_row:
            raise _file_error(
                _(
                    "表格在第 %(last)d 行之后还有单元格（可能是很靠下的某一格有内容或格式，"
                    "在 Excel 中按 Ctrl+End 可以找到它）。每次最多导入 %(max)d 行数据。"
                    "请删除多余的行，或拆分成几个文件分别导入。"
                )
                % {"last": last_row, "max": max_rows}
            )
        if len(row) > MAX_COLUMNS:
            extra = next((i for i, v in enumerate(row[MAX_COLUMNS:]) if not _is_blank(v)), None)
            if extra is not None:
                raise _too_many_columns(f"{get_column_letter(MAX_COLUMNS + 1 + extra)}{number}")
            row = row[:MAX_COLUMNS]
        if not all(map(_is_blank, row)):
            cells.append(list(row))
            numbers.append(number)
    return cells, numbers


def _too_many_columns(where: str) -> ImportFailed:
    return _file_error(
        _(
            "表格超过 %(max)d 列：%(where)s 还有内容。每次最多读取 %(max)d 列，"
            "请删除模板以外的列后再导入。"
        )
        % {"max": MAX_COLUMNS, "where": where}
    )


def _decode(data: bytes, hint: str = "") -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode 文本" is UTF-16 with a BOM.
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif b"\x00" not in data:
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise _file_error(
            _(
                "无法识别文件的文字编码。"
                "请在 Excel 中“另存为”CSV UTF-8（逗号分隔）或 .xlsx 后再导入。"
            )
        )
    raise _not_a_table(hint)


def _read_csv(data: bytes) -> tuple[list[list], list[int]]:
    guessed = filetype.guess(data)
    hint = guessed.extension.upper() if guessed is not None else ""
    # Some signatures are two letters ("BM" is a bitmap), so a header line that has a
    # delimiter is given the benefit of the doubt; a real binary fails to decode anyway.
    first_line = data[:4096].split(b"\n", 1)[0]
    if hint and b"," not in first_line and b"\t" not in first_line:
        raise _not_a_table(hint)
    text = _decode(data, hint)
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    # tablib skips blank lines and refuses rows longer than the header. A pass of the same
    # csv reader finds both, so row numbers stay the ones Excel shows.
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error:
        raise _not_a_table() from None
    numbers = [i for i, record in enumerate(records, start=1) if record]
    if not numbers:
        return [], []
    for n in numbers:
        record = records[n - 1]
        if len(record) > MAX_COLUMNS:
            extra = next((i for i, v in enumerate(record[MAX_COLUMNS:]) if v.strip()), None)
            if extra is not None:
                raise _too_many_columns(f"{get_column_letter(MAX_COLUMNS + 1 + extra)}{n}")
    width = len(records[numbers[0] - 1])
    too_long = [
        RowError(
            n,
            "",
            _("这一行有 %(n)d 个单元格，多于表头的 %(width)d 列。请检查是否有多余的逗号。")
            % {"n": len(records[n - 1]), "width": width},
        )
        for n in numbers
        if len(records[n - 1]) > width
    ]
    if too_long:
        raise ImportFailed(too_long)
    dataset = tablib.Dataset().load(text, format="csv", headers=False, delimiter=delimiter)
    return [list(r) for r in dataset], numbers


# ── Checking rows ────────────────────────────────────────────────────────────────────────────


def _match_columns(kind: _Sheet, table: _Table) -> dict[int, Column]:
    by_key = {}
    for column in kind.columns:
        for name in (column.header, column.name, *column.aliases):
            by_key[_key(name).rstrip("*")] = column
    found: dict[int, Column] = {}
    errors = []
    for index, cell in enumerate(table.header):
        text = _text(cell)
        if not text:
            continue
        column = by_key.get(_key(text).strip("*"))
        if column is None:
            errors.append(
                RowError(
                    table.header_row,
                    text,
                    _("无法识别的列“%(name)s”。请使用模板中的列名，或删除这一列。")
                    % {"name": text},
                )
            )
        elif column in found.values():
            errors.append(
                RowError(
                    table.header_row,
                    column.header,
                    _("列“%(name)s”出现了不止一次。") % {"name": column.name},
                )
            )
        else:
            found[index] = column
    missing = [c for c in kind.columns if c.required and c not in found.values()]
    if missing:
        other = SHEETS[kind.kind.other.key]
        other_keys = {_key(n).rstrip("*") for c in other.columns for n in (c.header, c.name)}
        own_keys = {_key(c.name) for c in kind.columns}
        header_keys = {_key(_text(c)).strip("*") for c in table.header if _text(c)}
        if header_keys & (other_keys - own_keys):
            raise _file_error(
                _("这是%(other)s表格，而您选择的是导入%(kind)s。请选择正确的导入类型或模板。")
                % {"other": other.label, "kind": kind.label},
                row=table.header_row,
            )
    for column in missing:
        errors.append(
            RowError(
                table.header_row,
                column.header,
                _("缺少必填列“%(name)s”。请使用下载的模板，不要删除带 * 的列。")
                % {"name": column.name},
            )
        )
    if errors:
        raise ImportFailed(errors)
    return found


def listings_import_prepare(
    *, actor, owner, kind: str, file_name: str, data: bytes, progress=None
) -> PreparedImport:
    """Check permission, read the file and check every row, without writing anything.

    Raises PermissionDenied, or ImportFailed with every problem found.
    """
    spec = _kind(kind)
    if not permissions.is_org_editor(actor, owner.pk):
        raise PermissionDenied(
            _("您不是“%(org)s”的管理员或成员，不能为它导入数据。") % {"org": owner.name}
        )
    if owner.kind not in spec.org_kinds:
        raise PermissionDenied(
            _("%(org_kind)s不能发布%(kind)s。")
            % {"org_kind": owner.get_kind_display(), "kind": spec.label}
        )

    table = _read_table(spec, file_name, data)
    checker = _RowChecker(spec, _match_columns(spec, table), owner=owner, actor=actor)
    errors: list[RowError] = []
    rows: list[PreparedRow] = []
    total = len(table.rows)
    step = max(1, total // 100)
    for done, (number, cells) in enumerate(table.rows, start=1):
        rows.append(checker.check(number, cells, errors))
        if progress is not None and (done % step == 0 or done == total):
            progress(done, total)

    errors.extend(_ref_errors(spec, owner, rows))
    if errors:
        position = {c.header: i for i, c in enumerate(spec.columns)}
        errors.sort(key=lambda e: (e.row, position.get(e.column, -1)))
        raise ImportFailed(errors)
    return PreparedImport(kind=kind, rows=rows, duplicates=_likely_duplicates(spec, owner, rows))


class _RowChecker:
    """Turns one row into an unsaved listing, checked by the model's own full_clean()."""

    # Ours and known good; checking a foreign key costs a query per row.
    EXCLUDE = ("owner", "market", "created_by")

    def __init__(self, spec: _Sheet, columns: dict[int, Column], *, owner, actor):
        self.spec = spec
        self.owner = owner
        self.actor = actor
        self.header_of = {c.field: c.header for c in spec.columns}
        self.model_columns = [
            (i, c) for i, c in columns.items() if c.field not in ("modes", "patents")
        ]
        self.modes = next((i, c) for i, c in columns.items() if c.field == "modes")
        self.patents = next(((i, c) for i, c in columns.items() if c.field == "patents"), None)

    def check(self, number: int, cells: list, errors: list[RowError]) -> PreparedRow:
        bad: set[str] = set()

        def parse(index: int, column: Column):
            try:
                return column.parse(cells[index] if index < len(cells) else None)
            except _CellError as e:
                bad.add(column.header)
                errors.extend(RowError(number, column.header, m) for m in e.messages)
                return None

        values = {
            "owner": self.owner, "market_id": self.owner.market_id, "created_by": self.actor,
            "status": ListingStatus.DRAFT,
        }  # fmt: skip
        for index, column in self.model_columns:
            value = parse(index, column)
            if value is not None:
                values[column.field] = value
        mode_codes = parse(*self.modes) or []
        modes_column = self.modes[1]
        if not mode_codes and modes_column.header not in bad:
            errors.append(
                RowError(
                    number,
                    modes_column.header,
                    _("请至少填写一种%(name)s。可选：%(labels)s。")
                    % {"name": modes_column.name, "labels": _choice_labels(CooperationMode)},
                )
            )
        patents = (parse(*self.patents) or []) if self.patents else []

        listing = self.spec.model(**values)
        try:
            listing.full_clean(
                exclude=self.EXCLUDE, validate_unique=False, validate_constraints=False
            )
        except ValidationError as e:
            for name, field_errors in e.error_dict.items():
                header = self.header_of.get(name, "")
                if header in bad:
                    continue  # the cell's own parse error already says what is wrong
                errors.extend(
                    RowError(number, header, m)
                    for error in field_errors
                    for m in _in_spreadsheet_words(error)
                )
        return PreparedRow(number, listing, mode_codes, patents)


def _likely_duplicates(spec: _Sheet, owner, rows: list[PreparedRow]) -> list[LikelyDuplicate]:
    """Rows without 编号 titled like a listing the owner already has (编号 rows are checked
    by _ref_errors, and refused, instead)."""
    titles = sorted({row.listing.title for row in rows if not row.listing.ref})
    existing: dict[str, list[Listing]] = {}
    for start in range(0, len(titles), IN_CHUNK):
        for listing in spec.model.objects.filter(
            owner=owner, title__in=titles[start : start + IN_CHUNK]
        ).order_by("pk"):
            existing.setdefault(listing.title, []).append(listing)
    return [
        LikelyDuplicate(row.number, row.listing.title, existing[row.listing.title])
        for row in rows
        if not row.listing.ref and row.listing.title in existing
    ]


def _spreadsheet_messages() -> dict[str, str]:
    # A form has a 面议 checkbox; a spreadsheet has a column to type in.
    return {
        "price_missing": _("请填写转让价格（万元），或在“面议”列填写“是”。"),
        "budget_missing": _("请填写预算下限或上限（万元），或在“预算面议”列填写“是”。"),
    }


def _in_spreadsheet_words(error: ValidationError) -> list[str]:
    message = _spreadsheet_messages().get(error.code)
    return [message] if message else error.messages


def _ref_errors(spec: _Sheet, owner, rows: list[PreparedRow]) -> list[RowError]:
    """编号 is unique per owner: within the file and against what the owner already has."""
    header = next(c.header for c in spec.columns if c.field == "ref")
    errors = []
    first_seen: dict[str, int] = {}
    for row in rows:
        ref = row.listing.ref
        if not ref:
            continue
        if ref in first_seen:
            errors.append(
                RowError(
                    row.number,
                    header,
                    _("编号“%(ref)s”与第 %(row)d 行重复。") % {"ref": ref, "row": first_seen[ref]},
                )
            )
        else:
            first_seen[ref] = row.number
    refs = list(first_seen)
    taken = set()
    for start in range(0, len(refs), IN_CHUNK):
        taken.update(
            spec.model.objects.filter(
                owner=owner, ref__in=refs[start : start + IN_CHUNK]
            ).values_list("ref", flat=True)
        )
    for ref in sorted(taken, key=first_seen.get):
        errors.append(
            RowError(
                first_seen[ref],
                header,
                _("编号“%(ref)s”已被本机构的另一条%(kind)s使用（可能已经导入过）。")
                % {"ref": ref, "kind": spec.label},
            )
        )
    return errors


# ── Saving ───────────────────────────────────────────────────────────────────────────────────


def listings_import_save(prepared: PreparedImport) -> ImportResult:
    """Write checked rows in one transaction: the listings, their modes and their IP."""
    spec = _kind(prepared.kind)
    listings = [row.listing for row in prepared.rows]
    returns_ids = connection.features.can_return_rows_from_bulk_insert
    if not returns_ids:
        # Without RETURNING, find the new rows again by a token only they carry.
        for listing in listings:
            listing.client_token = uuid.uuid4()
    try:
        with transaction.atomic():
            spec.model.objects.bulk_create(listings, batch_size=BATCH_SIZE)
            if not returns_ids:
                _fetch_ids(spec.model, listings)
            mode_ids = _mode_ids()
            through = getattr(spec.model, spec.modes_field).through
            fk = f"{spec.model._meta.model_name}_id"
            through.objects.bulk_create(
                [
                    through(**{fk: row.listing.pk, "mode_id": mode_ids[code]})
                    for row in prepared.rows
                    for code in row.mode_codes
                ],
                batch_size=BATCH_SIZE,
            )
            IntellectualProperty.objects.bulk_create(
                [
                    IntellectualProperty(
                        achievement_id=row.listing.pk, kind=kind, number=number, status=status
                    )
                    for row in prepared.rows
                    for number, kind, status in row.patents
                ],
                batch_size=BATCH_SIZE,
            )
    except IntegrityError:
        # Another import of the same 编号 committed between our check and our insert.
        for listing in listings:
            listing.pk = None
        raise _file_error(
            _("保存时发现编号与刚刚导入的数据冲突（可能有人同时在导入）。请重新导入这个文件。")
        ) from None
    return ImportResult(created=len(listings), kind=prepared.kind)


def _fetch_ids(model, listings: list[Listing]) -> None:
    tokens = [listing.client_token for listing in listings]
    ids = {}
    for start in range(0, len(tokens), IN_CHUNK):
        ids.update(
            model.objects.filter(client_token__in=tokens[start : start + IN_CHUNK]).values_list(
                "client_token", "pk"
            )
        )
    for listing in listings:
        listing.pk = ids[listing.client_token]


def _mode_ids() -> dict[str, int]:
    ids = dict(Mode.objects.values_list("code", "pk"))
    for code in CooperationMode.values:
        if code not in ids:  # seeded by a migration; recreate if someone deleted one
            ids[code] = Mode.objects.get_or_create(code=code)[0].pk
    return ids


def listings_import(
    *,
    actor,
    owner,
    kind: str,
    file_name: str,
    data: bytes,
    progress=None,
    allow_duplicates: bool = False,
) -> ImportResult:
    """Import a filled-in template as draft listings of `owner`: all rows or none.

    `progress(done, total)` is called while rows are checked. Raises PermissionDenied when
    `actor` may not write `owner`'s listings, ImportFailed listing every problem found, and
    DuplicatesFound when rows look like listings the owner has, unless `allow_duplicates`.
    """
    prepared = listings_import_prepare(
        actor=actor, owner=owner, kind=kind, file_name=file_name, data=data, progress=progress
    )
    if prepared.duplicates and not allow_duplicates:
        raise DuplicatesFound(prepared)
    return listings_import_save(prepared)

"""Bulk import of achievements and demands from .xlsx and .csv (批量导入)."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from openpyxl import load_workbook

from listings.choices import IPKind, IPStatus, ListingStatus
from listings.importing import (
    DuplicatesFound,
    ImportFailed,
    import_template,
    listings_import,
    patent_kind_and_status,
)
from listings.models import Achievement, Demand, IntellectualProperty
from listings.validators import patent_check_char
from market.choices import OrganizationKind
from tests.factories import AchievementFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

SHEET = {"achievement": "科技成果", "demand": "技术需求"}
DEADLINE = (timezone.localdate() + timedelta(days=90)).isoformat()


def patent(digits: str, prefix: str = "ZL") -> str:
    return f"{prefix}{digits}.{patent_check_char(digits)}"


INVENTION = patent("202110012345")  # 5th digit 1: invention, ZL: granted
UTILITY = patent("202120054321", prefix="")  # 5th digit 2: utility model, no ZL: pending


def achievement_row(**changes):
    row = {
        "编号": "",
        "标题*": "一种高镍三元正极材料的低成本制备方法",
        "摘要": "共沉淀—固相法，成本降低20%。",
        "详细描述*": "本成果采用新型共沉淀工艺，已完成千吨级中试验证。",
        "技术领域*": "新材料",
        "所属行业": "C",
        "关键词": "正极材料、锂离子电池",
        "TRL": "6",
        "成熟度阶段": "",
        "转化方式*": "转让、许可",
        "面议": "否",
        "转让价格（万元）": "300",
        "发明人": "张三、李四",
        "量化优势": "能耗降低30%",
        "经济效益": "年产值1.5亿元",
        "专利号": "",
        "地区代码*": "420100",
        "联系人*": "张老师",
        "联系电话": "027-87654321",
        "联系邮箱": "zhang@example.edu.cn",
    }
    return with_changes(row, changes)


def demand_row(**changes):
    row = {
        "编号": "",
        "标题*": "寻求动力电池正极材料量产技术",
        "摘要": "现有产线良品率低。",
        "问题描述*": "我公司正极材料产线良品率为92%，希望改进烧结工艺。",
        "预期目标*": "良品率提高到99%",
        "技术领域*": "新材料",
        "所属行业": "制造业",
        "关键词": "正极材料，良品率",
        "最低TRL": "6",
        "合作方式*": "合作开发；技术服务",
        "预算面议": "否",
        "预算下限（万元）": "50",
        "预算上限（万元）": "200",
        "截止日期": DEADLINE,
        "地区代码*": "420100",
        "联系人*": "王经理",
        "联系电话": "13800138000",
        "联系邮箱": "wang@example.com",
    }
    return with_changes(row, changes)


def with_changes(row: dict, changes: dict) -> dict:
    """Keyword arguments name a column without its "*" or unit: 标题="", 转让价格="50"."""
    for name, value in changes.items():
        header = next(h for h in row if name in (h, h.rstrip("*"), h.split("（")[0]))
        row[header] = value
    return row


def template_headers(kind: str) -> list[str]:
    return next(csv.reader(io.StringIO(import_template(kind, "csv").decode("utf-8-sig"))))


def fill(kind: str, fmt: str, rows: list[dict], encoding: str = "utf-8-sig") -> bytes:
    """Download the template and fill it in, the way a person would."""
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(import_template(kind, "xlsx")))
        sheet = book[SHEET[kind]]
        headers = [c.value for c in sheet[1]]
        for row in rows:
            sheet.append([row.get(h) for h in headers])
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()
    text = import_template(kind, "csv").decode("utf-8-sig")
    headers = next(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if row.get(h) is None else row.get(h) for h in headers])
    return (text + out.getvalue()).encode(encoding)


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def failure(**kwargs) -> list[tuple[int, str]]:
    with pytest.raises(ImportFailed) as caught:
        listings_import(**kwargs)
    return caught.value.errors


# ── The template ─────────────────────────────────────────────────────────────────────────────


def test_import_template_xlsx_has_header_row_and_instructions_sheet():
    book = load_workbook(io.BytesIO(import_template("achievement", "xlsx")))

    assert book.sheetnames == ["科技成果", "说明"]
    assert [c.value for c in book["科技成果"][1]][:5] == [
        "编号",
        "标题*",
        "摘要",
        "详细描述*",
        "技术领域*",
    ]
    assert book["科技成果"].max_row == 1
    notes = {row[0]: row for row in book["说明"].iter_rows(min_row=2, values_only=True)}
    assert notes["转化方式*"][1] == "必填"
    assert "作价入股" in notes["转化方式*"][2]
    assert notes["TRL"][1] == "选填"
    assert notes["技术领域*"][3].startswith("电子信息、生物与新医药")
    assert notes["所属行业"][3].startswith("A 农、林、牧、渔业；B 采矿业")


def test_import_template_csv_is_the_header_row_with_a_bom():
    data = import_template("demand", "csv")

    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "编号,标题*,摘要,问题描述*,预期目标*,技术领域*,所属行业,关键词,最低TRL,合作方式*,"
        "预算面议,预算下限（万元）,预算上限（万元）,截止日期,地区代码*,联系人*,联系电话,联系邮箱"
    ]


# ── Round trips ──────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_listings_import_achievement_template_round_trip(fmt, university, university_user):
    data = fill(
        "achievement", fmt,
        [
            achievement_row(编号="A-1", 专利号=f"{INVENTION}、{UTILITY}"),
            achievement_row(
                编号="A-2", 标题="一种催化剂", TRL="", 成熟度阶段="小试", 面议="是",
                转让价格="", 转化方式="作价入股", 技术领域="先进制造",
            ),
        ],
    )  # fmt: skip

    result = listings_import(
        actor=university_user, owner=university, kind="achievement",
        file_name=f"成果.{fmt}", data=data,
    )  # fmt: skip

    assert (result.created, result.kind) == (2, "achievement")
    first, second = Achievement.objects.filter(owner=university).order_by("ref")
    assert first.title == "一种高镍三元正极材料的低成本制备方法"
    assert first.status == ListingStatus.DRAFT
    assert first.market_id == university.market_id
    assert first.created_by == university_user
    assert first.field == "new_materials"
    assert first.industry == "C"
    assert first.keywords == ["正极材料", "锂离子电池"]
    assert (first.trl, first.maturity) == (6, "pilot")
    assert first.asking_price == Decimal("300")
    assert sorted(first.transfer_modes.values_list("code", flat=True)) == ["license", "transfer"]
    assert list(first.ip_items.values_list("number", "kind", "status")) == [
        (INVENTION, IPKind.INVENTION_PATENT, IPStatus.GRANTED),
        (UTILITY, IPKind.UTILITY_MODEL, IPStatus.PENDING),
    ]
    assert (second.trl, second.maturity) == (5, "small_pilot")
    assert second.price_negotiable is True
    assert second.asking_price is None
    assert second.field == "advanced_manufacturing"
    assert list(second.transfer_modes.values_list("code", flat=True)) == ["equity"]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_listings_import_demand_template_round_trip(fmt, enterprise, enterprise_user):
    data = fill("demand", fmt, [demand_row(编号="D-1"), demand_row(编号="D-2", 预算面议="是")])

    result = listings_import(
        actor=enterprise_user, owner=enterprise, kind="demand", file_name=f"需求.{fmt}", data=data
    )

    assert (result.created, result.kind) == (2, "demand")
    first, second = Demand.objects.filter(owner=enterprise).order_by("ref")
    assert first.expected_outcome == "良品率提高到99%"
    assert first.industry == "C"
    assert first.required_trl == 6
    assert (first.budget_min, first.budget_max) == (Decimal("50"), Decimal("200"))
    assert first.deadline.isoformat() == DEADLINE
    assert first.keywords == ["正极材料", "良品率"]
    assert sorted(first.cooperation_modes.values_list("code", flat=True)) == [
        "joint_development", "service",
    ]  # fmt: skip
    assert second.budget_negotiable is True
    assert (second.budget_min, second.budget_max) == (None, None)


def test_listings_import_xlsx_reads_numbers_and_dates_excel_typed(enterprise, enterprise_user):
    from datetime import datetime

    deadline = datetime.fromisoformat(DEADLINE)
    data = fill(
        "demand", "xlsx",
        [demand_row(最低TRL=7, 预算下限=12.5, 预算上限=80, 截止日期=deadline,
                    地区代码=420100, 联系电话=13800138000, 编号=1001, 预算面议=False)],
    )  # fmt: skip

    listings_import(
        actor=enterprise_user, owner=enterprise, kind="demand", file_name="d.xlsx", data=data
    )

    demand = Demand.objects.get(owner=enterprise)
    assert demand.required_trl == 7
    assert demand.budget_min == Decimal("12.5")
    assert demand.deadline.isoformat() == DEADLINE
    assert (demand.region_code, demand.contact_phone, demand.ref) == (
        "420100", "13800138000", "1001",
    )  # fmt: skip


# ── Encodings ────────────────────────────────────────────────────────────────────────────────


def test_listings_import_gbk_csv_keeps_chinese_text(university, university_user):
    data = fill(
        "achievement", "csv", [achievement_row(标题="基于深度学习的焊缝缺陷检测系统")], "gbk"
    )
    assert not data.startswith(b"\xef\xbb\xbf")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="成果.csv",
        data=data,
    )  # fmt: skip

    achievement = Achievement.objects.get(owner=university)
    assert achievement.title == "基于深度学习的焊缝缺陷检测系统"
    assert achievement.contact_name == "张老师"


def test_listings_import_utf8_csv_with_bom(university, university_user):
    data = fill("achievement", "csv", [achievement_row(标题="一种耐高温涂层")], "utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")

    listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert Achievement.objects.get(owner=university).title == "一种耐高温涂层"


def test_listings_import_utf8_csv_without_bom(university, university_user):
    data = fill("achievement", "csv", [achievement_row()], "utf-8")

    listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert Achievement.objects.filter(owner=university).count() == 1


def test_listings_import_undecodable_csv_is_refused(university, university_user):
    data = template_headers("achievement")[0].encode("utf-8") + b",\xff\xfe\xfa\n"

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(0, "")]
    assert "编码" in errors[0].message


# ── Row errors ───────────────────────────────────────────────────────────────────────────────


def test_listings_import_bad_rows_import_nothing_and_report_each(university, university_user):
    data = fill(
        "achievement", "xlsx",
        [
            achievement_row(编号="ok-1"),  # row 2
            achievement_row(标题=""),  # row 3
            achievement_row(技术领域="量子计算"),  # row 4
            achievement_row(编号="ok-2"),  # row 5
            achievement_row(TRL="十"),  # row 6
            achievement_row(地区代码="4201", 联系邮箱="not-an-email"),  # row 7
            achievement_row(转化方式="赠送"),  # row 8
            achievement_row(转让价格=""),  # row 9
        ],
    )  # fmt: skip

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.xlsx", data=data
    )

    assert [(e.row, e.column) for e in errors] == [
        (3, "标题*"),
        (4, "技术领域*"),
        (6, "TRL"),
        (7, "地区代码*"),
        (7, "联系邮箱"),
        (8, "转化方式*"),
        (9, "转让价格（万元）"),
    ]
    messages = {(e.row, e.column): e.message for e in errors}
    assert messages[(3, "标题*")] == "此字段不能为空。"
    assert "“量子计算”不是可选的技术领域" in messages[(4, "技术领域*")]
    assert "先进制造与自动化" in messages[(4, "技术领域*")]
    assert "1–9 的整数" in messages[(6, "TRL")]
    assert "“十”" in messages[(6, "TRL")]
    assert "6位数字" in messages[(7, "地区代码*")]
    assert "“赠送”不是可选的合作方式" in messages[(8, "转化方式*")]
    assert messages[(9, "转让价格（万元）")] == "请填写转让价格（万元），或在“面议”列填写“是”。"
    assert Achievement.objects.count() == 0
    assert IntellectualProperty.objects.count() == 0


def test_listings_import_bad_patent_number_names_the_number(university, university_user):
    wrong_check = INVENTION[:-1] + ("0" if INVENTION[-1] != "0" else "1")
    data = fill(
        "achievement", "csv",
        [achievement_row(专利号=INVENTION), achievement_row(专利号=f"{wrong_check}；ABC123")],
    )  # fmt: skip

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(3, "专利号"), (3, "专利号")]
    assert "校验位不正确" in errors[0].message
    assert wrong_check in errors[0].message
    assert "“ABC123”格式不正确" in errors[1].message
    assert Achievement.objects.count() == 0


def test_listings_import_budget_min_above_max_is_refused(enterprise, enterprise_user):
    data = fill("demand", "csv", [demand_row(预算下限="300", 预算上限="100")])

    errors = failure(
        actor=enterprise_user, owner=enterprise, kind="demand", file_name="d.csv", data=data
    )

    assert [(e.row, e.column, e.message) for e in errors] == [
        (2, "预算上限（万元）", "预算上限不能低于下限。")
    ]


def test_listings_import_bad_money_and_date_cells(enterprise, enterprise_user):
    data = fill("demand", "csv", [demand_row(预算下限="五十", 截止日期="明年底", 预算面议="也许")])

    errors = failure(
        actor=enterprise_user, owner=enterprise, kind="demand", file_name="d.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [
        (2, "预算面议"), (2, "预算下限（万元）"), (2, "截止日期"),
    ]  # fmt: skip
    assert "“五十”不是有效的金额" in errors[1].message


def test_listings_import_empty_modes_cell_is_refused(enterprise, enterprise_user):
    data = fill("demand", "csv", [demand_row(合作方式="")])

    errors = failure(
        actor=enterprise_user, owner=enterprise, kind="demand", file_name="d.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(2, "合作方式*")]
    assert "请至少填写一种合作方式" in errors[0].message


def test_listings_import_unknown_field_label_lists_the_choices(university, university_user):
    data = fill("achievement", "csv", [achievement_row(技术领域="量子信息", 所属行业="Z")])

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(2, "技术领域*"), (2, "所属行业")]
    assert "可选：电子信息、生物与新医药" in errors[0].message


# ── Header and file problems ─────────────────────────────────────────────────────────────────


def test_listings_import_missing_required_column_is_named(university, university_user):
    headers = [h for h in template_headers("achievement") if h != "联系人*"]
    row = achievement_row()
    data = csv_bytes([headers, [row[h] for h in headers]])

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(1, "联系人*")]
    assert "缺少必填列“联系人”" in errors[0].message


def test_listings_import_unknown_column_is_named(university, university_user):
    headers = [*template_headers("achievement"), "备注"]
    row = achievement_row()
    data = csv_bytes([headers, [row.get(h, "随便写写") for h in headers]])

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(1, "备注")]
    assert "无法识别的列“备注”" in errors[0].message


def test_listings_import_headers_without_star_and_fewer_columns(university, university_user):
    headers = ["标题", "详细描述", "技术领域", "TRL", "转化方式", "面议", "地区代码", "联系人"]
    data = csv_bytes(
        [headers, ["一种催化剂", "说明", "新材料", "4", "许可", "是", "420100", "李老师"]]
    )

    listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert Achievement.objects.get(owner=university).maturity == "small_pilot"


def test_listings_import_demand_file_as_achievements_says_so(university, university_user):
    data = fill("demand", "xlsx", [demand_row()])

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.xlsx", data=data
    )

    assert len(errors) == 1
    assert "这是技术需求表格" in errors[0].message


def test_listings_import_pdf_renamed_to_csv_is_refused(university, university_user):
    pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="成果.csv", data=pdf
    )

    assert [(e.row, e.column) for e in errors] == [(0, "")]
    assert "文件内容不是有效的 Excel/CSV 表格" in errors[0].message
    assert "PDF" in errors[0].message


def test_listings_import_text_renamed_to_xlsx_is_refused(university, university_user):
    data = fill("achievement", "csv", [achievement_row()])

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="成果.xlsx",
        data=data,
    )  # fmt: skip

    assert [(e.row, e.column) for e in errors] == [(0, "")]
    assert "文件内容不是有效的 Excel/CSV 表格" in errors[0].message


def test_listings_import_legacy_xls_gets_save_as_advice(university, university_user):
    data = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.xls", data=data
    )

    assert ".xls" in errors[0].message
    assert "另存为" in errors[0].message


def test_listings_import_xlsx_content_named_csv_is_read_as_xlsx(university, university_user):
    data = fill("achievement", "xlsx", [achievement_row()])

    listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert Achievement.objects.filter(owner=university).count() == 1


def test_listings_import_oversized_file_is_refused(settings, university, university_user):
    settings.LISTING_IMPORT_MAX_BYTES = 1024
    data = fill("achievement", "csv", [achievement_row() for _ in range(10)])
    assert len(data) > 1024

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(0, "")]
    assert "超过上限 1 KB" in errors[0].message


def test_listings_import_too_many_rows_is_refused(settings, university, university_user):
    settings.LISTING_IMPORT_MAX_ROWS = 2
    data = fill("achievement", "csv", [achievement_row() for _ in range(3)])

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert "3 行数据，超过每次导入的上限 2 行" in errors[0].message


@pytest.mark.parametrize("data", [b"", b"\xef\xbb\xbf", b"\n\n"])
def test_listings_import_empty_file_is_refused(data, university, university_user):
    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(0, "")]
    assert "空" in errors[0].message or "没有内容" in errors[0].message


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_listings_import_header_only_file_is_refused(fmt, university, university_user):
    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name=f"a.{fmt}",
        data=import_template("achievement", fmt),
    )  # fmt: skip

    assert "只有表头，没有数据" in errors[0].message


def test_listings_import_skips_blank_rows_and_keeps_row_numbers(university, university_user):
    headers = template_headers("achievement")
    good = [achievement_row()[h] for h in headers]
    bad = [achievement_row(标题="")[h] for h in headers]
    text = "\n".join(
        [
            ",".join(headers),
            ",".join(good),  # row 2
            "",  # row 3: a blank line
            ",".join(bad),  # row 4
            "," * (len(headers) - 1),  # row 5: Excel writes empty rows as commas
            ",".join(bad),  # row 6
            "",
            ",,,",
        ]
    )

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv",
        data=text.encode("utf-8"),
    )  # fmt: skip

    assert [(e.row, e.column) for e in errors] == [(4, "标题*"), (6, "标题*")]


def test_listings_import_xlsx_blank_rows_keep_row_numbers(university, university_user):
    book = load_workbook(io.BytesIO(fill("achievement", "xlsx", [achievement_row()])))
    sheet = book["科技成果"]
    headers = [c.value for c in sheet[1]]
    bad = achievement_row(联系人="")
    for column, header in enumerate(headers, start=1):
        sheet.cell(row=5, column=column, value=bad[header])  # rows 3 and 4 stay empty
    sheet.cell(row=9, column=1, value="  ")  # whitespace only, after the data
    out = io.BytesIO()
    book.save(out)

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.xlsx",
        data=out.getvalue(),
    )  # fmt: skip

    assert [(e.row, e.column) for e in errors] == [(5, "联系人*")]


def test_listings_import_csv_starting_like_a_bitmap_is_still_csv(university, university_user):
    headers = ["BM编号", *template_headers("achievement")[1:]]
    row = achievement_row()
    data = csv_bytes([headers, [row.get(h, "") for h in headers]])

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(1, "BM编号")]


def test_listings_import_csv_row_longer_than_header_is_reported(university, university_user):
    headers = template_headers("achievement")
    good = [achievement_row()[h] for h in headers]
    data = csv_bytes([headers, good, [*good, "多出来的"]])

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(3, "")]
    assert "多于表头" in errors[0].message


# ── 编号 ─────────────────────────────────────────────────────────────────────────────────────


def test_listings_import_duplicate_ref_within_file(university, university_user):
    data = fill(
        "achievement", "csv",
        [achievement_row(编号="K-1"), achievement_row(编号="K-2"), achievement_row(编号="K-1")],
    )  # fmt: skip

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column, e.message) for e in errors] == [
        (4, "编号", "编号“K-1”与第 2 行重复。")
    ]


def test_listings_import_ref_already_in_database(university, university_user, enterprise):
    AchievementFactory(owner=university, ref="K-7")
    AchievementFactory(owner=enterprise, ref="K-8")  # another owner's 编号 does not count
    data = fill(
        "achievement", "csv",
        [achievement_row(编号="K-8"), achievement_row(编号="K-7"), achievement_row()],
    )  # fmt: skip

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(3, "编号")]
    assert "已被本机构的另一条科技成果使用" in errors[0].message
    assert Achievement.objects.filter(owner=university).count() == 1


# ── Permission ───────────────────────────────────────────────────────────────────────────────


def test_listings_import_user_of_another_organization_is_denied(university, other_enterprise_user):
    data = fill("achievement", "xlsx", [achievement_row()])

    with pytest.raises(PermissionDenied):
        listings_import(
            actor=other_enterprise_user, owner=university, kind="achievement",
            file_name="a.xlsx", data=data,
        )  # fmt: skip

    assert Achievement.objects.count() == 0


def test_listings_import_organization_kind_must_post_that_kind(main_market):
    institution = OrganizationFactory(
        kind=OrganizationKind.TRANSFER_INSTITUTION, market=main_market
    )
    user = MembershipFactory(organization=institution).user
    data = fill("demand", "csv", [demand_row()])

    with pytest.raises(PermissionDenied) as caught:
        listings_import(actor=user, owner=institution, kind="demand", file_name="d.csv", data=data)

    assert "技术转移机构不能发布技术需求" in str(caught.value)
    assert Demand.objects.count() == 0


# ── Saving ───────────────────────────────────────────────────────────────────────────────────


def test_listings_import_clean_file_attaches_modes_and_ip(university, university_user):
    publication = "CN110123456A"
    rows = [
        achievement_row(编号=f"R-{i}", 专利号=f"{INVENTION} {publication}" if i % 2 else "")
        for i in range(25)
    ]
    calls = []

    result = listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="a.xlsx",
        data=fill("achievement", "xlsx", rows), progress=lambda done, total: calls.append(done),
    )  # fmt: skip

    assert result.created == 25
    achievements = Achievement.objects.filter(owner=university)
    assert achievements.count() == 25
    assert Achievement.transfer_modes.through.objects.filter(
        achievement__owner=university
    ).count() == 50  # fmt: skip
    assert IntellectualProperty.objects.filter(achievement__owner=university).count() == 24
    odd = achievements.get(ref="R-1")
    assert sorted(odd.ip_items.values_list("number", "status")) == [
        (publication, IPStatus.PENDING), (INVENTION, IPStatus.GRANTED),
    ]  # fmt: skip
    assert calls[-1] == 25


def test_listings_import_works_without_bulk_insert_returning(
    monkeypatch, university, university_user
):
    # As on SQLite before 3.35: bulk_create cannot report the new primary keys.
    monkeypatch.setattr(
        type(connection.features), "can_return_rows_from_bulk_insert", property(lambda _: False)
    )
    data = fill("achievement", "csv", [achievement_row(专利号=INVENTION) for _ in range(3)])

    listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert IntellectualProperty.objects.filter(achievement__owner=university).count() == 3
    for achievement in Achievement.objects.filter(owner=university):
        assert list(achievement.transfer_modes.values_list("code", flat=True)) == [
            "transfer", "license",
        ]  # fmt: skip


def test_sqlite_returns_ids_from_bulk_insert():
    # The fast path: on SQLite 3.35+ and PostgreSQL bulk_create fills in primary keys.
    if connection.vendor == "sqlite":
        assert connection.features.can_return_rows_from_bulk_insert == (
            connection.Database.sqlite_version_info >= (3, 35)
        )


@pytest.mark.parametrize(
    ("number", "kind", "status"),
    [
        (patent("202110012345"), IPKind.INVENTION_PATENT, IPStatus.GRANTED),
        (patent("202180012345"), IPKind.INVENTION_PATENT, IPStatus.GRANTED),
        (patent("202120012345", ""), IPKind.UTILITY_MODEL, IPStatus.PENDING),
        (patent("202190012345"), IPKind.UTILITY_MODEL, IPStatus.GRANTED),
        (patent("202130012345"), IPKind.DESIGN_PATENT, IPStatus.GRANTED),
        (patent("01234567"), IPKind.UTILITY_MODEL, IPStatus.GRANTED),
        (patent("01334567"), IPKind.DESIGN_PATENT, IPStatus.GRANTED),
        ("CN110123456A", IPKind.INVENTION_PATENT, IPStatus.PENDING),
        ("CN110123456B", IPKind.INVENTION_PATENT, IPStatus.GRANTED),
        ("CN210123456U", IPKind.UTILITY_MODEL, IPStatus.GRANTED),
    ],
)
def test_patent_kind_and_status(number, kind, status):
    assert patent_kind_and_status(number) == (kind, status)


# ── The command ──────────────────────────────────────────────────────────────────────────────


def test_import_listings_command_writes_template(tmp_path):
    out = tmp_path / "模板.xlsx"

    call_command(
        "import_listings", str(out), kind="achievement", template="xlsx", stdout=io.StringIO()
    )

    assert load_workbook(out).sheetnames == ["科技成果", "说明"]


def test_import_listings_command_imports_a_file(tmp_path, university, university_user):
    path = tmp_path / "成果.csv"
    path.write_bytes(fill("achievement", "csv", [achievement_row(), achievement_row()], "gbk"))
    stdout = io.StringIO()

    call_command(
        "import_listings", str(path), kind="achievement", org=university.credit_code,
        user=university_user.username, stdout=stdout,
    )  # fmt: skip

    assert "已导入 2 条科技成果" in stdout.getvalue()
    assert Achievement.objects.filter(owner=university).count() == 2


def test_import_listings_command_prints_errors_as_a_table(tmp_path, university, university_user):
    path = tmp_path / "成果.csv"
    path.write_bytes(fill("achievement", "csv", [achievement_row(), achievement_row(TRL="十")]))
    stdout = io.StringIO()

    with pytest.raises(CommandError, match="共 1 处错误"):
        call_command(
            "import_listings", str(path), kind="achievement", org=university.credit_code,
            user=university_user.username, stdout=stdout,
        )  # fmt: skip

    lines = stdout.getvalue().splitlines()
    assert lines[0].split() == ["行", "列", "问题"]
    assert lines[2].split()[:2] == ["3", "TRL"]
    assert Achievement.objects.count() == 0


# ── Sheets that reach far: read as a stream, stopped at the limits ───────────────────────────


def far_cell_xlsx(coordinate: str, *, header: bool = True) -> bytes:
    """A small .xlsx with the template's header (or nothing) and one cell far away."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "科技成果"
    if header:
        for column, name in enumerate(template_headers("achievement"), start=1):
            sheet.cell(row=1, column=column, value=name)
        sheet.append([achievement_row()[h] for h in template_headers("achievement")])
    sheet[coordinate] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("coordinate", ["Z100000", "XFD1048576"])
def test_listings_import_xlsx_cell_far_down_is_refused_at_the_row_limit(
    coordinate, university, university_user
):
    data = far_cell_xlsx(coordinate)
    assert len(data) < 10 * 1024

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.xlsx", data=data
    )

    # Reading stopped at the last row it may read (50,000 rows + header + 5,000 blank rows),
    # not at row 100,000 or 1,048,576.
    assert [(e.row, e.column) for e in errors] == [(0, "")]
    assert "第 55001 行之后还有单元格" in errors[0].message
    assert "每次最多导入 50000 行数据" in errors[0].message
    assert "Ctrl+End" in errors[0].message
    assert Achievement.objects.count() == 0


def test_listings_import_xlsx_row_limit_follows_the_setting(settings, university, university_user):
    settings.LISTING_IMPORT_MAX_ROWS = 2
    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.xlsx",
        data=far_cell_xlsx("A104"),
    )  # fmt: skip

    assert "第 103 行之后还有单元格" in errors[0].message
    assert "每次最多导入 2 行数据" in errors[0].message


def test_listings_import_xlsx_blank_rows_below_the_data_are_fine_within_the_limit(
    settings, university, university_user
):
    settings.LISTING_IMPORT_MAX_ROWS = 2
    data = far_cell_xlsx("A103")  # the last row read, and only whitespace in it
    book = load_workbook(io.BytesIO(data))
    book.active["A103"] = "  "
    out = io.BytesIO()
    book.save(out)

    listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="a.xlsx",
        data=out.getvalue(),
    )  # fmt: skip

    assert Achievement.objects.filter(owner=university).count() == 1


@pytest.mark.parametrize("coordinate", ["CX2", "XFD1"])
def test_listings_import_xlsx_cell_far_right_is_refused_at_the_column_limit(
    coordinate, university, university_user
):
    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.xlsx",
        data=far_cell_xlsx(coordinate),
    )  # fmt: skip

    assert [(e.row, e.column) for e in errors] == [(0, "")]
    assert f"表格超过 100 列：{coordinate} 还有内容" in errors[0].message
    assert Achievement.objects.count() == 0


def test_listings_import_xlsx_ignores_a_wrong_recorded_dimension(university, university_user):
    """Some programs record <dimension ref="A1"/> for any sheet; every row is still read."""
    import re
    import zipfile

    source = fill("achievement", "xlsx", [achievement_row(), achievement_row(标题="第二条")])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1"/>', content)
                assert b'<dimension ref="A1"/>' in content
            zout.writestr(item, content)

    listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="a.xlsx",
        data=out.getvalue(),
    )  # fmt: skip

    assert set(Achievement.objects.values_list("title", flat=True)) == {
        achievement_row()["标题*"], "第二条",
    }  # fmt: skip


def test_listings_import_csv_cell_far_right_is_refused_at_the_column_limit(
    university, university_user
):
    headers = template_headers("achievement")
    row = [achievement_row()[h] for h in headers]
    data = csv_bytes([headers, row + [""] * (120 - len(row)) + ["x"]])

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert "表格超过 100 列：DQ2 还有内容" in errors[0].message


# ── Validation the spreadsheet shares with the forms ─────────────────────────────────────────


def test_listings_import_past_deadline_is_refused(enterprise, enterprise_user):
    data = fill("demand", "csv", [demand_row(截止日期="2001-05-01")])

    errors = failure(
        actor=enterprise_user, owner=enterprise, kind="demand", file_name="d.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(2, "截止日期")]
    assert errors[0].message.startswith("截止日期不能早于今天")
    assert Demand.objects.count() == 0


def test_listings_import_overlong_description_is_refused(university, university_user):
    data = fill("achievement", "csv", [achievement_row(详细描述="很" * 5001)])

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert [(e.row, e.column) for e in errors] == [(2, "详细描述*")]
    assert errors[0].message.startswith("不能超过 5000 字，现在有 5001 字")
    assert Achievement.objects.count() == 0


def test_listings_import_missing_budget_says_what_to_type(enterprise, enterprise_user):
    data = fill("demand", "csv", [demand_row(预算下限="", 预算上限="", 预算面议="")])

    errors = failure(
        actor=enterprise_user, owner=enterprise, kind="demand", file_name="d.csv", data=data
    )

    assert [e.message for e in errors] == [
        "请填写预算下限或上限（万元），或在“预算面议”列填写“是”。"
    ]


@pytest.mark.parametrize("word", ["是", "Y", "yes", "true", "TRUE", "1", "√"])
def test_listings_import_negotiable_accepts_the_words_people_type(
    word, university, university_user
):
    data = fill("achievement", "csv", [achievement_row(面议=word, 转让价格="")])

    listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert Achievement.objects.get(owner=university).price_negotiable is True


def test_listings_import_unknown_yes_no_word_lists_what_is_accepted(university, university_user):
    data = fill("achievement", "csv", [achievement_row(面议="大概")])

    errors = failure(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv", data=data
    )

    assert (
        errors[0].message == "请填写“是”或“否”（也可以填 Y/N、true/false、1/0），您填写的是“大概”。"
    )


# ── The same file twice ──────────────────────────────────────────────────────────────────────


def test_listings_import_same_file_twice_without_ref_names_the_likely_duplicates(
    university, university_user
):
    rows = [achievement_row(), achievement_row(标题="另一项成果")]
    kwargs = dict(actor=university_user, owner=university, kind="achievement", file_name="a.csv")
    listings_import(**kwargs, data=fill("achievement", "csv", rows))
    first = Achievement.objects.get(title=achievement_row()["标题*"])

    again = rows + [achievement_row(标题="新的一项")]
    with pytest.raises(DuplicatesFound) as caught:
        listings_import(**kwargs, data=fill("achievement", "csv", again))

    assert [(d.row, d.title) for d in caught.value.duplicates] == [
        (2, achievement_row()["标题*"]), (3, "另一项成果"),
    ]  # fmt: skip
    assert caught.value.duplicates[0].existing == [first]
    assert Achievement.objects.filter(owner=university).count() == 2

    result = listings_import(
        **kwargs, data=fill("achievement", "csv", again), allow_duplicates=True
    )

    assert result.created == 3
    assert Achievement.objects.filter(owner=university).count() == 5


def test_listings_import_same_title_of_another_organization_is_no_duplicate(
    university, university_user
):
    AchievementFactory(title=achievement_row()["标题*"])

    result = listings_import(
        actor=university_user, owner=university, kind="achievement", file_name="a.csv",
        data=fill("achievement", "csv", [achievement_row()]),
    )  # fmt: skip

    assert result.created == 1


def test_import_listings_command_stops_at_likely_duplicates(tmp_path, university, university_user):
    path = tmp_path / "成果.csv"
    path.write_bytes(fill("achievement", "csv", [achievement_row()], "gbk"))
    options = dict(kind="achievement", org=university.credit_code, user=university_user.username)
    call_command("import_listings", str(path), **options, stdout=io.StringIO())
    stdout = io.StringIO()

    with pytest.raises(CommandError, match="--allow-duplicates"):
        call_command("import_listings", str(path), **options, stdout=stdout)

    assert "可能与已有的“一种高镍三元正极材料的低成本制备方法”重复" in stdout.getvalue()
    assert Achievement.objects.filter(owner=university).count() == 1

    call_command(
        "import_listings", str(path), **options, allow_duplicates=True,
        stdout=io.StringIO(), stderr=io.StringIO(),
    )  # fmt: skip

    assert Achievement.objects.filter(owner=university).count() == 2

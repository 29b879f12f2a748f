"""The monthly compliance report: the .xlsx holds the month's figures per window and per
standard, the PDF is a PDF whose text names the market (CJK fonts embedded), the download
is for operators only, and `manage.py windows_report` writes the file."""

from __future__ import annotations

import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from pypdf import PdfReader

from tests.windows.compliance_rows import D, H, make_case, make_item, rate
from tests.windows.compliance_rows import build_world as _build_world
from windows import reports
from windows.choices import CaseState

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
MARCH = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def world(main_market):
    """The compliance world set in March 2026, plus one case of February at 武汉 that the
    March report must leave out."""
    rows = _build_world(main_market, MARCH + 20 * D)
    feb = MARCH - 20 * D
    case = make_case(
        rows["w1"],
        rows["a"],
        rows["clerk1"],
        opened_at=feb,
        state=CaseState.CLOSED,
        closed_at=feb + D,
    )
    make_item(case, rows["a_items"][3], due_at=feb + H, done_at=feb + 2 * H)
    rate(case, 1, rated_at=feb + D)
    return rows


def _sheet_rows(book, title):
    return [list(r) for r in book[title].iter_rows(values_only=True)]


def test_xlsx_holds_the_months_figures(world, main_market):
    report = reports.report_build(market=main_market, month="2026-03")
    book = openpyxl.load_workbook(io.BytesIO(reports.report_xlsx(report)))
    assert book.sheetnames == [
        "概况",
        "按窗口",
        "按标准",
        "好差评",
        "当前逾期事项",
        "缺少佐证的事项",
    ]
    assert "省技术市场 窗口合规月报（2026-03）" in _sheet_rows(book, "概况")[0][0]
    by_window = {r[0]: r for r in _sheet_rows(book, "按窗口")[1:]}
    header = _sheet_rows(book, "按窗口")[0]
    col = {name: i for i, name in enumerate(header)}
    wuhan, total = by_window["武汉窗口"], by_window["合计"]
    # The February case and its item are left out.
    assert wuhan[col["完成事项"]] == 5
    assert wuhan[col["按时完成"]] == 3
    assert wuhan[col["按时完成率（%）"]] == 60.0
    assert wuhan[col["缺少佐证"]] == 2
    assert wuhan[col["平均办理时长（小时）"]] == 36.0
    assert total[col["完成事项"]] == 6
    assert total[col["评价数"]] == 2
    assert total[col["未办结投诉"]] == 1
    by_standard = {r[0].split()[0]: r for r in _sheet_rows(book, "按标准")[1:]}
    assert by_standard["TEST/B"][col["完成事项"]] == 2
    assert by_standard["TEST/A"][col["完成事项"]] == 4
    levels = dict(_sheet_rows(book, "好差评")[1:])
    assert levels == {"非常满意": 1, "满意": 0, "基本满意": 0, "不满意": 1, "非常不满意": 0}
    missing = _sheet_rows(book, "缺少佐证的事项")[1:]
    assert len(missing) == 2
    assert {r[3] for r in missing} == {"TEST/A 事项1", "TEST/A 事项2"}


def test_sub_market_report_covers_only_its_window(world):
    report = reports.report_build(market=world["sub2"], month="2026-03")
    assert [r.label for r in report.figures.by_window] == ["宜昌窗口"]
    assert report.figures.total.done == 1


def test_overdue_list_is_what_was_overdue_in_the_month(world):
    report = reports.report_build(market=world["sub1"], month="2026-03")
    assert report.overdue_count == 1
    assert [i.standard_item.action for i in report.overdue] == ["TEST/A 事项0"]


def test_pdf_is_a_pdf_naming_the_market(world):
    report = reports.report_build(market=world["sub1"], month="2026-03")
    body = reports.report_pdf(report)
    assert body.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "武汉分市场" in text
    assert "武汉窗口" in text
    assert "窗口合规月报" in text


def test_bad_month_is_refused(world):
    with pytest.raises(ValueError):
        reports.report_build(market=world["sub1"], month="2026-13")


def test_operator_downloads_the_report(client, operator, world):
    client.force_login(operator)
    url = reverse("windows:compliance_report")
    pdf = client.get(url, {"market": "wuhan", "month": "2026-03", "format": "pdf"})
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "window-compliance-wuhan-2026-03.pdf" in pdf["Content-Disposition"]
    xlsx = client.get(url, {"market": "wuhan", "month": "2026-03", "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert {r[0] for r in _sheet_rows(book, "按窗口")[1:]} == {"武汉窗口", "合计"}
    assert client.get(url, {"market": "wuhan", "format": "doc"}).status_code == 404
    assert client.get(url, {"market": "nowhere", "month": "2026-03"}).status_code == 404


def test_dashboard_offers_the_report_to_operators(client, operator, world):
    client.force_login(operator)
    page = client.get(reverse("windows:compliance"))
    assert 'id="compliance-report"' in page.text
    assert reverse("windows:compliance_report") in page.text
    assert {m.code for m in page.context["report_markets"]} == {"main", "wuhan", "yichang"}


def test_command_writes_the_report(world, tmp_path):
    out = io.StringIO()
    call_command(
        "windows_report",
        "--market",
        "wuhan",
        "--month",
        "2026-03",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path),
        stdout=out,
        verbosity=0,
    )
    path = tmp_path / "window-compliance-wuhan-2026-03.xlsx"
    assert out.getvalue().strip() == str(path)
    book = openpyxl.load_workbook(path)
    assert {r[0]: r[1] for r in _sheet_rows(book, "按窗口")[1:]} == {"武汉窗口": 5, "合计": 5}
    call_command(
        "windows_report", "--market", "wuhan", "--month", "2026-03", "--out", str(tmp_path)
    )
    assert (tmp_path / "window-compliance-wuhan-2026-03.pdf").read_bytes().startswith(b"%PDF")


def test_command_refuses_an_unknown_market(world, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError):
        call_command("windows_report", "--market", "x", "--month", "2026-03", "--out", tmp_path)


def test_a_month_that_is_not_one_is_told_on_the_dashboard(client, operator, world):
    client.force_login(operator)
    url = reverse("windows:compliance_report")
    response = client.get(url, {"market": "wuhan", "month": "2026-13", "format": "pdf"})
    assert response.status_code == 302 and response.url == reverse("windows:compliance")
    page = client.get(response.url).content.decode()
    assert "月份格式应为 YYYY-MM" in page or "2026-13" in page

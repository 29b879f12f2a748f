"""The monthly compliance report (窗口合规月报) of a market's windows: the month's figures
(per window, per standard, the ratings and follow-ups, the open complaints) and the items
behind the worst of them, as .xlsx (openpyxl) and as PDF (WeasyPrint, Noto Sans CJK).

A sub-market's report covers its window; the main market's covers its own window and those
of its sub-markets. The figures are the dashboard's (`windows.selectors.compliance`), for
the month's first to last day.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from io import BytesIO

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from market.models import Market
from market.permissions import operated_market_ids
from market.spreadsheets import xlsx_cell
from windows.models import CaseItem, ServiceWindow
from windows.selectors.compliance import (
    ComplianceFilter,
    Figures,
    compliance_figures,
    figure_rows,
    month_period,
)

# The rows of each list printed in the report; the rest are a link away on the dashboard.
LIST_LIMIT = 200
FORMATS = ("pdf", "xlsx")


@dataclass
class Report:
    market: Market
    month: datetime.date
    flt: ComplianceFilter
    figures: Figures
    overdue: list[CaseItem]
    overdue_count: int
    missing: list[CaseItem]
    missing_count: int
    generated_at: datetime.datetime

    @property
    def title(self) -> str:
        return _("%(market)s 窗口合规月报（%(month)s）") % {
            "market": self.market.name,
            "month": f"{self.month:%Y-%m}",
        }

    @property
    def filename_stem(self) -> str:
        return f"window-compliance-{self.market.code}-{self.month:%Y-%m}"


def report_markets(user):
    """The markets a person may have the report of: those they operate that have windows."""
    ids = operated_market_ids(user)
    return (
        Market.objects.filter(id__in=ids)
        .filter(Q(window__isnull=False) | Q(sub_markets__window__isnull=False))
        .distinct()
        .order_by("parent_id", "code")
    )


def report_window_ids(market: Market) -> set[int]:
    return set(
        ServiceWindow.objects.filter(Q(market=market) | Q(market__parent=market)).values_list(
            "id", flat=True
        )
    )


def _listed(qs) -> list[CaseItem]:
    return list(
        qs.select_related("case__window", "standard_item").order_by("due_at", "id")[:LIST_LIMIT]
    )


def report_build(
    *, market: Market, month: str, progress: Callable[[str], None] | None = None
) -> Report:
    """The month's figures and lists for a market's windows. `month` is 'YYYY-MM'."""
    period = month_period(month)
    if period is None:
        raise ValueError(_("月份格式应为 YYYY-MM，如 2026-03。"))
    step = progress or (lambda label: None)
    flt = ComplianceFilter(
        window_ids=frozenset(report_window_ids(market)), date_from=period[0], date_to=period[1]
    )
    figures = compliance_figures(flt)
    step(_("汇总指标"))
    overdue = figure_rows(flt, "overdue")
    missing = figure_rows(flt, "missing_evidence")
    report = Report(
        market=market,
        month=period[0],
        flt=flt,
        figures=figures,
        overdue=_listed(overdue),
        overdue_count=figures.total.overdue,
        missing=_listed(missing),
        missing_count=figures.total.missing_evidence,
        generated_at=timezone.now(),
    )
    step(_("明细清单"))
    return report


def _table_rows(rows) -> list[list]:
    return [
        [
            r.label,
            r.done,
            r.on_time,
            r.late,
            r.on_time_share,
            r.overdue,
            r.missing_evidence,
            r.closed,
            r.handling_hours,
            r.handling_days,
            r.rated,
            r.followups_open,
            r.followups_overdue,
            r.complaints_open,
        ]
        for r in rows
    ]


def table_header() -> list[str]:
    return [
        _("项目"),
        _("完成事项"),
        _("按时完成"),
        _("超时完成"),
        _("按时完成率（%）"),
        _("当前逾期"),
        _("缺少佐证"),
        _("办结事项"),
        _("平均办理时长（小时）"),
        _("平均办理时长（天）"),
        _("评价数"),
        _("未回访整改"),
        _("逾期未回访整改"),
        _("未办结投诉"),
    ]


def _item_rows(items) -> list[list]:
    return [
        [
            item.case.number,
            item.case.window.name,
            item.position,
            item.standard_item.action,
            timezone.localtime(item.due_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(item.done_at).strftime("%Y-%m-%d %H:%M") if item.done_at else "",
            item.standard_item.get_evidence_display(),
        ]
        for item in items
    ]


def _item_header() -> list[str]:
    return [_("事项编号"), _("窗口"), _("序号"), _("工作事项"), _("时限"), _("完成时间"), _("佐证")]


def report_sheets(report: Report) -> list[tuple[str, list, list[list]]]:
    """The report as (sheet title, header, rows): what the .xlsx holds."""
    f = report.figures
    return [
        (_("按窗口"), table_header(), _table_rows([*f.by_window, f.total])),
        (_("按标准"), table_header(), _table_rows([*f.by_standard, f.total])),
        (_("好差评"), [_("评价"), _("评价数")], [[lv["label"], lv["n"]] for lv in f.levels]),
        (_("当前逾期事项"), _item_header(), _item_rows(report.overdue)),
        (_("缺少佐证的事项"), _item_header(), _item_rows(report.missing)),
    ]


def report_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    cover = book.create_sheet(title=_("概况"))
    for line in (
        [report.title],
        [_("统计期间"), report.flt.date_from.isoformat(), report.flt.date_to.isoformat()],
        [_("生成时间"), timezone.localtime(report.generated_at).strftime("%Y-%m-%d %H:%M")],
    ):
        cover.append([xlsx_cell(WriteOnlyCell(cover, value=v)) for v in line])
    for title, header, rows in report_sheets(report):
        sheet = book.create_sheet(title=title[:31])
        for row in [header, *rows]:
            sheet.append([xlsx_cell(WriteOnlyCell(sheet, value=v)) for v in row])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class PdfUnavailable(RuntimeError):
    """WeasyPrint cannot run here: its system libraries (Pango) are missing."""


def report_pdf(report: Report) -> bytes:
    try:
        from weasyprint import HTML
    except OSError as exc:  # WeasyPrint loads Pango when imported
        raise PdfUnavailable(
            _(
                "本机未安装生成 PDF 所需的 Pango 库，暂不能生成 PDF 月报；"
                "请下载 XLSX 格式，或请管理员安装 Pango。"
            )
        ) from exc

    html = render_to_string(
        "windows/compliance_report.html",
        {"report": report, "f": report.figures, "limit": LIST_LIMIT},
    )
    return HTML(string=html).write_pdf()


def report_render(report: Report, fmt: str) -> bytes:
    if fmt == "pdf":
        return report_pdf(report)
    if fmt == "xlsx":
        return report_xlsx(report)
    raise ValueError(fmt)

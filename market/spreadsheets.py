"""Cells written to a spreadsheet download stay text (CSV/formula injection, per OWASP).

A cell that starts with =, +, -, @, a tab or a carriage return is run as a formula when the
file is opened in Excel or LibreOffice, so a listing titled "=HYPERLINK(…)" would act in the
operator's spreadsheet. Every export goes through these helpers:

- CSV has no types, so such a cell gets a leading single quote, as OWASP recommends;
- .xlsx has: such a cell is written as a string with Excel's own quote prefix (the mark a
  typed leading ' leaves), so it shows as typed and stays text when edited.
"""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


def csv_cell(value):
    """The value to write in a CSV cell."""
    return "'" + value if is_formula_like(value) else value


def xlsx_cell(cell):
    """An openpyxl cell (normal or write-only), made to hold its text as text."""
    if cell.data_type == "f" or is_formula_like(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def protect_wagtail_exports() -> None:
    """Wagtail's admin exports (reports such as 站点历史, form submissions, any viewset with
    list_export) all write through SpreadsheetExportMixin; route its cells through the
    helpers above. Its .xlsx path already keeps formulas as strings; its CSV path does not."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    if getattr(SpreadsheetExportMixin, "_market_formulas_neutralised", False):
        return
    preprocess_field_value = SpreadsheetExportMixin.preprocess_field_value
    generate_xlsx_row = SpreadsheetExportMixin.generate_xlsx_row
    get_heading = SpreadsheetExportMixin.get_heading

    def safe_preprocess_field_value(self, field, value, export_format):
        value = preprocess_field_value(self, field, value, export_format)
        return csv_cell(value) if export_format == self.FORMAT_CSV else value

    def safe_generate_xlsx_row(self, worksheet, row_dict, date_format=None):
        for cell in generate_xlsx_row(self, worksheet, row_dict, date_format=date_format):
            yield xlsx_cell(cell)

    def safe_get_heading(self, queryset, field):
        return csv_cell(get_heading(self, queryset, field))

    SpreadsheetExportMixin.preprocess_field_value = safe_preprocess_field_value
    SpreadsheetExportMixin.generate_xlsx_row = safe_generate_xlsx_row
    SpreadsheetExportMixin.get_heading = safe_get_heading
    SpreadsheetExportMixin._market_formulas_neutralised = True


def xlsx_response(filename: str, sheets):
    """An .xlsx download: `sheets` is a list of (title, header row, rows); every cell goes
    through `xlsx_cell`, so formula-looking text stays text."""
    from io import BytesIO

    from django.http import HttpResponse
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title=title[:31])
        for row in [header, *rows]:
            sheet.append([xlsx_cell(WriteOnlyCell(sheet, value=value)) for value in row])
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response

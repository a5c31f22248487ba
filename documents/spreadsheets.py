"""XLSX workbooks from plain rows (openpyxl): typed cells, so that Excel sorts and sums them.

Each sheet has a bold frozen header, an autofilter over its data, column widths and number
formats per column. Dates stay dates (`datetime` values are written in the organisation's
local time without a zone: Excel has none), numbers stay numbers, and a text that starts like a
formula ("=", "+", "-", "@") is stored as text, never run.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

DATE_FORMAT = "DD.MM.YYYY"
DATETIME_FORMAT = "DD.MM.YYYY HH:MM"
INTEGER_FORMAT = "0"
DECIMAL_FORMAT = "0.0"
PERCENT_FORMAT = "0%"


@dataclass(frozen=True)
class Column:
    header: str
    width: float = 16
    number_format: str | None = None
    wrap: bool = False


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)


def _plain(value):
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _cell(sheet, column: Column, value):
    """A plain value where nothing needs saying; a styled cell for dates, formats, wrapping
    and formula-like text (write-only workbooks style cell by cell)."""
    value = _plain(value)
    formula_like = isinstance(value, str) and value[:1] in ("=", "+", "-", "@")
    number_format = column.number_format if value is not None else None
    if number_format is None and isinstance(value, datetime):
        number_format = DATETIME_FORMAT
    elif number_format is None and isinstance(value, date):
        number_format = DATE_FORMAT
    if not (formula_like or number_format or column.wrap):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    if formula_like:
        cell.data_type = "s"  # text, not a formula
    if number_format:
        cell.number_format = number_format
    if column.wrap:
        cell.alignment = WRAP
    return cell


WRAP = Alignment(vertical="top", wrap_text=True)


def workbook(sheets: list[Sheet]) -> bytes:
    """Write-only (streamed) workbooks: 2,300 municipalities' rows in a fraction of the
    time the in-memory model takes."""
    book = Workbook(write_only=True)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        for index, column in enumerate(spec.columns, 1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(spec.columns))
        sheet.auto_filter.ref = f"A1:{last}{len(spec.rows) + 1}"
        header = []
        for column in spec.columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = WRAP
            header.append(cell)
        sheet.append(header)
        for values in spec.rows:
            sheet.append([_cell(sheet, column, value)
                          for column, value in zip(spec.columns, values, strict=True)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

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


def workbook(sheets: list[Sheet]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    for spec in sheets:
        sheet = book.create_sheet(spec.title[:31])
        sheet.append([c.header for c in spec.columns])
        for cell in sheet[1]:
            cell.font = header_font
            cell.fill = header_fill
            cell.alignment = Alignment(vertical="top", wrap_text=True)
        for values in spec.rows:
            sheet.append([_plain(v) for v in values])
            row = sheet.max_row
            for index, (column, value) in enumerate(zip(spec.columns, values, strict=True), 1):
                cell = sheet.cell(row=row, column=index)
                if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
                    cell.data_type = "s"  # text, not a formula
                if column.number_format and value is not None:
                    cell.number_format = column.number_format
                elif isinstance(value, datetime):
                    cell.number_format = DATETIME_FORMAT
                elif isinstance(value, date):
                    cell.number_format = DATE_FORMAT
                if column.wrap:
                    cell.alignment = Alignment(vertical="top", wrap_text=True)
        for index, column in enumerate(spec.columns, 1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        last = get_column_letter(len(spec.columns))
        sheet.auto_filter.ref = f"A1:{last}{max(sheet.max_row, 1)}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

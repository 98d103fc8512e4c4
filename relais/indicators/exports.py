"""CSV and XLSX of the indicator tables: the same flat rows, one line per table row.

CSV is written for French spreadsheets (semicolon, decimal comma, UTF-8 with BOM); XLSX keeps
numbers as numbers. Several tables go one after the other, each line naming its cut-off.
Each chart of a page is, in the XLSX only, a sheet of its figures with the native chart
beside them (the CSV already holds those figures in its tables).
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font

from relais.core.exports import safe_cell, safe_row

from .charts import Chart
from .engine import COUNTED, Indicator, Level, Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Sheet:
    title: str
    header: list[str]
    rows: list[list]
    chart: Chart | None = None  # drawn beside the rows, in the XLSX only


TABLE_HEADER = [
    "Territoire",
    "Arrêté",
    "Début de période (exclu)",
    "Fin de période (incluse)",
    "Niveau",
    "Dispositif",
    "Libellé",
    *[
        f"{Indicator(indicator).label} – {unit}"
        for indicator in COUNTED
        for unit in ("personnes", "groupes")
    ],
    *[
        f"{Indicator(indicator).label} – saisies tardives – {unit}"
        for indicator in COUNTED
        for unit in ("personnes", "groupes")
    ],
    "Personnes hébergées à l'arrêté",
    "Capacité (places)",
    "Taux d'occupation (%)",
]


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"


def table_rows(table: Table, *, title: str = "") -> list[list]:
    rows = []
    for row in table.rows:
        counts, late = [], []
        for indicator in COUNTED:
            count, late_count = row.count(indicator), row.late_count(indicator)
            counts += [count.persons, count.groups] if count else [None, None]
            late += [late_count.persons, late_count.groups] if late_count else [None, None]
        rows.append(
            [
                str(table.territory),
                title or table.cutoff.label,
                _local(table.period_start),
                _local(table.cutoff.at),
                Level(row.level).label,
                row.channel_label,
                row.label,
                *counts,
                *late,
                row.hosted if row.capacity or row.hosted else None,
                row.capacity or None,
                row.occupancy,
            ]
        )
    return rows


def table_sheet(table: Table, *, title: str) -> Sheet:
    return Sheet(title=title, header=TABLE_HEADER, rows=table_rows(table, title=title))


def chart_sheet(chart: Chart) -> Sheet:
    """A chart's figures (one row per x label, one column per series) and the chart itself."""
    return Sheet(
        title=chart.short_title or chart.title,
        header=[chart.x_title, *(series.label for series in chart.series)],
        rows=[[row["label"], *row["values"]] for row in chart.rows],
        chart=chart,
    )


def _native_chart(chart: Chart, worksheet) -> LineChart | BarChart:
    """The page's chart, drawn by the spreadsheet from the sheet's own cells."""
    native = BarChart() if chart.bar else LineChart()
    native.title = chart.title
    native.x_axis.title = chart.x_title
    native.y_axis.title = chart.unit or "personnes"
    native.width, native.height = 24, 12
    last_row = len(chart.x_labels) + 1
    data = Reference(
        worksheet, min_col=2, max_col=len(chart.series) + 1, min_row=1, max_row=last_row
    )
    native.add_data(data, titles_from_data=True)
    native.set_categories(Reference(worksheet, min_col=1, min_row=2, max_row=last_row))
    for line, series in zip(native.series, chart.series, strict=True):
        if chart.bar:
            line.graphicalProperties.solidFill = series.colour.lstrip("#")
            continue
        line.graphicalProperties.line.solidFill = series.colour.lstrip("#")
        line.smooth = False
    # openpyxl hides both axes unless told otherwise; a chart without them reads nothing.
    native.x_axis.delete = native.y_axis.delete = False
    return native


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return str(safe_cell(value))


def csv_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    header_written = set()
    for sheet in sheets:
        if sheet.chart:
            continue
        if tuple(sheet.header) not in header_written:
            writer.writerow(safe_row(sheet.header))
            header_written.add(tuple(sheet.header))
        writer.writerows([_csv_value(v) for v in row] for row in sheet.rows)
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_bytes(sheets: list[Sheet]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    used = set()
    for sheet in sheets:
        title = _sheet_title(sheet.title, used)
        worksheet = workbook.create_sheet(title)
        worksheet.append(safe_row(sheet.header))
        for cell in worksheet[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            worksheet.append([float(v) if isinstance(v, Decimal) else safe_cell(v) for v in row])
        worksheet.freeze_panes = "A2"
        if sheet.chart:
            anchor = worksheet.cell(row=1, column=len(sheet.header) + 2).coordinate
            worksheet.add_chart(_native_chart(sheet.chart, worksheet), anchor)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: list[Sheet]) -> HttpResponse:
    response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _sheet_title(title: str, used: set[str]) -> str:
    """Excel: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    clean = "".join("-" if c in "[]:*?/\\" else c for c in title)[:31]
    candidate, n = clean, 2
    while candidate in used:
        suffix = f" ({n})"
        candidate, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate

"""SEC-04: no cell of a CSV or XLSX file Relais writes is read as a formula when opened."""

import csv
import io
import pathlib
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from relais.core.exports import FORMULA_STARTS, safe_cell

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://x","y")'
EXPORTS = [
    ("indicators:export", {"arrete": "daily", "jour": "2026-03-28"}),
    ("indicators:transmission", {"jour": "2026-04-03"}),
    ("indicators:report", {"bilan": "annuel", "debut": "2026-01-01"}),
    ("indicators:report", {"bilan": "semestriel", "debut": "2026-03-01"}),
    ("indicators:quality", {}),
]


@pytest.fixture
def planted(golden):
    """Names that a spreadsheet would run, wherever a name lands in an export."""
    golden.chu.name = HYPERLINK
    golden.chu.save()
    golden.chrs.name = "+cmd|' /C calc'!A0"
    golden.chrs.save()
    golden.maison_relais.name = "@SUM(1+1)*cmd|' /C calc'!A0"
    golden.maison_relais.save()
    territory = golden.chu.territory
    territory.name = "-2+3+cmd|' /C calc'!A0"
    territory.save()
    person = golden.u2.person
    person.birth_name, person.first_names = "+cmd", "\tcalc"
    person.save()
    return golden


def _cells(response, fmt: str) -> list:
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        return [cell for row in csv.reader(io.StringIO(text), delimiter=";") for cell in row]
    workbook = load_workbook(io.BytesIO(response.content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formule dans {sheet.title}!{cell.coordinate}"
    return [
        value
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("name", "params"), EXPORTS)
def test_sec_04_no_export_cell_starts_with_a_formula_character(
    client, planted, siao_operator, name, params, fmt
):
    client.force_login(siao_operator)
    response = client.get(reverse(name), {**params, "format": fmt})
    assert response.status_code == 200
    cells = _cells(response, fmt)
    texts = [cell for cell in cells if isinstance(cell, str)]
    assert not [cell for cell in texts if cell.startswith(FORMULA_STARTS)]
    # The planted names are there, shown as typed.
    assert [cell for cell in texts if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS)]


def test_sec_04_structure_names_reach_the_quality_file_neutralised(client, planted, siao_operator):
    client.force_login(siao_operator)
    response = client.get(reverse("indicators:quality"), {"format": "xlsx"})
    assert "'" + HYPERLINK in _cells(response, "xlsx")


def test_sec_04_the_duplicates_file_neutralises_identifiers(tmp_path):
    source, target = tmp_path / "persons.csv", tmp_path / "pairs.csv"
    source.write_text(
        "id,last_name,first_name,birth_date\n"
        "=1+1,Lefèvre,Jean-Pierre,1985-03-12\n"
        "@2,LEFEBVRE,Jean Pierre,03/12/1985\n",
        encoding="utf-8",
    )
    call_command(
        "find_duplicates", input=str(source), output=str(target), workers=1, stderr=io.StringIO()
    )
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 2
    assert {rows[1][0], rows[1][1]} == {"'=1+1", "'@2"}
    assert not [cell for row in rows for cell in row if cell.startswith(FORMULA_STARTS)]


@pytest.mark.parametrize("value", ["=1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_sec_04_safe_cell_quotes_what_a_spreadsheet_would_run(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["CHU", "", None, -3, 2.5, "a=b", "'=1"])
def test_sec_04_safe_cell_leaves_other_values_alone(value):
    assert safe_cell(value) == value


def test_sec_04_every_spreadsheet_writer_goes_through_safe_cell():
    """A new CSV or XLSX writer must route its cells through relais.core.exports."""
    root = pathlib.Path(__file__).resolve().parents[2] / "relais"
    writers = re.compile(r"csv\.(Dict)?writer|openpyxl")
    found = []
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if path != root / "core" / "exports.py" and writers.search(source):
            found.append(path.name)
            assert "from relais.core.exports import" in source, path
    assert {"exports.py", "find_duplicates.py"} <= set(found)

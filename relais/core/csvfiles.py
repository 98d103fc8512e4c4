"""Reading the CSV files users send (the imports): their text, their rows, their columns.

A file saved by a spreadsheet may be UTF-8 (with or without the BOM Excel adds) or
Windows-1252 (Excel's French default); its values are separated by `;` (French Excel) or
`,`. Columns are named on the first line and matched without regard to case, accents or
punctuation: "Date d'incarcération", "date_incarceration" and "DATE INCARCERATION" are one.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

from .inputs import strip_control_characters

MAX_BYTES = 5 * 1024 * 1024
# The bytes that begin a file that is no text: a spreadsheet (XLSX, ODS are zip files, XLS
# an OLE container) or a PDF. Named, so the user is told what to do.
_NOT_TEXT = {
    b"PK\x03\x04": "un classeur (XLSX ou ODS)",
    b"\xd0\xcf\x11\xe0": "un classeur Excel (XLS)",
    b"%PDF": "un PDF",
}


class FileRefused(ValueError):
    """A file that cannot be read as CSV text; the message says why, in French."""


def decode(raw: bytes) -> str:
    """The file's text: UTF-8 (BOM or not), else Windows-1252 (Excel's French default)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def text_of(raw: bytes, *, name: str = "") -> str:
    """The text of an uploaded CSV file, or FileRefused with a French reason."""
    if name and not name.lower().endswith((".csv", ".txt")):
        raise FileRefused(
            "Le fichier doit être au format CSV (nom en .csv) : dans votre tableur, "
            "« Enregistrer sous » puis « CSV »."
        )
    if len(raw) > MAX_BYTES:
        raise FileRefused("Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers.")
    for start, what in _NOT_TEXT.items():
        if raw.startswith(start):
            raise FileRefused(
                f"Ce fichier est {what}, pas un fichier CSV : dans votre tableur, "
                "« Enregistrer sous » puis « CSV »."
            )
    text = decode(raw)
    if "\x00" in text or "\ufffd" in text:
        raise FileRefused(
            "Le fichier n'est pas un texte lisible (encodage inconnu) : enregistrez-le en "
            "« CSV UTF-8 » ou en « CSV (séparateur : point-virgule) »."
        )
    if not text.strip():
        raise FileRefused("Le fichier est vide.")
    return text


def rows(text: str) -> list[list[str]]:
    """The rows of a CSV text, values separated by `;` or `,` (whichever the first line uses
    most), without control characters."""
    text = strip_control_characters(text)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def folded(text: str) -> str:
    """A column's name as compared: no case, no accent, words separated by one space."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@dataclass(frozen=True)
class Column:
    """A documented column of an import file."""

    label: str  # as written on the template's first line
    help: str  # what it holds, in plain French
    required: bool = False


def header_keys(header: list[str], columns: dict[str, Column]) -> list[str]:
    """For each cell of the first line, the key of the column it names ("" if none)."""
    names = {
        folded(name): key
        for key, column in columns.items()
        for name in (key, column.label, column.label.replace(" d'", " "))
    }
    return [names.get(folded(cell), "") for cell in header]


def values_of(row: list[str], keys: list[str]) -> dict[str, str]:
    """{column key: stripped value} of one row (a missing cell is "")."""
    return {key: (row[i].strip() if i < len(row) else "") for i, key in enumerate(keys) if key}

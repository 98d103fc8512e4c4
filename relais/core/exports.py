"""Cells of every CSV and XLSX file Relais writes, made safe to open in a spreadsheet.

A text that begins with = + - @ (or a tab or carriage return, which some spreadsheets skip
before reading a formula) is run as a formula when the file is opened: a structure named
`=HYPERLINK(...)` would become a live link in the State service's copy. Following the OWASP
guidance on CSV injection, such a text is prefixed with a single quote, so it is shown as
typed and never evaluated. Numbers, dates and empty cells are left as they are.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """`value` as it may be written in a spreadsheet cell: a text that a spreadsheet would
    read as a formula gets a leading single quote; anything else is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values) -> list:
    """Every cell of a row through `safe_cell`."""
    return [safe_cell(value) for value in values]

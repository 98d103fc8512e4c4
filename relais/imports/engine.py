"""What every import does, whatever it brings in: read the file, check each line, then write
all of it in one transaction or nothing.

An importer (`structures.StructureImporter`, `requests.RequestImporter`) names its columns and
knows one line: `check(line)` says what the line would do, changing nothing; `write(line)`
checks it again against the database as it stands and writes it. `preview` checks every
line; `apply` writes every line in one transaction and rolls it all back at the first
problem, so a file is imported whole or not at all.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction

from relais.core import csvfiles
from relais.core.csvfiles import Column

MAX_LINES = 10_000

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTION_LABELS = {CREATE: "à créer", UPDATE: "à modifier", UNCHANGED: "déjà à jour"}
YES = {"oui", "o", "yes", "y", "vrai", "true", "x", "1"}
NO = {"non", "n", "no", "faux", "false", "0"}


@dataclass(frozen=True)
class Problem:
    """Why a line (0: the whole file) cannot be imported, next to the column concerned."""

    line: int
    column: str  # the column's label, "" for the whole line
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" if self.line else "fichier"
        column = f", colonne « {self.column} »" if self.column else ""
        return f"{where}{column} : {self.message}"


@dataclass
class Line:
    number: int  # as a spreadsheet numbers it: the column names are line 1
    values: dict[str, str]


@dataclass
class Outcome:
    """What one line does (or would do)."""

    number: int
    label: str  # who or what the line is about, for the preview
    action: str = ""  # CREATE, UPDATE or UNCHANGED; "" when the line has problems
    problems: list[Problem] = field(default_factory=list)
    # Persons already known who resemble the line's person (identity check): pk, likely, traits.
    candidates: list[dict] = field(default_factory=list)


class LineRefused(Exception):
    """Raised by an importer on a line it cannot take; carries its problems."""

    def __init__(self, *problems: Problem, candidates: list[dict] | None = None):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = list(problems)
        self.candidates = candidates or []


class Importer:
    """One kind of import. Subclasses set COLUMNS and implement check() and write()."""

    COLUMNS: dict[str, Column] = {}
    # What the template file shows under its column names: one example line.
    EXAMPLE: dict[str, str] = {}

    def __init__(self, *, user, audit_as=None):
        self.user = user
        self.audit_as = audit_as  # the HTTP request when there is one, for the audit log

    @classmethod
    def allowed(cls, user) -> None:
        """PermissionDenied unless `user` may import this kind of file."""
        raise PermissionDenied

    def label(self, key: str) -> str:
        return self.COLUMNS[key].label

    def refuse(self, line: Line, key: str, message: str) -> LineRefused:
        return LineRefused(Problem(line.number, self.label(key) if key else "", message))

    def file_problems(self, lines: list[Line]) -> list[Problem]:
        """Problems between lines (a reference twice, a household without its applicant)."""
        return []

    def relate(self, lines: list[Line]) -> list[Problem]:
        """Learn how the lines relate (a household's applicant) before checking some of them:
        each slice of a dry run does (relais/imports/jobs.py). An importer whose
        `file_problems` costs more than that (comparing every person with every other)
        overrides it."""
        return self.file_problems(lines)

    def write_order(self, lines: list[Line]) -> list[Line]:
        return lines

    def check(self, line: Line) -> Outcome:
        raise NotImplementedError

    def write(self, line: Line) -> Outcome:
        raise NotImplementedError

    def written(self, outcomes: list[Outcome]) -> None:
        """Called once every line is written, inside the transaction (the audit row)."""

    # -- value readers shared by the importers -------------------------------------------

    @staticmethod
    def gather(problems: list[Problem], read, default=""):
        """`read()`, or `default` with its problems added to `problems`: a line's every
        problem is told at once, not one per upload."""
        try:
            return read()
        except LineRefused as refusal:
            problems += refusal.problems
            return default

    def yes_no(self, line: Line, key: str) -> bool | None:
        text = line.values.get(key, "").strip().lower()
        if not text:
            return None
        if text in YES:
            return True
        if text in NO:
            return False
        raise self.refuse(line, key, f"« {line.values[key]} » : écrivez oui ou non.")

    def choice(self, line: Line, key: str, choices, *, aliases: dict | None = None) -> str:
        """The stored value of a choice written as its label, a part of it, or an alias."""
        text = line.values.get(key, "").strip()
        if not text:
            return ""
        wanted = csvfiles.folded(text)
        names = {csvfiles.folded(k): v for k, v in (aliases or {}).items()}
        for value, label in choices:
            names.setdefault(csvfiles.folded(str(value)), value)
            names.setdefault(csvfiles.folded(str(label)), value)
            for part in str(label).replace("(", "/").replace(")", "/").split("/"):
                if csvfiles.folded(part):
                    names.setdefault(csvfiles.folded(part), value)
        if wanted in names:
            return names[wanted]
        shown = ", ".join(f"« {label} »" for _, label in choices)
        raise self.refuse(line, key, f"« {text} » n'est pas une valeur possible : {shown}.")

    def form_problems(self, line: Line, form, fields: dict[str, str]) -> list[Problem]:
        """A form's errors, each next to the column of its field (`fields`: field → key)."""
        problems = []
        for name, errors in form.errors.items():
            key = fields.get(name, "")
            column = self.label(key) if key else ""
            problems += [Problem(line.number, column, str(error)) for error in errors]
        return problems


@dataclass
class Report:
    """What an import did or would do: each line's outcome, and every problem by line."""

    outcomes: list[Outcome] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    total: int = 0  # lines of the file under the column names

    @property
    def ok(self) -> bool:
        return bool(self.outcomes) and not self.problems

    def count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.action == action)

    @property
    def summary(self) -> dict[str, int]:
        return {action: self.count(action) for action in ACTION_LABELS}


def read(text: str, columns: dict[str, Column]) -> tuple[list[Line], list[Problem]]:
    """The file's lines with a value per column, or the problems of the file as a whole."""
    rows = csvfiles.rows(text)
    if not rows or not any(cell.strip() for cell in rows[0]):
        return [], [Problem(0, "", "Le fichier est vide.")]
    keys = csvfiles.header_keys(rows[0], columns)
    if not any(keys):
        expected = ", ".join(f"« {c.label} »" for c in columns.values() if c.required)
        return [], [
            Problem(
                1,
                "",
                "La première ligne doit nommer les colonnes (aucun nom reconnu). "
                f"Colonnes obligatoires : {expected}. Partez du modèle de fichier.",
            )
        ]
    missing = [c.label for key, c in columns.items() if c.required and key not in keys]
    if missing:
        names = ", ".join(f"« {name} »" for name in missing)
        return [], [Problem(1, "", f"Colonnes manquantes : {names}.")]
    twice = sorted({columns[k].label for k in keys if k and keys.count(k) > 1})
    if twice:
        names = ", ".join(f"« {name} »" for name in twice)
        return [], [Problem(1, "", f"Colonnes nommées deux fois : {names}.")]
    lines = [
        Line(number, csvfiles.values_of(row, keys))
        for number, row in enumerate(rows[1:], start=2)
        if any(cell.strip() for cell in row)
    ]
    if not lines:
        return [], [Problem(2, "", "Aucune ligne sous les noms de colonnes.")]
    if len(lines) > MAX_LINES:
        return [], [Problem(0, "", f"Au plus {MAX_LINES:_} lignes par fichier.".replace("_", " "))]
    return lines, []


def _outcome(importer: Importer, line: Line, *, write: bool) -> Outcome:
    try:
        return importer.write(line) if write else importer.check(line)
    except LineRefused as refusal:
        return Outcome(line.number, "", problems=refusal.problems, candidates=refusal.candidates)


def check_lines(importer: Importer, lines: list[Line]) -> list[Outcome]:
    """Each line checked, nothing written."""
    return [_outcome(importer, line, write=False) for line in lines]


def preview(importer: Importer, text: str) -> Report:
    """What importing `text` would do, line by line, changing nothing."""
    lines, problems = read(text, importer.COLUMNS)
    if problems:
        return Report(problems=problems)
    return finish(lines, importer.file_problems(lines), check_lines(importer, lines))


def finish(lines: list[Line], problems: list[Problem], outcomes: list[Outcome]) -> Report:
    for outcome in outcomes:
        problems += outcome.problems
    # A problem between lines may be found again on its line: said once, by line.
    problems = sorted(dict.fromkeys(problems), key=lambda p: p.line)
    return Report(outcomes=outcomes, problems=problems, total=len(lines))


def apply(importer: Importer, text: str) -> Report:
    """Write every line of `text` in one transaction; at the first problem, nothing is
    written and the report lists the problems of every line."""
    lines, problems = read(text, importer.COLUMNS)
    if problems:
        return Report(problems=problems)
    problems = importer.file_problems(lines)
    if problems:
        return finish(lines, problems, check_lines(importer, lines))
    outcomes = []
    with transaction.atomic():
        failed = False
        for line in importer.write_order(lines):
            try:
                with transaction.atomic():
                    outcome = _outcome(importer, line, write=not failed)
            except DatabaseError as error:  # a race lost to another user: start again
                outcome = Outcome(
                    line.number,
                    "",
                    problems=[Problem(line.number, "", f"enregistrement impossible ({error}).")],
                )
            failed = failed or bool(outcome.problems)
            outcomes.append(outcome)
        if failed:
            transaction.set_rollback(True)
        else:
            importer.written(outcomes)
    outcomes.sort(key=lambda o: o.number)
    return finish(lines, [], outcomes)

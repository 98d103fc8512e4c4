"""Advancing an import sent from the screen: the dry run slice by slice, then the import in one
transaction (see the docstring of `models.py` for why)."""

import time

from django.db import transaction
from django.utils import timezone

from . import engine
from .kinds import KINDS
from .models import ImportJob

# How long one poll of the page checks lines: the page stays responsive, the bar moves.
SLICE_SECONDS = 1.0


def start(*, kind: str, user, file_name: str, text: str) -> ImportJob:
    """A new import: the file is read at once (its columns, its size); its lines are checked
    by `advance`."""
    importer = KINDS[kind].importer(user=user)
    lines, problems = engine.read(text, importer.COLUMNS)
    job = ImportJob(kind=kind, created_by=user, file_name=file_name[:200], total=len(lines))
    if problems:
        job.problems = _rows(problems)
        job.previewed_at = timezone.now()
    else:
        job.content = text
        job.problems = _rows(importer.file_problems(lines))
    job.save()
    return job


def advance(job: ImportJob, *, seconds: float = SLICE_SECONDS) -> ImportJob:
    """Check the next lines of the dry run for about `seconds`; nothing is written but the job.

    Two polls arriving together check the same slice; the second one's result is dropped
    (the row only moves forward from the position it was read at)."""
    if job.previewed_at is not None:
        return job
    importer = KINDS[job.kind].importer(user=job.created_by)
    lines, _ = engine.read(job.content, importer.COLUMNS)
    importer.relate(lines)
    start_at, done, outcomes = job.checked, job.checked, []
    deadline = time.monotonic() + seconds
    while done < len(lines) and (done == start_at or time.monotonic() < deadline):
        outcomes += engine.check_lines(importer, lines[done : done + 20])
        done = min(done + 20, len(lines))
    with transaction.atomic():
        current = ImportJob.objects.select_for_update().get(pk=job.pk)
        if current.checked != start_at:
            return current
        for outcome in outcomes:
            current.problems += _rows(outcome.problems)
            current.outcomes.append(
                [outcome.number, outcome.action, outcome.label, outcome.candidates]
            )
            if outcome.action:
                current.summary[outcome.action] = current.summary.get(outcome.action, 0) + 1
        current.checked = done
        if done >= len(lines):
            current.problems.sort(key=lambda row: row[0])
            current.previewed_at = timezone.now()
        current.save()
    return current


def run(job: ImportJob, *, audit_as=None) -> engine.Report:
    """Import the job's file, all in one transaction, or nothing (the problems are kept)."""
    importer = KINDS[job.kind].importer(user=job.created_by, audit_as=audit_as)
    report = engine.apply(importer, job.content)
    if report.ok:
        job.imported_at = timezone.now()
        job.summary = report.summary
        job.content = ""  # the persons of the file are in Relais now; no second copy
        job.problems = []
    else:
        job.problems = _rows(report.problems)
        job.outcomes = [[o.number, o.action, o.label, o.candidates] for o in report.outcomes]
        job.summary = report.summary
    job.save()
    return report


def _rows(problems) -> list[list]:
    return [[p.line, p.column, p.message] for p in problems]

import csv
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from relais.core.exports import safe_row
from relais.core.text import count_of
from relais.persons.models import Person

from . import jobs
from .engine import ACTION_LABELS
from .forms import UploadForm
from .kinds import KINDS, Kind
from .models import ImportJob


def _kind(request, slug: str) -> Kind:
    kind = KINDS[slug]
    kind.allow(request.user)
    return kind


def _job(request, pk: int) -> ImportJob:
    """Only the sender reaches an import (out of scope: 404), and only while allowed to."""
    job = get_object_or_404(ImportJob.objects.visible_to(request.user), pk=pk)
    _kind(request, job.kind)
    return job


def upload(request, *, kind: str):
    """Send a file: it is read at once, then its lines are checked on the next page."""
    kind = _kind(request, kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = jobs.start(
            kind=kind.slug,
            user=request.user,
            file_name=form.cleaned_data["file"].name,
            text=form.cleaned_data["text"],
        )
        return redirect("imports:job", pk=job.pk)
    recent = ImportJob.objects.visible_to(request.user).filter(kind=kind.slug)[:5]
    return render(
        request,
        "imports/upload.html",
        {"kind": kind, "form": form, "columns": kind.importer.COLUMNS, "recent": recent},
        status=400 if form.is_bound else 200,
    )


def template_file(request, *, kind: str):
    """The model file: the column names, then one example line."""
    kind = _kind(request, kind)
    columns = kind.importer.COLUMNS
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(safe_row([c.label for c in columns.values()]))
    writer.writerow(safe_row([kind.importer.EXAMPLE.get(key, "") for key in columns]))
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{kind.template_name}"'
    return response


def _context(job: ImportJob) -> dict:
    kind = KINDS[job.kind]
    # The persons shown as look-alikes are read from the database, so the audit log names
    # every one of them (relais.audit.reads), as on the entry form.
    ids = {c["person"] for row in job.outcomes for c in row[3]}
    persons = Person.objects.in_bulk(ids)
    rows = [
        {
            "number": number,
            "action": ACTION_LABELS.get(action, ""),
            "label": label,
            "candidates": [
                {**c, "person": persons[c["person"]]} for c in candidates if c["person"] in persons
            ],
        }
        for number, action, label, candidates in job.outcomes
    ]
    return {
        "job": job,
        "kind": kind,
        "rows": rows,
        "problems": job.problems,
        "counts": [
            count_of(job.summary.get(action, 0), f"ligne {label}", f"lignes {label}")
            for action, label in ACTION_LABELS.items()
        ],
    }


def job_detail(request, pk: int):
    """The dry run: its progress bar while it runs, then what the import would do."""
    job = _job(request, pk)
    return render(request, "imports/job.html", _context(job))


def job_progress(request, pk: int):
    """Polled by the page while the dry run runs: checks the next lines, shows the bar."""
    job = jobs.advance(_job(request, pk))
    response = render(request, "imports/_progress.html", _context(job))
    if job.previewed_at is not None:
        response["HX-Refresh"] = "true"  # the whole page shows the preview
    return response


@require_POST
def job_run(request, pk: int):
    """« Importer »: every line written in one transaction, or none."""
    job = _job(request, pk)
    if job.ready:
        report = jobs.run(job, audit_as=request)
        if report.ok:
            messages.success(request, "Import terminé.")
        else:
            messages.error(request, "L'import n'a rien écrit : le fichier a des erreurs.")
    return redirect("imports:job", pk=job.pk)

"""An import sent from the screen, while it is checked and until it is written (OPS-02).

Why a row, and how the progress bar keeps « nothing half-written »:

There is no task queue here (daily jobs are management commands), and checking a few
thousand lines (the identity check of each person) takes longer than a page should. So the
file's text is kept on an `ImportJob`, and the **dry run** advances by slices: the page polls
(htmx, every second) and each poll checks the next lines for about a second, adds what they
would do and their problems to the row, and answers with the progress bar. The dry run
writes nothing but this row.

The **import** itself is one HTTP request and one database transaction (`engine.apply`):
every line is checked again against the database as it stands then, and written; at the
first problem everything is rolled back and the problems are shown. A file is thus written
whole or not at all, whatever happens between the preview and the click, and a transaction
cut short (a server restart) leaves nothing behind. Once imported, the file's text is
dropped from the row: only the counts stay.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ImportJobQuerySet":
        """An import is seen by who sent it only: its file may name persons."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(created_by=user)

    def purgeable(self, cutoff: dt.datetime) -> "ImportJobQuerySet":
        """Imports whose last step came before `cutoff`: written, failed, or left at the
        preview (finished or not). An import still moving has its last step today. SEC-03:
        the daily retention job deletes them, and their file's text with them."""
        return self.alias(last_step=Coalesce("imported_at", "previewed_at", "created_at")).filter(
            last_step__lt=cutoff
        )


class ImportJob(models.Model):
    kind = models.CharField("type de fichier", max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="envoyé par",
        on_delete=models.CASCADE,
        related_name="+",
    )
    created_at = models.DateTimeField("envoyé le", default=timezone.now)
    file_name = models.CharField("nom du fichier", max_length=200)
    content = models.TextField("contenu", blank=True)
    total = models.PositiveIntegerField("lignes", default=0)
    # Lines checked by the dry run so far: the progress bar.
    checked = models.PositiveIntegerField("lignes vérifiées", default=0)
    previewed_at = models.DateTimeField("aperçu terminé le", null=True, blank=True)
    imported_at = models.DateTimeField("importé le", null=True, blank=True)
    # The dry run's findings: {"create": n, ...}; [[line, column, message], ...]; and per line
    # [number, action, label, candidates] for the table of the preview.
    summary = models.JSONField("bilan", default=dict)
    problems = models.JSONField("problèmes", default=list)
    outcomes = models.JSONField("lignes", default=list)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = "import de fichier"
        verbose_name_plural = "imports de fichiers"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.checked / self.total))

    @property
    def ready(self) -> bool:
        """The dry run is over and found nothing wrong: the import may be confirmed."""
        return self.previewed_at is not None and not self.problems and self.imported_at is None

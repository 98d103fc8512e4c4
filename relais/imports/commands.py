"""The management commands' side of an import: the same checks and messages as the screen."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from relais.accounts.models import User
from relais.core import csvfiles
from relais.core.text import count_of

from . import engine
from .engine import ACTION_LABELS
from .kinds import KINDS


class ImportCommand(BaseCommand):
    kind = ""

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="Le fichier CSV.")
        parser.add_argument(
            "--as",
            dest="username",
            required=True,
            help="Identifiant du compte au nom duquel importer (ses droits s'appliquent).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Affiche ce qui serait fait, sans rien écrire."
        )

    def handle(self, *args, path: str, username: str, dry_run: bool = False, **options):
        kind = KINDS[self.kind]
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Aucun compte actif « {username} ».")
        try:
            kind.allow(user)
        except PermissionDenied as refusal:
            raise CommandError(f"{username} ne peut pas importer ce fichier : {refusal}") from None
        try:
            text = csvfiles.text_of(Path(path).read_bytes(), name=Path(path).name)
        except OSError as error:
            raise CommandError(f"Fichier illisible : {error.strerror}.") from None
        except csvfiles.FileRefused as refusal:
            raise CommandError(str(refusal)) from None
        importer = kind.importer(user=user)
        report = engine.preview(importer, text) if dry_run else engine.apply(importer, text)
        for problem in report.problems:
            self.stderr.write(str(problem).capitalize())
        counts = ", ".join(f"{n} {ACTION_LABELS[a]}" for a, n in report.summary.items())
        errors = count_of(len(report.problems), "erreur")
        self.stdout.write(f"{count_of(report.total, 'ligne')} : {counts}, {errors}.")
        if report.problems:
            raise CommandError("Le fichier a des erreurs : rien n'a été écrit.")
        if dry_run:
            self.stdout.write("Simulation : rien n'a été écrit.")
        else:
            self.stdout.write(self.style.SUCCESS("Import terminé."))

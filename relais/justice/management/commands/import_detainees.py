from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from relais.accounts.enums import OrganisationKind
from relais.accounts.models import Organisation, User
from relais.core import csvfiles
from relais.releases import imports


class Command(BaseCommand):
    help = (
        "Importe la liste des personnes détenues d'un SPIP (fichier CSV, colonnes décrites "
        "dans relais/justice/imports.py et le README). Avec des erreurs, rien n'est écrit."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="Le fichier CSV.")
        parser.add_argument("--spip", required=True, help="Nom ou numéro du SPIP.")
        parser.add_argument("--by", required=True, help="Identifiant du compte qui importe.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Affiche ce qui serait fait, sans rien écrire."
        )

    def handle(self, *args, path: str, spip: str, by: str, dry_run: bool = False, **options):
        spips = Organisation.objects.filter(kind=OrganisationKind.SPIP)
        found = spips.filter(pk=spip).first() if spip.isdigit() else spips.filter(name=spip).first()
        if found is None:
            raise CommandError(f"Aucun SPIP « {spip} ».")
        user = User.objects.filter(username=by, is_active=True).first()
        if user is None:
            raise CommandError(f"Aucun compte actif « {by} ».")
        try:
            text = csvfiles.decode(Path(path).read_bytes())
        except OSError as error:
            raise CommandError(f"Fichier illisible : {error}") from error
        result = imports.plan(text, spip=found)
        for number, message in result.errors:
            self.stderr.write(f"ligne {number} : {message}")
        self.stdout.write(
            f"{result.count(imports.CREATE)} à créer, {result.count(imports.UPDATE)} à mettre "
            f"à jour, {result.count(imports.UNCHANGED)} inchangées, "
            f"{len(result.errors)} en erreur."
        )
        if result.errors:
            raise CommandError("Le fichier a des erreurs : rien n'a été écrit.")
        if dry_run:
            self.stdout.write("Simulation : rien n'a été écrit.")
            return
        imports.apply(result, spip=found, by=user)
        self.stdout.write(self.style.SUCCESS("Import terminé."))

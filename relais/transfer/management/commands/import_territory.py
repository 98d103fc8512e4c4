import zipfile

from django.core.management.base import BaseCommand, CommandError

from relais.transfer.importer import ImportRefused, import_territory


class Command(BaseCommand):
    help = (
        "Importe dans une base vide (migrée à la même version de Relais) le zip écrit par "
        "export_territory. Refuse, sans rien écrire, une base qui contient déjà l'une de ses "
        "lignes."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("zip", help="fichier écrit par export_territory")

    def handle(self, *args, zip: str, **options) -> None:
        try:
            written = import_territory(zip)
        except FileNotFoundError as error:
            raise CommandError(f"Fichier introuvable : {zip}.") from error
        except zipfile.BadZipFile as error:
            raise CommandError(
                f"{zip} n'est pas un fichier zip lisible. Rien n'a été écrit."
            ) from error
        except ImportRefused as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Import terminé : {sum(written.values())} lignes dans {len(written)} tables."
        )

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from relais.accounts.models import Territory
from relais.transfer.exporter import export_territory


class Command(BaseCommand):
    help = (
        "Exporte toutes les données d'un territoire (tables et fichiers joints) dans un zip : "
        "un fichier JSON lines par table, manifest.json et LISEZMOI.md qui décrit le format."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("insee_code", help="code INSEE du département (68, 2A…)")
        parser.add_argument(
            "--output", help="fichier zip à écrire (défaut : territoire-<code>-<date>.zip)"
        )

    def handle(self, *args, insee_code: str, output: str | None, **options) -> None:
        territory = Territory.objects.filter(insee_code=insee_code).first()
        if territory is None:
            raise CommandError(f"Aucun territoire de code INSEE « {insee_code} » dans cette base.")
        path = Path(output or f"territoire-{insee_code}-{timezone.localdate():%Y-%m-%d}.zip")
        if path.exists():
            raise CommandError(f"{path} existe déjà : choisissez un autre nom (--output).")
        try:
            manifest = export_territory(territory, path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"Territoire {territory} exporté dans {path} : {rows} lignes, "
            f"{len(manifest['tables'])} tables, {len(manifest['media'])} fichiers joints."
        )
        for name in manifest["missing_media"]:
            self.stderr.write(f"Attention : fichier joint introuvable, non exporté : {name}")
        if manifest["audit"]["rows"] and not manifest["audit"]["chain_complete"]:
            self.stderr.write(
                "Attention : le journal d'audit de cette base est partagé avec d'autres "
                "territoires ; ses lignes exportées ne forment pas une chaîne complète, "
                "verify_audit_chain la dira rompue après l'import (voir LISEZMOI.md)."
            )

from django.core.management.base import BaseCommand, CommandError

from relais.audit.log import verify_chain


class Command(BaseCommand):
    help = (
        "Vérifie la chaîne d'empreintes du journal d'audit. Code de sortie 1, et n° de la "
        "première ligne en cause, si une ligne a été modifiée, supprimée ou insérée."
    )

    def handle(self, *args, **options) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"Chaîne du journal d'audit rompue à la ligne n° {report.broken_id} : "
                f"{report.problem} ({report.checked} lignes vérifiées avant elle).",
                returncode=1,
            )
        self.stdout.write(f"Chaîne du journal d'audit intacte : {report.checked} lignes vérifiées.")

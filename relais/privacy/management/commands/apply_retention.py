from django.conf import settings
from django.utils import timezone

from relais.core.commands import DailyCommand
from relais.core.text import count_of
from relais.privacy import retention


class Command(DailyCommand):
    help = (
        "Applique les durées de conservation (SEC-03) : anonymise les dossiers sans activité "
        "depuis plus de FILE_RETENTION_DAYS jours, purge les lignes du journal d'audit de "
        "plus de AUDIT_RETENTION_DAYS jours, efface les imports de fichiers terminés depuis "
        "plus de IMPORT_RETENTION_DAYS jours et les clés d'idempotence de l'API expirées. "
        "Sans effet si on le relance le même jour."
    )

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="Affiche ce qui serait fait, sans rien changer."
        )

    def handle(self, *args, dry_run: bool = False, today: str | None = None, **options) -> None:
        """Activity, and the exact day a file or a row goes: see relais/privacy/retention.py."""
        day = self.today(today)
        plan = retention.plan(day)
        self.stdout.write(
            f"Conservation au {day:%d/%m/%Y} : dossiers sans activité depuis le "
            f"{plan.file_cutoff:%d/%m/%Y} inclus ({settings.FILE_RETENTION_DAYS} jours), journal "
            f"d'audit antérieur au {timezone.localtime(plan.audit_cutoff):%d/%m/%Y} "
            f"({settings.AUDIT_RETENTION_DAYS} jours)."
        )
        self.stdout.write(f"{count_of(len(plan.persons), 'personne')} à anonymiser.")
        for person_id, last_activity in plan.persons.items():
            self.stdout.write(
                f"  personne n° {person_id} : dernière activité le {last_activity:%d/%m/%Y}"
            )
        self.stdout.write(f"{count_of(plan.audit_rows, 'ligne')} du journal d'audit à purger.")
        imports = count_of(plan.import_jobs, "import de fichier", "imports de fichiers")
        self.stdout.write(
            f"{imports} dont la dernière étape précède le "
            f"{timezone.localtime(plan.import_cutoff):%d/%m/%Y} "
            f"({settings.IMPORT_RETENTION_DAYS} jours) à effacer."
        )
        keys = count_of(
            plan.idempotency_keys, "clé d'idempotence expirée", "clés d'idempotence expirées"
        )
        self.stdout.write(f"{keys} (API) à effacer.")
        if dry_run:
            self.stdout.write("Simulation : rien n'a été modifié.")
            return
        retention.apply(plan)
        self.stdout.write(self.style.SUCCESS("Conservation appliquée."))

import time

from django.core.management.base import BaseCommand, CommandError

from relais.demo import second_factor
from relais.demo.loader import load_demo, other_territories
from relais.demo.summary import summary_lines


class Command(BaseCommand):
    help = (
        "Remplace le contenu de la base par le territoire de démonstration du Haut-Rhin "
        "(structures, comptes, ménages et demandes). Toujours le même contenu ; relançable."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Écraser aussi une base qui contient d'autres territoires que celui de démonstration.",
        )

    def handle(self, *args, force: bool = False, **options):
        others = other_territories()
        if others and not force:
            raise CommandError(
                "Cette base contient d'autres territoires que celui de démonstration "
                f"({', '.join(others)}) : load_demo effacerait leurs données. "
                "Utilisez --force si c'est bien une base de démonstration."
            )
        started = time.monotonic()
        load_demo()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Territoire de démonstration chargé en {elapsed:.1f} s.")
        )
        self.stdout.write("\n".join(summary_lines()))
        self.stdout.write("\n".join(second_factor.summary_lines()))

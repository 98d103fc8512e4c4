import time

from django.core.management.base import BaseCommand, CommandError

from relais.demo import second_factor
from relais.demo.loader import DemoRefused, load_demo
from relais.demo.summary import summary_lines


class Command(BaseCommand):
    help = (
        "Remplace le contenu de la base par le territoire de démonstration du Haut-Rhin "
        "(structures, comptes, ménages et demandes). Toujours le même contenu ; relançable. "
        "Refuse hors des réglages de développement et de test, et sur une base contenant des "
        "données que la démonstration n'a pas créées."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            load_demo()
        except DemoRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Territoire de démonstration chargé en {elapsed:.1f} s.")
        )
        self.stdout.write("\n".join(summary_lines()))
        self.stdout.write("\n".join(second_factor.summary_lines()))

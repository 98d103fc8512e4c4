"""Recompute every person's blocking keys (after a change of the engine, or on old data)."""

import os
import time

from django.core.management.base import BaseCommand

from relais.identity.rebuild import rebuild_identity_keys


class Command(BaseCommand):
    help = (
        "Recalcule les clés d'identité de toutes les personnes ; avec --pairs, recherche aussi "
        "les paires ressemblantes pour la file « à examiner »."
    )

    def add_arguments(self, parser):
        parser.add_argument("--pairs", action="store_true", help="rechercher aussi les paires")
        parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)

    def handle(self, *args, pairs: bool, workers: int, **options):
        started = time.monotonic()
        rebuilt = rebuild_identity_keys(pairs=pairs, workers=workers)
        found = "" if rebuilt.pairs is None else f", {rebuilt.pairs} paires ressemblantes"
        self.stdout.write(
            f"{rebuilt.persons} personnes, clés recalculées{found} "
            f"en {time.monotonic() - started:.1f} s"
        )

"""Recompute every person's blocking keys (after a change of the engine, or on old data)."""

import os
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from relais.identity.bulk import find_pairs
from relais.identity.matching import Identity, blocking_keys, key_hash
from relais.identity.models import (
    IDENTITY_FIELDS,
    IdentityKey,
    PersonMerge,
    PersonPair,
)
from relais.requests.models import Person

BATCH = 5000


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
        merged = set(PersonMerge.objects.active().values_list("merged_id", flat=True))
        identities: dict[int, Identity] = {}
        count = 0
        with transaction.atomic():
            IdentityKey.objects.all().delete()
            batch = []
            for person in Person.objects.only(*IDENTITY_FIELDS).order_by("pk").iterator(BATCH):
                if person.pk in merged:
                    continue
                identity = Identity.of_person(person)
                if pairs:
                    identities[person.pk] = identity
                hashes = {key_hash(k) for k in blocking_keys(identity)}
                batch.extend(IdentityKey(person_id=person.pk, key=h) for h in hashes)
                count += 1
                if len(batch) >= BATCH:
                    IdentityKey.objects.bulk_create(batch)
                    batch = []
            IdentityKey.objects.bulk_create(batch)
        self.stdout.write(
            f"{count} personnes, clés recalculées en {time.monotonic() - started:.1f} s"
        )
        if pairs:
            found = find_pairs(identities, workers=workers)
            for pair in found:
                PersonPair.objects.get_or_create(
                    person_a_id=pair.a,
                    person_b_id=pair.b,
                    defaults={"score": pair.score, "reasons": pair.reasons},
                )
            self.stdout.write(f"{len(found)} paires ressemblantes")

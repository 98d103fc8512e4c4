"""Every person's blocking keys, and optionally the review queue's pairs, computed afresh.

For data that bypassed Person.save() (bulk loads, the demo, old data) or after a change of
the engine; the post_save signal keeps them up to date afterwards.
"""

from dataclasses import dataclass

from django.db import transaction

from relais.persons.models import Person

from .bulk import find_pairs
from .matching import Identity, blocking_keys, key_hash
from .models import IDENTITY_FIELDS, IdentityKey, PersonMerge, PersonPair

BATCH = 5000


@dataclass(frozen=True)
class Rebuilt:
    persons: int
    pairs: int | None  # None when pairs were not searched


def rebuild_identity_keys(*, pairs: bool = False, workers: int = 1) -> Rebuilt:
    """Replace every person's keys (merged-away persons get none); with `pairs`, also store
    every likely pair for the review queue, leaving the decisions already taken as they are."""
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
    if not pairs:
        return Rebuilt(persons=count, pairs=None)
    found = find_pairs(identities, workers=workers)
    for pair in found:
        PersonPair.objects.get_or_create(
            person_a_id=pair.a,
            person_b_id=pair.b,
            defaults={"score": pair.score, "reasons": pair.reasons},
        )
    return Rebuilt(persons=count, pairs=len(found))

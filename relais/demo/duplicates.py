"""Persons typed twice (IDV-01): the 115 took the call, a CCAS later referred the same person,
and neither knew of the other. The identity review queue shows these pairs out of the box.

Each second record differs from the first the way records do in practice: accents dropped,
a typo in the surname, day and month exchanged, the married name typed as the birth name,
only the year of birth known, another transliteration. A generator of their own, so that the
rest of the demo stays the same.
"""

import datetime as dt
import random
import unicodedata
from collections.abc import Callable

from django.utils import timezone

from relais.accounts.enums import Role
from relais.identity.matching import REVIEW, Identity, blocking_keys, compare
from relais.persons.enums import NationalityGroup, Relationship, Sex
from relais.persons.models import Household, Person
from relais.requests.enums import Channel
from relais.requests.models import Request, RequestEvent, create_request

from .territory import Cast

DUPLICATE_SEED = 682028
# Days between the first record and the second.
LATER = (3, 40)
# Spellings of one sound: Youssef, Yusuf. (Dropping an "h", Gashi/Gasi, changes the phonetic
# skeleton the blocking keys are made of: the engine would not compare the two records.)
TRANSLITERATIONS = [("ou", "u"), ("ss", "s"), ("mm", "m"), ("y", "i"), ("ee", "i")]


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def accents_dropped(person: Person, rng: random.Random) -> dict | None:
    """Typed in capitals on a keyboard without accents: MULLER Helene for Müller Hélène."""
    names = f"{person.birth_name}{person.first_names}"
    if _without_accents(names) == names:
        return None
    return {
        "birth_name": _without_accents(person.birth_name).upper(),
        "first_names": _without_accents(person.first_names),
        "birth_place": _without_accents(person.birth_place),
    }


def surname_typo(person: Person, rng: random.Random) -> dict | None:
    """Two neighbouring letters of the surname exchanged."""
    name = person.birth_name
    if len(name) < 6 or " " in name or "-" in name:
        return None
    i = rng.randint(1, len(name) - 3)
    if name[i] == name[i + 1]:
        return None
    return {"birth_name": name[:i] + name[i + 1] + name[i] + name[i + 2 :]}


def day_and_month_swapped(person: Person, rng: random.Random) -> dict | None:
    """03/11 written 11/03: the date read the other way round from a foreign document."""
    day, month = person.birth_day, person.birth_month
    if not day or not month or day > 12 or day == month:
        return None
    return {"birth_day": month, "birth_month": day}


def married_name_as_birth_name(person: Person, rng: random.Random) -> dict | None:
    """She gave her married name; it was typed as her birth name."""
    if person.sex != Sex.FEMALE or not person.usage_name:
        return None
    return {"birth_name": person.usage_name, "usage_name": ""}


def only_the_year_known(person: Person, rng: random.Random) -> dict | None:
    """On the phone at night: the usual first name and the year of birth, nothing more."""
    first = person.first_names.split()
    if not person.birth_month or len(first) < 2:
        return None
    return {"first_names": first[0], "birth_month": None, "birth_day": None, "birth_place": ""}


def other_transliteration(person: Person, rng: random.Random) -> dict | None:
    """A name written in another alphabet, spelt another way: Boussaid, Busaid."""
    if person.nationality_group == NationalityGroup.FRENCH:
        return None
    name = person.birth_name
    for old, new in TRANSLITERATIONS:
        if old in name.lower()[1:]:
            i = name.lower().index(old, 1)
            return {"birth_name": name[:i] + new + name[i + len(old) :]}
    return None


VARIATIONS: list[Callable[[Person, random.Random], dict | None]] = [
    accents_dropped,
    surname_typo,
    day_and_month_swapped,
    married_name_as_birth_name,
    only_the_year_known,
    other_transliteration,
]
COPIED = [
    f.name
    for f in Person._meta.concrete_fields
    if f.name not in ("id", "created_at", "address", "phone")
]


def type_twice(cast: Cast, *, now: dt.datetime) -> list[tuple[Person, Person]]:
    """Give a few adults a second record, alone, with a request from the other service.

    Returns (first record, second record) pairs.
    """
    rng = random.Random(DUPLICATE_SEED)
    # The persons in detention (relais.demo.detentions) keep one record: their story is the
    # release pipeline's.
    persons = list(
        Person.objects.filter(
            memberships__relationship__in=[Relationship.PRINCIPAL, Relationship.SPOUSE],
            detentions__isnull=True,
        ).order_by("pk")
    )
    rng.shuffle(persons)
    made, used = [], set()
    for variation in VARIATIONS:
        for person in persons:
            if person.pk in used:
                continue
            changes = variation(person, rng)
            if changes is None or not _engine_pairs(person, changes):
                continue
            used.add(person.pk)
            made.append((person, _second_record(cast, person, changes, rng=rng, now=now)))
            break
    return made


def _engine_pairs(person: Person, changes: dict) -> bool:
    """Whether the identity engine would put the second record in the review queue: it shares
    a blocking key with the first and scores at least "to review". Some real typos escape it
    (HARTMANN, HATRMANN: another phonetic skeleton); the demo shows the ones it finds."""
    twin = Person(**{name: getattr(person, name) for name in COPIED})
    for name, value in changes.items():
        setattr(twin, name, value)
    one, other = Identity.of_person(person), Identity.of_person(twin)
    return bool(blocking_keys(one) & blocking_keys(other)) and compare(one, other).score >= REVIEW


def _second_record(
    cast: Cast, person: Person, changes: dict, *, rng: random.Random, now: dt.datetime
) -> Person:
    first = Request.objects.filter(person=person).order_by("created_at", "pk").first()
    at = min(
        first.created_at + dt.timedelta(days=rng.randint(*LATER), hours=rng.randint(0, 6)),
        now - dt.timedelta(hours=rng.randint(2, 30)),
    )
    twin = Person(**{name: getattr(person, name) for name in COPIED}, created_at=at)
    for name, value in changes.items():
        setattr(twin, name, value)
    twin.save()
    if first.channel == Channel.EMERGENCY:  # the 115 first, a CCAS later
        organisation = cast.organisations["ccas-mulhouse"]
        by = cast.staff("ccas-mulhouse", Role.SOCIAL_WORKER)[0]
        fields = {"channel": Channel.INSERTION}
    else:  # a CCAS first, then a call to the 115
        organisation = cast.organisations["115"]
        by = cast.staff("115", Role.EMERGENCY_LINE)[0]
        fields = {
            "channel": Channel.EMERGENCY,
            "needs_tonight": True,
            "notes": "Appel de la personne elle-même, sans solution ce soir.",
        }
    request = create_request(
        person=twin,
        referrer_organisation=organisation,
        by=by,
        occurred_at=at,
        created_at=at,
        requested_on=timezone.localdate(at),
        **fields,
    )
    Request.objects.filter(pk=request.pk).update(updated_at=at)
    Household.objects.filter(pk=request.household_id).update(created_at=at)
    RequestEvent.objects.filter(request=request).update(recorded_at=at)
    return twin

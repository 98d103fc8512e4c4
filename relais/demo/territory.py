"""The demo territory's fixed cast: Haut-Rhin, its organisations, accounts and structures."""

import datetime as dt
import random
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from faker import Faker

from relais.accounts.enums import Role
from relais.accounts.models import Organisation, Territory, User
from relais.places.enums import PlaceType, StructureType
from relais.places.models import CapacityChange, Dwelling, PlaceCapacity, Structure

from . import data, identifiers


@dataclass
class Cast:
    """Everything the households are built around, looked up by the keys of `data`."""

    territory: Territory
    organisations: dict[str, Organisation]
    # Members of each organisation, demo account first.
    members: dict[str, list[User]]
    structures: list[Structure]
    specs: dict[int, data.StructureSpec] = field(default_factory=dict)

    def staff(self, organisation: str, *roles: str) -> list[User]:
        return [user for user in self.members[organisation] if user.role in roles]


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return "".join(c if c.isalnum() else "-" for c in plain).strip("-")


def build_cast(*, rng: random.Random, fake: Faker, places_since: dt.datetime) -> Cast:
    """`places_since`: when the structures' places opened (their capacity history)."""
    territory = Territory.objects.create(name=data.TERRITORY_NAME, insee_code=data.TERRITORY_CODE)
    organisations = _organisations(rng, territory)
    members = _users(rng, fake, organisations)
    _justice_referents(organisations, members)
    cast = Cast(territory, organisations, members, structures=[])
    _structures(rng, cast, places_since)
    return cast


def _phone(rng: random.Random, prefix: str = "03 89") -> str:
    return f"{prefix} " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3))


def _organisations(rng: random.Random, territory: Territory) -> dict[str, Organisation]:
    rows = []
    for spec in data.ORGANISATIONS:
        commune = data.COMMUNES[spec.commune]
        town = f"{commune.postcode} {commune.name}"
        rows.append(
            Organisation(
                name=spec.name,
                kind=spec.kind,
                subtype=spec.subtype,
                territory=territory,
                email=f"contact@{spec.domain}.example",
                phone=spec.phone or _phone(rng),
                address=f"{spec.street}, {town}" if spec.street else town,
            )
        )
    Organisation.objects.bulk_create(rows)
    return {spec.key: row for spec, row in zip(data.ORGANISATIONS, rows, strict=True)}


def _users(
    rng: random.Random, fake: Faker, organisations: dict[str, Organisation]
) -> dict[str, list[User]]:
    """Demo accounts (who can log in), their colleagues (who cannot) and the superuser."""
    domains = {spec.key: spec.domain for spec in data.ORGANISATIONS}
    # One hash for every demo account: hashing is slow on purpose and they share the password.
    password = make_password(data.PASSWORD)
    users: list[User] = []
    owners: list[str] = []

    def add(spec: data.AccountSpec, *, can_log_in: bool) -> None:
        domain = domains.get(spec.organisation, "relais")
        users.append(
            User(
                username=spec.username,
                first_name=spec.first_name,
                last_name=spec.last_name,
                email=f"{ascii_slug(spec.first_name)}.{ascii_slug(spec.last_name)}@{domain}.example",
                role=spec.role,
                organisation=organisations.get(spec.organisation),
                phone=_phone(rng) if spec.organisation else "",
                password=password if can_log_in else make_password(None),
            )
        )
        owners.append(spec.organisation)

    for spec in data.DEMO_ACCOUNTS:
        add(spec, can_log_in=True)
    taken = {(spec.first_name, spec.last_name) for spec in data.DEMO_ACCOUNTS}
    for organisation, role, count in data.COLLEAGUES:
        for _ in range(count):
            first, last = _colleague_name(rng, fake)
            while (first, last) in taken:
                first, last = _colleague_name(rng, fake)
            taken.add((first, last))
            username = f"{ascii_slug(first)[0]}.{ascii_slug(last)}.{organisation}"
            add(data.AccountSpec(username, role, organisation, first, last), can_log_in=False)
    add(data.SUPERUSER, can_log_in=True)
    users[-1].is_superuser = users[-1].is_staff = True
    User.objects.bulk_create(users)

    members: dict[str, list[User]] = {key: [] for key in organisations}
    for owner, user in zip(owners, users, strict=True):
        if owner:
            members[owner].append(user)
    return members


def _justice_referents(organisations: dict[str, Organisation], members) -> None:
    """JUS-08: the SPIP's référent hébergement-logement and the SIAO's référent justice (a
    colleague of the demo account), and the SPIP working in each prison."""
    spip = organisations["spip"]
    for key, role in (("spip", Role.CPIP), ("siao", Role.SIAO_OPERATOR)):
        staff = [user for user in members[key] if user.role == role]
        organisations[key].referent = staff[-1]
        organisations[key].save(update_fields=["referent"])
    for key in ("cp-lutterbach", "mc-ensisheim"):
        organisations[key].spip = spip
        organisations[key].save(update_fields=["spip"])


def _colleague_name(rng: random.Random, fake: Faker) -> tuple[str, str]:
    men, women = data.FRENCH_FIRST_NAMES[rng.choice([1970, 1980, 1990])]
    first = rng.choice(men if rng.random() < 0.3 else women)  # the field is mostly women
    last = rng.choice(data.ALSATIAN_SURNAMES) if rng.random() < 0.5 else fake.last_name()
    return first, last


def _structures(rng: random.Random, cast: Cast, places_since: dt.datetime) -> None:
    domains = {spec.key: spec.domain for spec in data.ORGANISATIONS}
    sirens = {spec.key: identifiers.siren(rng) for spec in data.ORGANISATIONS}
    sites: dict[str, int] = {}
    rows = []
    for spec in data.STRUCTURES:
        commune = data.COMMUNES[spec.commune]
        sites[spec.manager] = sites.get(spec.manager, 0) + 1
        rows.append(
            Structure(
                name=spec.name,
                structure_type=spec.structure_type,
                territory=cast.territory,
                manager=cast.organisations[spec.manager],
                has_chrs_status=spec.chrs,
                finess=identifiers.finess(rng, data.TERRITORY_CODE) if spec.has_finess else "",
                siret=identifiers.siret(sirens[spec.manager], sites[spec.manager]),
                street=spec.street,
                postcode=commune.postcode,
                commune=commune.name,
                commune_insee_code=commune.insee_code,
                email=f"{spec.key}@{domains[spec.manager]}.example",
            )
        )
    Structure.objects.bulk_create(rows)
    capacities = []
    for spec, structure in zip(data.STRUCTURES, rows, strict=True):
        cast.specs[structure.pk] = spec
        for capacity in spec.capacities:
            capacities.append(
                PlaceCapacity(
                    structure=structure,
                    place_type=capacity.place_type,
                    places=capacity.places,
                    is_winter_only=capacity.winter,
                    is_scattered=capacity.scattered,
                    is_dormitory=capacity.dormitory,
                    **_restrictions(spec, capacity, index=len(capacities)),
                )
            )
    PlaceCapacity.objects.bulk_create(capacities)
    # bulk_create skips save(): the first change of each capacity is written here (SIAO-18).
    CapacityChange.record_opening(capacities, at=places_since, note="Ouverture des places.")
    _dwellings(capacities)
    cast.structures = rows


def _restrictions(spec: data.StructureSpec, capacity: data.Capacity, *, index: int) -> dict:
    """Who the places take in, from the structure's public; a few take pets or wheelchairs.

    Drawn from the capacity's position, not from the shared random generator, so that the
    rest of the demo stays the same.
    """
    public = {
        "men": {"accepts_women": False, "accepts_couples": False, "accepts_children": False},
        "women": {"accepts_men": False, "accepts_couples": False},
        "singles": {"accepts_couples": False, "accepts_children": False},
    }.get(spec.public, {})
    return {
        **public,
        "min_age": 18,
        "accepts_pets": index % 4 == 1 and not capacity.dormitory,
        "wheelchair_accessible": index % 3 == 0 and not capacity.scattered,
    }


DWELLING_SEED = 682027
FLATS = ["T1", "T2", "T3", "T4"]


def _dwellings(capacities: list[PlaceCapacity]) -> None:
    """Scattered flats of the housing capacities rented in IML or ordinary housing: their
    surfaces give, by Table 2 (SIAO-10), exactly the capacity's places.

    A generator of their own, so that the rest of the demo stays the same.
    """
    rng = random.Random(DWELLING_SEED)
    rows = []
    for capacity in capacities:
        if capacity.place_type != PlaceType.HOUSING or capacity.structure.structure_type not in (
            StructureType.IML,
            StructureType.ORDINARY_HOUSING,
        ):
            continue
        left, number = capacity.places, 0
        while left:
            places = min(left, rng.choice([1, 2, 2, 3, 3, 4]))
            left -= places
            number += 1
            low = 9 if places == 1 else 12 + 11 * (places - 2)
            high = 11.5 if places == 1 else low + 10.5
            surface = round(rng.uniform(low, high), 1)
            floor = rng.randint(0, 5)
            rows.append(
                Dwelling(
                    capacity=capacity,
                    label=f"{FLATS[places - 1]} n° {number}, {floor}e étage"
                    if floor
                    else f"{FLATS[places - 1]} n° {number}, rez-de-chaussée",
                    surface=surface,
                )
            )
    Dwelling.objects.bulk_create(rows)

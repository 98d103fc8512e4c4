"""Invented persons and households: names fit the birth decade and the country of origin."""

import datetime as dt
import random
from dataclasses import dataclass

from faker import Faker

from relais.persons.enums import (
    ChildSituation,
    MaritalStatus,
    NationalityGroup,
    Relationship,
    ResidencePermitType,
    Sex,
)
from relais.persons.models import Person

from . import data

# Ages are reckoned at a fixed date so that names and birth dates never depend on the day the
# demo is loaded; administrative dates (permits…) follow the day of loading.
REFERENCE_DATE = dt.date(2026, 9, 1)

ORIGIN_WEIGHTS = {
    "algérienne": 9, "marocaine": 7, "tunisienne": 3, "turque": 6, "afghane": 6, "guinéenne": 5,
    "ivoirienne": 4, "congolaise (RDC)": 4, "érythréenne": 3, "syrienne": 3, "géorgienne": 4,
    "albanaise": 4, "ukrainienne": 4, "kosovare": 3, "roumaine": 5, "portugaise": 3,
    "italienne": 2, "espagnole": 1, "allemande": 2,
}  # fmt: skip

FRENCH_BIRTHPLACES = [
    ("Mulhouse", 30), ("Colmar", 12), ("Saint-Louis", 4), ("Guebwiller", 3), ("Thann", 2),
    ("Altkirch", 2), ("Strasbourg", 8), ("Belfort", 5), ("Montbéliard", 3), ("Besançon", 3),
    ("Nancy", 2), ("Metz", 2), ("Paris", 5), ("Lyon", 3), ("Marseille", 3), ("Lille", 2),
    ("Dijon", 1), ("Reims", 1), ("Épinal", 1),
]  # fmt: skip

PERMITS_ON_ARRIVAL = [
    (ResidencePermitType.ASYLUM_SEEKER, 40),
    (ResidencePermitType.NONE, 20),
    (ResidencePermitType.RECEIPT, 20),
    (ResidencePermitType.APS, 10),
    (ResidencePermitType.VISA, 5),
]
PERMITS_SETTLED = [
    (ResidencePermitType.TEMPORARY, 25),
    (ResidencePermitType.MULTI_YEAR, 20),
    (ResidencePermitType.RESIDENT, 25),
    (ResidencePermitType.RECEIPT, 15),
    (ResidencePermitType.APS, 5),
    (ResidencePermitType.NONE, 8),
    (ResidencePermitType.OTHER, 2),
]
# Days of validity left, from the day of loading (negative: expired, renewal pending).
PERMIT_VALIDITY = {
    ResidencePermitType.ASYLUM_SEEKER: (20, 270),
    ResidencePermitType.RECEIPT: (-15, 150),
    ResidencePermitType.APS: (20, 180),
    ResidencePermitType.VISA: (30, 300),
    ResidencePermitType.TEMPORARY: (-40, 360),
    ResidencePermitType.MULTI_YEAR: (200, 1400),
    ResidencePermitType.RESIDENT: (300, 3600),
    ResidencePermitType.OTHER: (30, 365),
}


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


@dataclass
class Member:
    person: Person
    relationship: str
    child_situation: str = ""

    @property
    def is_adult(self) -> bool:
        return self.relationship in (Relationship.PRINCIPAL, Relationship.SPOUSE)


class PersonMaker:
    def __init__(self, *, rng: random.Random, fake: Faker, today: dt.date) -> None:
        self.rng = rng
        self.fake = fake
        self.today = today
        self.origins = {origin.nationality: origin for origin in data.ORIGINS}

    # -- choices -----------------------------------------------------------------------

    def origin(self, *, french_share: float, foreign_only: bool = False) -> data.Origin | None:
        """None means French. Non-EU people are most of the foreigners in shelters."""
        if not foreign_only and self.rng.random() < french_share:
            return None
        pairs = [
            (self.origins[name], weight)
            for name, weight in ORIGIN_WEIGHTS.items()
            if not foreign_only or self.origins[name].group == NationalityGroup.NON_EU
        ]
        return weighted(self.rng, pairs)

    def surname(self, origin: data.Origin | None) -> str:
        if origin is not None:
            return self.rng.choice(origin.surnames)
        draw = self.rng.random()
        if draw < 0.35:
            return self.rng.choice(data.ALSATIAN_SURNAMES)
        if draw < 0.5:
            return self.rng.choice(
                self.origins[self.rng.choice(data.FRENCH_WITH_FOREIGN_NAMES)].surnames
            )
        return self.fake.last_name()

    def first_names(
        self, *, sex: str, year: int, origin: data.Origin | None, french_names: bool
    ) -> str:
        if origin is None or french_names:
            decade = min(max(year // 10 * 10, 1950), 2020)
            men, women = data.FRENCH_FIRST_NAMES[decade]
            pool = men if sex == Sex.MALE else women
            count = weighted(self.rng, [(1, 55), (2, 35), (3, 10)])
        else:
            pool = origin.men if sex == Sex.MALE else origin.women
            count = weighted(self.rng, [(1, 85), (2, 15)])
        return " ".join(self.rng.sample(pool, min(count, len(pool))))

    def birth(self, *, age: int, origin: data.Origin | None) -> tuple[int, int | None, int | None]:
        born = REFERENCE_DATE - dt.timedelta(days=365 * age + self.rng.randint(0, 364))
        if born > self.today:
            born = self.today - dt.timedelta(days=self.rng.randint(10, 200))
        draw = self.rng.random()
        foreign = origin is not None and origin.group == NationalityGroup.NON_EU
        if draw < (0.15 if foreign else 0.06):
            return born.year, None, None
        if draw < (0.22 if foreign else 0.12):
            return born.year, born.month, None
        if foreign and draw < 0.35:
            return (
                born.year,
                1,
                1,
            )  # "né le 1er janvier": the usual date when only the year is known
        return born.year, born.month, born.day

    def birthplace(self, origin: data.Origin | None, *, born_in_france: bool = False) -> str:
        if origin is None or born_in_france:
            return weighted(self.rng, FRENCH_BIRTHPLACES)
        return f"{self.rng.choice(origin.cities)} ({origin.country})"

    def phone(self) -> str:
        prefix = self.rng.choice(["06", "07"])
        return f"{prefix} " + " ".join(f"{self.rng.randint(0, 99):02d}" for _ in range(4))

    # -- persons -----------------------------------------------------------------------

    def adult(
        self,
        *,
        sex: str,
        age: int,
        origin: data.Origin | None,
        marital_status: str,
        arrived_recently: bool = False,
    ) -> Person:
        year, month, day = self.birth(age=age, origin=origin)
        person = Person(
            birth_name=self.surname(origin),
            first_names=self.first_names(sex=sex, year=year, origin=origin, french_names=False),
            sex=sex,
            birth_year=year,
            birth_month=month,
            birth_day=day,
            birth_place=self.birthplace(origin),
            marital_status=marital_status,
        )
        self._nationality(person, origin, arrived_recently=arrived_recently)
        if origin is None:
            person.has_id_card = weighted(self.rng, [(True, 78), (False, 14), (None, 8)])
        elif origin.group == NationalityGroup.EU:
            person.has_id_card = weighted(self.rng, [(True, 65), (False, 20), (None, 15)])
        else:
            person.has_id_card = weighted(self.rng, [(False, 70), (None, 30)])
        return person

    def child(self, *, age: int, origin: data.Origin | None, surname: str) -> Person:
        sex = self.rng.choice([Sex.FEMALE, Sex.MALE])
        year, month, day = self.birth(age=age, origin=origin)
        born_in_france = origin is None or age < 6 or self.rng.random() < 0.3
        person = Person(
            birth_name=surname,
            first_names=self.first_names(
                sex=sex,
                year=year,
                origin=origin,
                french_names=born_in_france and self.rng.random() < 0.5,
            ),
            sex=sex,
            birth_year=year,
            birth_month=month,
            birth_day=day,
            birth_place=self.birthplace(origin, born_in_france=born_in_france),
        )
        # Minors need no residence permit.
        person.nationality_group = NationalityGroup.FRENCH if origin is None else origin.group
        person.nationality = "française" if origin is None else origin.nationality
        return person

    def _children_ages(self, count: int, *, oldest: int) -> list[int]:
        """Siblings' ages, eldest first, at least two years apart."""
        ages = [self.rng.randint(0, max(0, oldest))]
        while len(ages) < count and ages[-1] >= 2:
            ages.append(ages[-1] - self.rng.randint(2, min(5, ages[-1])))
        return ages

    def _nationality(
        self, person: Person, origin: data.Origin | None, *, arrived_recently: bool
    ) -> None:
        if origin is None:
            person.nationality_group = NationalityGroup.FRENCH
            person.nationality = "française"
            return
        person.nationality_group = origin.group
        person.nationality = origin.nationality
        if origin.group != NationalityGroup.NON_EU:
            return
        permit = weighted(self.rng, PERMITS_ON_ARRIVAL if arrived_recently else PERMITS_SETTLED)
        person.residence_permit_type = permit
        if permit in PERMIT_VALIDITY:
            low, high = PERMIT_VALIDITY[permit]
            person.residence_permit_valid_until = self.today + dt.timedelta(
                days=self.rng.randint(low, high)
            )

    # -- households --------------------------------------------------------------------

    def household(
        self,
        *,
        composition: str,
        principal_sex: str,
        principal_age: int,
        origin: data.Origin | None,
        arrived_recently: bool = False,
    ) -> list[Member]:
        """The principal first, then the spouse, then children from the eldest."""
        rng = self.rng
        if composition in ("couple", "family"):
            status = weighted(
                rng,
                [
                    (MaritalStatus.MARRIED, 40),
                    (MaritalStatus.PACS, 10),
                    (MaritalStatus.MARITAL_LIFE, 25),
                    (MaritalStatus.COHABITING, 25),
                ],
            )
        elif composition == "single_parent":
            status = weighted(
                rng,
                [
                    (MaritalStatus.SEPARATED, 45),
                    (MaritalStatus.DIVORCED, 25),
                    (MaritalStatus.SINGLE, 30),
                ],
            )
        else:
            status = weighted(
                rng,
                [
                    (MaritalStatus.SINGLE, 55),
                    (MaritalStatus.DIVORCED, 20 if principal_age >= 25 else 0),
                    (MaritalStatus.SEPARATED, 18),
                    (MaritalStatus.WIDOWED, 7 if principal_age >= 45 else 0),
                ],
            )
        principal = self.adult(
            sex=principal_sex,
            age=principal_age,
            origin=origin,
            marital_status=status,
            arrived_recently=arrived_recently,
        )
        members = [Member(principal, Relationship.PRINCIPAL)]
        father_name = principal.birth_name if principal_sex == Sex.MALE else None
        if composition in ("couple", "family"):
            spouse_sex = Sex.FEMALE if principal_sex == Sex.MALE else Sex.MALE
            spouse_origin = origin if rng.random() < 0.85 else self.origin(french_share=0.6)
            spouse = self.adult(
                sex=spouse_sex,
                age=max(18, principal_age + rng.randint(-6, 6)),
                origin=spouse_origin,
                marital_status=status,
                arrived_recently=arrived_recently and spouse_origin is origin,
            )
            husband, wife = (
                (principal, spouse) if principal_sex == Sex.MALE else (spouse, principal)
            )
            if (
                status == MaritalStatus.MARRIED
                and wife.nationality_group == NationalityGroup.FRENCH
            ) and rng.random() < 0.7:
                wife.usage_name = husband.birth_name
            father_name = husband.birth_name
            members.append(Member(spouse, Relationship.SPOUSE))
        if composition in ("single_parent", "family"):
            if father_name is None:
                father_name = principal.birth_name if rng.random() < 0.5 else self.surname(origin)
            count = weighted(rng, [(1, 40), (2, 35), (3, 18), (4, 7)])
            visiting = composition == "single_parent" and principal_sex == Sex.MALE
            taken = {m.person.first_names.split()[0] for m in members}
            for age in self._children_ages(count, oldest=min(17, principal_age - 18)):
                situation = weighted(
                    rng,
                    [(ChildSituation.VISITING_RIGHTS, 70), (ChildSituation.DEPENDENT, 30)]
                    if visiting
                    else [(ChildSituation.DEPENDENT, 94), (ChildSituation.PLACED, 6)],
                )
                child = self.child(age=age, origin=origin, surname=father_name)
                while child.first_names.split()[0] in taken:
                    child = self.child(age=age, origin=origin, surname=father_name)
                taken.add(child.first_names.split()[0])
                members.append(Member(child, Relationship.CHILD, situation))
        return members

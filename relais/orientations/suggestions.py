"""SIAO-11: rank the vacancies that suit a request, and say why for each criterion.

Only the places that may be offered to the request are listed (JUS-03, JUS-12,
`relais.orientations.offer`): places reserved for people leaving detention to a request
linked to a detention, flying places to a release without solution, never the placement à
l'extérieur places (the SPIP's). Reserved places carry their badge.

The ranking helps; the operator chooses. A place that fails a criterion is still listed
(last), with the reason, unless a filter hides it. A place the person's judicial measures
forbid (JUS-04) is left out of the choice, with the reason (`Suggestion.excluded`).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from relais.core.text import count_of
from relais.justice.models import area_refusal
from relais.persons.enums import Relationship, Sex
from relais.places.enums import PlaceType, StructureType
from relais.places.models import PlaceCapacity
from relais.requests.enums import Channel, OrientationProposal
from relais.requests.models import Request

from .models import judicial_areas_of
from .offer import reservations_open_to

# What the evaluation's "proposition d'orientation" asks for: structure types (none: any) and
# place types (none: those of the request's channel). Both must match: an insertion request
# for a CHRS is not served by that CHRS's emergency or stabilisation places.
_PROPOSAL_TYPES: dict[str, tuple[set[str], set[str]]] = {
    OrientationProposal.EMERGENCY: (set(), {PlaceType.EMERGENCY}),
    OrientationProposal.STABILISATION: (set(), {PlaceType.STABILISATION}),
    OrientationProposal.INSERTION_CHRS: ({StructureType.INSERTION_CHRS}, {PlaceType.INSERTION}),
    OrientationProposal.INSERTION_OTHER: (
        {StructureType.INSERTION_OTHER, StructureType.INSERTION_CHRS},
        {PlaceType.INSERTION},
    ),
    OrientationProposal.ALT: ({StructureType.ALT}, set()),
    OrientationProposal.MAISON_RELAIS: ({StructureType.MAISON_RELAIS}, set()),
    OrientationProposal.SOCIAL_RESIDENCE: ({StructureType.SOCIAL_RESIDENCE}, set()),
    OrientationProposal.IML: ({StructureType.IML}, set()),
    OrientationProposal.ORDINARY_HOUSING: ({StructureType.ORDINARY_HOUSING}, set()),
}
_CHANNEL_PLACE_TYPES = {
    Channel.EMERGENCY: {PlaceType.EMERGENCY},
    Channel.INSERTION: {PlaceType.STABILISATION, PlaceType.INSERTION},
    Channel.HOUSING: {PlaceType.HOUSING},
}


@dataclass
class Household:
    """What a place must fit: who is in the household."""

    size: int
    men: int = 0
    women: int = 0
    children: int = 0
    couple: bool = False
    adult_ages: list[int] = field(default_factory=list)

    @property
    def description(self) -> str:
        if self.children:
            head = "couple" if self.couple else "parent seul"
            return f"{head} avec {count_of(self.children, 'enfant')}"
        if self.couple:
            return "couple sans enfant"
        if self.women:
            return "femme seule"
        if self.men:
            return "homme seul"
        return "personne seule"


def household_of(request: Request, *, today: dt.date | None = None) -> Household:
    today = today or timezone.localdate()
    members = list(request.household.members.select_related("person"))
    profile = Household(size=max(len(members), 1))
    for member in members:
        age = member.person.age_on(today)
        is_child = member.relationship == Relationship.CHILD or (age is not None and age < 18)
        if is_child:
            profile.children += 1
            continue
        if member.relationship == Relationship.SPOUSE:
            profile.couple = True
        if age is not None:
            profile.adult_ages.append(age)
        if member.person.sex == Sex.MALE:
            profile.men += 1
        elif member.person.sex == Sex.FEMALE:
            profile.women += 1
    if not members:
        profile.men = int(request.person.sex == Sex.MALE)
        profile.women = int(request.person.sex == Sex.FEMALE)
    return profile


@dataclass
class Criterion:
    label: str
    ok: bool | None  # None: nothing to check, neither for nor against
    text: str

    @property
    def mark(self) -> str:
        return {True: "✔", False: "✘", None: "•"}[self.ok]

    @property
    def short_label(self) -> str:
        """The word the compact line shows (the full label and reason are in its title)."""
        return self.label.split()[0]


@dataclass
class Suggestion:
    capacity: PlaceCapacity
    vacant: int
    criteria: list[Criterion]
    # Why a judicial measure forbids this place ("Interdiction de paraître : Mulhouse"), or "".
    excluded: str = ""

    @property
    def fits(self) -> bool:
        return not self.excluded and all(c.ok is not False for c in self.criteria)

    @property
    def has_room(self) -> bool:
        return self.criteria[1].ok is True

    @property
    def score(self) -> int:
        weights = [40, 30, 20, 5, 5]
        return sum(w for w, c in zip(weights, self.criteria, strict=True) if c.ok)


@dataclass
class Filters:
    place_type: str = ""
    structure_type: str = ""
    commune: str = ""
    with_pet: bool = False
    wheelchair: bool = False
    include_full: bool = False
    reservation: str = ""


def wanted_types(request: Request) -> tuple[set[str], set[str], str]:
    """(structure types, place types, why) the request asks for."""
    evaluation = getattr(request.evaluation_request, "evaluation", None)
    proposal = evaluation.orientation_proposal if evaluation else ""
    channel = Channel(request.channel)
    if proposal in _PROPOSAL_TYPES:
        structure_types, place_types = _PROPOSAL_TYPES[proposal]
        label = OrientationProposal(proposal).label
        label = label[:1].lower() + label[1:]  # keep acronyms: "(CHRS)", "(ALT)", "FJT"
        return (
            structure_types,
            place_types or _CHANNEL_PLACE_TYPES[channel],
            f"proposition de l'évaluation : {label}",
        )
    return set(), _CHANNEL_PLACE_TYPES[channel], f"dispositif {channel.label.lower()}"


def suggest(request: Request, filters: Filters) -> list[Suggestion]:
    capacities = (
        PlaceCapacity.objects.with_vacancies()
        .filter(structure__territory_id=request.territory_id)
        .select_related("structure")
    )
    if filters.place_type:
        capacities = capacities.filter(place_type=filters.place_type)
    if filters.structure_type:
        capacities = capacities.filter(structure__structure_type=filters.structure_type)
    if filters.commune:
        capacities = capacities.filter(structure__commune__iexact=filters.commune)
    if filters.with_pet:
        capacities = capacities.filter(accepts_pets=True)
    if filters.wheelchair:
        capacities = capacities.filter(wheelchair_accessible=True)
    if not filters.include_full:
        capacities = capacities.filter(vacant__gt=0)
    # JUS-03, JUS-12: reserved places only for who they are kept for; never PE places.
    capacities = capacities.offered_as(reservations_open_to(request))
    if filters.reservation:
        capacities = capacities.filter(reservation=filters.reservation)

    household = household_of(request)
    evaluation = getattr(request.evaluation_request, "evaluation", None)
    wanted = wanted_types(request)
    near = _referrer_commune(request)
    areas = judicial_areas_of(request)
    suggestions = [
        Suggestion(
            capacity=capacity,
            vacant=capacity.vacant,
            excluded=area_refusal(areas, capacity.structure.commune_insee_code),
            criteria=[
                _type_criterion(capacity, wanted),
                _size_criterion(capacity.vacant, household),
                _public_criterion(capacity, household),
                _needs_criterion(capacity, evaluation),
                _location_criterion(capacity, near, filters),
            ],
        )
        for capacity in capacities
    ]
    suggestions.sort(
        key=lambda s: (
            bool(s.excluded),
            not s.fits,
            -s.score,
            -s.vacant,
            s.capacity.structure.name,
            s.capacity.pk,
        )
    )
    return suggestions


# -- criteria ---------------------------------------------------------------------------------


def _type_criterion(capacity: PlaceCapacity, wanted) -> Criterion:
    structure_types, place_types, why = wanted
    ok = capacity.place_type in place_types and (
        not structure_types or capacity.structure.structure_type in structure_types
    )
    verdict = "correspond à" if ok else "ne correspond pas à"
    return Criterion(
        "Type demandé",
        ok,
        f"{capacity.structure.get_structure_type_display()}, "
        f"{capacity.get_place_type_display().lower()} : {verdict} la demande ({why}).",
    )


def _size_criterion(vacant: int, household: Household) -> Criterion:
    people = f"{household.size} personne{'s' if household.size > 1 else ''}"
    if vacant >= household.size:
        return Criterion(
            "Taille du ménage", True, f"{count_of(vacant, 'place libre')} pour {people}."
        )
    if vacant <= 0:
        text = f"Aucune place libre pour {people} : prépositionnement seulement."
    else:
        text = f"Seulement {count_of(vacant, 'place libre')} pour {people} : prépositionnement seulement."
    return Criterion("Taille du ménage", False, text)


def _public_criterion(capacity: PlaceCapacity, household: Household) -> Criterion:
    """Pets and wheelchairs are not checked here: their filters leave out unfit places."""
    problems = []
    if household.children and not capacity.accepts_children:
        problems.append("n'accueille pas d'enfants")
    elif household.couple and not capacity.accepts_couples:
        problems.append("n'accueille pas de couples")
    elif not household.couple and not household.children:
        if household.men and not capacity.accepts_men:
            problems.append("n'accueille pas d'hommes seuls")
        if household.women and not capacity.accepts_women:
            problems.append("n'accueille pas de femmes seules")
    for age in household.adult_ages:
        if capacity.min_age and age < capacity.min_age:
            problems.append(f"âge minimum {capacity.min_age} ans")
            break
        if capacity.max_age and age > capacity.max_age:
            problems.append(f"âge maximum {capacity.max_age} ans")
            break
    if problems:
        return Criterion(
            "Public accueilli", False, f"{household.description} : " + ", ".join(problems) + "."
        )
    return Criterion(
        "Public accueilli",
        True,
        f"{household.description} : accueilli ({capacity.public_display}).",
    )


def _needs_criterion(capacity: PlaceCapacity, evaluation) -> Criterion:
    if evaluation is None:
        return Criterion("Besoins", None, "Pas d'évaluation sociale : rien à vérifier.")
    if evaluation.fit_for_collective_life is False and capacity.is_dormitory:
        return Criterion("Besoins", False, "Vie en collectif difficile : dortoir déconseillé.")
    if evaluation.needs_adapted_housing:
        if capacity.wheelchair_accessible:
            return Criterion("Besoins", True, "Hébergement adapté demandé : accessible.")
        return Criterion("Besoins", None, "Hébergement adapté demandé : accessibilité à vérifier.")
    if evaluation.fit_for_collective_life is False:
        return Criterion("Besoins", True, "Vie en collectif difficile : pas de dortoir ici.")
    return Criterion("Besoins", None, "Aucun besoin particulier signalé.")


def _referrer_commune(request: Request) -> str:
    """The referring service's address, where a commune name can be found."""
    return request.referrer_organisation.address


def _location_criterion(capacity: PlaceCapacity, near: str, filters: Filters) -> Criterion:
    commune = capacity.structure.commune or "commune inconnue"
    if filters.commune:
        return Criterion("Lieu", True, f"À {commune}, la commune demandée.")
    if capacity.structure.commune and capacity.structure.commune.casefold() in near.casefold():
        return Criterion("Lieu", True, f"À {commune}, comme le service prescripteur.")
    return Criterion("Lieu", None, f"À {commune}.")

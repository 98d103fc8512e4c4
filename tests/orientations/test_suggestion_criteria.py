"""SIAO-11: each criterion of the suggestions, one at a time, ranks or excludes, and says why.

Each test builds two places that differ only in the criterion under test. The unsuitable one
is named to come first alphabetically ("A …"), so that if the criterion stopped counting it
would climb to the top (same score, same vacancies, the name breaks the tie) and the test
would go red.
"""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.orientations.suggestions import Filters, suggest
from relais.persons.enums import Relationship, Sex
from relais.persons.models import HouseholdMember
from relais.places.enums import PlaceType, StructureType
from relais.requests.enums import Channel, OrientationProposal
from tests.factories import (
    PersonFactory,
    PlaceCapacityFactory,
    StructureFactory,
    make_evaluation,
    make_request,
)

pytestmark = pytest.mark.django_db

PUBLIC, SIZE, TYPE, NEEDS, PLACE = (
    "Public accueilli",
    "Taille du ménage",
    "Type demandé",
    "Besoins",
    "Lieu",
)


def adult(sex: str = Sex.FEMALE, age: int = 30):
    """A person of exactly `age` today (born on 1 January)."""
    return PersonFactory(
        sex=sex, birth_year=timezone.localdate().year - age, birth_month=1, birth_day=1
    )


def child(age: int = 6):
    return PersonFactory(birth_year=timezone.localdate().year - age, birth_month=1, birth_day=1)


@pytest.fixture
def evaluate(social_worker):
    """An evaluated insertion request (proposal: insertion in a CHRS) of `person`, with
    `members` added to its household and `evaluation` fields set."""

    def build(person=None, *, members=(), channel=Channel.INSERTION, **evaluation):
        req = make_request(person=person or adult(), referrer=social_worker, channel=channel)
        for member, relationship in members:
            HouseholdMember.objects.create(
                household=req.household, person=member, relationship=relationship
            )
        make_evaluation(req, **evaluation)
        req.evaluate(by=social_worker)
        return req

    return build


@pytest.fixture
def place(structure_manager):
    """A capacity in a new structure of the cast's association (insertion CHRS by default)."""

    def build(name, *, structure_type=StructureType.INSERTION_CHRS, commune="Mulhouse", **kw):
        structure = StructureFactory(
            manager=structure_manager.organisation,
            name=name,
            structure_type=structure_type,
            commune=commune,
        )
        kw.setdefault("places", 10)
        kw.setdefault("place_type", PlaceType.INSERTION)
        return PlaceCapacityFactory(structure=structure, **kw)

    return build


def ranked(req, **filters) -> list:
    return suggest(req, Filters(**filters))


def names(suggestions) -> list[str]:
    return [s.capacity.structure.name for s in suggestions]


def criterion(suggestions, name: str, label: str):
    found = next(s for s in suggestions if s.capacity.structure.name == name)
    return next(c for c in found.criteria if c.label == label)


def assert_ranked_last_because(suggestions, bad: str, label: str, reason: str) -> None:
    assert names(suggestions) == ["B bonne place", bad]
    assert suggestions[0].fits and not suggestions[1].fits
    failed = criterion(suggestions, bad, label)
    assert failed.ok is False
    assert failed.text == reason


# -- type ------------------------------------------------------------------------------------


def test_siao_11_type_follows_the_evaluations_proposal(evaluate, place):
    req = evaluate(orientation_proposal=OrientationProposal.INSERTION_CHRS)
    place("B bonne place")
    place("A hors CHRS", structure_type=StructureType.INSERTION_OTHER)
    assert_ranked_last_because(
        ranked(req),
        "A hors CHRS",
        TYPE,
        "Autres places d'insertion, places d'insertion : ne correspond pas à la demande "
        "(proposition de l'évaluation : hébergement d'insertion (CHRS)).",
    )


def test_siao_11_type_follows_the_channel_without_a_proposal(social_worker, place):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    place("B bonne place", structure_type=StructureType.CHU, place_type=PlaceType.EMERGENCY)
    place("A insertion", structure_type=StructureType.CHU, place_type=PlaceType.INSERTION)
    assert_ranked_last_because(
        ranked(req),
        "A insertion",
        TYPE,
        "Centre d'hébergement d'urgence (CHU), places d'insertion : ne correspond pas à la "
        "demande (dispositif urgence).",
    )


# -- household size and vacancies --------------------------------------------------------------


def test_siao_11_a_place_too_small_for_the_household_ranks_last(evaluate, place):
    req = evaluate(members=[(adult(Sex.MALE), Relationship.SPOUSE), (child(), Relationship.CHILD)])
    place("B bonne place", places=3)
    place("A trop petite", places=2)
    suggestions = ranked(req)
    assert_ranked_last_because(
        suggestions,
        "A trop petite",
        SIZE,
        "Seulement 2 places libres pour 3 personnes : prépositionnement seulement.",
    )
    assert criterion(suggestions, "B bonne place", SIZE).text == (
        "3 places libres pour 3 personnes."
    )


def test_siao_11_full_places_only_when_asked_for_prepositioning(evaluate, place, siao_operator):
    req = evaluate()
    place("B bonne place")
    full = place("A complète", places=1)
    full.declare_unavailable(by=siao_operator, count=1, note="Travaux")
    assert names(ranked(req)) == ["B bonne place"]
    suggestions = ranked(req, include_full=True)
    assert_ranked_last_because(
        suggestions,
        "A complète",
        SIZE,
        "Aucune place libre pour 1 personne : prépositionnement seulement.",
    )


# -- public: children, couples, men, women, ages -------------------------------------------------


def test_siao_11_a_household_with_children_needs_a_place_for_families(evaluate, place):
    req = evaluate(members=[(child(), Relationship.CHILD)])
    place("B bonne place")
    place("A sans enfants", accepts_children=False)
    assert_ranked_last_because(
        ranked(req),
        "A sans enfants",
        PUBLIC,
        "parent seul avec 1 enfant : n'accueille pas d'enfants.",
    )


def test_siao_11_a_minor_counts_as_a_child_whatever_the_relationship(evaluate, place):
    req = evaluate(members=[(child(age=16), Relationship.RELATIVE)])
    place("B bonne place")
    place("A sans enfants", accepts_children=False)
    assert_ranked_last_because(
        ranked(req),
        "A sans enfants",
        PUBLIC,
        "parent seul avec 1 enfant : n'accueille pas d'enfants.",
    )


def test_siao_11_a_couple_needs_a_place_for_couples(evaluate, place):
    req = evaluate(members=[(adult(Sex.MALE), Relationship.SPOUSE)])
    place("B bonne place", places=2)
    place("A sans couples", places=2, accepts_couples=False)
    assert_ranked_last_because(
        ranked(req), "A sans couples", PUBLIC, "couple sans enfant : n'accueille pas de couples."
    )


def test_siao_11_a_man_alone_needs_a_place_for_men(evaluate, place):
    req = evaluate(adult(Sex.MALE))
    place("B bonne place")
    place("A pour femmes", accepts_men=False)
    assert_ranked_last_because(
        ranked(req), "A pour femmes", PUBLIC, "homme seul : n'accueille pas d'hommes seuls."
    )


def test_siao_11_a_woman_alone_needs_a_place_for_women(evaluate, place):
    req = evaluate(adult(Sex.FEMALE))
    place("B bonne place")
    place("A pour hommes", accepts_women=False)
    assert_ranked_last_because(
        ranked(req), "A pour hommes", PUBLIC, "femme seule : n'accueille pas de femmes seules."
    )


def test_siao_11_minimum_age(evaluate, place):
    req = evaluate(adult(age=30))
    place("B bonne place", min_age=25)
    place("A plus de 40 ans", min_age=40)
    assert_ranked_last_because(
        ranked(req), "A plus de 40 ans", PUBLIC, "femme seule : âge minimum 40 ans."
    )


def test_siao_11_maximum_age(evaluate, place):
    req = evaluate(adult(age=30))
    place("B bonne place", max_age=30)
    place("A moins de 25 ans", max_age=25)
    assert_ranked_last_because(
        ranked(req), "A moins de 25 ans", PUBLIC, "femme seule : âge maximum 25 ans."
    )


def test_siao_11_ages_check_every_adult_of_the_household(evaluate, place):
    req = evaluate(adult(age=30), members=[(adult(Sex.MALE, age=50), Relationship.SPOUSE)])
    place("B bonne place", places=2, max_age=55)
    place("A moins de 45 ans", places=2, max_age=45)
    assert_ranked_last_because(
        ranked(req), "A moins de 45 ans", PUBLIC, "couple sans enfant : âge maximum 45 ans."
    )


def test_siao_11_a_suitable_place_says_whom_it_takes(evaluate, place):
    req = evaluate(adult(age=30))
    place("B bonne place", min_age=18, max_age=60, accepts_pets=True, wheelchair_accessible=True)
    assert criterion(ranked(req), "B bonne place", PUBLIC).text == (
        "femme seule : accueilli (hommes, femmes, couples, familles avec enfants, de 18 à 60 ans, "
        "animaux acceptés, accessible en fauteuil)."
    )


# -- pets, wheelchair: filters of the search -------------------------------------------------


@pytest.mark.parametrize(
    ("filter_name", "field", "said"),
    [
        ("with_pet", "accepts_pets", "animaux acceptés"),
        ("wheelchair", "wheelchair_accessible", "accessible en fauteuil"),
    ],
)
def test_siao_11_pet_and_wheelchair_filters_keep_only_fitting_places(
    client, siao_operator, evaluate, place, filter_name, field, said
):
    req = evaluate()
    place("B bonne place", **{field: True})
    place("A sans", **{field: False})
    assert set(names(ranked(req))) == {"B bonne place", "A sans"}
    suggestions = ranked(req, **{filter_name: True})
    assert names(suggestions) == ["B bonne place"]
    assert said in criterion(suggestions, "B bonne place", PUBLIC).text
    # The same through the page's filter form.
    client.force_login(siao_operator)
    url = reverse("orientations:suggestions", args=[req.pk])
    response = client.get(url, {filter_name: "on"})
    assert names(response.context["suggestions"]) == ["B bonne place"]
    assert said in html.unescape(response.content.decode())


# -- needs (social evaluation) ---------------------------------------------------------------


def test_siao_11_difficult_collective_life_rules_out_a_dormitory(evaluate, place):
    req = evaluate(fit_for_collective_life=False)
    place("B bonne place", is_dormitory=False)
    place("A dortoir", is_dormitory=True)
    suggestions = ranked(req)
    assert_ranked_last_because(
        suggestions, "A dortoir", NEEDS, "Vie en collectif difficile : dortoir déconseillé."
    )
    good = criterion(suggestions, "B bonne place", NEEDS)
    assert (good.ok, good.text) == (True, "Vie en collectif difficile : pas de dortoir ici.")


def test_siao_11_adapted_housing_prefers_an_accessible_place(evaluate, place):
    req = evaluate(needs_adapted_housing=True)
    place("B bonne place", wheelchair_accessible=True)
    place("A non accessible", wheelchair_accessible=False)
    suggestions = ranked(req)
    # Not a reason to rule the place out (accessibility is only one kind of adaptation), but
    # the accessible place ranks first.
    assert names(suggestions) == ["B bonne place", "A non accessible"]
    assert suggestions[0].score > suggestions[1].score
    good, unsure = (criterion(suggestions, n, NEEDS) for n in names(suggestions))
    assert (good.ok, good.text) == (True, "Hébergement adapté demandé : accessible.")
    assert (unsure.ok, unsure.text) == (
        None,
        "Hébergement adapté demandé : accessibilité à vérifier.",
    )


def test_siao_11_needs_without_evaluation_or_without_particular_need(
    social_worker, evaluate, place
):
    place("B bonne place", place_type=PlaceType.EMERGENCY, structure_type=StructureType.CHU)
    unevaluated = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    assert criterion(ranked(unevaluated), "B bonne place", NEEDS).text == (
        "Pas d'évaluation sociale : rien à vérifier."
    )
    ordinary = evaluate(orientation_proposal=OrientationProposal.EMERGENCY)
    needs = criterion(ranked(ordinary), "B bonne place", NEEDS)
    assert (needs.ok, needs.text) == (None, "Aucun besoin particulier signalé.")


# -- location ----------------------------------------------------------------------------------


def test_siao_11_a_place_near_the_referring_service_ranks_first(evaluate, place, social_worker):
    social_worker.organisation.address = "2 rue de la Gare, 68000 Colmar"
    social_worker.organisation.save()
    req = evaluate()
    place("B bonne place", commune="Colmar")
    place("A ailleurs", commune="Mulhouse")
    suggestions = ranked(req)
    assert names(suggestions) == ["B bonne place", "A ailleurs"]
    assert suggestions[0].score > suggestions[1].score
    near, far = (criterion(suggestions, n, PLACE) for n in names(suggestions))
    assert (near.ok, near.text) == (True, "À Colmar, comme le service prescripteur.")
    assert (far.ok, far.text) == (None, "À Mulhouse.")


def test_siao_11_commune_filter_keeps_only_that_commune(client, siao_operator, evaluate, place):
    req = evaluate()
    place("B bonne place", commune="Colmar")
    place("A ailleurs", commune="Mulhouse")
    suggestions = ranked(req, commune="colmar")
    assert names(suggestions) == ["B bonne place"]
    assert criterion(suggestions, "B bonne place", PLACE).text == "À Colmar, la commune demandée."
    client.force_login(siao_operator)
    response = client.get(reverse("orientations:suggestions", args=[req.pk]), {"commune": "Colmar"})
    assert names(response.context["suggestions"]) == ["B bonne place"]


@pytest.mark.parametrize(
    ("filters", "kept"),
    [
        ({"place_type": PlaceType.STABILISATION}, "A stabilisation"),
        ({"structure_type": StructureType.STABILISATION_OTHER}, "A stabilisation"),
        ({"place_type": PlaceType.INSERTION}, "B bonne place"),
    ],
)
def test_siao_11_type_filters_keep_only_that_type(
    client, siao_operator, evaluate, place, filters, kept
):
    req = evaluate()
    place("B bonne place")
    place(
        "A stabilisation",
        structure_type=StructureType.STABILISATION_OTHER,
        place_type=PlaceType.STABILISATION,
    )
    assert names(ranked(req, **filters)) == [kept]
    client.force_login(siao_operator)
    response = client.get(reverse("orientations:suggestions", args=[req.pk]), filters)
    assert names(response.context["suggestions"]) == [kept]


def test_siao_11_more_vacancies_rank_first_among_equals(evaluate, place):
    req = evaluate()
    place("B bonne place", places=12)
    place("A moins de places", places=4)
    assert names(ranked(req)) == ["B bonne place", "A moins de places"]


def test_siao_11_suggestions_stay_in_the_requests_territory(evaluate, place, other_territory):
    from tests.factories import OrganisationFactory

    req = evaluate()
    place("B bonne place")
    elsewhere = OrganisationFactory(structure_manager=True, territory=other_territory)
    PlaceCapacityFactory(structure=StructureFactory(manager=elsewhere, name="A ailleurs"))
    assert names(ranked(req)) == ["B bonne place"]

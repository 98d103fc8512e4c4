"""OPS-02: the register (structures and places) imported from a CSV file — checked by the
register's own forms, idempotent on FINESS / name and kind of places, a changed capacity
keeps its history (SIAO-18)."""

import pytest

from relais.imports import engine
from relais.imports.structures import StructureImporter
from relais.places.models import CapacityChange, PlaceCapacity, Structure
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "Nom de la structure;FINESS;Type de structure;Gestionnaire;Adresse;Code postal;Commune;"
    "Code INSEE de la commune;Type de places;Nombre de places;Hivernales;Places réservées;"
    "Hommes seuls;Femmes seules\n"
)


def csv(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


@pytest.fixture
def manager(territory):
    return OrganisationFactory(
        structure_manager=True, territory=territory, name="Association Accueil Mulhouse"
    )


def line(places="24", kind="insertion", name="CHRS Les Tilleuls", insee="68224", winter=""):
    return (
        f"{name};680001237;Insertion en CHRS;association accueil mulhouse;12 rue des Tilleuls;"
        f"68100;Mulhouse;{insee};{kind};{places};{winter};;oui;non"
    )


def _apply(user, text):
    return engine.apply(StructureImporter(user=user), text)


def test_ops_02_import_structures_creates_the_structure_and_its_places(siao_operator, manager):
    report = _apply(
        siao_operator, csv(line(), line(places="6", kind="urgence", name="", winter="oui"))
    )
    assert report.ok, report.problems
    structure = Structure.objects.get()
    assert structure.finess == "680001237" and structure.manager == manager
    assert structure.territory == siao_operator.organisation.territory
    emergency, insertion = structure.capacities.order_by("place_type")
    assert (insertion.place_type, insertion.places, insertion.accepts_women) == (
        "insertion",
        24,
        False,
    )
    assert emergency.is_winter_only and emergency.places == 6
    assert CapacityChange.objects.filter(capacity=insertion, actor=siao_operator).count() == 1


def test_ops_02_import_structures_again_changes_nothing_and_a_change_keeps_its_history(
    siao_operator, manager
):
    assert _apply(siao_operator, csv(line())).ok
    again = _apply(siao_operator, csv(line()))
    assert again.summary == {"create": 0, "update": 0, "unchanged": 1}
    assert CapacityChange.objects.count() == 1
    changed = _apply(siao_operator, csv(line(places="30")))
    assert changed.summary["update"] == 1
    capacity = PlaceCapacity.objects.get()
    assert capacity.places == 30 and Structure.objects.count() == 1
    last = CapacityChange.objects.filter(capacity=capacity).order_by("-pk").first()
    assert (last.places_before, last.places, last.actor) == (24, 30, siao_operator)


def test_ops_02_import_structures_errors_by_line_and_column_write_nothing(siao_operator, manager):
    report = _apply(
        siao_operator,
        csv(
            line(),
            line(places="beaucoup", name="CHU Nord", insee="67482").replace(
                "680001237", "680009990"
            ),
            line(kind="palais", name="CHU Sud").replace("680001237", "680008885"),
        ),
    )
    assert not report.ok
    found = {(p.line, p.column) for p in report.problems}
    assert (3, "nombre de places") in found
    assert (3, "code INSEE de la commune") in found  # not in the Haut-Rhin
    assert (4, "type de places") in found
    assert not Structure.objects.exists() and not PlaceCapacity.objects.exists()


def test_ops_02_import_structures_an_unknown_manager_is_named(siao_operator, manager):
    report = _apply(siao_operator, csv(line().replace("association accueil mulhouse", "Inconnue")))
    (problem,) = report.problems
    assert (problem.line, problem.column) == (2, "gestionnaire")
    assert "« Inconnue » n'est pas un gestionnaire de structures du territoire" in problem.message


def test_ops_02_import_structures_preview_takes_a_structure_from_its_first_line(
    siao_operator, manager
):
    text = csv(line(), line(places="6", kind="urgence", name="", winter="oui"))
    report = engine.preview(StructureImporter(user=siao_operator), text)
    assert report.ok, report.problems
    assert report.summary["create"] == 2
    assert not Structure.objects.exists()

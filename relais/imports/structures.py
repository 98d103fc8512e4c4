"""Import of the register: structures and their places (SIAO-07, SIAO-08), one capacity a line.

A line names a structure and one of its capacities; a structure with places of several kinds
takes several lines, its own columns repeated (or left empty after its first line).

Natural keys, so that the same file sent twice changes nothing:
- a structure is known by its FINESS number when the line gives one, else by its name
  (without regard to case or accents), among the structures of the importer's territory;
- a capacity is known, within its structure, by its kind of places, what they are kept for,
  whether they are winter-only, and its « précision » (« aile femmes »).

An empty cell changes nothing: what the register holds stays. The values are checked by the
register's own forms (`StructureForm`, `PlaceCapacityForm`), as on screen; a changed capacity
writes its history through `PlaceCapacity.save(change_by=…)` (SIAO-18), like the screen.
"""

from django.forms import model_to_dict

from relais.accounts.enums import OrganisationKind
from relais.accounts.models import Organisation
from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.csvfiles import Column, folded
from relais.places.enums import PlaceReservation, PlaceType, StructureType
from relais.places.forms import PlaceCapacityForm, StructureForm
from relais.places.models import PlaceCapacity, Structure

from .engine import CREATE, UNCHANGED, UPDATE, Importer, Line, LineRefused, Outcome, Problem

COLUMNS = {
    "nom": Column("nom de la structure", "tel qu'il doit apparaître dans Relais", True),
    "finess": Column("FINESS", "n° FINESS de l'établissement, 9 caractères (facultatif)"),
    "type": Column(
        "type de structure",
        "par exemple « CHU », « Insertion en CHRS », « maison relais », « IML »",
        True,
    ),
    "statut_chrs": Column("statut CHRS", "oui ou non"),
    "gestionnaire": Column(
        "gestionnaire", "nom de l'organisme gestionnaire, tel qu'enregistré dans Relais", True
    ),
    "siret": Column("SIRET", "14 chiffres, sans espace (facultatif)"),
    "adresse": Column("adresse", "numéro et rue"),
    "code_postal": Column("code postal", "5 chiffres"),
    "commune": Column("commune", ""),
    "code_insee": Column("code INSEE de la commune", "5 caractères, par exemple 68224"),
    "courriel": Column("adresse électronique", "du gestionnaire de la structure"),
    "type_places": Column(
        "type de places", "urgence, stabilisation, insertion ou logement (vide : aucune place)"
    ),
    "places": Column("nombre de places", "nombre entier"),
    "precision": Column("précision", "par exemple « aile femmes » (facultatif)"),
    "hivernales": Column("hivernales", "oui pour des places de la seule période hivernale"),
    "reservees": Column(
        "places réservées",
        "vide pour des places ordinaires ; « sortants de détention » ou « places volantes »",
    ),
    "diffus": Column("en diffus", "oui ou non"),
    "dortoir": Column("dortoir", "oui ou non (5 places au moins)"),
    "hommes": Column("hommes seuls", "accueillis : oui ou non"),
    "femmes": Column("femmes seules", "accueillies : oui ou non"),
    "couples": Column("couples", "accueillis : oui ou non"),
    "familles": Column("familles avec enfants", "accueillies : oui ou non"),
    "age_min": Column("âge minimum", "en années (facultatif)"),
    "age_max": Column("âge maximum", "en années (facultatif)"),
    "animaux": Column("animaux acceptés", "oui ou non"),
    "fauteuil": Column("accessible en fauteuil roulant", "oui ou non"),
}
STRUCTURE_KEYS = [
    "nom",
    "finess",
    "type",
    "statut_chrs",
    "gestionnaire",
    "siret",
    "adresse",
    "code_postal",
    "commune",
    "code_insee",
    "courriel",
]
# Form field → column, for the texts and numbers taken as typed.
STRUCTURE_TEXTS = {
    "name": "nom",
    "finess": "finess",
    "siret": "siret",
    "street": "adresse",
    "postcode": "code_postal",
    "commune": "commune",
    "commune_insee_code": "code_insee",
    "email": "courriel",
}
CAPACITY_TEXTS = {
    "label": "precision",
    "places": "places",
    "min_age": "age_min",
    "max_age": "age_max",
}
CAPACITY_FLAGS = {
    "is_scattered": "diffus",
    "is_dormitory": "dortoir",
    "accepts_men": "hommes",
    "accepts_women": "femmes",
    "accepts_couples": "couples",
    "accepts_children": "familles",
    "accepts_pets": "animaux",
    "wheelchair_accessible": "fauteuil",
}
STRUCTURE_FIELDS = {
    **STRUCTURE_TEXTS,
    "structure_type": "type",
    "has_chrs_status": "statut_chrs",
    "manager": "gestionnaire",
}
CAPACITY_FIELDS = {
    **CAPACITY_TEXTS,
    **CAPACITY_FLAGS,
    "place_type": "type_places",
    "is_winter_only": "hivernales",
    "reservation": "reservees",
    "pe_agreement": "reservees",
}
RESERVATION_ALIASES = {
    "ordinaires": PlaceReservation.ORDINARY,
    "sortants de détention": PlaceReservation.DETENTION,
    "détention": PlaceReservation.DETENTION,
    "volantes": PlaceReservation.FLYING,
    "placement": PlaceReservation.PLACEMENT,
}
PLACE_TYPE_ALIASES = {
    "urgence": PlaceType.EMERGENCY,
    "stabilisation": PlaceType.STABILISATION,
    "insertion": PlaceType.INSERTION,
    "logement": PlaceType.HOUSING,
}


def structure_key(line: Line) -> str:
    """How the file names a structure: its FINESS, else its folded name."""
    finess = line.values.get("finess", "").strip().upper()
    return f"finess:{finess}" if finess else f"nom:{folded(line.values.get('nom', ''))}"


def capacity_key(line: Line) -> tuple:
    values = line.values
    return (
        folded(values.get("type_places", "")),
        folded(values.get("reservees", "")),
        folded(values.get("hivernales", "")) in ("oui", "o", "x", "1", "vrai"),
        folded(values.get("precision", "")),
    )


class StructureImporter(Importer):
    COLUMNS = COLUMNS
    EXAMPLE = {
        "nom": "CHRS Les Tilleuls",
        "finess": "680001237",
        "type": "Insertion en CHRS",
        "statut_chrs": "oui",
        "gestionnaire": "Association Accueil Mulhouse",
        "adresse": "12 rue des Tilleuls",
        "code_postal": "68100",
        "commune": "Mulhouse",
        "code_insee": "68224",
        "type_places": "insertion",
        "places": "24",
        "hommes": "oui",
        "femmes": "oui",
        "couples": "non",
        "familles": "non",
    }

    def __init__(self, *, user, audit_as=None):
        super().__init__(user=user, audit_as=audit_as)
        self.territory = user.organisation.territory
        self.structures = list(Structure.objects.filter(territory=self.territory))
        self.managers = {
            folded(o.name): o
            for o in Organisation.objects.filter(
                territory=self.territory, kind=OrganisationKind.STRUCTURE_MANAGER
            )
        }
        self.locked: set[int] = set()
        self.first: dict[str, Line] = {}  # the first line of each structure in the file
        self.changed: list[int] = []

    # -- between lines ---------------------------------------------------------------------

    def file_problems(self, lines: list[Line]) -> list[Problem]:
        problems = []
        first: dict[str, Line] = {}
        capacities: dict[tuple, int] = {}
        for line in lines:
            key = structure_key(line)
            earlier = first.setdefault(key, line)
            self.first.setdefault(key, line)
            for column in STRUCTURE_KEYS if earlier is not line else ():
                theirs, ours = earlier.values.get(column, ""), line.values.get(column, "")
                if ours and theirs and ours != theirs:
                    problems.append(
                        Problem(
                            line.number,
                            self.label(column),
                            f"« {ours} » : la ligne {earlier.number} donne « {theirs} » pour "
                            "la même structure.",
                        )
                    )
            if not line.values.get("type_places"):
                continue
            both = (key, capacity_key(line))
            if both in capacities:
                problems.append(
                    Problem(
                        line.number,
                        self.label("type_places"),
                        f"ces places sont déjà décrites à la ligne {capacities[both]}.",
                    )
                )
            capacities.setdefault(both, line.number)
        return problems

    # -- one line --------------------------------------------------------------------------

    def check(self, line: Line) -> Outcome:
        return self._line(line, write=False)

    def write(self, line: Line) -> Outcome:
        return self._line(line, write=True)

    def _line(self, line: Line, *, write: bool) -> Outcome:
        # A structure's later lines may leave its own columns empty: its first line says them.
        first = self.first.get(structure_key(line), line)
        values = {key: line.values.get(key) or first.values.get(key, "") for key in STRUCTURE_KEYS}
        line = Line(line.number, {**line.values, **values})
        structure = self._existing_structure(line)
        structure_form = self._structure_form(line, structure)
        problems = self.form_problems(line, structure_form, STRUCTURE_FIELDS)
        capacity_form = None
        if line.values.get("type_places") or line.values.get("places"):
            capacity = self._existing_capacity(line, structure)
            if write and structure is not None and structure.pk not in self.locked:
                # Lock the places while checking them, as the screen does (SEC-05).
                list(PlaceCapacity.objects.select_for_update().filter(structure=structure))
                self.locked.add(structure.pk)
            capacity_form = self._capacity_form(line, capacity, structure)
            problems += self.form_problems(line, capacity_form, CAPACITY_FIELDS)
        if problems:
            raise LineRefused(*problems)
        changed = structure is None or structure_form.has_changed()
        if capacity_form is not None:
            changed = changed or capacity_form.instance.pk is None or capacity_form.has_changed()
        action = (
            CREATE
            if structure is None or (capacity_form and capacity_form.instance.pk is None)
            else UPDATE
            if changed
            else UNCHANGED
        )
        name = structure_form.cleaned_data["name"]
        label = name
        if capacity_form is not None:
            capacity = capacity_form.instance
            label = f"{name} — {capacity.places} × {capacity.get_place_type_display().lower()}"
        if write and action != UNCHANGED:
            self._save(structure_form, capacity_form)
        return Outcome(line.number, label, action)

    def _save(self, structure_form, capacity_form) -> None:
        created = structure_form.instance.pk is None
        structure = structure_form.save() if created or structure_form.has_changed() else None
        structure = structure or structure_form.instance
        if created:
            self.structures.append(structure)
        if capacity_form is not None and (
            capacity_form.instance.pk is None or capacity_form.has_changed()
        ):
            capacity = capacity_form.save(commit=False)
            capacity.structure = structure
            # The history of the places, by whom (SIAO-18), as on screen.
            capacity.save(change_by=self.user)
        self.changed.append(structure.pk)

    def written(self, outcomes: list[Outcome]) -> None:
        audit.record(
            request_or_user=self.audit_as or self.user,
            action=Action.WRITE,
            detail={
                "event": "structures_imported",
                "structures": sorted(set(self.changed)),
                "created": sum(1 for o in outcomes if o.action == CREATE),
                "updated": sum(1 for o in outcomes if o.action == UPDATE),
            },
        )

    # -- finding and filling ---------------------------------------------------------------

    def _existing_structure(self, line: Line) -> Structure | None:
        finess = line.values.get("finess", "").strip().upper()
        name = folded(line.values.get("nom", ""))
        by_finess = [s for s in self.structures if finess and s.finess.upper() == finess]
        if by_finess:
            return by_finess[0]
        by_name = [s for s in self.structures if folded(s.name) == name]
        if len(by_name) > 1:
            raise self.refuse(
                line,
                "nom",
                "plusieurs structures du territoire portent ce nom : indiquez le FINESS.",
            )
        return by_name[0] if by_name else None

    def _structure_form(self, line: Line, structure: Structure | None) -> StructureForm:
        instance = structure or Structure(territory=self.territory)
        data = {
            key: ("" if value is None else value)
            for key, value in model_to_dict(instance, fields=list(STRUCTURE_FIELDS)).items()
        }
        for name, key in STRUCTURE_TEXTS.items():
            if line.values.get(key):
                data[name] = line.values[key]
        if line.values.get("type"):
            data["structure_type"] = self.choice(
                line, "type", StructureType.choices, aliases={"CHU": StructureType.CHU}
            )
        if (chrs := self.yes_no(line, "statut_chrs")) is not None:
            data["has_chrs_status"] = chrs
        if line.values.get("gestionnaire"):
            manager = self.managers.get(folded(line.values["gestionnaire"]))
            if manager is None:
                raise self.refuse(
                    line,
                    "gestionnaire",
                    f"« {line.values['gestionnaire']} » n'est pas un gestionnaire de structures "
                    "du territoire enregistré dans Relais (l'administrateur du territoire "
                    "l'ajoute).",
                )
            data["manager"] = manager.pk
        form = StructureForm(data, instance=structure, territory=self.territory)
        form.is_valid()
        return form

    def _existing_capacity(self, line: Line, structure: Structure | None):
        if structure is None or structure.pk is None:
            return None
        wanted = capacity_key(line)
        place_type = self._place_type(line)
        reservation = self._reservation(line)
        winter = bool(self.yes_no(line, "hivernales"))
        matches = [
            c
            for c in PlaceCapacity.objects.filter(
                structure=structure,
                place_type=place_type,
                reservation=reservation,
                is_winter_only=winter,
            )
            if folded(c.label) == wanted[3]
        ]
        if len(matches) > 1:
            raise self.refuse(
                line,
                "precision",
                "la structure a plusieurs lignes de places de ce type : distinguez-les par "
                "leur précision à l'écran, puis reprenez-la ici.",
            )
        return matches[0] if matches else None

    def _place_type(self, line: Line) -> str:
        if not line.values.get("type_places"):
            raise self.refuse(line, "type_places", "indiquez le type des places.")
        return self.choice(line, "type_places", PlaceType.choices, aliases=PLACE_TYPE_ALIASES)

    def _reservation(self, line: Line) -> str:
        value = self.choice(
            line, "reservees", PlaceReservation.choices, aliases=RESERVATION_ALIASES
        )
        return value or PlaceReservation.ORDINARY

    def _capacity_form(self, line: Line, capacity, structure) -> PlaceCapacityForm:
        instance = capacity or PlaceCapacity()
        data = {
            key: ("" if value is None else value)
            for key, value in model_to_dict(instance, fields=list(CAPACITY_FIELDS)).items()
        }
        data["place_type"] = self._place_type(line)
        data["reservation"] = self._reservation(line)
        data["is_winter_only"] = bool(self.yes_no(line, "hivernales"))
        for name, key in CAPACITY_TEXTS.items():
            if line.values.get(key):
                data[name] = line.values[key]
        for name, key in CAPACITY_FLAGS.items():
            if (flag := self.yes_no(line, key)) is not None:
                data[name] = flag
        form = PlaceCapacityForm(data, instance=capacity, structure=structure)
        form.is_valid()
        return form

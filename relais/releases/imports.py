"""Import of the detainees due out, from the list a SPIP keeps in the prison administration's
software (issue 10, point 11).

One CSV file, one line per person in detention, columns named on the first line (French
names below, in any order; `;` or `,` between values; UTF-8, with or without BOM). A line is
known by its establishment and *écrou* number: imported again, it changes only what changed
(the end date with the reason « Mise à jour du greffe »), so the import can be run every
week. A new line is checked against the persons Relais already knows: one person very likely
the same is linked, a doubt is an error to settle by hand. A file with any error writes
nothing: the errors come back with their line numbers.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import Organisation, User
from relais.core import csvfiles
from relais.core.csvfiles import folded
from relais.identity.entry import persons_of_territory
from relais.identity.matching import Decision, Identity
from relais.identity.models import IdentityKey
from relais.identity.normalize import make_date
from relais.justice.enums import DetentionState, EndDateReason, LegalStatus
from relais.justice.models import Detention
from relais.persons.models import Person, birth_date_errors

# Column: (name on the file's first line, meaning, required). The names are matched without
# regard to case, accents or punctuation ("Date d'incarcération", "date_incarceration").
COLUMNS = {
    "etablissement": (
        "établissement",
        "nom de l'établissement pénitentiaire, tel qu'enregistré dans Relais",
        True,
    ),
    "ecrou": ("écrou", "numéro d'écrou", True),
    "nom": ("nom", "nom de naissance", True),
    "prenoms": ("prénoms", "prénom(s)", True),
    "sexe": ("sexe", "F ou M", False),
    "date_naissance": ("date de naissance", "JJ/MM/AAAA (ou MM/AAAA, AAAA)", False),
    "statut": ("statut", "« condamné » ou « prévenu » (condamné si vide)", False),
    "date_incarceration": ("date d'incarcération", "JJ/MM/AAAA", True),
    "peine_annees": ("peine années", "peine totale prononcée : années", False),
    "peine_mois": ("peine mois", "peine totale : mois", False),
    "peine_jours": ("peine jours", "peine totale : jours", False),
    "date_fin_peine": (
        "date de fin de peine",
        "date de fin de peine prévue, JJ/MM/AAAA (obligatoire pour un condamné)",
        False,
    ),
    "cpip": ("CPIP", "adresse e-mail du compte Relais du CPIP référent", False),
}
REQUIRED = [key for key, (_, _, required) in COLUMNS.items() if required]


# Any way of writing a column's name → its key.
_HEADERS = {
    folded(name): key
    for key, (label, _, _) in COLUMNS.items()
    for name in (key, label, label.replace(" d'", " "))
}


def label(key: str) -> str:
    return COLUMNS[key][0]


MAX_LINES = 20_000

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
ACTION_LABELS = {CREATE: "à créer", UPDATE: "à mettre à jour", UNCHANGED: "inchangée"}


@dataclass
class Line:
    number: int
    action: str
    prison_number: str
    name: str
    values: dict = field(default_factory=dict)
    person: Person | None = None  # an existing person the line is linked to
    new_person: Person | None = None
    detention: Detention | None = None  # the detention the line updates
    changes: list[str] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return ACTION_LABELS[self.action]


@dataclass
class ImportPlan:
    lines: list[Line] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.lines) and not self.errors

    def count(self, action: str) -> int:
        return sum(1 for line in self.lines if line.action == action)


class LineError(Exception):
    pass


def _date(text: str, column: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if not dt.date(1900, 1, 1) <= day <= dt.date(2100, 12, 31):
            break
        return day
    raise LineError(f"{label(column)} : « {text} » n'est pas une date JJ/MM/AAAA.")


def _number(text: str, column: str, *, most: int) -> int:
    text = text.strip() or "0"
    if not text.isdigit() or int(text) > most:
        raise LineError(f"{label(column)} : « {text} » n'est pas un nombre entre 0 et {most}.")
    return int(text)


_BIRTH = re.compile(r"^(?:(?:(\d{1,2})/)?(\d{1,2})/)?(\d{4})$")


def _birth(text: str) -> tuple[int | None, int | None, int | None]:
    text = text.strip()
    if not text:
        return None, None, None
    match = _BIRTH.match(text)
    if not match:
        raise LineError(f"date de naissance : « {text} » n'est pas une date JJ/MM/AAAA.")
    day, month, year = (int(part) if part else None for part in match.groups())
    if errors := birth_date_errors(year, month, day):
        raise LineError(f"date de naissance : {' '.join(str(e) for e in errors.values())}")
    return year, month, day


def _status(text: str) -> str:
    word = text.strip().lower()
    if word in ("", "condamné", "condamne", "condamnée", "condamnee"):
        return LegalStatus.CONVICTED
    if word in ("prévenu", "prevenu", "prévenue", "prevenue"):
        return LegalStatus.REMAND
    raise LineError(f"statut : « {text} » n'est ni « condamné » ni « prévenu ».")


def plan(text: str, *, spip: Organisation) -> ImportPlan:
    """What importing `text` for `spip` would do, line by line, changing nothing."""
    result = ImportPlan()
    rows = csvfiles.rows(text)
    if not rows:
        result.errors.append((1, "Le fichier est vide."))
        return result
    header = [_HEADERS.get(folded(h), "") for h in rows[0]]
    missing = [label(c) for c in REQUIRED if c not in header]
    if missing:
        result.errors.append((1, "Colonnes manquantes : " + ", ".join(missing) + "."))
        return result
    if len(rows) - 1 > MAX_LINES:
        result.errors.append((1, f"Au plus {MAX_LINES} lignes par fichier."))
        return result
    prisons = {
        o.name.strip().lower(): o
        for o in Organisation.objects.filter(
            territory_id=spip.territory_id, kind=OrganisationKind.PRISON
        )
    }
    cpips = {
        u.email.lower(): u
        for u in User.objects.filter(role=Role.CPIP, organisation=spip, is_active=True)
        if u.email
    }
    seen: dict[tuple[int, str], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        values = {
            key: (row[i].strip() if i < len(row) else "") for i, key in enumerate(header) if key
        }
        try:
            line = _line(number, values, spip=spip, prisons=prisons, cpips=cpips)
        except LineError as error:
            result.errors.append((number, str(error)))
            continue
        key = (line.values["establishment"].pk, line.prison_number)
        if key in seen:
            result.errors.append(
                (number, f"écrou {line.prison_number} : déjà à la ligne {seen[key]}.")
            )
            continue
        seen[key] = number
        result.lines.append(line)
    if len(rows) < 2 and not result.errors:
        result.errors.append((2, "Aucune ligne sous les noms de colonnes."))
    return result


def _line(number: int, values: dict, *, spip, prisons, cpips) -> Line:
    for column in REQUIRED:
        if not values.get(column):
            raise LineError(f"{label(column)} : valeur obligatoire.")
    establishment = prisons.get(values["etablissement"].lower())
    if establishment is None:
        raise LineError(
            f"établissement : « {values['etablissement']} » n'est pas un établissement "
            "pénitentiaire du territoire."
        )
    prison_number = values["ecrou"][:30]
    cpip = None
    if values.get("cpip"):
        cpip = cpips.get(values["cpip"].lower())
        if cpip is None:
            raise LineError(f"CPIP : aucun CPIP du SPIP n'a l'adresse « {values['cpip']} ».")
    status = _status(values.get("statut", ""))
    fields = {
        "establishment": establishment,
        "legal_status": status,
        "incarcerated_on": _date(values["date_incarceration"], "date_incarceration"),
        "sentence_years": _number(values.get("peine_annees", ""), "peine_annees", most=99),
        "sentence_months": _number(values.get("peine_mois", ""), "peine_mois", most=11),
        "sentence_days": _number(values.get("peine_jours", ""), "peine_jours", most=30),
        "end_date": _date(values.get("date_fin_peine", ""), "date_fin_peine"),
    }
    if cpip is not None:
        fields["cpip"] = cpip
    if status == LegalStatus.CONVICTED:
        if not fields["end_date"]:
            raise LineError("date de fin de peine : obligatoire pour une personne condamnée.")
        if not (fields["sentence_years"] or fields["sentence_months"] or fields["sentence_days"]):
            raise LineError("peine : indiquez la peine totale (années, mois, jours).")
    if fields["end_date"] and fields["end_date"] < fields["incarcerated_on"]:
        raise LineError("date de fin de peine : elle précède la date d'incarcération.")
    name = f"{values['nom'].upper()} {values['prenoms']}"
    existing = (
        Detention.objects.filter(establishment=establishment, prison_number=prison_number)
        .select_related("person")
        .first()
    )
    if existing is not None:
        if existing.spip_id != spip.pk:
            raise LineError(f"écrou {prison_number} : détention suivie par un autre SPIP.")
        changes = [key for key, value in fields.items() if getattr(existing, key) != value]
        if "end_date" in changes and existing.state != DetentionState.IN_DETENTION:
            raise LineError(f"écrou {prison_number} : la personne est déjà libérée.")
        return Line(
            number,
            UPDATE if changes else UNCHANGED,
            prison_number,
            str(existing.person),
            values=fields,
            detention=existing,
            changes=changes,
        )
    year, month, day = _birth(values.get("date_naissance", ""))
    sex = values.get("sexe", "").strip().upper()[:1]
    if sex and sex not in ("F", "M"):
        raise LineError(f"sexe : « {values['sexe']} » n'est ni F ni M.")
    typed = Person(
        birth_name=values["nom"][:100],
        first_names=values["prenoms"][:100],
        sex=sex,
        birth_year=year,
        birth_month=month,
        birth_day=day,
    )
    try:
        typed.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise LineError("; ".join(m for ms in error.message_dict.values() for m in ms)) from None
    person = _known_person(typed, spip=spip, name=name)
    return Line(
        number,
        CREATE,
        prison_number,
        str(person or typed),
        values=fields,
        person=person,
        new_person=None if person else typed,
    )


def _known_person(typed: Person, *, spip, name: str) -> Person | None:
    """The one person Relais knows who is very likely `typed`; a doubt is an error."""
    identity = Identity.build(
        birth_name=typed.birth_name,
        first_names=typed.first_names,
        sex=typed.sex,
        birth=make_date(typed.birth_year, typed.birth_month, typed.birth_day),
    )
    # Among the territory's persons only: another territory's files are not this SPIP's to
    # learn of (the same scope as the entry check of the screens).
    candidates = IdentityKey.objects.candidates_for(
        identity, among=persons_of_territory(spip.territory_id), limit=5
    )
    matches = [c for c in candidates if c.comparison.decision == Decision.MATCH]
    if len(matches) == 1 and len(candidates) == 1:
        return matches[0].person
    if candidates:
        raise LineError(
            f"{name} : une ou plusieurs personnes déjà connues lui ressemblent. Enregistrez "
            "cette personne à la main (Personnes détenues › Enregistrer), puis relancez "
            "l'import : la ligne sera reconnue par son écrou."
        )
    return None


def apply(result: ImportPlan, *, spip: Organisation, by) -> ImportPlan:
    """Write the plan, all or nothing. Refuses a plan with errors."""
    if not result.ok:
        raise ValueError("Un import avec des erreurs n'écrit rien.")
    with transaction.atomic():
        for line in result.lines:
            if line.action == CREATE:
                person = line.person
                if person is None:
                    person = line.new_person
                    person.save()
                Detention.record(
                    by=by, person=person, spip=spip, prison_number=line.prison_number, **line.values
                )
            elif line.action == UPDATE:
                _update(line, by=by)
    return result


def _update(line: Line, *, by) -> None:
    detention = line.detention
    others = [c for c in line.changes if c != "end_date"]
    if others:
        for key in others:
            setattr(detention, key, line.values[key])
        detention.save(update_fields=[*others, "lsc_examination_on", "lsc_automatic_on", "due_on"])
    if "end_date" in line.changes:
        detention.move_end_date(line.values["end_date"], reason=EndDateReason.PRISON_RECORD, by=by)

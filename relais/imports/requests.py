"""Import of insertion and housing requests, one line per person (SIAO-02, SIAO-03, SIAO-05).

The lines of one household share a « ménage » value; one of them is the principal applicant
(« lien » empty or « demandeur principal »), the others say how they are related. Each line
opens its person's request through `relais.identity.intake.open_request`, as the entry form
does, with the same identity check (IDV-02): a person who resembles someone already known
stops the line until the file says who it is, in the column « personne Relais » — the
number the preview shows, or « nouvelle » for someone else — and, when that person already
has a request under way (SIAO-01), « oui » in « nouvelle demande malgré celle en cours ».
Two lines of one file whose persons resemble each other (the same comparison, between the
lines) stop the later one in the dry run already, until it is removed or says « nouvelle »:
written, its person would have been a look-alike of the one the file had just created.

Idempotence: each line carries the referrer's own reference. The request it opens keeps, as
its one-time key (`Request.submission_key`, unique), a digest of the referring organisation
and that reference: the same file sent again finds its requests and creates nothing twice.
The requests are referred by the importing user's organisation.
"""

import hashlib

from django.utils import timezone

from relais.core.csvfiles import Column, folded
from relais.core.text import count_of
from relais.identity.bulk import find_pairs
from relais.identity.entry import NEW_REQUEST_ANYWAY, SOMEONE_ELSE, EntryCheck
from relais.identity.intake import open_request
from relais.identity.matching import Decision, Identity, compare
from relais.identity.normalize import parse_date
from relais.persons.enums import Relationship
from relais.persons.models import Household
from relais.requests.forms import InsertionRequestForm, PersonForm
from relais.requests.models import Request

from .engine import CREATE, UNCHANGED, Importer, Line, LineRefused, Outcome, Problem

COLUMNS = {
    "reference": Column(
        "référence",
        "votre référence de la personne, une seule fois dans le fichier : un second envoi du "
        "même fichier ne crée rien deux fois",
        True,
    ),
    "menage": Column(
        "ménage", "une même valeur sur les lignes des personnes d'un même ménage (facultatif)"
    ),
    "lien": Column(
        "lien",
        "vide ou « demandeur principal » ; pour les autres personnes du ménage : "
        "« conjoint », « enfant », « autre membre de la famille » ou « autre »",
    ),
    "nom": Column("nom de naissance", "", True),
    "nom_usage": Column("nom d'usage", "facultatif"),
    "prenoms": Column("prénoms", "dans l'ordre de l'état civil", True),
    "sexe": Column("sexe", "F ou M"),
    "date_naissance": Column(
        "date de naissance", "JJ/MM/AAAA ; si elle n'est connue qu'en partie : MM/AAAA ou AAAA"
    ),
    "lieu_naissance": Column("lieu de naissance", "facultatif"),
    "telephone": Column("téléphone", "facultatif"),
    "dispositif": Column(
        "dispositif",
        "« insertion » (ou stabilisation) ou « logement » ; obligatoire pour le demandeur "
        "principal, les autres personnes du ménage ont le sien",
    ),
    "date_demande": Column("date de la demande", "JJ/MM/AAAA (vide : aujourd'hui)"),
    "observations": Column("observations", "facultatif"),
    "personne": Column(
        "personne Relais",
        "vide au premier envoi ; si l'aperçu montre des personnes déjà connues qui lui "
        "ressemblent : le numéro de la personne si c'est elle, ou « nouvelle » ; « nouvelle » "
        "aussi quand elle ressemble à la personne d'une autre ligne du fichier sans être elle",
    ),
    "malgre_en_cours": Column(
        "nouvelle demande malgré celle en cours",
        "« oui » pour ouvrir une demande à une personne qui en a déjà une en cours",
    ),
}
PERSON_FIELDS = {
    "birth_name": "nom",
    "usage_name": "nom_usage",
    "first_names": "prenoms",
    "sex": "sexe",
    "birth_date": "date_naissance",
    "birth_place": "lieu_naissance",
    "phone": "telephone",
}
REQUEST_FIELDS = {"channel": "dispositif", "requested_on": "date_demande", "notes": "observations"}
RELATIONSHIP_ALIASES = {
    "demandeur": Relationship.PRINCIPAL,
    "conjoint": Relationship.SPOUSE,
    "conjointe": Relationship.SPOUSE,
    "famille": Relationship.RELATIVE,
}
SEX_ALIASES = {"H": "M", "homme": "M", "femme": "F"}
NO_HOUSEHOLD = "une personne rattachée à un demandeur a besoin de la valeur « ménage » de sa ligne."
NO_PRINCIPAL = "le ménage « {household} » n'a pas de ligne de demandeur principal."
# A line like many others names the first few of them.
LOOK_ALIKES_NAMED = 5
NEW_PERSON = {"nouvelle", "nouveau", "nouvelle personne", "quelqu un d autre"}


def submission_key(*, organisation_id: int, reference: str) -> str:
    """The one-time key of the request a line opens: never a form's (those are hex only)."""
    digest = hashlib.sha256(f"{organisation_id}:{reference.strip()}".encode()).hexdigest()
    return "import-" + digest[:25]


class RequestImporter(Importer):
    COLUMNS = COLUMNS
    EXAMPLE = {
        "reference": "2026-001",
        "menage": "M1",
        "lien": "demandeur principal",
        "nom": "Martin",
        "prenoms": "Léa",
        "sexe": "F",
        "date_naissance": "12/03/1985",
        "dispositif": "insertion",
        "date_demande": "02/02/2026",
        "observations": "Hébergée chez un tiers jusqu'à fin du mois",
    }

    def __init__(self, *, user, audit_as=None):
        super().__init__(user=user, audit_as=audit_as)
        self.organisation = user.organisation
        self.households: dict[str, Household] = {}
        self.principals: dict[str, Line] = {}

    def key(self, line: Line) -> str:
        return submission_key(
            organisation_id=self.organisation.pk, reference=line.values["reference"]
        )

    def relationship(self, line: Line) -> str:
        value = self.choice(line, "lien", Relationship.choices, aliases=RELATIONSHIP_ALIASES)
        return value or Relationship.PRINCIPAL

    # -- between lines ---------------------------------------------------------------------

    def file_problems(self, lines: list[Line]) -> list[Problem]:
        return self.relate(lines) + self._look_alike_lines(lines)

    def relate(self, lines: list[Line]) -> list[Problem]:
        """Each household's principal applicant line, and the problems of references and
        households."""
        problems = []
        references: dict[str, int] = {}
        members: dict[str, list[Line]] = {}
        for line in lines:
            reference = line.values.get("reference", "")
            if reference in references:
                problems.append(
                    Problem(
                        line.number,
                        self.label("reference"),
                        f"« {reference} » est déjà la référence de la ligne {references[reference]}.",
                    )
                )
            references.setdefault(reference, line.number)
            try:
                relationship = self.relationship(line)
            except LineRefused as refusal:
                problems += refusal.problems
                continue
            household = line.values.get("menage", "")
            if relationship == Relationship.PRINCIPAL:
                if household in self.principals:
                    problems.append(
                        Problem(
                            line.number,
                            self.label("lien"),
                            f"le ménage « {household} » a déjà son demandeur principal, ligne "
                            f"{self.principals[household].number}.",
                        )
                    )
                elif household:
                    self.principals[household] = line
            elif not household:
                problems.append(
                    Problem(
                        line.number,
                        self.label("menage"),
                        NO_HOUSEHOLD,
                    )
                )
            else:
                members.setdefault(household, []).append(line)
        for household, lines_of in members.items():
            if household not in self.principals:
                problems += [
                    Problem(
                        line.number,
                        self.label("menage"),
                        NO_PRINCIPAL.format(household=household),
                    )
                    for line in lines_of
                ]
        return problems

    def _look_alike_lines(self, lines: list[Line]) -> list[Problem]:
        """IDV-02 within the file: a line whose person resembles the person of a line written
        before it (`write_order`), unless it says who it is in « personne Relais »."""
        identities = {line.number: self._identity_of(line) for line in lines}
        position = {line.number: n for n, line in enumerate(self.write_order(lines))}
        answered = {line.number for line in lines if line.values.get("personne", "").strip()}
        earlier: dict[int, list[int]] = {}
        for pair in find_pairs(identities):
            first, later = sorted((pair.a, pair.b), key=position.__getitem__)
            if later not in answered:
                earlier.setdefault(later, []).append(first)
        problems = []
        for number, others in sorted(earlier.items()):
            others.sort()
            if len(others) == 1:
                traits = " ; ".join(
                    f"{trait['trait'].lower()} : {trait['verdict']}"
                    for trait in compare(identities[number], identities[others[0]]).explained()
                    if trait["agrees"]
                )
                which = f"celle de la ligne {others[0]} ({traits})"
            elif len(others) <= LOOK_ALIKES_NAMED:
                which = "celles des lignes " + ", ".join(map(str, others[:-1]))
                which += f" et {others[-1]}"
            else:
                named = ", ".join(map(str, others[:LOOK_ALIKES_NAMED]))
                more = count_of(len(others) - LOOK_ALIKES_NAMED, "autre ligne")
                which = f"celles des lignes {named} et de {more}"
            problems.append(
                Problem(
                    number,
                    self.label("personne"),
                    f"cette personne ressemble à {which}. Si c'est la même, gardez une seule "
                    "de ces lignes ; sinon, écrivez « nouvelle » dans cette colonne.",
                )
            )
        return problems

    def _identity_of(self, line: Line) -> Identity:
        """The traits the identity check compares, read from the line as `find_duplicates`
        reads a file (an unreadable value is left out, the line's own problem)."""
        values = line.values
        sexes = [("F", "F"), ("M", "M")]
        return Identity.build(
            birth_name=values.get("nom", ""),
            usage_name=values.get("nom_usage", ""),
            first_names=values.get("prenoms", ""),
            sex=self.gather([], lambda: self.choice(line, "sexe", sexes, aliases=SEX_ALIASES)),
            birth=parse_date(values.get("date_naissance", "")),
            birth_place=values.get("lieu_naissance", ""),
        )

    def write_order(self, lines: list[Line]) -> list[Line]:
        """Principal applicants first: the others join their household. A line whose « lien »
        cannot be read (its own problem) counts as a principal applicant's."""
        return sorted(
            lines,
            key=lambda line: (
                self.gather([], lambda: self.relationship(line), Relationship.PRINCIPAL)
                != Relationship.PRINCIPAL
            ),
        )

    # -- one line --------------------------------------------------------------------------

    def check(self, line: Line) -> Outcome:
        return self._line(line, write=False)

    def write(self, line: Line) -> Outcome:
        return self._line(line, write=True)

    def _line(self, line: Line, *, write: bool) -> Outcome:
        done = Request.objects.submitted(self.key(line))
        if done is not None:
            if write:
                self._remember(line, done)
            return Outcome(line.number, str(done.person), UNCHANGED)
        relationship = self.relationship(line)
        principal = self._principal_line(line, relationship)
        problems: list[Problem] = []
        person_form = self._person_form(line, problems)
        request_form = self.gather(problems, lambda: self._request_form(line, principal), None)
        problems += self.form_problems(line, person_form, PERSON_FIELDS)
        if request_form is not None:
            problems += self.form_problems(line, request_form, REQUEST_FIELDS)
        if problems:
            raise LineRefused(*problems)
        typed = person_form.instance
        identity = self._identity(line, typed)
        label = str(identity.linked or typed)
        if not write:
            return Outcome(line.number, label, CREATE)
        data = request_form.cleaned_data
        req = open_request(
            typed=typed,
            identity=identity,
            channel=data["channel"],
            referrer_organisation=self.organisation,
            by=self.user,
            audit_as=self.audit_as,
            requested_on=data["requested_on"],
            notes=data["notes"],
            household=self._household(principal) if principal else None,
            relationship="" if principal is None else relationship,
            submission_key=self.key(line),
            audit_detail={"imported": True, "line": line.number},
        )
        self._remember(line, req)
        return Outcome(line.number, str(req.person), CREATE)

    def _principal_line(self, line: Line, relationship: str) -> Line | None:
        """The principal applicant's line of a member, None for a principal."""
        if relationship == Relationship.PRINCIPAL:
            return None
        household = line.values.get("menage", "")
        if not household:
            raise self.refuse(line, "menage", NO_HOUSEHOLD)
        if household not in self.principals:
            raise self.refuse(line, "menage", NO_PRINCIPAL.format(household=household))
        return self.principals[household]

    def _remember(self, line: Line, req: Request) -> None:
        household = line.values.get("menage", "")
        if household and req.person_id == req.household.principal_id:
            self.households[household] = req.household

    def _household(self, principal: Line) -> Household:
        household = self.households.get(principal.values["menage"])
        if household is None:  # the principal's request came from an earlier import
            household = Request.objects.submitted(self.key(principal)).household
        return household

    # -- filling the entry forms -----------------------------------------------------------

    def _person_form(self, line: Line, problems: list[Problem]) -> PersonForm:
        data = {field: line.values.get(key, "") for field, key in PERSON_FIELDS.items()}
        sexes = [("F", "F"), ("M", "M")]
        data["sex"] = self.gather(
            problems, lambda: self.choice(line, "sexe", sexes, aliases=SEX_ALIASES)
        )
        form = PersonForm(data)
        form.is_valid()
        return form

    def _request_form(self, line: Line, principal: Line | None) -> InsertionRequestForm:
        values = line.values
        source = principal.values if principal is not None else {}
        channels = InsertionRequestForm.base_fields["channel"].choices
        channel = self.choice(line, "dispositif", channels)
        if principal is not None:
            theirs = self.choice(principal, "dispositif", channels)
            if channel and theirs and channel != theirs:
                raise self.refuse(
                    line,
                    "dispositif",
                    "les personnes d'un ménage ont le dispositif du demandeur principal "
                    f"(ligne {principal.number}).",
                )
            channel = channel or theirs
        requested_on = values.get("date_demande") or source.get("date_demande", "")
        data = {
            "channel": channel,
            "requested_on": requested_on or timezone.localdate().isoformat(),
            "notes": values.get("observations", ""),
        }
        form = InsertionRequestForm(data)
        form.is_valid()
        return form

    def _identity(self, line: Line, typed) -> EntryCheck:
        """The entry form's identity check, answered by the file's columns (IDV-02, SIAO-01)."""
        answer = line.values.get("personne", "").strip()
        data = {}
        if folded(answer) in NEW_PERSON:
            data["identity-choice"] = SOMEONE_ELSE
        elif answer.isascii() and answer.isdigit() and len(answer) < 19:
            data["identity-choice"] = answer
        elif answer:
            raise self.refuse(
                line,
                "personne",
                f"« {answer} » : écrivez le numéro de la personne ou « nouvelle ».",
            )
        if self.yes_no(line, "malgre_en_cours"):
            data["identity-new_request"] = NEW_REQUEST_ANYWAY
        identity = EntryCheck(data, user=self.user)
        if identity.is_valid_for(typed):
            if answer.isdigit() and identity.linked is None and not identity.candidates:
                raise self.refuse(
                    line,
                    "personne",
                    f"aucune personne connue ne ressemble à celle-ci : n° {answer} ne peut pas "
                    "être choisi. Laissez la colonne vide ou écrivez « nouvelle ».",
                )
            return identity
        candidates = [
            {
                "person": c.person.pk,
                "likely": c.comparison.decision == Decision.MATCH,
                "traits": [[t["trait"], t["verdict"]] for t in c.comparison.explained()],
            }
            for c in identity.candidates
        ]
        if identity.linked is not None:
            under_way = "; ".join(o.phrase for o in identity.ongoing.visible) or (
                "une demande est déjà en cours auprès du SIAO"
            )
            raise LineRefused(
                Problem(
                    line.number,
                    self.label("malgre_en_cours"),
                    f"{identity.linked} : {under_way}. Complétez plutôt la demande en cours, ou "
                    "écrivez « oui » dans cette colonne pour en ouvrir une autre.",
                ),
                candidates=candidates,
            )
        numbers = ", ".join(f"n° {c['person']}" for c in candidates)
        chosen = (
            f"n° {answer} n'est pas l'une d'elles. "
            if data.get("identity-choice", SOMEONE_ELSE) != SOMEONE_ELSE
            else ""
        )
        raise LineRefused(
            Problem(
                line.number,
                self.label("personne"),
                f"des personnes déjà connues ressemblent à {typed} ({numbers}). {chosen}Écrivez "
                "le numéro de la personne si c'est elle, ou « nouvelle » si c'est quelqu'un "
                "d'autre.",
            ),
            candidates=candidates,
        )

    def written(self, outcomes: list[Outcome]) -> None:
        """Each request has its own row (open_request); nothing more to log."""

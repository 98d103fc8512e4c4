"""OPS-02: requests with their persons imported from a CSV file — line-numbered errors, all or
nothing, idempotent on the referrer's reference, each person through the identity check of
the entry form (IDV-02, SIAO-01)."""

import pytest

from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.identity.models import EntryDecision, EntryOutcome
from relais.imports import engine, jobs
from relais.imports.requests import RequestImporter
from relais.persons.models import HouseholdMember, Person
from relais.requests.enums import Channel
from relais.requests.models import Request, SocialEvaluation
from tests.factories import PersonFactory, make_request

pytestmark = pytest.mark.django_db

HEADER = (
    "Référence;Ménage;Lien;Nom de naissance;Prénoms;Sexe;Date de naissance;Dispositif;"
    "Date de la demande;Observations;Personne Relais;Nouvelle demande malgré celle en cours\n"
)


def csv(*lines: str) -> str:
    return HEADER + "".join(line + "\n" for line in lines)


MARTIN = "R1;M1;;Martin;Léa;F;12/03/1985;insertion;02/02/2026;Chez un tiers;;"
CHILD = "R2;M1;enfant;Martin;Noé;M;2018;;;;;"
DURAND = "R3;;;Durand;Paul;M;05/1970;logement;;;;"


@pytest.fixture
def known(outsider):
    """Jean-Marc Lefèvre, already referred by another service of the territory."""
    person = PersonFactory(
        birth_name="Lefèvre",
        first_names="Jean-Marc",
        sex="M",
        birth_year=1979,
        birth_month=11,
        birth_day=2,
        birth_place="",
    )
    make_request(person, referrer=outsider)
    return person


def _lefebvre(answer: str = "", anyway: str = "") -> str:
    return f"R9;;;LEFEBVRE;Jean Marc;M;11/02/1979;insertion;;;{answer};{anyway}"


def _preview(user, text):
    return engine.preview(RequestImporter(user=user), text)


def _apply(user, text):
    return engine.apply(RequestImporter(user=user), text)


def test_ops_02_import_requests_creates_each_person_request_and_household(social_worker):
    report = _apply(social_worker, csv(MARTIN, CHILD, DURAND))
    assert report.ok, report.problems
    assert report.summary == {"create": 3, "update": 0, "unchanged": 0}
    lea = Request.objects.get(person__first_names="Léa")
    noe = Request.objects.get(person__first_names="Noé")
    assert lea.referrer_organisation == social_worker.organisation
    assert lea.channel == Channel.INSERTION and str(lea.requested_on) == "2026-02-02"
    assert lea.notes == "Chez un tiers"
    # The child joins the applicant's household with the same channel (SIAO-02).
    assert noe.household_id == lea.household_id and noe.channel == Channel.INSERTION
    assert HouseholdMember.objects.get(person=noe.person).relationship == "child"
    assert noe.person.birth_year == 2018 and noe.person.birth_month is None
    # The evaluation is the household's: on the principal request only.
    assert SocialEvaluation.objects.filter(request=lea).exists()
    assert not SocialEvaluation.objects.filter(request=noe).exists()
    durand = Request.objects.get(person__birth_name="Durand")
    assert durand.channel == Channel.HOUSING and durand.household_id != lea.household_id
    # Each request written is in the audit log, as from the entry form.
    assert AuditEvent.objects.filter(action=Action.WRITE, object_id=str(lea.pk)).exists()


def test_ops_02_import_preview_lists_errors_by_line_and_writes_nothing(social_worker):
    text = csv(
        MARTIN,
        "R2;;;;Jean;X;31/02/1990;insertion;;;;",
        "R1;;;Vidal;Anne;F;;hébergement;;;;",
        "R4;M7;conjoint;Roux;Marc;M;;;;;;",
    )
    report = _preview(social_worker, text)
    assert not report.ok
    found = [(p.line, p.column) for p in report.problems]
    assert (3, "nom de naissance") in found
    assert (3, "sexe") in found or (3, "date de naissance") in found
    assert (4, "référence") in found  # R1 twice
    assert (5, "ménage") in found  # a spouse without their applicant's line
    messages = " ".join(str(p) for p in report.problems)
    assert "ligne 4, colonne « référence » : « R1 » est déjà la référence de la ligne 2" in messages
    assert not Person.objects.exists() and not Request.objects.exists()


def test_ops_02_import_nothing_half_written_when_one_line_is_bad(social_worker):
    report = _apply(social_worker, csv(MARTIN, CHILD, "R3;;;Durand;Paul;M;01/01/2999;logement;;;;"))
    assert not report.ok
    assert [p.line for p in report.problems] == [4]
    assert not Person.objects.exists()
    assert not Request.objects.exists()
    assert not HouseholdMember.objects.exists()


def test_ops_02_import_requests_again_creates_nothing_twice(social_worker):
    assert _apply(social_worker, csv(MARTIN, CHILD)).ok
    again = _apply(social_worker, csv(MARTIN, CHILD, DURAND))
    assert again.summary == {"create": 1, "update": 0, "unchanged": 2}
    assert Request.objects.count() == 3 and Person.objects.count() == 3
    assert _apply(social_worker, csv(MARTIN, CHILD, DURAND)).summary["unchanged"] == 3
    assert Request.objects.count() == 3


def test_ops_02_import_a_new_member_joins_the_household_imported_before(social_worker):
    assert _apply(social_worker, csv(MARTIN)).ok
    assert _apply(social_worker, csv(MARTIN, CHILD)).ok
    lea, noe = (Request.objects.get(person__first_names=n) for n in ("Léa", "Noé"))
    assert lea.household_id == noe.household_id


LEA_AGAIN = "R7;;;MARTIN;Lea;F;12/03/1985;insertion;;;;"


def test_idv_02_import_two_look_alike_lines_the_dry_run_stops_the_second(social_worker):
    text = csv(MARTIN, DURAND, LEA_AGAIN)
    for report in (_preview(social_worker, text), _apply(social_worker, text)):
        assert [str(p) for p in report.problems] == [
            "ligne 4, colonne « personne Relais » : cette personne ressemble à celle de la "
            "ligne 2 (nom : identique ; prénom(s) : identique ; date de naissance : identique ; "
            "sexe : identique). Si c'est la même, gardez une seule de ces lignes ; sinon, "
            "écrivez « nouvelle » dans cette colonne."
        ]
    assert not Person.objects.exists()
    # The page's dry run says so before « Importer » is offered.
    job = jobs.start(kind="requests", user=social_worker, file_name="x.csv", text=text)
    job = jobs.advance(job, seconds=5)
    assert [row[0] for row in job.problems] == [4] and not job.ready


def test_idv_02_import_a_line_like_several_before_it_names_them_all(social_worker):
    again = LEA_AGAIN.replace("R7", "R8").replace("MARTIN", "Martinn")
    (problem,) = _preview(social_worker, csv(MARTIN, LEA_AGAIN, again)).problems[1:]
    assert problem.line == 4
    assert problem.message.startswith("cette personne ressemble à celles des lignes 2 et 3.")


def test_idv_02_import_a_line_like_many_before_it_names_the_first_five(social_worker):
    lines = [LEA_AGAIN.replace("R7", f"R{n}") for n in range(8)]
    last = _preview(social_worker, csv(*lines)).problems[-1]
    assert last.line == 9
    assert last.message.startswith(
        "cette personne ressemble à celles des lignes 2, 3, 4, 5, 6 et de 2 autres lignes."
    )


def test_idv_02_import_look_alike_lines_said_to_be_someone_else_are_two_persons(social_worker):
    someone_else = LEA_AGAIN.removesuffix(";;") + ";nouvelle;"
    report = _apply(social_worker, csv(MARTIN, DURAND, someone_else))
    assert report.ok, report.problems
    assert Person.objects.filter(first_names__in=["Léa", "Lea"]).count() == 2


def test_idv_02_import_the_line_written_second_is_the_one_stopped(social_worker):
    """A member looking like the applicant of a later line: the applicant is written first."""
    child = "R2;M1;enfant;Martin;Léa;F;12/03/1985;;;;;"
    (problem,) = _preview(social_worker, csv(child, MARTIN)).problems
    assert problem.line == 2 and "celle de la ligne 3" in problem.message


def test_ops_02_import_identity_a_look_alike_stops_the_line_with_its_candidates(
    social_worker, known
):
    report = _preview(social_worker, csv(_lefebvre()))
    (problem,) = report.problems
    assert problem.line == 2 and problem.column == "personne Relais"
    assert f"n° {known.pk}" in problem.message
    (outcome,) = report.outcomes
    assert [c["person"] for c in outcome.candidates] == [known.pk]
    assert not _apply(social_worker, csv(_lefebvre())).ok
    assert Person.objects.count() == 1


def test_ops_02_import_identity_naming_the_person_links_the_request(social_worker, known):
    # Known has a request under way with another service: SIAO-01 asks for a confirmation.
    stopped = _preview(social_worker, csv(_lefebvre(str(known.pk))))
    (problem,) = stopped.problems
    assert problem.column == "nouvelle demande malgré celle en cours"
    report = _apply(social_worker, csv(_lefebvre(str(known.pk), "oui")))
    assert report.ok, report.problems
    req = Request.objects.get(referrer_organisation=social_worker.organisation)
    assert req.person_id == known.pk and Person.objects.count() == 1
    decision = EntryDecision.objects.get(request=req)
    assert decision.outcome == EntryOutcome.LINKED


def test_ops_02_import_identity_nouvelle_creates_someone_else(social_worker, known):
    report = _apply(social_worker, csv(_lefebvre("nouvelle")))
    assert report.ok, report.problems
    assert Person.objects.count() == 2
    assert EntryDecision.objects.get().outcome == EntryOutcome.SOMEONE_ELSE


def test_ops_02_import_identity_a_number_that_is_not_a_candidate_is_an_error(social_worker, known):
    other = PersonFactory()
    (problem,) = _preview(social_worker, csv(_lefebvre(str(other.pk)))).problems
    assert f"n° {other.pk} n'est pas l'une d'elles" in problem.message
    (problem,) = _preview(social_worker, csv(DURAND[:-2] + f";{known.pk};")).problems
    assert "aucune personne connue ne ressemble" in problem.message

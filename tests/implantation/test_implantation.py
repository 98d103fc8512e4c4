"""IAE-09: an SIAE's implantation in a prison follows the six steps of seed 003 §E, with their
pilots, partners and durations; its administrative acts have the signers and recipients of the
guide's table, and an act is signed only once all its signers have signed."""

import dataclasses
import datetime as dt
import html

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.implantation import constants
from relais.implantation.enums import ActKind, ActStatus, Party, StepEventKind, StepStatus
from relais.implantation.models import ActParty, ImplantationProject, ImplantationStep
from relais.justice.dates import add_months
from tests.factories import OrganisationFactory, UserFactory, make_implantation

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _days(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


@pytest.fixture
def siae(siae_coach):
    return siae_coach.organisation


@pytest.fixture
def project(prison, cpip, siae, prison_staff):
    prison.spip = cpip.organisation
    prison.save()
    return make_implantation(establishment=prison, siae=siae, by=prison_staff)


def _step(project, number: int) -> ImplantationStep:
    return project.steps.get(number=number)


def _row(project, act: str, party: str) -> ActParty:
    return ActParty.objects.get(act__project=project, act__kind=act, party=party)


def _text(response) -> str:
    return html.unescape(response.content.decode())


# -- the six steps --------------------------------------------------------------------------


def test_iae_09_a_project_opens_with_the_six_steps_of_the_guide_all_to_do(project):
    steps = list(project.steps.order_by("number"))
    assert [s.number for s in steps] == [1, 2, 3, 4, 5, 6]
    assert {s.status for s in steps} == {StepStatus.TODO}
    assert all(s.events.get().kind == StepEventKind.PLANNED for s in steps)
    assert [s.guide for s in steps] == list(constants.STEPS)


def test_iae_09_the_guide_s_pilots_partners_and_durations_as_seed_003_gives_them():
    by_number = constants.STEP_BY_NUMBER
    assert by_number[1].pilots == ("DISP",)
    assert "ATIGIP (informée)" in by_number[1].partners
    assert (by_number[1].min_months, by_number[1].max_months) == (2, 3)
    assert "2 à 3 COPIL sur une période de 2 à 3 mois" in by_number[1].duration
    assert by_number[2].pilots == ("DREETS / DDETS",)
    assert (by_number[2].min_months, by_number[2].max_months) == (1, 2)
    assert by_number[3].pilots == ("Établissement", "SPIP", "SIAE") and by_number[3].deduced
    assert (by_number[4].min_months, by_number[4].max_months) == (1, 2)
    assert "2 à 3 COPIL sur une période de 1 à 2 mois" in by_number[4].duration
    assert (by_number[5].min_months, by_number[5].max_months) == (1, 3)
    assert "Délais de réalisation et de retour, 1 à 3 mois" in by_number[5].duration
    assert "JAP" in by_number[6].partners and by_number[6].ends_at_opening
    assert by_number[6].max_months is None


def test_iae_09_the_checklist_shows_each_step_from_the_constants(
    client, prison_staff, project, monkeypatch
):
    client.force_login(prison_staff)
    page = _text(client.get(reverse("implantation:detail", args=[project.pk])))
    for guide in constants.STEPS:
        assert guide.title in page
        assert guide.duration in page
        assert ", ".join(guide.pilots) in page
        if guide.partners:
            assert ", ".join(guide.partners) in page
    # The page reads the guide, it does not keep a copy: change the guide, the page follows.
    changed = dataclasses.replace(constants.STEP_BY_NUMBER[2], pilots=("Pilote du guide modifié",))
    monkeypatch.setitem(constants.STEP_BY_NUMBER, 2, changed)
    page = _text(client.get(reverse("implantation:detail", args=[project.pk])))
    assert "Pilote du guide modifié" in page


def test_iae_09_steps_start_finish_and_reopen_through_the_workflow_with_events(
    client, prison_staff, project
):
    client.force_login(prison_staff)
    step = _step(project, 1)
    url = reverse("implantation:step", args=[step.pk])
    prefix = f"etape-{step.pk}"
    response = client.post(url, {f"{prefix}-transition": "started", f"{prefix}-on": _days(150)})
    assert response.status_code == 302
    step.refresh_from_db()
    assert (step.status, step.started_on, step.done_on) == (
        StepStatus.IN_PROGRESS,
        _days(150),
        None,
    )
    client.post(
        url,
        {f"{prefix}-transition": "finished", f"{prefix}-on": _days(90), f"{prefix}-note": "OK"},
    )
    step.refresh_from_db()
    assert (step.status, step.done_on, step.notes) == (StepStatus.DONE, _days(90), "OK")
    client.post(url, {f"{prefix}-transition": "reopened"})
    step.refresh_from_db()
    assert (step.status, step.started_on, step.done_on) == (
        StepStatus.IN_PROGRESS,
        _days(150),
        None,
    )
    kinds = list(step.events.values_list("kind", flat=True))
    assert kinds == ["planned", "started", "finished", "reopened"]
    assert AuditEvent.objects.filter(action=Action.WRITE, object_id=str(project.pk)).count() == 3


# -- expected ends and lateness ----------------------------------------------------------------


def test_iae_09_a_step_past_its_expected_duration_is_flagged_late(client, prison_staff, project):
    step1 = _step(project, 1)
    step1.take(StepEventKind.STARTED, by=prison_staff, on=_days(200))  # 2 to 3 months expected
    plans = project.schedule()
    assert plans[0].expected_end == add_months(_days(200), 3)
    assert plans[0].late
    # The next steps wait for it: they start today at the earliest, none is late.
    assert not any(p.late for p in plans[1:])
    assert plans[1].expected_end == add_months(TODAY, 2)
    client.force_login(prison_staff)
    page = _text(client.get(reverse("implantation:detail", args=[project.pk])))
    assert page.count("En retard") == 1
    listing = _text(client.get(reverse("implantation:list")))
    assert "Étape 1" in listing


def test_iae_09_a_step_within_its_duration_is_not_late_and_a_done_step_never_is(
    prison_staff, project
):
    step1 = _step(project, 1)
    step1.take(StepEventKind.STARTED, by=prison_staff, on=_days(60))
    assert not project.schedule()[0].late  # 3 months not yet over
    step1.take(StepEventKind.FINISHED, by=prison_staff, on=_days(10))
    step2 = _step(project, 2)
    plans = project.schedule()
    assert not plans[0].late
    # Step 2 may start on step 1's end: expected between 1 and 2 months after it.
    assert (plans[1].expected_end_earliest, plans[1].expected_end) == (
        add_months(_days(10), 1),
        add_months(_days(10), 2),
    )
    assert step2.status == StepStatus.TODO and not plans[1].late


def test_iae_09_a_step_left_to_do_long_after_the_previous_one_ended_is_late(prison_staff, project):
    step1 = _step(project, 1)
    step1.take(StepEventKind.STARTED, by=prison_staff, on=_days(200))
    step1.take(StepEventKind.FINISHED, by=prison_staff, on=_days(140))
    plans = project.schedule()
    assert plans[1].expected_end == add_months(_days(140), 2) and plans[1].late


def test_iae_09_the_last_step_ends_at_the_target_opening(prison_staff, project):
    project.target_opening_on = _days(1)
    project.save()
    assert project.schedule()[5].expected_end == _days(1)
    assert project.schedule()[5].late


# -- dates that cannot be -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("transition", "on", "message"),
    [
        ("started", TODAY + dt.timedelta(days=3), "Cette date est à venir"),
        ("started", TODAY - dt.timedelta(days=400), "précède le démarrage du projet"),
        ("finished", TODAY - dt.timedelta(days=120), "ne peut pas finir avant d'avoir commencé"),
    ],
)
def test_iae_09_inconsistent_step_dates_are_refused_in_french_and_kept(
    client, prison_staff, project, transition, on, message
):
    step = _step(project, 1)
    if transition == "finished":
        step.take(StepEventKind.STARTED, by=prison_staff, on=_days(100))
    client.force_login(prison_staff)
    prefix = f"etape-{step.pk}"
    response = client.post(
        reverse("implantation:step", args=[step.pk]),
        {
            f"{prefix}-transition": transition,
            f"{prefix}-on": on.isoformat(),
            f"{prefix}-note": "x1",
        },
    )
    assert response.status_code == 400
    page = _text(response)
    assert message in page
    assert on.isoformat() in page and "x1" in page
    step.refresh_from_db()
    assert step.done_on is None


def test_iae_09_the_database_refuses_a_step_that_ends_before_it_starts(prison_staff, project):
    step = _step(project, 1)
    step.take(StepEventKind.STARTED, by=prison_staff, on=_days(100))
    step.take(StepEventKind.FINISHED, by=prison_staff, on=_days(50))
    with pytest.raises(IntegrityError), transaction.atomic():
        ImplantationStep.objects.filter(pk=step.pk).update(done_on=_days(150))
    with pytest.raises(IntegrityError), transaction.atomic():
        ImplantationStep.objects.filter(pk=_step(project, 2).pk).update(done_on=_days(10))


def test_iae_09_the_model_refuses_a_bad_date_even_without_the_form(prison_staff, project):
    from relais.core.transitions import TransitionNotAllowed

    with pytest.raises(TransitionNotAllowed, match="à venir"):
        _step(project, 1).take(StepEventKind.STARTED, by=prison_staff, on=TODAY + dt.timedelta(1))
    assert _step(project, 1).status == StepStatus.TODO


def test_iae_09_a_project_opening_before_it_starts_is_refused(client, prison_staff, prison):
    client.force_login(prison_staff)
    response = client.post(
        reverse("implantation:create"),
        {
            "establishment": prison.pk,
            "lead_name": "Nadia Lang",
            "started_on": _days(10).isoformat(),
            "target_opening_on": _days(20).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "L'ouverture visée ne peut pas précéder le démarrage du projet" in _text(response)
    assert not ImplantationProject.objects.exists()


def test_iae_09_the_start_of_a_project_cannot_move_after_its_recorded_dates(
    client, prison_staff, project
):
    _step(project, 1).take(StepEventKind.STARTED, by=prison_staff, on=_days(150))
    client.force_login(prison_staff)
    response = client.post(
        reverse("implantation:edit", args=[project.pk]),
        {"lead_name": "X", "started_on": _days(100).isoformat()},
    )
    assert response.status_code == 400
    assert "le démarrage ne peut pas être plus tard" in _text(response)


def test_iae_09_a_project_opens_with_its_steps_and_acts_from_the_screen(
    client, prison_staff, prison, siae
):
    client.force_login(prison_staff)
    response = client.post(
        reverse("implantation:create"),
        {
            "establishment": prison.pk,
            "siae": siae.pk,
            "activity": "Menuiserie",
            "lead_name": "Nadia Lang",
            "started_on": _days(30).isoformat(),
            "target_opening_on": (TODAY + dt.timedelta(days=200)).isoformat(),
        },
    )
    project = ImplantationProject.objects.get()
    assert response.status_code == 302
    assert (project.territory, project.siae, project.created_by) == (
        prison.territory,
        siae,
        prison_staff,
    )
    assert project.steps.count() == 6 and project.acts.count() == 5


# -- the acts ----------------------------------------------------------------------------------


def test_iae_09_signers_and_recipients_are_those_of_the_guide_s_table():
    S, R = "signs", "receives"
    expected = {
        ActKind.DUI: {"ddets": R, "siae": S, "disp": R, "ep": R, "atigip": R, "dgefp": R},
        ActKind.AGREEMENT: {
            "prefect": S,
            "ddets": S,
            "siae": S,
            "disp": S,
            "ep": R,
            "atigip": R,
            "dgefp": R,
        },
        ActKind.IMPLANTATION_CONTRACT: {
            "ddets": R,
            "siae": S,
            "disp": R,
            "ep": S,
            "atigip": R,
            "dgefp": R,
        },
        ActKind.EMPLOYMENT_CONTRACT: {"siae": S, "operator": S},
        ActKind.ANNEX: {"siae": S, "ep": S, "operator": S},
    }
    table = {
        act: {party: c.role for party, c in cells.items()}
        for act, cells in constants.ACT_TABLE.items()
    }
    assert table == expected
    assert constants.cell(ActKind.AGREEMENT, Party.PREFECT).words == (
        "Signe (ou représenté par le DDETS)"
    )
    assert constants.cell(ActKind.DUI, Party.SIAE).words == "Complète le document et le signe"


def test_iae_09_each_act_has_one_row_per_party_of_the_table(project, client, prison_staff):
    for act in project.acts.all():
        assert sorted(act.parties.values_list("party", flat=True)) == sorted(
            constants.ACT_TABLE[act.kind]
        )
    client.force_login(prison_staff)
    page = _text(client.get(reverse("implantation:detail", args=[project.pk])))
    assert "Signe (ou représenté par le DDETS)" in page
    assert "Opérateur (la personne détenue qui travaille)" in page


def test_iae_09_an_act_is_signed_only_when_every_signer_has_signed(prison_staff, project):
    agreement = project.acts.get(kind=ActKind.AGREEMENT)
    assert agreement.status == ActStatus.TO_PREPARE
    for party in (Party.SIAE, Party.DISP, Party.DDETS):
        _row(project, ActKind.AGREEMENT, party).record(_days(20), by=prison_staff)
        assert not agreement.is_signed
        assert agreement.status == ActStatus.SIGNING
    _row(project, ActKind.AGREEMENT, Party.PREFECT).record(_days(15), by=prison_staff)
    assert agreement.is_signed and agreement.status == ActStatus.SIGNED
    for party in (Party.EP, Party.ATIGIP):
        _row(project, ActKind.AGREEMENT, party).record(_days(10), by=prison_staff)
    assert agreement.status == ActStatus.SIGNED  # one recipient still waits
    _row(project, ActKind.AGREEMENT, Party.DGEFP).record(_days(10), by=prison_staff)
    assert agreement.status == ActStatus.SENT
    assert project.progress()["acts_signed"] == 1


def test_iae_09_a_signer_without_its_row_keeps_the_act_unsigned(prison_staff, project):
    _row(project, ActKind.EMPLOYMENT_CONTRACT, Party.SIAE).record(_days(5), by=prison_staff)
    _row(project, ActKind.EMPLOYMENT_CONTRACT, Party.OPERATOR).delete()
    assert not project.acts.get(kind=ActKind.EMPLOYMENT_CONTRACT).is_signed


def test_iae_09_an_act_is_sent_only_once_signed_and_not_before_its_last_signature(
    client, prison_staff, project
):
    client.force_login(prison_staff)
    url = reverse("implantation:record", args=[project.pk])
    ep = _row(project, ActKind.AGREEMENT, Party.EP)
    response = client.post(url, {"acte-party": ep.pk, "acte-on": _days(5).isoformat()})
    assert response.status_code == 400
    page = _text(response)
    assert "L'acte n'est pas encore signé (manque : Préfet, DDETS, SIAE, DISP)" in page
    assert _days(5).isoformat() in page
    for party in (Party.PREFECT, Party.DDETS, Party.SIAE, Party.DISP):
        _row(project, ActKind.AGREEMENT, party).record(_days(10), by=prison_staff)
    response = client.post(url, {"acte-party": ep.pk, "acte-on": _days(12).isoformat()})
    assert "L'envoi ne peut pas précéder la dernière signature" in _text(response)
    response = client.post(url, {"acte-party": ep.pk, "acte-on": _days(8).isoformat()})
    assert response.status_code == 302
    ep.refresh_from_db()
    assert (ep.on, ep.recorded_by) == (_days(8), prison_staff)
    assert AuditEvent.objects.filter(action=Action.WRITE, object_id=str(project.pk)).exists()


@pytest.mark.parametrize(
    ("on", "message"),
    [
        (TODAY + dt.timedelta(days=2), "Cette date est à venir"),
        (TODAY - dt.timedelta(days=300), "précède le démarrage du projet"),
    ],
)
def test_iae_09_a_signature_date_in_the_future_or_before_the_project_is_refused(
    client, prison_staff, project, on, message
):
    client.force_login(prison_staff)
    row = _row(project, ActKind.DUI, Party.SIAE)
    response = client.post(
        reverse("implantation:record", args=[project.pk]),
        {"acte-party": row.pk, "acte-on": on.isoformat()},
    )
    assert response.status_code == 400 and message in _text(response)
    row.refresh_from_db()
    assert row.on is None


def test_iae_09_the_siae_signs_only_once_the_project_has_one(prison_staff, prison):
    project = make_implantation(establishment=prison, by=prison_staff)
    row = _row(project, ActKind.DUI, Party.SIAE)
    assert "Indiquez d'abord la SIAE du projet" in row.date_refusal(_days(1))


# -- who -----------------------------------------------------------------------------------------


def test_iae_09_who_reads_a_project(
    project,
    prison_staff,
    cpip,
    siae_coach,
    siae_supervisor,
    state_service_user,
    territory_admin,
    admin_user,
    siao_operator,
    social_worker,
    structure_manager,
    remote_worker,
):
    readers = [
        prison_staff,
        cpip,
        siae_coach,
        siae_supervisor,
        state_service_user,
        territory_admin,
        admin_user,
    ]
    for user in readers:
        assert list(ImplantationProject.objects.visible_to(user)) == [project], user
    for user in (siao_operator, social_worker, structure_manager, remote_worker):
        assert not ImplantationProject.objects.visible_to(user).exists(), user
    territory = prison_staff.organisation.territory
    others = [
        UserFactory(prison_staff=True, organisation__territory=territory),
        UserFactory(cpip=True, organisation__territory=territory),
        UserFactory(siae_coach=True, organisation__territory=territory),
        UserFactory(state_service=True, organisation__territory=remote_worker.territory),
    ]
    for user in others:
        assert not ImplantationProject.objects.visible_to(user).exists(), user


def test_iae_09_who_changes_a_project(
    project,
    prison_staff,
    cpip,
    siae_coach,
    siae_supervisor,
    state_service_user,
    territory_admin,
    admin_user,
):
    for user in (prison_staff, state_service_user, territory_admin, admin_user):
        assert project.may_change(user), user
    for user in (cpip, siae_coach, siae_supervisor):
        assert not project.may_change(user), user
    other_prison = UserFactory(prison_staff=True, organisation__territory=project.territory)
    assert not project.may_change(other_prison)


def test_iae_09_the_cpip_and_the_siae_read_but_do_not_move_the_steps(
    client, project, cpip, siae_coach
):
    step = _step(project, 1)
    prefix = f"etape-{step.pk}"
    for user in (cpip, siae_coach):
        client.force_login(user)
        page = client.get(reverse("implantation:detail", args=[project.pk]))
        assert page.status_code == 200
        assert reverse("implantation:step", args=[step.pk]) not in page.content.decode()
        response = client.post(
            reverse("implantation:step", args=[step.pk]),
            {f"{prefix}-transition": "started", f"{prefix}-on": _days(5).isoformat()},
        )
        assert response.status_code == 403
        assert client.get(reverse("implantation:edit", args=[project.pk])).status_code == 403
    assert _step(project, 1).status == StepStatus.TODO


def test_iae_09_the_siae_records_its_own_signatures_only(client, project, siae_coach, cpip):
    client.force_login(siae_coach)
    url = reverse("implantation:record", args=[project.pk])
    disp = _row(project, ActKind.AGREEMENT, Party.DISP)
    response = client.post(url, {"acte-party": disp.pk, "acte-on": _days(5).isoformat()})
    assert response.status_code == 400
    assert "Choisissez une ligne de la liste" in _text(response)
    disp.refresh_from_db()
    assert disp.on is None
    own = _row(project, ActKind.AGREEMENT, Party.SIAE)
    response = client.post(url, {"acte-party": own.pk, "acte-on": _days(5).isoformat()})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.on == _days(5)
    # The SPIP is no party of the table: it records nothing.
    client.force_login(cpip)
    response = client.post(url, {"acte-party": own.pk, "acte-on": _days(4).isoformat()})
    assert response.status_code == 403


def test_iae_09_another_siae_or_prison_does_not_see_the_project(client, project):
    territory = project.territory
    for user in (
        UserFactory(siae_coach=True, organisation__territory=territory),
        UserFactory(prison_staff=True, organisation__territory=territory),
    ):
        client.force_login(user)
        assert client.get(reverse("implantation:detail", args=[project.pk])).status_code == 404
        assert client.get(reverse("implantation:print", args=[project.pk])).status_code == 404


def test_iae_09_a_prison_opens_projects_only_for_itself(client, prison_staff, territory):
    other = OrganisationFactory(prison=True, territory=territory)
    client.force_login(prison_staff)
    response = client.post(
        reverse("implantation:create"),
        {"establishment": other.pk, "lead_name": "X", "started_on": _days(1).isoformat()},
    )
    assert response.status_code == 400
    assert not ImplantationProject.objects.exists()


# -- the print ---------------------------------------------------------------------------------


def test_iae_09_the_checklist_prints(client, prison_staff, cpip, project):
    _step(project, 1).take(StepEventKind.STARTED, by=prison_staff, on=_days(200))
    _row(project, ActKind.DUI, Party.SIAE).record(_days(3), by=prison_staff)
    client.force_login(cpip)
    response = client.get(reverse("implantation:print", args=[project.pk]))
    assert response.status_code == 200
    page = _text(response)
    assert "Liste de contrôle — implantation d'une SIAE à" in page
    for guide in constants.STEPS:
        assert guide.title in page
    assert "En retard" in page
    assert f"Signé le {_days(3):%d/%m/%Y}" in page
    assert reverse("implantation:record", args=[project.pk]) not in page  # no form to fill
    assert reverse("implantation:step", args=[_step(project, 1).pk]) not in page
    assert "Ctrl + P" in page

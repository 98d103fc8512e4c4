"""JUS-06: the daily job raises each escalation step once for each person without a secured
housing solution, re-times the steps when the release date moves, and on the release day
records a dry exit and alerts the 115."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from relais.justice.enums import EndDateReason
from relais.notifications.models import Notification
from relais.releases import escalations
from relais.releases.escalations import release_date, step_due
from relais.releases.models import DryExit, Escalation
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    make_detention,
    make_evaluation,
    make_request,
    orient,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2027, 3, 1)
LONG = (6, 0, 0)  # over 5 years: no LSC date, the person is due out on the end date


def run(day: dt.date) -> None:
    call_command("escalate_releases", today=day.isoformat())


@pytest.fixture
def cast(territory, cpip, siao_operator, emergency_line_user):
    """The CPIP, the SPIP's référent hébergement-logement, the SIAO's référent justice, the
    115."""
    spip = cpip.organisation
    spip.referent = UserFactory(cpip=True, organisation=spip, first_name="Rose", last_name="Lang")
    spip.save()
    siao = siao_operator.organisation
    siao.referent = siao_operator
    siao.save()
    line = emergency_line_user.organisation
    line.email = "veille@115.example"
    line.phone = "115"
    line.save()
    prison = OrganisationFactory(
        prison=True, territory=territory, name="Maison d'arrêt de Colmar", address="1 rue Stanislas"
    )
    return SimpleNamespace(
        cpip=cpip,
        spip_referent=spip.referent,
        siao_referent=siao_operator,
        emergency=emergency_line_user,
        prison=prison,
        territory=territory,
    )


def detainee(cast, *, days: int, **values):
    """A detainee due out `days` after TODAY."""
    return make_detention(
        cpip=cast.cpip,
        establishment=cast.prison,
        end_date=TODAY + dt.timedelta(days=days),
        sentence=LONG,
        **values,
    )


def escalations_to(user):
    """The notices of the releases' job to `user`, not the exit plan's (EXIT-02)."""
    return Notification.objects.filter(recipient=user).exclude(
        link__startswith=reverse("exitplan:list")
    )


def alerted(detention) -> set:
    return set(
        Notification.objects.filter(message__contains=detention.prison_number).values_list(
            "recipient__username", flat=True
        )
    )


def test_jus_06_step_rules():
    release = TODAY + dt.timedelta(days=60)
    assert step_due(release, [90, 60, 30, 7], TODAY) == 60
    assert step_due(release, [90, 60, 30, 7], TODAY - dt.timedelta(days=1)) == 90
    assert step_due(release, [90, 60, 30, 7], TODAY - dt.timedelta(days=31)) is None
    assert step_due(TODAY, [90, 60, 30, 7], TODAY) is None  # the release day: a dry exit


def test_jus_06_each_step_is_raised_once_to_the_cpip_and_both_referents(cast):
    detention = detainee(cast, days=90)
    run(TODAY)
    (escalation,) = Escalation.objects.filter(detention=detention)
    assert (escalation.step, escalation.due_on) == (90, detention.end_date)
    expected = {cast.cpip.username, cast.spip_referent.username, cast.siao_referent.username}
    assert alerted(detention) == expected
    notice = Notification.objects.filter(recipient=cast.cpip).get()
    assert "Sortie dans 90 jours sans hébergement acquis" in notice.message
    assert str(detention.person) in notice.message and "aucune demande" in notice.message
    # The days between the steps: nothing new; each following step once.
    for day in range(1, 90):
        run(TODAY + dt.timedelta(days=day))
    steps = list(Escalation.objects.filter(detention=detention).values_list("step", flat=True))
    assert sorted(steps) == [7, 30, 60, 90]
    # (The same run tells the exit plan's late items too, EXIT-02: counted apart.)
    assert escalations_to(cast.cpip).count() == 4


def test_jus_06_a_second_run_the_same_day_changes_nothing(cast, django_capture_on_commit_callbacks):
    detainee(cast, days=60)
    detainee(cast, days=0)
    with django_capture_on_commit_callbacks(execute=True):
        run(TODAY)
    counts = (Escalation.objects.count(), DryExit.objects.count(), Notification.objects.count())
    sent = len(mail.outbox)
    assert counts[:2] == (1, 1) and sent
    with django_capture_on_commit_callbacks(execute=True):
        run(TODAY)
    assert (
        Escalation.objects.count(),
        DryExit.objects.count(),
        Notification.objects.count(),
    ) == counts
    assert len(mail.outbox) == sent


def test_jus_06_only_the_latest_due_step_is_raised_when_several_are_due(cast):
    detention = detainee(cast, days=20)  # 90, 60 and 30 are all past: only 30 is sent
    run(TODAY)
    assert list(Escalation.objects.filter(detention=detention).values_list("step", flat=True)) == [
        30
    ]


def test_jus_06_a_release_date_moved_closer_sends_no_alert_for_the_passed_steps(cast):
    detention = detainee(cast, days=90)
    run(TODAY)
    detention.move_end_date(
        TODAY + dt.timedelta(days=40), reason=EndDateReason.REDUCTION, by=cast.cpip
    )
    run(TODAY + dt.timedelta(days=1))
    # The new date is 39 days away: its 90-day step is passed (no alert), its 60-day step is
    # the latest due, raised for the new date.
    new = detention.end_date
    raised = set(Escalation.objects.filter(detention=detention).values_list("step", "due_on"))
    assert raised == {(90, TODAY + dt.timedelta(days=90)), (60, new)}
    run(TODAY + dt.timedelta(days=2))
    assert Escalation.objects.filter(detention=detention).count() == 2
    # The 30-day step of the new date comes in its time.
    run(new - dt.timedelta(days=30))
    assert (30, new) in set(
        Escalation.objects.filter(detention=detention).values_list("step", "due_on")
    )


def test_jus_06_a_release_date_moved_later_raises_the_step_again_when_due(cast):
    detention = detainee(cast, days=60)
    run(TODAY)
    assert Escalation.objects.filter(detention=detention, step=60).count() == 1
    later = TODAY + dt.timedelta(days=150)
    detention.move_end_date(later, reason=EndDateReason.NEW_SENTENCE, by=cast.cpip)
    run(TODAY + dt.timedelta(days=1))  # 149 days away: no step due yet
    assert Escalation.objects.filter(detention=detention).count() == 1
    run(later - dt.timedelta(days=90))
    run(later - dt.timedelta(days=60))
    steps = set(Escalation.objects.filter(detention=detention).values_list("step", "due_on"))
    assert {(90, later), (60, later)} <= steps
    # And no dry exit on the old date.
    run(TODAY + dt.timedelta(days=60))
    assert not DryExit.objects.filter(detention=detention).exists()


def test_jus_06_a_secured_solution_raises_no_alert(cast, structure):
    detention = detainee(cast, days=30)
    request = make_request(detention.person, referrer=cast.cpip, detention=detention)
    make_evaluation(request)
    request.evaluate(by=cast.cpip)
    orient(request, by=cast.siao_referent, structure=structure).admit(
        by=structure.manager.members.first()
    )
    other = detainee(cast, days=30)
    run(TODAY)
    assert not Escalation.objects.filter(detention=detention).exists()
    assert Escalation.objects.filter(detention=other).exists()
    run(detention.end_date)
    assert not DryExit.objects.filter(detention=detention).exists()


def test_jus_06_an_oriented_request_not_yet_admitted_is_not_secured(cast):
    detention = detainee(cast, days=30)
    request = make_request(detention.person, referrer=cast.cpip, detention=detention)
    make_evaluation(request)
    request.evaluate(by=cast.cpip)
    orient(request, by=cast.siao_referent)
    told = list(Notification.objects.filter(recipient=cast.cpip).values_list("pk", flat=True))
    run(TODAY)
    # The request's own steps told the CPIP already (JUS-05); the job adds one alert.
    notice = escalations_to(cast.cpip).exclude(pk__in=told).get()
    assert "orientée" in notice.message and notice.request_id == request.pk


def test_jus_06_the_territory_chooses_who_is_alerted(cast):
    cast.territory.alerts_spip_referent = False
    cast.territory.alerts_siao_referent = False
    cast.territory.escalation_steps = "45"
    cast.territory.save()
    detention = detainee(cast, days=60)
    run(TODAY)
    assert not Escalation.objects.exists()
    run(TODAY + dt.timedelta(days=15))
    assert alerted(detention) == {cast.cpip.username}


def test_jus_06_dry_exit_on_the_release_day_alerts_the_115_with_what_it_needs(
    cast, django_capture_on_commit_callbacks
):
    person = PersonFactory(birth_name="Lefort", first_names="Karim", phone="06 12 34 56 78")
    detention = detainee(cast, days=0, person=person)
    with django_capture_on_commit_callbacks(execute=True):
        run(TODAY)
    dry_exit = DryExit.objects.get()
    assert (dry_exit.detention, dry_exit.person, dry_exit.on) == (detention, person, TODAY)
    notice = Notification.objects.get(recipient=cast.emergency)
    for needed in (
        "LEFORT Karim",
        "Maison d'arrêt de Colmar",
        "1 rue Stanislas",
        "01/03/2027",
        "06 12 34 56 78",
        "Heure de sortie",
    ):
        assert needed in notice.message, needed
    assert cast.cpip.username in alerted(detention)
    # The mail goes to the 115's address too, and names nobody.
    to_115 = [m for m in mail.outbox if "veille@115.example" in m.to]
    assert to_115 and "Lefort" not in to_115[0].body and "LEFORT" not in to_115[0].body
    assert "Maison d'arrêt de Colmar" in to_115[0].body
    run(TODAY)
    assert DryExit.objects.count() == 1


def test_jus_06_no_dry_exit_for_a_person_already_released(cast):
    released = detainee(cast, days=0)
    released.release(on=TODAY, by=cast.cpip)
    run(TODAY)
    assert not DryExit.objects.exists()


def test_jus_06_release_date_after_a_passed_lsc_date_is_the_end_date(cast):
    detention = detainee(cast, days=10)
    assert release_date(detention, TODAY) == detention.end_date
    short = make_detention(
        cpip=cast.cpip, end_date=TODAY + dt.timedelta(days=200), sentence=(1, 0, 0)
    )
    assert short.due_on < TODAY + dt.timedelta(days=200)
    assert release_date(short, TODAY) == short.due_on
    assert release_date(short, short.due_on + dt.timedelta(days=1)) == short.end_date


def test_jus_06_the_command_refuses_a_bad_date_in_french():
    with pytest.raises(CommandError, match="attend une date AAAA-MM-JJ"):
        call_command("escalate_releases", today="01/03/2027")


def test_jus_06_the_timeline_fragment_lists_escalations_and_dry_exits(cast):
    from django.template.loader import render_to_string

    detention = detainee(cast, days=7)
    run(TODAY)
    run(TODAY + dt.timedelta(days=7))
    html = render_to_string("releases/_escalations.html", {"detention": detention})
    assert "Alerte à 7 jours de la sortie prévue le 08/03/2027" in html
    assert "Sortie sèche" in html and "le 115 a été prévenu" in html


def test_jus_06_each_address_gets_one_mail_listing_the_day_alerts(
    cast, django_capture_on_commit_callbacks
):
    first = detainee(cast, days=30, person=PersonFactory(birth_name="Arnaud"))
    detainee(cast, days=60, person=PersonFactory(birth_name="Barbier"))
    with django_capture_on_commit_callbacks(execute=True):
        run(TODAY)
    to_cpip = [m for m in mail.outbox if cast.cpip.email in m.to]
    assert len(to_cpip) == 1
    body = to_cpip[0].body
    assert "Sortie dans 30 jours sans hébergement acquis" in body
    assert "Sortie dans 60 jours sans hébergement acquis" in body
    assert "Arnaud" not in body.title() and "Barbier" not in body.title()
    assert "http://testserver/notifications/" in body
    assert to_cpip[0].subject == "[Relais] Sorties de détention : alertes du 01/03/2027"
    assert escalations_to(cast.cpip).count() == 2
    assert alerted(first) == {
        cast.cpip.username,
        cast.spip_referent.username,
        cast.siao_referent.username,
    }


def test_jus_06_the_job_costs_the_same_queries_for_2_or_10_detainees(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(count: int, day: dt.date) -> int:
        for _ in range(count):
            detainee(cast, days=(day - TODAY).days + 30)
            detainee(cast, days=(day - TODAY).days)  # a dry exit
        with CaptureQueriesContext(connection) as context:
            # The releases' job alone: the command also opens the exit plans, a few queries
            # per plan opened, once (tests/exitplan/test_jobs.py counts the exit plan's job).
            escalations.run(day)
        return len(context.captured_queries)

    assert queries(1, TODAY) == queries(5, TODAY + dt.timedelta(days=400))

"""The justice part of the demo (issue 10): persons in detention, their release dates and
housing solutions, the alerts of the daily job and one dry exit."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import User
from relais.justice.enums import AreaKind, AreaLevel, DetentionEventKind, DetentionState
from relais.justice.models import Detention, DetentionEvent, JudicialArea, area_refusal
from relais.notifications.models import Notification
from relais.orientations.enums import OrientationState
from relais.orientations.models import Orientation
from relais.releases import escalations
from relais.releases.housing import Solution, housing_of
from relais.releases.models import DryExit, Escalation, FollowUpCheck

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def test_jus_06_the_demo_shows_every_housing_state_and_a_dry_exit(client):
    output = load_demo()
    today = timezone.localdate()

    held = Detention.objects.filter(state=DetentionState.IN_DETENTION)
    assert held.count() >= 30
    prisons = {
        name: held.filter(establishment__name=name).count()
        for name in (
            "Centre pénitentiaire de Mulhouse-Lutterbach",
            "Maison centrale d'Ensisheim",
        )
    }
    assert all(prisons.values())
    assert prisons["Centre pénitentiaire de Mulhouse-Lutterbach"] > sum(prisons.values()) / 2
    cpip = User.objects.get(username="cpip")
    assert Detention.objects.visible_to(cpip).filter(cpip=cpip).count() >= 15
    assert "Personnes détenues" in output

    # Release dates spread over the next twelve months, a few already passed, a few released.
    due = [d.days_left(today) for d in held.exclude(due_on=None)]
    for low, high in [(0, 90), (91, 180), (181, 270), (271, 366)]:
        assert any(low <= days <= high for days in due), (low, high)
    assert any(days < 0 for days in due)
    assert Detention.objects.filter(state=DetentionState.RELEASED).count() >= 3
    assert held.filter(due_on=None, legal_status="remand").exists()

    # LSC: both dates for a sentence of at most 2 years, the examination only up to 5 years.
    assert held.exclude(lsc_examination_on=None).exclude(lsc_automatic_on=None).exists()
    assert held.exclude(lsc_examination_on=None).filter(lsc_automatic_on=None).exists()
    assert held.filter(lsc_examination_on=None, legal_status="convicted").exists()

    # End dates that moved, with their history.
    moves = DetentionEvent.objects.filter(kind=DetentionEventKind.END_DATE_MOVED)
    assert moves.values("detention").distinct().count() >= 4
    assert len({event.data["reason"] for event in moves}) >= 3
    for event in moves:
        assert event.from_date != event.to_date

    # Exclusion areas, a residence obligation, a département; no placement breaks them.
    areas = set(JudicialArea.objects.values_list("kind", "level", "insee_code"))
    assert (AreaKind.EXCLUSION, AreaLevel.COMMUNE, "68224") in areas
    assert (AreaKind.RESIDENCE, AreaLevel.COMMUNE, "68066") in areas
    assert (AreaKind.EXCLUSION, AreaLevel.DEPARTEMENT, "67") in areas
    placed = Orientation.objects.filter(request__detention__areas__isnull=False).distinct()
    assert placed.exists()
    for orientation in placed.select_related("structure", "request"):
        areas_of = list(orientation.request.detention.areas.all())
        assert not area_refusal(areas_of, orientation.structure.commune_insee_code)

    # Every housing state, a pre-admitted reservation, one reservation left by its date.
    housing = housing_of(list(Detention.objects.values_list("pk", flat=True)))
    assert {h.solution for h in housing.values()} == set(Solution.values)
    reservations = Orientation.objects.reservations().filter(request__detention__isnull=False)
    assert reservations.filter(state=OrientationState.ADMITTED).exists()
    assert reservations.filter(state=OrientationState.PROPOSED).exists()
    flagged = [o for o in reservations if o.release_outside_window()]
    assert len(flagged) == 1

    # The daily job ran for today: every step raised, exactly one dry exit, unsecured.
    steps = set(Escalation.objects.values_list("step", flat=True))
    assert steps == set(held.first().territory.escalation_days)
    for escalation in Escalation.objects.all():
        assert not housing[escalation.detention_id].secured_by(escalation.due_on)
    dry_exit = DryExit.objects.get(on=today)  # the past year's are relais/demo/forecasts.py
    assert dry_exit.on == today
    assert escalations.release_date(dry_exit.detention, today) == today
    assert not housing[dry_exit.detention_id].secured
    assert (
        Notification.objects.filter(recipient__username="ecoutant.115")
        .filter(message__startswith="Sortie de détention sans hébergement")
        .exists()
    )
    assert Notification.objects.filter(recipient=cpip, message__startswith="Sortie dans").exists()

    # Released persons are followed up; some checks are answered already.
    checks = FollowUpCheck.objects.all()
    assert checks.filter(answered_at__isnull=False).exists()
    assert checks.filter(answered_at__isnull=True, due_on__lte=today).exists()
    assert checks.filter(due_on__gt=today).exists()

    # The pages show it, to the CPIP and to the SIAO.
    for username in ("cpip", "operateur.siao"):
        client.force_login(User.objects.get(username=username))
        page = client.get(reverse("releases:pipeline"))
        assert page.status_code == 200
        shown = [dry_exit.detention, flagged[0].request.detention, placed[0].request.detention]
        for detention in shown:
            assert client.get(reverse("justice:detail", args=[detention.pk])).status_code == 200

    # The job is idempotent: running it again today raises nothing more.
    report = escalations.run(today)
    assert (report.escalations, report.dry_exits, report.checks_planned) == (0, 0, 0)


def snapshot() -> list:
    return list(
        Detention.objects.order_by("pk").values_list(
            "person__birth_name",
            "establishment__name",
            "prison_number",
            "incarcerated_on",
            "end_date",
            "due_on",
            "state",
            "cpip__username",
        )
    ) + [
        sorted(Escalation.objects.values_list("detention_id", "step", "due_on", "solution")),
        list(DryExit.objects.values_list("detention_id", "on")),
        JudicialArea.objects.count(),
        DetentionEvent.objects.count(),
    ]


def test_jus_06_the_demo_detentions_are_the_same_on_every_load():
    load_demo()
    first = snapshot()
    load_demo()

    assert snapshot() == first
    assert DryExit.objects.filter(on=timezone.localdate()).count() == 1
    assert not DetentionEvent.objects.filter(
        occurred_at__gt=timezone.now() + dt.timedelta(minutes=1)
    ).exists()

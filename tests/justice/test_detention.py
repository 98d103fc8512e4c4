"""JUS-01: the detention context hangs off the person; its end date moves with a reason and
a history; the LSC dates and the earliest release follow (JUS-07)."""

import datetime as dt

import pytest
from django.utils import timezone

from relais.core.transitions import StateWriteRefused, TransitionNotAllowed
from relais.justice.enums import AreaKind, AreaLevel, EndDateReason, LegalStatus
from relais.justice.models import Detention, JudicialArea, area_refusal
from tests.factories import PersonFactory, UserFactory, make_detention

pytestmark = pytest.mark.django_db


def test_jus_01_a_person_may_have_several_detentions():
    person = PersonFactory()
    first = make_detention(person, end_date=dt.date(2020, 5, 1))
    first.release(on=dt.date(2020, 5, 1), by=first.cpip)
    make_detention(person)
    assert person.detentions.count() == 2
    assert first.events.count() == 2


def test_jus_07_lsc_date_moves_with_the_end_date():
    today = timezone.localdate()
    detention = make_detention(
        end_date=today + dt.timedelta(days=300),
        incarcerated_on=today - dt.timedelta(days=300),
        sentence=(1, 8, 0),
    )
    assert detention.lsc_examination_on == today + dt.timedelta(days=100)
    assert detention.lsc_automatic_on is not None
    assert detention.due_on == detention.lsc_examination_on
    detention.move_end_date(
        today + dt.timedelta(days=240), reason=EndDateReason.REDUCTION, by=detention.cpip
    )
    detention.refresh_from_db()
    assert detention.lsc_examination_on == today + dt.timedelta(days=60)
    (change,) = detention.end_date_history()
    assert change.data["reason"] == EndDateReason.REDUCTION
    assert change.reason_label() == "Réduction de peine"
    assert change.actor == detention.cpip


def test_jus_07_an_end_date_moving_earlier_than_today_gives_past_dates():
    today = timezone.localdate()
    detention = make_detention(incarcerated_on=today - dt.timedelta(days=200), sentence=(1, 0, 0))
    detention.move_end_date(
        today - dt.timedelta(days=1), reason=EndDateReason.CORRECTION, by=detention.cpip
    )
    detention.refresh_from_db()
    assert detention.due_on < today


def test_jus_01_state_changes_only_through_transitions():
    detention = make_detention()
    detention.state = "released"
    with pytest.raises(StateWriteRefused):
        detention.save()
    detention.refresh_from_db()
    detention.release(on=timezone.localdate(), by=detention.cpip)
    with pytest.raises(TransitionNotAllowed):
        detention.move_end_date(
            timezone.localdate(), reason=EndDateReason.CORRECTION, by=detention.cpip
        )


def test_jus_01_remand_has_no_lsc():
    detention = make_detention(legal_status=LegalStatus.REMAND)
    assert detention.lsc_examination_on is None and detention.lsc_automatic_on is None


def test_jus_13_detention_visible_to_its_spip_while_the_measure_runs_and_the_siao():
    today = timezone.localdate()
    detention = make_detention()
    cpip = detention.cpip
    siao = UserFactory(siao_operator=True, organisation__territory=detention.territory)
    other_cpip = UserFactory(cpip=True, organisation__territory=detention.territory)
    manager = UserFactory(structure_manager=True, organisation__territory=detention.territory)
    assert Detention.objects.visible_to(cpip).filter(pk=detention.pk).exists()
    assert Detention.objects.visible_to(siao).filter(pk=detention.pk).exists()
    assert not Detention.objects.visible_to(other_cpip).exists()
    assert not Detention.objects.visible_to(manager).exists()
    detention.release(on=today - dt.timedelta(days=10), by=cpip, measure_ends_on=today)
    assert Detention.objects.visible_to(cpip).filter(pk=detention.pk).exists()
    Detention.objects.filter(pk=detention.pk).update(measure_ends_on=today - dt.timedelta(days=1))
    assert not Detention.objects.visible_to(cpip).exists()
    assert Detention.objects.visible_to(siao).exists()


def test_jus_04_area_rule():
    detention = make_detention()
    mulhouse = JudicialArea.objects.create(
        detention=detention,
        kind=AreaKind.EXCLUSION,
        level=AreaLevel.COMMUNE,
        insee_code="68224",
        name="Mulhouse",
    )
    assert area_refusal([mulhouse], "68224") == "Interdiction de paraître : Mulhouse"
    assert area_refusal([mulhouse], "68066") == ""
    haut_rhin = JudicialArea(
        detention=detention,
        kind=AreaKind.RESIDENCE,
        level=AreaLevel.DEPARTEMENT,
        insee_code="68",
        name="Haut-Rhin",
    )
    assert area_refusal([haut_rhin], "67482") == "Obligation de résider : Haut-Rhin"
    assert area_refusal([haut_rhin], "68066") == ""
    assert area_refusal([], "") == ""
    assert "n'est pas renseignée" in area_refusal([mulhouse], "")

"""JUS-11: the daily job `alert_avdl_measures` — the worker and the SIAO's référent justice are
told 14 days before a measure ends, once per end date (again after a renewal), and measures
whose end date has come end and free their slot."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from relais.avdl.enums import MeasureEventKind, MeasureState
from relais.avdl.models import HousingSupportMeasure
from relais.notifications.models import Notification

from .cases import make_measure, make_worker

pytestmark = pytest.mark.django_db


def _run(day: dt.date) -> str:
    out = StringIO()
    call_command("alert_avdl_measures", today=day.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture
def worker(siao, siao_operator):
    siao.referent = siao_operator
    siao.save(update_fields=["referent"])
    return make_worker(siao)


def test_jus_11_alert_14_days_before_the_end_once_then_again_after_a_renewal(
    worker, siao_operator, django_capture_on_commit_callbacks
):
    measure = make_measure(worker, siao_operator=siao_operator)
    end = measure.ends_on
    assert "0 alerte" in _run(end - dt.timedelta(days=15))
    assert not Notification.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        assert "1 alerte d'échéance" in _run(end - dt.timedelta(days=14))
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {worker.user_id, siao_operator.pk}
    assert str(measure.person) in Notification.objects.first().message
    assert mail.outbox and all(str(measure.person) not in m.body for m in mail.outbox)

    # The next days and a second run the same day send nothing more.
    _run(end - dt.timedelta(days=14))
    _run(end - dt.timedelta(days=3))
    assert Notification.objects.count() == 2

    # A renewal moves the end: a new alert 14 days before the new end.
    measure.renew(reason="Démarches en cours", by=siao_operator)
    measure.refresh_from_db()
    _run(end - dt.timedelta(days=2))
    assert Notification.objects.count() == 2
    _run(measure.ends_on - dt.timedelta(days=10))
    assert Notification.objects.count() == 4


def test_jus_11_measures_whose_end_has_come_end_and_free_their_slot(worker, siao_operator):
    measure = make_measure(worker, siao_operator=siao_operator)
    assert "0 mesure terminée" in _run(measure.ends_on - dt.timedelta(days=1))
    assert HousingSupportMeasure.objects.get(pk=measure.pk).state == MeasureState.ACTIVE

    assert "1 mesure terminée" in _run(measure.ends_on)
    measure.refresh_from_db()
    assert measure.state == MeasureState.ENDED
    assert measure.ended_on == measure.ends_on
    assert measure.slot is None
    assert measure.events.last().kind == MeasureEventKind.ENDED
    assert "0 mesure terminée" in _run(measure.ends_on)  # idempotent


def test_jus_11_a_bad_date_is_a_french_refusal():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("alert_avdl_measures", today="demain")


def test_jus_11_the_job_ends_a_measure_the_day_given(worker, siao_operator):
    """Replaying a missed day ends the measures due that day, not those due later."""
    first = make_measure(worker, siao_operator=siao_operator, starts_days_ago=20)
    later = make_measure(worker, siao_operator=siao_operator, starts_days_ago=5)
    _run(first.ends_on)
    states = dict(HousingSupportMeasure.objects.values_list("pk", "state"))
    assert states == {first.pk: MeasureState.ENDED, later.pk: MeasureState.ACTIVE}
    assert timezone.localdate() < first.ends_on  # a future day is accepted for a test run

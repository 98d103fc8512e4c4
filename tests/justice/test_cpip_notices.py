"""JUS-05: each step of a request that prepares a release tells the CPIP following the
detention (in-app and e-mail), from one receiver of the request's timeline."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from relais.notifications.models import Notification
from relais.orientations import justice_notices
from relais.orientations.enums import RefusalReason
from relais.orientations.models import Orientation
from relais.requests.enums import CloseReason, EventKind
from tests.factories import (
    StructureFactory,
    UserFactory,
    make_detention,
    make_evaluation,
    make_request,
)

pytestmark = pytest.mark.django_db


def _notices(user, req):
    return list(Notification.objects.filter(recipient=user, request=req).order_by("id"))


def reserve(monkeypatch, *, request, capacity, by, starts_on, ends_on):
    """A place held over a date window: an attribution whose orientation carries the window
    (the reservation's own entry point is built with JUS-06 point 6)."""
    opened = Orientation._open.__func__

    def with_window(cls, name, **fields):
        return opened(cls, name, window_starts_on=starts_on, window_ends_on=ends_on, **fields)

    with monkeypatch.context() as patch:
        patch.setattr(Orientation, "_open", classmethod(with_window))
        return Orientation.attribute(request=request, capacity=capacity, by=by)


@pytest.fixture
def detention(cpip):
    return make_detention(cpip=cpip)


def test_jus_05_the_cpip_is_told_each_step_of_the_request_once(
    monkeypatch,
    siao_operator,
    cpip,
    structure_manager,
    structure,
    detention,
    django_capture_on_commit_callbacks,
):
    told = []

    def step(subject: str, expected: str, action):
        before = len(_notices(cpip, req))
        with django_capture_on_commit_callbacks(execute=True):
            action()
        notices = _notices(cpip, req)
        assert len(notices) == before + 1, f"{expected}: {len(notices) - before} notices"
        told.append(notices[-1])
        assert expected in notices[-1].message, notices[-1].message
        to_cpip = [m for m in mail.outbox if m.to == [cpip.email]]
        assert len(to_cpip) == len(told)
        assert to_cpip[-1].subject == f"[Relais] Demande n° {req.pk} — {subject}"
        assert expected in " ".join(to_cpip[-1].body.split())

    req = None

    def received():
        nonlocal req
        req = make_request(person=detention.person, referrer=siao_operator, detention=detention)

    step("demande reçue", "le SIAO a reçu la demande", received)
    make_evaluation(req)
    step(
        "demande évaluée", "évaluation sociale est validée", lambda: req.evaluate(by=siao_operator)
    )
    first = structure.capacities.get()
    step(
        "demande orientée",
        "propose une place à « CHRS Les Tilleuls »",
        lambda: _attribute(req, first, siao_operator),
    )
    orientation = req.orientations.get()
    step(
        "admission refusée",
        "« CHRS Les Tilleuls » ne peut pas accueillir la personne",
        lambda: orientation.refuse(by=structure_manager, reason=RefusalReason.HEALTH_NEEDS),
    )
    other = StructureFactory(
        manager=structure_manager.organisation, name="Résidence du Parc", places=10
    )
    starts = timezone.localdate() + dt.timedelta(days=100)
    step(
        "place réservée",
        "réserve une place à « Résidence du Parc »",
        lambda: reserve(
            monkeypatch,
            request=req,
            capacity=other.capacities.get(),
            by=siao_operator,
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=30),
        ),
    )
    reservation = req.orientations.get(structure=other)
    step(
        "pré-admission acceptée",
        "pré-admet la personne",
        lambda: reservation.admit(by=structure_manager),
    )
    step(
        "arrivée",
        "est arrivée à « Résidence du Parc »",
        lambda: reservation.start_stay(by=structure_manager),
    )

    # No health data, no refusal reason, no code: plain French.
    for notice in told:
        assert "santé" not in notice.message and "soins" not in notice.message
        assert "_" not in notice.message
        assert notice.link == reverse("justice:letter", args=[detention.pk])
    assert "du " in told[4].message and " au " in told[4].message  # the window
    # The e-mails name no one.
    assert not any(detention.person.birth_name in m.body for m in mail.outbox)


def _attribute(req, capacity, by):
    return Orientation.attribute(request=req, capacity=capacity, by=by)


def test_jus_05_admission_without_a_window_and_closing_are_told(
    siao_operator, cpip, structure_manager, structure, detention
):
    req = make_request(person=detention.person, referrer=siao_operator, detention=detention)
    make_evaluation(req)
    req.evaluate(by=siao_operator)
    orientation = _attribute(req, structure.capacities.get(), siao_operator)
    orientation.admit(by=structure_manager)
    assert "accepte d'accueillir la personne" in _notices(cpip, req)[-1].message
    second = make_request(referrer=siao_operator, detention=detention)
    second.close(by=siao_operator, reason=CloseReason.SOLUTION_FOUND)
    assert _notices(cpip, second)[-1].message.endswith(
        "la demande est clôturée (solution trouvée hors siao (famille, logement, autre))."
    )


def test_jus_05_a_request_without_detention_tells_no_cpip(
    siao_operator, cpip, structure_manager, structure
):
    req = make_request(referrer=siao_operator)
    make_evaluation(req)
    req.evaluate(by=siao_operator)
    _attribute(req, structure.capacities.get(), siao_operator).admit(by=structure_manager)
    assert not Notification.objects.filter(recipient=cpip).exists()


def test_jus_05_a_cpip_who_referred_the_request_hears_of_the_decision_once(
    cpip, siao_operator, structure_manager, structure, detention
):
    """The structure's decision already tells the referrer: not twice."""
    req = make_request(person=detention.person, referrer=cpip, detention=detention)
    make_evaluation(req)
    req.evaluate(by=cpip)
    orientation = _attribute(req, structure.capacities.get(), siao_operator)
    before = len(_notices(cpip, req))
    orientation.admit(by=structure_manager)
    assert len(_notices(cpip, req)) == before + 1


def test_jus_05_without_a_cpip_the_spip_referent_is_told(siao_operator, cpip, detention):
    referent = UserFactory(cpip=True, organisation=cpip.organisation)
    spip = cpip.organisation
    spip.referent = referent
    spip.save()
    cpip.is_active = False
    cpip.save()
    req = make_request(person=detention.person, referrer=siao_operator, detention=detention)
    assert len(_notices(referent, req)) == 1
    assert not _notices(cpip, req)


def test_jus_05_no_notice_once_the_judicial_measure_has_ended(siao_operator, cpip, detention):
    """JUS-13: the SPIP hears nothing more once the measure has ended."""
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    detention.release(on=yesterday, by=cpip, measure_ends_on=yesterday)
    make_request(person=detention.person, referrer=siao_operator, detention=detention)
    assert not Notification.objects.filter(recipient=cpip).exists()


def test_jus_05_every_request_step_is_told_or_knowingly_left_out():
    """A step added to the request's timeline must be worded for the CPIP, or left out here
    on purpose."""
    left_out = {EventKind.UPDATED, EventKind.REOPENED}

    class Event:
        data: dict = {}
        occurred_at = timezone.now()

    class Request:
        close_reason = ""

    for kind in EventKind:
        event = Event()
        event.kind = kind
        worded = justice_notices._step(event, Request(), None)
        assert (worded is None) == (kind in left_out), kind

"""States change only through named transitions (relais/core/transitions.py).

Proved two ways: at run time, every other write of a state is refused; in the source, the
escape hatch for synthetic data and the request's placement steps are used only where they
belong.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import transaction

from relais.core.transitions import INITIAL, Stateful, StateWriteRefused, synthetic_load
from relais.identity.models import PairStatus, PersonPair
from relais.orientations.models import Orientation
from relais.requests.enums import Channel, RequestStatus
from relais.requests.models import Request
from tests.factories import PersonFactory, make_request, orient

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
STATEFUL = [m for m in apps.get_models() if issubclass(m, Stateful)]


def test_every_workflow_is_declared_over_real_states():
    assert {m.__name__ for m in STATEFUL} >= {"Request", "Orientation", "PersonPair"}
    for model in STATEFUL:
        field = model._meta.get_field(model.workflow.field)
        states = {value for value, _ in field.choices}
        for step in model.workflow:
            assert step.sources <= states | {INITIAL}, (model, step.name)
            assert step.target is None or step.target in states, (model, step.name)


def test_a_state_assigned_and_saved_is_refused(social_worker):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    req.status = RequestStatus.CLOSED
    with pytest.raises(StateWriteRefused):
        req.save()
    assert Request.objects.get(pk=req.pk).status == RequestStatus.NEW


def test_a_state_written_by_update_or_bulk_is_refused(social_worker, siao_operator):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    orientation = orient(req, by=siao_operator)
    with pytest.raises(StateWriteRefused):
        Request.objects.filter(pk=req.pk).update(status=RequestStatus.ADMITTED)
    with pytest.raises(StateWriteRefused):
        Orientation.objects.filter(pk=orientation.pk).update(state="in_stay")
    with pytest.raises(StateWriteRefused):
        Request.objects.bulk_create([Request(person=req.person, household=req.household)])


def test_a_record_created_in_another_state_than_its_first_is_refused(social_worker):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    with pytest.raises(StateWriteRefused), transaction.atomic():
        Request.objects.create(
            person=req.person,
            household=req.household,
            channel=Channel.EMERGENCY,
            territory=req.territory,
            referrer_organisation=req.referrer_organisation,
            status=RequestStatus.CLOSED,
        )
    a, b = sorted([PersonFactory(), PersonFactory()], key=lambda p: p.pk)
    with pytest.raises(StateWriteRefused), transaction.atomic():
        PersonPair.objects.create(person_a=a, person_b=b, score=0.5, status=PairStatus.SAME)


def test_an_ordinary_edit_of_a_stateful_record_is_allowed(social_worker):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    req.notes = "Rappeler demain"
    req.save()
    assert Request.objects.get(pk=req.pk).notes == "Rappeler demain"
    partial = Request.objects.only("notes").get(pk=req.pk)  # loaded without its state
    partial.notes = "Rappelée"
    partial.save()
    assert Request.objects.get(pk=req.pk).notes == "Rappelée"
    partial.status = RequestStatus.CLOSED
    with pytest.raises(StateWriteRefused):
        partial.save()


def _calls(name: str, under: str):
    for path in sorted((ROOT / under).rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                func = node.func
                called = getattr(func, "attr", None) or getattr(func, "id", None)
                if called == name:
                    yield path.relative_to(ROOT).as_posix()


def test_the_synthetic_data_hatch_is_used_by_benchmarks_and_constraint_tests_only():
    users = set(_calls("synthetic_load", "relais")) | set(_calls("synthetic_load", "bench"))
    assert users <= {
        "bench/indicators/run.py",
        "bench/releases/daily_job.py",
        "bench/releases/pipeline.py",
        # OPS-03: a territory's export loaded back as it was, with its event rows, into an
        # empty database (import_territory), never a record changing state.
        "relais/transfer/importer.py",
    }, users
    with synthetic_load():  # and it does lift the guard
        assert Request.objects.none().update(status=RequestStatus.NEW) == 0


def test_request_placement_steps_are_driven_by_orientations_only():
    assert set(_calls("_follow", "relais")) == {"relais/orientations/models.py"}

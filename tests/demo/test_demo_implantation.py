"""IAE-09 in the demo: `relais.demo.implantation.load` on a fresh territory."""

import pytest
from django.contrib.auth import authenticate
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.accounts.enums import Role
from relais.demo import data
from relais.demo import implantation as demo_implantation
from relais.demo.second_factor import is_demo_device
from relais.implantation.enums import ActKind, ActStatus, StepStatus
from tests.factories import OrganisationFactory, TerritoryFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs():
    territory = TerritoryFactory()
    prison = OrganisationFactory(
        prison=True, territory=territory, name="Maison centrale d'Ensisheim"
    )
    siae = OrganisationFactory(siae=True, territory=territory, name="Tremplin Doller")
    return territory, prison, siae


def test_iae_09_the_demo_project_is_in_progress_with_acts_partly_signed(orgs):
    territory, prison, siae = orgs
    coach = UserFactory(siae_coach=True, organisation=siae)
    project = demo_implantation.load(territory, establishment=prison, siae=siae)

    statuses = dict(project.steps.values_list("number", "status"))
    assert statuses == {
        1: StepStatus.DONE,
        2: StepStatus.DONE,
        3: StepStatus.DONE,
        4: StepStatus.IN_PROGRESS,
        5: StepStatus.TODO,
        6: StepStatus.TODO,
    }
    acts = {act.kind: act for act in project.acts.all()}
    assert acts[ActKind.DUI].status == ActStatus.SIGNED  # sent to part of its recipients
    assert acts[ActKind.AGREEMENT].status == ActStatus.SIGNING
    assert acts[ActKind.ANNEX].status == ActStatus.TO_PREPARE
    assert project.progress()["acts_signed"] == 1
    assert [p.step.number for p in project.schedule() if p.late] == [4]
    siae_row = acts[ActKind.DUI].parties.get(party="siae")
    assert siae_row.recorded_by == coach
    # Dated in the past, events included.
    assert all(
        e.occurred_at.date() <= e.recorded_at.date()
        for s in project.steps.all()
        for e in s.events.all()
    )


def test_iae_09_the_demo_gives_the_establishment_a_prison_staff_account_that_signs_in(orgs):
    territory, prison, siae = orgs
    project = demo_implantation.load(territory, establishment=prison, siae=siae)
    user = authenticate(username="personnel.penitentiaire", password=data.PASSWORD)
    assert user is not None
    assert (user.role, user.organisation) == (Role.PRISON_STAFF, prison)
    user.clean()
    assert is_demo_device(TOTPDevice.objects.get(user=user, confirmed=True))
    assert project.created_by == user


def test_iae_09_the_demo_uses_the_establishment_s_existing_staff(orgs):
    territory, prison, siae = orgs
    staff = UserFactory(prison_staff=True, organisation=prison)
    project = demo_implantation.load(territory, establishment=prison, siae=siae)
    assert project.created_by == staff
    assert not type(staff).objects.filter(username="personnel.penitentiaire").exists()

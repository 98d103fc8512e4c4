"""Issue 11, point 11: the demo's ACI implanted at the CP de Mulhouse-Lutterbach, with people
at every step, and the implantation project under way at Ensisheim."""

import pytest
from django.core.management import call_command

from relais.accounts.models import User
from relais.iae.enums import ParcoursState
from relais.iae.models import Parcours, Site
from relais.implantation.models import ImplantationProject

pytestmark = pytest.mark.django_db


def test_iae_demo_one_aci_at_a_demo_prison_with_about_twenty_people_at_every_step():
    call_command("load_demo", stdout=None)
    site = Site.objects.get()
    assert site.establishment.name == "Centre pénitentiaire de Mulhouse-Lutterbach"
    parcours = Parcours.objects.filter(site=site)
    assert 18 <= parcours.count() <= 22
    assert set(parcours.values_list("state", flat=True)) == set(ParcoursState.values)
    # The waiting list, one of them not yet seen by the SIAE (no consent).
    coach = User.objects.get(username="cip.siae")
    waiting = Parcours.objects.waiting_list(site)
    assert waiting.count() >= 3
    assert Parcours.objects.visible_to(coach).filter(pk__in=waiting).count() == waiting.count() - 1
    active = parcours.filter(state=ParcoursState.ACTIVE)
    assert all(p.hours.exists() and p.assessments.exists() for p in active)
    assert any(p.agreements.count() == 3 for p in parcours)
    assert User.objects.filter(
        username="greffe.lutterbach", organisation=site.establishment
    ).exists()
    assert ImplantationProject.objects.get().establishment.name == "Maison centrale d'Ensisheim"

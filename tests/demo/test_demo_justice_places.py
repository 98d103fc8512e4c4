"""The demo's PE agreement and places kept for people leaving detention (JUS-03, JUS-12): the
pages show them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from relais.accounts.models import User
from relais.notifications.models import Notification
from relais.orientations.enums import OrientationEventKind, OrientationState
from relais.orientations.models import Orientation
from relais.places.enums import PlaceReservation
from relais.places.models import AgreementAlert, PlaceCapacity, PlacementAgreement

pytestmark = pytest.mark.django_db


def test_jus_03_jus_12_the_demo_has_a_pe_agreement_and_kept_places(client):
    call_command("load_demo", stdout=StringIO())
    agreement = PlacementAgreement.objects.get()
    assert agreement.disp is not None and agreement.in_force()
    with agreement.document.open("rb") as document:
        assert document.read().startswith(b"%PDF-")
    pe = PlaceCapacity.objects.get(reservation=PlaceReservation.PLACEMENT)
    assert pe.pe_agreement == agreement and pe.places == agreement.places == 3
    placed = Orientation.objects.get(capacity=pe)
    assert placed.state == OrientationState.IN_STAY
    assert placed.events.get().kind == OrientationEventKind.PE_PLACEMENT
    contingent = PlaceCapacity.objects.get(reservation=PlaceReservation.DETENTION)
    assert contingent.structure.is_chrs
    flying = PlaceCapacity.objects.get(reservation=PlaceReservation.FLYING)
    assert flying.label == "appartement SAS"
    # It ends within 60 days: both parties were told, once.
    assert AgreementAlert.objects.filter(agreement=agreement).count() == 1
    assert Notification.objects.filter(link__endswith=f"/conventions-pe/{agreement.pk}/").exists()

    client.force_login(User.objects.get(username="operateur.siao"))
    board = client.get(reverse("places:vacancies")).content.decode()
    for label in (
        "Réservée aux sortants de détention",
        "Place volante (sorties sèches)",
        "Placement à l&#x27;extérieur",
    ):
        assert label in board
    detail = client.get(reverse("places:agreement", args=[agreement.pk])).content.decode()
    assert "PE-68-2026-01" in detail and "Expire bientôt" in detail
    assert str(placed.request.person) in detail
    client.force_login(User.objects.get(username="cpip"))
    assert client.get(reverse("places:agreement_document", args=[agreement.pk])).status_code == 200
    page = client.get(reverse("places:agreement", args=[agreement.pk])).content.decode()
    assert "Enregistrer un placement à l'extérieur" in page

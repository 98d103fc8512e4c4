"""Placement à l'extérieur agreements for the tests (JUS-03)."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from relais.places.enums import PlaceReservation, PlaceType
from relais.places.models import PlaceCapacity, PlacementAgreement

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def signed_pdf(name: str = "convention-signee.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def make_agreement(
    structure, spip, *, places: int = 3, ends_in: int = 365, starts_ago=30, dedicate=True
):
    """An agreement in force between `structure` and `spip`, its `places` in the register
    (`dedicate`: a placement capacity linked to it)."""
    today = timezone.localdate()
    agreement = PlacementAgreement.objects.create(
        structure=structure,
        spip=spip,
        reference=f"PE-{PlacementAgreement.objects.count() + 1:03d}",
        starts_on=today - dt.timedelta(days=starts_ago),
        ends_on=today + dt.timedelta(days=ends_in),
        places=places,
        funding="Prix de journée pris en charge par la DISP.",
        document=signed_pdf(),
        document_name="convention-signee.pdf",
    )
    if dedicate:
        PlaceCapacity.objects.create(
            structure=structure,
            place_type=PlaceType.INSERTION,
            label="placement à l'extérieur",
            places=places,
            reservation=PlaceReservation.PLACEMENT,
            pe_agreement=agreement,
        )
    return agreement


def pe_capacity(agreement) -> PlaceCapacity:
    return agreement.capacities.get()

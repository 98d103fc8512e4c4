"""The demo's places kept for people leaving detention (JUS-03, JUS-12; seed 001, the
Haut-Rhin practice): a placement à l'extérieur agreement between the prison administration
and CHRS L'Escale, with its signed document, its 3 places and one placement recorded by the
SPIP; a contingent of 4 places reserved for people leaving detention at CHRS Les Armoises;
the SAS flat, one flying place kept for dry exits. The agreement ends in 45 days: the daily
alert has told the SIAO and the SPIP.

Built after the other builders, from rows they made, without their random generator: the rest
of the demo stays as it was.
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.db.models import F
from django.utils import timezone

from relais.accounts.enums import OrganisationKind, OrganisationSubtype, Role
from relais.accounts.models import Organisation
from relais.core.transitions import TransitionNotAllowed
from relais.justice.enums import DetentionState
from relais.orientations.models import Orientation
from relais.places.enums import PlaceReservation, PlaceType
from relais.places.management.commands.alert_pe_agreements import run as alert_agreements
from relais.places.models import PlaceCapacity, PlacementAgreement
from relais.requests.enums import RequestStatus
from relais.requests.models import Request, RequestEvent

from .territory import Cast

AGREEMENT_ENDS_IN = 45  # within the 60 days of the alert


def signed_document(reference: str) -> bytes:
    """A one-page PDF standing for the scanned, signed agreement."""
    text = f"Convention de placement a l'exterieur {reference} - document de demonstration"
    stream = f"BT /F1 14 Tf 60 760 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _structure(cast: Cast, key: str):
    return next(s for s in cast.structures if cast.specs[s.pk].key == key)


def _kept(structure, *, places: int, reservation: str, label: str, at, agreement=None):
    capacity = PlaceCapacity(
        structure=structure,
        place_type=PlaceType.INSERTION,
        label=label,
        places=places,
        reservation=reservation,
        pe_agreement=agreement,
        accepts_couples=False,
        accepts_children=False,
        min_age=18,
    )
    capacity.save(change_at=at, change_note="Places inscrites au registre.")
    return capacity


def load(cast: Cast, *, now: dt.datetime) -> PlacementAgreement:
    today = timezone.localdate(now)
    spip = cast.organisations["spip"]
    siao = cast.staff("siao", Role.SIAO_OPERATOR)[0]
    cpip = cast.staff("spip", Role.CPIP)[0]
    disp = Organisation.objects.create(
        name="Direction interrégionale des services pénitentiaires de Strasbourg",
        kind=OrganisationKind.STATE_SERVICE,
        subtype=OrganisationSubtype.DISP,
        territory=cast.territory,
        email="contact@disp-strasbourg.example",
        address="19 rue du Fort, 67000 Strasbourg",
    )
    opened = now - dt.timedelta(days=200)
    reference = "PE-68-2026-01"
    agreement = PlacementAgreement(
        structure=_structure(cast, "escale"),
        spip=spip,
        disp=disp,
        reference=reference,
        starts_on=today - dt.timedelta(days=320),
        ends_on=today + dt.timedelta(days=AGREEMENT_ENDS_IN),
        places=3,
        funding="Prix de journée de 38 € pris en charge par la DISP de Strasbourg.",
        conditions="Accueil du lundi au vendredi. Un référent de la structure est désigné "
        "pour chaque personne accueillie ; le service signataire est prévenu de toute absence.",
        document_name=f"convention-{reference}.pdf",
        recorded_by=siao,
        recorded_at=opened,
    )
    agreement.document.save(f"{reference}.pdf", ContentFile(signed_document(reference)), save=False)
    agreement.save()
    placement = _kept(
        agreement.structure,
        places=3,
        reservation=PlaceReservation.PLACEMENT,
        label="placement à l'extérieur",
        at=opened,
        agreement=agreement,
    )
    _kept(
        _structure(cast, "armoises"),
        places=4,
        reservation=PlaceReservation.DETENTION,
        label="contingent sortants",
        at=opened,
    )
    _kept(
        _structure(cast, "armoises"),
        places=1,
        reservation=PlaceReservation.FLYING,
        label="appartement SAS",
        at=opened,
    )
    _place_one(placement, cpip=cpip, spip=spip, now=now)
    alert_agreements(today)
    return agreement


def _place_one(capacity: PlaceCapacity, *, cpip, spip, now: dt.datetime) -> None:
    """One person in detention whose request waits for a solution, placed by the SPIP."""
    waiting = (
        Request.objects.filter(
            detention__spip=spip,
            detention__state=DetentionState.IN_DETENTION,
            detention__areas__isnull=True,
            status=RequestStatus.EVALUATED,
        )
        .exclude(orientations__isnull=False)
        # Someone in the middle of their sentence: not the demo's releases of the coming
        # days, whose alerts and dry exit show a release without solution.
        .exclude(detention__escalations__isnull=False)
        .exclude(detention__dry_exits__isnull=False)
        .order_by("-detention__end_date", "pk")
    )
    for request in waiting[:5]:
        # After every step the request already took (its evaluation may be recent).
        last_step = request.events.order_by("-occurred_at").values_list("occurred_at", flat=True)[0]
        arrived = min(max(now - dt.timedelta(days=12), last_step + dt.timedelta(hours=2)), now)
        try:
            orientation = Orientation.place_outside(
                request=request,
                capacity=capacity,
                by=cpip,
                at=arrived,
                note="Arrivée accompagnée par le référent de la structure.",
            )
        except TransitionNotAllowed:
            continue  # the next one may fit
        # Recorded when it happened, as every orientation fact of the demo.
        orientation.events.update(recorded_at=F("occurred_at"))
        RequestEvent.objects.filter(data__orientation=orientation.pk).update(
            recorded_at=F("occurred_at")
        )
        return

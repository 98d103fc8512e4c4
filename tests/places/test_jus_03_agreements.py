"""JUS-03: placement à l'extérieur agreements. The SIAO records those the SPIP sends (with the
signed document, readable only by the SIAO and the signing SPIP); their places show as such
in the register, the board and the offer; the SIAO's orientation flow never offers them; the
SPIP records a placement on them directly; an agreement ending within 60 days alerts both
parties, once per end date."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from relais.core.transitions import TransitionNotAllowed
from relais.notifications.models import Notification
from relais.orientations.enums import OrientationEventKind, OrientationState
from relais.orientations.models import Orientation
from relais.orientations.offer import PLACEMENT_REFUSAL
from relais.orientations.suggestions import Filters, suggest
from relais.places.enums import PlaceReservation
from relais.places.models import AgreementAlert, PlaceCapacity, PlacementAgreement
from relais.requests.enums import RequestStatus
from tests.factories import (
    OrganisationFactory,
    StructureFactory,
    UserFactory,
    make_detention,
    make_evaluation,
    make_request,
)
from tests.places.agreements import PDF, make_agreement, pe_capacity, signed_pdf

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def agreement(structure, cpip):
    return make_agreement(structure, cpip.organisation, places=3)


def detained_request(cpip, *, evaluated=True):
    """A request of a person in detention followed by `cpip`'s SPIP."""
    detention = make_detention(cpip=cpip, sentence=(8, 0, 0))
    req = make_request(detention.person, referrer=cpip, detention=detention)
    if evaluated:
        make_evaluation(req)
        req.evaluate(by=cpip)
    return req


def vacant(capacity) -> int:
    return PlaceCapacity.objects.with_vacancies().get(pk=capacity.pk).vacant


def _form(structure, spip, **over):
    data = {
        "structure": structure.pk,
        "spip": spip.pk,
        "disp": "",
        "reference": "PE-2027-01",
        "starts_on": "2027-01-01",
        "ends_on": "2027-12-31",
        "places": "4",
        "funding": "Prix de journée de 38 € à la charge de la DISP",
        "conditions": "Accueil en semaine, référent désigné",
    }
    return {**data, **over}


# -- recording the agreement ---------------------------------------------------------------


def test_jus_03_the_siao_records_an_agreement_with_its_signed_document(
    client, siao_operator, structure, cpip
):
    disp = OrganisationFactory(state_service=True, territory=structure.territory, name="DISP")
    client.force_login(siao_operator)
    response = client.post(
        reverse("places:agreement_create"),
        {**_form(structure, cpip.organisation, disp=disp.pk), "document": signed_pdf()},
    )
    agreement = PlacementAgreement.objects.get()
    assert response.status_code == 302
    assert (agreement.structure, agreement.spip, agreement.disp) == (
        structure,
        cpip.organisation,
        disp,
    )
    assert (agreement.starts_on, agreement.ends_on, agreement.places) == (
        dt.date(2027, 1, 1),
        dt.date(2027, 12, 31),
        4,
    )
    assert "DISP" in agreement.funding and "référent" in agreement.conditions
    assert agreement.recorded_by == siao_operator
    assert agreement.document_name == "convention-signee.pdf"
    with agreement.document.open("rb") as document:
        assert document.read() == PDF
    page = client.get(reverse("places:agreement", args=[agreement.pk])).content.decode()
    assert "PE-2027-01" in page and "Télécharger convention-signee.pdf" in page


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("convention.exe", b"MZ\x90\x00"), "en PDF, ou scannée en PNG ou JPEG"),
        (SimpleUploadedFile("convention.pdf", b"<html>pas un pdf</html>"), "document PDF valide"),
        (SimpleUploadedFile("scan.png", PDF), "document PNG valide"),
        (
            SimpleUploadedFile("convention.pdf", PDF + b"0" * (10 * 1024 * 1024)),
            "dépasse 10 Mo",
        ),
        (None, "Joignez la convention signée"),
    ],
)
def test_jus_03_the_signed_document_type_and_size_are_checked(
    client, siao_operator, structure, cpip, upload, message
):
    client.force_login(siao_operator)
    data = _form(structure, cpip.organisation, reference="Typé à garder")
    if upload is not None:
        data["document"] = upload
    response = client.post(reverse("places:agreement_create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Typé à garder" in page  # nothing typed is lost
    assert not PlacementAgreement.objects.exists()


def test_jus_03_the_agreement_dates_and_territory_are_checked(
    client, siao_operator, structure, cpip
):
    client.force_login(siao_operator)
    elsewhere = OrganisationFactory(spip=True)
    response = client.post(
        reverse("places:agreement_create"),
        {
            **_form(structure, cpip.organisation, starts_on="2027-06-01", ends_on="2027-01-01"),
            "document": signed_pdf(),
        },
    )
    assert "La fin de validité précède son début." in response.content.decode()
    response = client.post(
        reverse("places:agreement_create"),
        {**_form(structure, elsewhere), "document": signed_pdf()},
    )
    assert "Choisissez un SPIP du territoire dans la liste." in response.content.decode()
    assert not PlacementAgreement.objects.exists()


def test_jus_03_editing_keeps_the_document_unless_a_new_one_is_sent(
    client, siao_operator, agreement
):
    client.force_login(siao_operator)
    before = agreement.document.name
    data = _form(agreement.structure, agreement.spip, places="5")
    response = client.post(reverse("places:agreement_edit", args=[agreement.pk]), data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert (agreement.places, agreement.document.name) == (5, before)
    # Fewer places than the register dedicates under it: refused.
    data["places"] = "2"
    response = client.post(reverse("places:agreement_edit", args=[agreement.pk]), data)
    assert "3 places sont rattachées" in response.content.decode()


# -- who reads it: the SIAO of the territory, the signing SPIP -----------------------------


def test_jus_03_only_readers_of_the_agreement_download_its_document(
    client, agreement, siao_operator, cpip, structure_manager, social_worker, settings
):
    url = reverse("places:agreement_document", args=[agreement.pk])
    colleague = UserFactory(cpip=True, organisation=cpip.organisation)
    other_spip = UserFactory(cpip=True, organisation__territory=agreement.structure.territory)
    remote_siao = UserFactory(siao_operator=True)
    for user in (siao_operator, cpip, colleague):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert response.content == PDF
        assert "attachment" in response["Content-Disposition"]
    for user in (other_spip, remote_siao, structure_manager, social_worker):
        client.force_login(user)
        assert client.get(url).status_code in (403, 404), user
        assert client.get(reverse("places:agreement", args=[agreement.pk])).status_code in (
            403,
            404,
        )
    # No public media URL serves it.
    client.force_login(siao_operator)
    assert client.get(f"/media/{agreement.document.name}").status_code == 404
    assert client.get(f"/{settings.MEDIA_URL}{agreement.document.name}").status_code == 404


def test_jus_03_the_spip_reads_its_own_agreements_the_siao_its_territorys(
    client, agreement, cpip, siao_operator
):
    other = make_agreement(
        StructureFactory(manager__territory=agreement.structure.territory),
        OrganisationFactory(spip=True, territory=agreement.structure.territory),
    )
    assert set(PlacementAgreement.objects.visible_to(cpip)) == {agreement}
    assert set(PlacementAgreement.objects.visible_to(siao_operator)) == {agreement, other}
    client.force_login(cpip)
    page = client.get(reverse("places:agreements")).content.decode()
    assert agreement.reference in page and other.reference not in page
    assert "Enregistrer une convention" not in page
    assert client.get(reverse("places:agreement_create")).status_code == 403


# -- shown as such -------------------------------------------------------------------------


def test_jus_03_pe_places_show_as_such_in_the_register_the_board_and_the_structure(
    client, agreement, siao_operator
):
    client.force_login(siao_operator)
    for url in (
        reverse("places:list"),
        reverse("places:vacancies"),
        reverse("places:structure", args=[agreement.structure_id]),
    ):
        assert "Placement à l&#x27;extérieur" in client.get(url).content.decode(), url
    only = client.get(reverse("places:vacancies"), {"reservation": "placement"}).content.decode()
    assert "placement à l&#x27;extérieur" in only
    ordinary = client.get(reverse("places:vacancies"), {"reservation": "ordinary"})
    assert "Placement à l&#x27;extérieur</span>" not in ordinary.content.decode()


def test_jus_03_the_capacity_form_links_pe_places_to_their_agreement(
    client, siao_operator, structure, cpip
):
    agreement = make_agreement(structure, cpip.organisation, places=4, dedicate=False)
    client.force_login(siao_operator)
    capacity = structure.capacities.get()
    page = client.get(reverse("places:edit", args=[structure.pk])).content.decode()
    assert "Places de placement à l&#x27;extérieur" in page

    def post(**fields):
        data = {
            "name": structure.name,
            "structure_type": structure.structure_type,
            "has_chrs_status": "on",
            "manager": structure.manager_id,
            "commune": structure.commune,
            "capacities-TOTAL_FORMS": "1",
            "capacities-INITIAL_FORMS": "1",
            "capacities-0-id": capacity.pk,
            "capacities-0-structure": structure.pk,
            "capacities-0-place_type": capacity.place_type,
            "capacities-0-places": "4",
            "capacities-0-accepts_men": "on",
            **{f"capacities-0-{k}": v for k, v in fields.items()},
        }
        return client.post(reverse("places:edit", args=[structure.pk]), data)

    response = post(reservation="placement")
    assert "se rattachent à la convention qui les dédie" in response.content.decode()
    response = post(reservation="ordinary", pe_agreement=agreement.pk)
    assert "Seules des places de placement" in response.content.decode()
    assert post(reservation="placement", pe_agreement=agreement.pk).status_code == 302
    capacity.refresh_from_db()
    assert (capacity.reservation, capacity.pe_agreement) == (PlaceReservation.PLACEMENT, agreement)
    assert capacity.changes.first().reservation == PlaceReservation.PLACEMENT


# -- never offered by the ordinary flow ------------------------------------------------------


def test_jus_03_pe_places_are_never_suggested_nor_attributed_by_the_siao(
    client, agreement, siao_operator, cpip
):
    capacity = pe_capacity(agreement)
    req = detained_request(cpip)
    suggested = {s.capacity for s in suggest(req, Filters(include_full=True))}
    assert capacity not in suggested
    assert agreement.structure.capacities.exclude(pk=capacity.pk).get() in suggested
    for step in (Orientation.attribute, Orientation.preposition):
        with pytest.raises(TransitionNotAllowed, match="dédiées au placement à l'extérieur"):
            step(request=req, capacity=capacity, by=siao_operator)
    with pytest.raises(TransitionNotAllowed, match="dédiées au placement à l'extérieur"):
        start, end = Orientation.default_window(req.detention)
        Orientation.reserve(
            request=req, capacity=capacity, by=siao_operator, starts_on=start, ends_on=end
        )
    client.force_login(siao_operator)
    response = client.post(
        reverse("orientations:attribute", args=[req.pk]),
        {"capacity": capacity.pk, "mode": "attribute"},
    )
    assert response.status_code == 400
    assert PLACEMENT_REFUSAL.replace("'", "&#x27;") in response.content.decode()
    page = client.get(reverse("orientations:reserve", args=[req.pk]), {"capacity": capacity.pk})
    assert "dédiées au placement à l&#x27;extérieur" in page.content.decode()
    assert not Orientation.objects.exists()


# -- the SPIP records a placement ----------------------------------------------------------


def test_jus_03_the_cpip_records_a_pe_placement_as_a_stay(client, agreement, cpip, siao_operator):
    capacity = pe_capacity(agreement)
    req = detained_request(cpip)
    client.force_login(cpip)
    url = reverse("places:agreement_placement", args=[agreement.pk])
    page = client.get(url).content.decode()
    assert str(req.person) in page
    arrived = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    response = client.post(
        url,
        {
            "capacity": capacity.pk,
            "request": req.pk,
            "arrived_at": arrived.strftime("%Y-%m-%dT%H:%M"),
            "note": "Arrivée accompagnée",
        },
    )
    orientation = Orientation.objects.get(request=req)
    assert response.status_code == 302
    assert orientation.state == OrientationState.IN_STAY
    assert orientation.stay_started_at == arrived
    assert orientation.events.get().kind == OrientationEventKind.PE_PLACEMENT
    assert orientation.created_by == cpip
    req.refresh_from_db()
    assert req.status == RequestStatus.ADMITTED
    assert req.host_structure == agreement.structure
    # Through the one mechanism: the place is held, the stay listed, the timeline written.
    assert vacant(capacity) == 2
    assert orientation in Orientation.objects.hosted()
    assert req.events.filter(data__orientation=orientation.pk).exists()
    client.force_login(siao_operator)
    assert str(req.person) in client.get(reverse("places:hosted")).content.decode()
    detail = client.get(reverse("places:agreement", args=[agreement.pk])).content.decode()
    assert str(req.person) in detail


def test_jus_03_a_new_request_is_admitted_at_once_by_a_pe_placement(agreement, cpip):
    req = detained_request(cpip, evaluated=False)
    orientation = Orientation.place_outside(request=req, capacity=pe_capacity(agreement), by=cpip)
    req.refresh_from_db()
    assert (orientation.state, req.status) == (OrientationState.IN_STAY, RequestStatus.ADMITTED)


def test_jus_03_a_pe_placement_is_refused_outside_its_agreement(
    agreement, cpip, siao_operator, structure
):
    capacity = pe_capacity(agreement)
    req = detained_request(cpip)
    # Only a CPIP of the signing SPIP.
    other = UserFactory(cpip=True, organisation__territory=structure.territory)
    for user in (other, siao_operator):
        with pytest.raises(TransitionNotAllowed, match="Seul le SPIP signataire"):
            Orientation.place_outside(request=req, capacity=capacity, by=user)
    # Only on placement places.
    ordinary = structure.capacities.exclude(pk=capacity.pk).get()
    with pytest.raises(TransitionNotAllowed):
        Orientation.place_outside(request=req, capacity=ordinary, by=cpip)
    # Only a person whose detention that SPIP follows.
    free = make_request(referrer=cpip)
    with pytest.raises(TransitionNotAllowed, match="détention est suivie par le SPIP"):
        Orientation.place_outside(request=free, capacity=capacity, by=cpip)
    # Only while the agreement is in force.
    agreement.ends_on = TODAY() - dt.timedelta(days=1)
    agreement.starts_on = TODAY() - dt.timedelta(days=100)
    agreement.save()
    with pytest.raises(TransitionNotAllowed, match="n'est pas en vigueur"):
        Orientation.place_outside(request=req, capacity=capacity, by=cpip)
    assert not Orientation.objects.exists()


def test_jus_03_a_pe_placement_never_exceeds_the_agreements_places(agreement, cpip):
    capacity = pe_capacity(agreement)
    for _ in range(3):
        Orientation.place_outside(request=detained_request(cpip), capacity=capacity, by=cpip)
    with pytest.raises(TransitionNotAllowed, match="plus aucune place libre"):
        Orientation.place_outside(request=detained_request(cpip), capacity=capacity, by=cpip)


# -- the end of an agreement alerts both parties, 60 days before ----------------------------


def _alert(day: dt.date) -> str:
    out = io.StringIO()
    call_command("alert_pe_agreements", today=day.isoformat(), stdout=out)
    return out.getvalue()


def test_jus_03_an_ending_agreement_alerts_the_siao_and_the_spip_once_per_end_date(
    agreement, siao_operator, cpip
):
    colleague = UserFactory(cpip=True, organisation=cpip.organisation)
    stranger = UserFactory(cpip=True, organisation__territory=agreement.structure.territory)
    ends = agreement.ends_on
    assert "0 convention signalée" in _alert(ends - dt.timedelta(days=61))
    assert "1 convention signalée" in _alert(ends - dt.timedelta(days=60))
    alerted = set(Notification.objects.values_list("recipient", flat=True))
    assert alerted == {siao_operator.pk, cpip.pk, colleague.pk}
    assert stranger.pk not in alerted
    notice = Notification.objects.filter(recipient=cpip).get()
    assert f"prend fin le {ends:%d/%m/%Y}" in notice.message
    assert notice.link == reverse("places:agreement", args=[agreement.pk])
    # Idempotent: the same day again, the next days.
    for later in (60, 59, 10):
        assert "0 convention signalée" in _alert(ends - dt.timedelta(days=later))
    assert Notification.objects.count() == 3
    # An amended end date is signalled again when it comes within 60 days.
    agreement.ends_on = ends + dt.timedelta(days=90)
    agreement.save()
    assert "0 convention signalée" in _alert(ends - dt.timedelta(days=10))
    assert "1 convention signalée" in _alert(agreement.ends_on - dt.timedelta(days=30))
    assert AgreementAlert.objects.filter(agreement=agreement).count() == 2
    assert Notification.objects.count() == 6
    # An expired agreement is not signalled.
    assert "0 convention signalée" in _alert(agreement.ends_on + dt.timedelta(days=1))

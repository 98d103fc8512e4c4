"""JUS-01 through the pages: the SPIP records a detainee, moves the end date with its reason,
follows the adjustment in view, records the judicial areas and the release; the SIAO reads it
all; nobody else reads any of it (GDPR art. 10)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relais.access.models import AccessGrant
from relais.justice.enums import (
    AdjustmentEventKind,
    AdjustmentState,
    DetentionState,
    EndDateReason,
)
from relais.justice.models import Detention, JudicialArea, SentenceAdjustment
from tests.factories import OrganisationFactory, UserFactory, make_detention, make_request

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _detention_post(prison, spip, cpip, **overrides) -> dict:
    data = {
        "person-birth_name": "Lefranc",
        "person-first_names": "Yannick",
        "person-sex": "M",
        "person-birth_date": "12/03/1985",
        "detention-establishment": prison.pk,
        "detention-prison_number": "A12345",
        "detention-spip": spip.pk,
        "detention-cpip": cpip.pk,
        "detention-legal_status": "convicted",
        "detention-incarcerated_on": (TODAY() - dt.timedelta(days=400)).isoformat(),
        "detention-sentence_years": "2",
        "detention-sentence_months": "0",
        "detention-sentence_days": "0",
        "detention-end_date": (TODAY() + dt.timedelta(days=330)).isoformat(),
        "identity-choice": "new",
    }
    return data | overrides


def test_jus_01_the_cpip_records_a_detainee_with_the_person(client, cpip, territory):
    prison = OrganisationFactory(prison=True, territory=territory, name="MA de Mulhouse")
    client.force_login(cpip)
    assert client.get(reverse("justice:create")).status_code == 200
    response = client.post(
        reverse("justice:create"), _detention_post(prison, cpip.organisation, cpip)
    )
    detention = Detention.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("justice:detail", args=[detention.pk])
    assert detention.person.birth_name == "Lefranc"
    assert (detention.spip, detention.cpip, detention.territory) == (
        cpip.organisation,
        cpip,
        territory,
    )
    assert detention.lsc_examination_on is not None  # computed, never typed
    page = client.get(response["Location"]).content.decode()
    assert "A12345" in page and "MA de Mulhouse" in page and "2 ans" in page
    assert "Envoyer une demande au SIAO" in page


def test_jus_01_bad_input_is_said_in_french_and_nothing_typed_is_lost(client, cpip, territory):
    prison = OrganisationFactory(prison=True, territory=territory)
    make_detention(cpip=cpip, establishment=prison, prison_number="A12345")
    client.force_login(cpip)
    data = _detention_post(
        prison,
        cpip.organisation,
        cpip,
        **{"detention-end_date": "2001-01-01", "detention-sentence_months": "14"},
    )
    response = client.post(reverse("justice:create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ce numéro d&#x27;écrou est déjà enregistré dans cet établissement." in page
    assert "Lefranc" in page and "A12345" in page  # what was typed is still there
    assert Detention.objects.count() == 1


def test_jus_01_a_cpip_records_only_for_its_own_spip(client, cpip, territory):
    prison = OrganisationFactory(prison=True, territory=territory)
    other_spip = OrganisationFactory(spip=True, territory=territory)
    other_cpip = UserFactory(cpip=True, organisation=other_spip)
    client.force_login(cpip)
    response = client.post(
        reverse("justice:create"), _detention_post(prison, other_spip, other_cpip)
    )
    assert response.status_code == 200
    assert not Detention.objects.exists()


def test_jus_01_the_end_date_moves_with_its_reason_and_the_history_shows(client, cpip):
    detention = make_detention(cpip=cpip, incarcerated_on=TODAY() - dt.timedelta(days=300))
    before = detention.lsc_examination_on
    client.force_login(cpip)
    url = reverse("justice:move_end_date", args=[detention.pk])
    new_date = TODAY() + dt.timedelta(days=60)
    # A missing reason: said next to the field, the date typed is kept.
    response = client.post(url, {"new_date": new_date.isoformat(), "reason": ""})
    assert response.status_code == 400
    assert new_date.isoformat() in response.content.decode()
    response = client.post(
        url, {"new_date": new_date.isoformat(), "reason": EndDateReason.REDUCTION, "note": "CRP"}
    )
    assert response.status_code == 302
    detention.refresh_from_db()
    assert detention.end_date == new_date
    assert detention.lsc_examination_on != before
    page = client.get(reverse("justice:detail", args=[detention.pk])).content.decode()
    assert "Réduction de peine" in page and new_date.strftime("%d/%m/%Y") in page


def test_jus_01_the_adjustment_in_view_goes_through_its_steps(client, cpip):
    detention = make_detention(cpip=cpip)
    client.force_login(cpip)
    client.post(reverse("justice:adjustment_create", args=[detention.pk]), {"kind": "lc"})
    adjustment = SentenceAdjustment.objects.get()
    url = reverse("justice:adjustment_step", args=[adjustment.pk])
    prefix = f"amenagement-{adjustment.pk}"
    response = client.post(url, {f"{prefix}-step": AdjustmentEventKind.HEARING_SET})
    assert response.status_code == 400
    assert "Indiquez la date d&#x27;audience." in response.content.decode()
    hearing = (TODAY() + dt.timedelta(days=20)).isoformat()
    client.post(
        url, {f"{prefix}-step": AdjustmentEventKind.HEARING_SET, f"{prefix}-hearing_on": hearing}
    )
    response = client.post(url, {f"{prefix}-step": AdjustmentEventKind.REFUSED})
    assert "Indiquez le motif du refus." in response.content.decode()
    client.post(
        url,
        {f"{prefix}-step": AdjustmentEventKind.REFUSED, f"{prefix}-refusal_reason": "no_housing"},
    )
    adjustment.refresh_from_db()
    assert adjustment.state == AdjustmentState.REFUSED
    assert adjustment.refusal_reason == "no_housing"
    page = client.get(reverse("justice:detail", args=[detention.pk])).content.decode()
    assert "Absence d&#x27;hébergement" in page


def test_jus_01_judicial_areas_are_recorded_and_checked(client, cpip):
    detention = make_detention(cpip=cpip)
    client.force_login(cpip)
    url = reverse("justice:area_add", args=[detention.pk])
    response = client.post(
        url, {"kind": "exclusion", "level": "commune", "insee_code": "682", "name": "Mulhouse"}
    )
    assert response.status_code == 400
    assert "Code INSEE de commune invalide" in response.content.decode()
    client.post(
        url, {"kind": "exclusion", "level": "commune", "insee_code": "68224", "name": "Mulhouse"}
    )
    area = JudicialArea.objects.get()
    assert detention.area_refusal("68224") == "Interdiction de paraître : Mulhouse"
    client.post(reverse("justice:area_delete", args=[area.pk]))
    assert not JudicialArea.objects.exists()


def test_jus_01_the_release_is_recorded_with_the_measure_after_it(client, cpip):
    detention = make_detention(cpip=cpip)
    client.force_login(cpip)
    url = reverse("justice:release", args=[detention.pk])
    response = client.post(
        url,
        {
            "released_on": TODAY().isoformat(),
            "measure_ends_on": (TODAY() - dt.timedelta(days=3)).isoformat(),
        },
    )
    assert "La mesure ne peut pas finir avant la libération." in response.content.decode()
    ends = TODAY() + dt.timedelta(days=365)
    client.post(url, {"released_on": TODAY().isoformat(), "measure_ends_on": ends.isoformat()})
    detention.refresh_from_db()
    assert (detention.state, detention.measure_ends_on) == (DetentionState.RELEASED, ends)


def test_jus_01_the_siao_reads_it_and_nobody_else(client, cpip, siao_operator, structure_manager):
    detention = make_detention(cpip=cpip)
    url = reverse("justice:detail", args=[detention.pk])
    client.force_login(siao_operator)
    assert client.get(url).status_code == 200
    file = client.get(reverse("persons:file", args=[detention.person_id]))
    assert "Détentions (1)" in file.content.decode()
    for user in (
        structure_manager,
        UserFactory(cpip=True, organisation__territory=detention.territory),
        UserFactory(social_worker=True, organisation__territory=detention.territory),
    ):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("persons:file", args=[detention.person_id])).status_code == 404


def test_jus_01_the_request_page_links_its_detention_for_its_readers_only(
    client, cpip, siao_operator
):
    detention = make_detention(cpip=cpip, prison_number="Z-77")
    req = make_request(detention.person, referrer=cpip, detention=detention)
    url = reverse("requests:detail", args=[req.pk])
    for reader in (cpip, siao_operator):
        client.force_login(reader)
        assert "écrou n° Z-77" in client.get(url).content.decode()
    worker = UserFactory(social_worker=True, organisation__territory=detention.territory)
    AccessGrant.grant(user=worker, request=req, reason="Suivi commun de la personne")
    client.force_login(worker)
    page = client.get(url)
    assert page.status_code == 200 and "Z-77" not in page.content.decode()


def test_jus_01_the_detention_page_costs_the_same_queries_for_one_or_three_adjustments(
    client, cpip
):
    counts = []
    for kinds in (["lc"], ["lc", "sl", "pse"]):
        detention = make_detention(cpip=cpip)
        for kind in kinds:
            SentenceAdjustment.plan(detention, kind=kind, by=cpip)
        client.force_login(cpip)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("justice:detail", args=[detention.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts

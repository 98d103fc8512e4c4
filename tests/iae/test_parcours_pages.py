"""The parcours screens, walked by each partner (IAE-01, 02, 04)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.audit.enums import Action
from relais.audit.models import AuditEvent
from relais.iae.enums import ParcoursState
from relais.iae.models import Consent, CpuSession, LogEntry, Parcours
from tests.factories import UserFactory, make_detention, make_parcours, make_site

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def site(prison, siae_coach, cpip):
    prison.spip = cpip.organisation
    prison.save()
    return make_site(establishment=prison, siae=siae_coach.organisation, activity="Menuiserie")


def _page(client, user, parcours):
    client.force_login(user)
    response = client.get(reverse("iae:detail", args=[parcours.pk]))
    return response.status_code, response.content.decode()


def test_iae_02_the_cpip_prescribes_from_the_list_of_their_detainees(client, cpip, site):
    detention = make_detention(
        cpip=cpip, establishment=site.establishment, end_date=TODAY + dt.timedelta(days=400)
    )
    client.force_login(cpip)
    page = client.get(reverse("iae:list")).content.decode()
    assert reverse("iae:prescribe", args=[detention.pk]) in page
    response = client.post(
        reverse("iae:prescribe", args=[detention.pk]),
        {
            "site": site.pk,
            "prescribed_on": TODAY.isoformat(),
            "spip_opinion": "favourable",
            "identity_document": "national_id",
            "identity_document_valid_until": "",
            "volunteer": "on",
        },
    )
    assert response.status_code == 400
    assert "quand le document est valable" in response.content.decode()
    response = client.post(
        reverse("iae:prescribe", args=[detention.pk]),
        {
            "site": site.pk,
            "prescribed_on": TODAY.isoformat(),
            "spip_opinion": "favourable",
            "identity_document": "birth_certificate",
            "volunteer": "on",
        },
    )
    parcours = Parcours.objects.get()
    assert response.status_code == 302 and parcours.prescribed_by == cpip


def test_iae_02_the_prison_records_the_cpu_the_siae_interviews_the_prison_assigns(
    client, cpip, site, prison_staff, siae_coach
):
    parcours = make_parcours(site=site, cpip=cpip, state="prescribed", days_ago=20)
    client.force_login(prison_staff)
    client.post(
        reverse("iae:cpu_create"),
        {
            "establishment": site.establishment.pk,
            "held_on": (TODAY - dt.timedelta(days=10)).isoformat(),
            "chaired_by": "Mme Roth, directrice adjointe",
            "members": "CPIP\nSIAE\nChef de détention",
        },
    )
    session = CpuSession.objects.get(chaired_by__startswith="Mme Roth")
    assert (
        parcours.person.full_name
        in client.get(reverse("iae:cpu_detail", args=[session.pk])).content.decode()
    )
    response = client.post(
        reverse("iae:cpu_decision", args=[parcours.pk]),
        {"session": session.pk, "decision": "orient"},
    )
    assert response.status_code == 302
    parcours.refresh_from_db()
    assert parcours.state == ParcoursState.ORIENTED
    client.force_login(siae_coach)
    assert (
        parcours.person.full_name
        in client.get(reverse("iae:waiting_list", args=[site.pk])).content.decode()
    )
    # A date before the orientation is refused next to the field, the note kept.
    response = client.post(
        reverse("iae:interview", args=[parcours.pk]),
        {
            "on": (TODAY - dt.timedelta(days=30)).isoformat(),
            "outcome": "retained",
            "note": "Motivé",
        },
    )
    assert response.status_code == 400 and "Motivé" in response.content.decode()
    client.post(
        reverse("iae:interview", args=[parcours.pk]),
        {"on": (TODAY - dt.timedelta(days=5)).isoformat(), "outcome": "retained"},
    )
    client.force_login(prison_staff)
    client.post(
        reverse("iae:assign", args=[parcours.pk]),
        {"on": TODAY.isoformat(), "signed_by": "M. Weber, chef d'établissement"},
    )
    parcours.refresh_from_db()
    assert parcours.state == ParcoursState.ACTIVE and parcours.assigned_on == TODAY


def test_iae_04_consent_opens_and_withdrawal_closes_the_siae_page(client, cpip, site, siae_coach):
    parcours = make_parcours(site=site, cpip=cpip, state="oriented", consent=False)
    assert _page(client, siae_coach, parcours)[0] == 404
    client.force_login(cpip)
    response = client.post(
        reverse("iae:consent", args=[parcours.pk]),
        {"given_on": TODAY.isoformat(), "paper_kept_at": "Dossier SPIP"},
    )
    assert response.status_code == 400
    assert "informée" in response.content.decode() and "Dossier SPIP" in response.content.decode()
    client.post(
        reverse("iae:consent", args=[parcours.pk]),
        {"given_on": TODAY.isoformat(), "informed": "on", "paper_kept_at": "Dossier SPIP"},
    )
    assert _page(client, siae_coach, parcours)[0] == 200
    client.force_login(siae_coach)
    response = client.post(
        reverse("iae:consent_withdraw", args=[parcours.pk]), {"note": "Dit à l'atelier"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("iae:list")
    assert _page(client, siae_coach, parcours)[0] == 404
    assert Consent.objects.get().withdrawn_by == siae_coach


def test_iae_04_the_handover_log_between_cpip_and_siae_is_audited(
    client, cpip, site, siae_coach, prison_staff
):
    parcours = make_parcours(site=site, cpip=cpip, state="active")
    client.force_login(cpip)
    client.post(
        reverse("iae:log_add", args=[parcours.pk]),
        {"about_on": TODAY.isoformat(), "text": "RDV France Travail fixé au 12."},
    )
    assert LogEntry.objects.get().author == cpip
    status, page = _page(client, siae_coach, parcours)
    assert status == 200 and "RDV France Travail fixé au 12." in page
    assert AuditEvent.objects.filter(
        user=siae_coach, action=Action.READ, person_id=parcours.person_id
    ).exists()
    status, page = _page(client, prison_staff, parcours)
    assert status == 200 and "RDV France Travail" not in page
    client.force_login(prison_staff)
    response = client.post(
        reverse("iae:log_add", args=[parcours.pk]), {"about_on": TODAY.isoformat(), "text": "x"}
    )
    assert response.status_code == 403


def test_iae_04_the_siae_sees_dates_not_judicial_details(client, cpip, site, siae_coach):
    parcours = make_parcours(site=site, cpip=cpip, state="active")
    status, page = _page(client, siae_coach, parcours)
    assert status == 200
    assert reverse("justice:detail", args=[parcours.detention_id]) not in page
    assert parcours.detention.prison_number not in page
    status, page = _page(client, cpip, parcours)
    assert reverse("justice:detail", args=[parcours.detention_id]) in page


def test_iae_02_hours_and_trainings_by_the_siae(client, cpip, site, siae_coach):
    parcours = make_parcours(site=site, cpip=cpip, state="active", days_ago=70)
    client.force_login(siae_coach)
    month = parcours.assigned_on.replace(day=1)
    response = client.post(
        reverse("iae:hours", args=[parcours.pk]), {"month": month.isoformat(), "hours": "300"}
    )
    assert response.status_code == 400
    client.post(
        reverse("iae:hours", args=[parcours.pk]), {"month": month.isoformat(), "hours": "98.5"}
    )
    client.post(
        reverse("iae:hours", args=[parcours.pk]), {"month": month.isoformat(), "hours": "100"}
    )
    assert parcours.total_hours() == 100
    client.post(
        reverse("iae:action_add", args=[parcours.pk]),
        {
            "kind": "clea",
            "title": "CléA socle",
            "starts_on": TODAY.isoformat(),
            "status": "planned",
        },
    )
    assert parcours.actions.get().title == "CléA socle"


def test_iae_01_the_page_shows_both_sentence_figures_and_the_agreements(
    client, cpip, site, prison_staff
):
    detention = make_detention(
        cpip=cpip,
        establishment=site.establishment,
        legal_status="remand",
    )
    parcours = make_parcours(site=site, detention=detention, state="prescribed")
    status, page = _page(client, cpip, parcours)
    assert "Reliquat de peine" in page and "quantum de peine" in page
    assert "Accord conjoint" in page
    client.force_login(cpip)
    client.post(
        reverse("iae:agreement", args=[parcours.pk]),
        {"party": "spip", "given_by_name": "Mme Haddad, DPIP", "given_on": TODAY.isoformat()},
    )
    # The SPIP cannot record the prison head's agreement.
    response = client.post(
        reverse("iae:agreement", args=[parcours.pk]),
        {"party": "prison_head", "given_by_name": "X", "given_on": TODAY.isoformat()},
    )
    assert response.status_code in (400, 403)
    assert list(parcours.agreements.values_list("party", flat=True)) == ["spip"]
    _, page = _page(client, prison_staff, parcours)
    assert "Mme Haddad, DPIP" in page
    assert UserFactory  # the cast is built from fixtures

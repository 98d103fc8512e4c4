"""SIAO-06: the complete Annex IV social evaluation, structured and printable."""

from decimal import Decimal

import pytest
from django.urls import reverse

from relais.requests.enums import Channel, Holder, RequestStatus, ResourceKind
from relais.requests.models import HousingAid, ResourceLine, SocialEvaluation
from tests.factories import make_request

pytestmark = pytest.mark.django_db


def _complete_evaluation_post(**extra) -> dict:
    data = {
        "evaluation-interview_date": "2026-11-02",
        "evaluation-interviewers": "A. Martin, CCAS de Mulhouse",
        "evaluation-referral_origin": "service",
        "evaluation-prescriber_service": "CCAS de Mulhouse",
        "evaluation-housing_situation": "judicial",
        "evaluation-health_coverage": "complementary",
        "evaluation-wants_shelter": "on",
        "evaluation-argument": "Sortie de détention prévue le 15 décembre, sans hébergement.",
        "evaluation-orientation_proposal": "insertion_chrs",
        "evaluation-is_indebted": "true",
        "evaluation-fit_for_collective_life": "true",
        "employment-applicant-status": "job_seeker",
        "resources-applicant-rsa__monthly_amount": "607.75",
        "resources-applicant-are_ass__monthly_amount": "545.10",
        "resources-applicant-are_ass__rights_start": "2026-09-01",
        "resources-applicant-are_ass__rights_end": "2027-08-31",
        "resources-spouse-salary__monthly_amount": "1398.69",
        "resources-applicant-other__monthly_amount": "50",
        "resources-applicant-other__detail": "Pension alimentaire",
        "debts-rent__present": "on",
        "debts-rent__amount": "2300",
        "reasons-prison_release__checked": "on",
        "reasons-prison_release__detail": "Libération le 15/12",
        "reasons-no_resources__checked": "on",
        "aids-dalo_housing__status": "priority",
        "aids-dalo_housing__decision_date": "2026-10-12",
        "aids-asll_access__status": "agreed",
        "aids-asll_access__start_date": "2026-11-01",
        "aids-asll_access__end_date": "2027-04-30",
        "aids-prefectoral__status": "to_request",
        "aids-prefectoral__detail": "Public prioritaire",
    }
    data.update(extra)
    return data


def test_siao_06_evaluation_keeps_resources_per_kind_and_holder(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    response = client.post(
        reverse("requests:evaluation", args=[req.pk]), _complete_evaluation_post()
    )
    assert response.status_code == 302
    lines = {
        (line.holder, line.kind): line
        for line in ResourceLine.objects.filter(evaluation__request=req)
    }
    assert lines[(Holder.APPLICANT, ResourceKind.RSA)].monthly_amount == Decimal("607.75")
    are = lines[(Holder.APPLICANT, ResourceKind.ARE_ASS)]
    assert (str(are.rights_start), str(are.rights_end)) == ("2026-09-01", "2027-08-31")
    assert lines[(Holder.SPOUSE, ResourceKind.SALARY)].monthly_amount == Decimal("1398.69")
    assert lines[(Holder.APPLICANT, ResourceKind.OTHER)].detail == "Pension alimentaire"
    evaluation = SocialEvaluation.objects.get(request=req)
    assert evaluation.resources_total(Holder.APPLICANT) == Decimal("1202.85")


def test_siao_06_every_block_of_the_form_is_stored_as_structured_fields(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    client.post(reverse("requests:evaluation", args=[req.pk]), _complete_evaluation_post())
    evaluation = SocialEvaluation.objects.get(request=req)
    assert evaluation.referral_origin == "service"
    assert evaluation.housing_situation == "judicial"
    assert evaluation.is_indebted is True
    assert evaluation.debts.get().amount == Decimal("2300")
    assert set(evaluation.reasons.values_list("reason", flat=True)) == {
        "prison_release",
        "no_resources",
    }
    assert evaluation.employments.get().status == "job_seeker"
    dalo = HousingAid.objects.get(evaluation=evaluation, scheme="dalo_housing")
    assert (dalo.status, str(dalo.decision_date)) == ("priority", "2026-10-12")
    assert evaluation.housing_aids.get(scheme="prefectoral").detail == "Public prioritaire"
    assert evaluation.is_complete


def test_siao_06_validating_sends_the_request_to_the_siao(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    client.post(
        reverse("requests:evaluation", args=[req.pk]), _complete_evaluation_post(validate="1")
    )
    req.refresh_from_db()
    assert req.status == RequestStatus.EVALUATED


def test_siao_06_incomplete_evaluation_is_saved_but_not_validated(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    data = _complete_evaluation_post(validate="1")
    del data["evaluation-argument"]
    response = client.post(reverse("requests:evaluation", args=[req.pk]), data, follow=True)
    req.refresh_from_db()
    assert req.status == RequestStatus.NEW
    assert SocialEvaluation.objects.get(request=req).housing_situation == "judicial"
    assert "pas validée" in response.content.decode()
    assert "argumentaire" in response.content.decode()


def test_siao_06_invalid_dates_keep_everything_typed(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    data = _complete_evaluation_post(**{"resources-applicant-are_ass__rights_end": "2026-01-01"})
    response = client.post(reverse("requests:evaluation", args=[req.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "La fin des droits précède leur début." in page
    assert "Sortie de détention prévue le 15 décembre" in page
    assert 'value="607.75"' in page
    assert not ResourceLine.objects.exists()


def test_siao_06_social_security_number_is_not_kept_by_default(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    page = client.get(reverse("requests:evaluation", args=[req.pk])).content.decode()
    assert "sécurité sociale" not in page
    client.post(
        reverse("requests:evaluation", args=[req.pk]),
        _complete_evaluation_post(**{"evaluation-social_security_number": "185057800608491"}),
    )
    evaluation = SocialEvaluation.objects.get(request=req)
    assert evaluation.social_security_number == ""
    assert evaluation.health_coverage == "complementary"


def test_siao_06_social_security_number_is_kept_where_the_territory_enables_it(
    client, social_worker
):
    territory = social_worker.organisation.territory
    territory.stores_social_security_number = True
    territory.save()
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    client.post(
        reverse("requests:evaluation", args=[req.pk]),
        _complete_evaluation_post(**{"evaluation-social_security_number": "185057800608491"}),
    )
    assert SocialEvaluation.objects.get(request=req).social_security_number == "185057800608491"


def test_siao_06_print_view_lays_out_the_paper_form(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    client.post(reverse("requests:evaluation", args=[req.pk]), _complete_evaluation_post())
    page = client.get(reverse("requests:evaluation_print", args=[req.pk])).content.decode()
    for heading in [
        "Origine de l'orientation",
        "Situation familiale",
        "Situation professionnelle",
        "Ressources de la famille",
        "Renseignements administratifs",
        "Endettement de la famille",
        "Situation au regard du logement",
        "Motif de la demande",
        "Nature de la demande",
        "dispositifs d'aide au logement",
        "Exposé de la situation",
        "Argumentaire",
        "Proposition d'orientation",
    ]:
        assert heading in page, heading
    assert 'class="case coche">Sortie de prison' in page
    assert "607,75 €" in page
    assert "1202,85 €" in page
    assert "Classé prioritaire et urgent" in page


def test_siao_06_urgence_requests_have_no_evaluation_form(client, emergency_line_user):
    req = make_request(referrer=emergency_line_user, channel=Channel.EMERGENCY)
    client.force_login(emergency_line_user)
    assert client.get(reverse("requests:evaluation", args=[req.pk])).status_code == 403


def test_siao_06_opening_the_form_creates_nothing_saving_does(client, social_worker):
    req = make_request(referrer=social_worker, channel=Channel.INSERTION)
    client.force_login(social_worker)
    assert client.get(reverse("requests:evaluation", args=[req.pk])).status_code == 200
    assert not SocialEvaluation.objects.filter(request=req).exists()
    client.post(reverse("requests:evaluation", args=[req.pk]), _complete_evaluation_post())
    assert SocialEvaluation.objects.filter(request=req).exists()

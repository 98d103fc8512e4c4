"""The parcours rules on the models: eligibility (IAE-01), the workflow (IAE-02), who reads a
parcours and the consent (IAE-04)."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from relais.core.transitions import StateWriteRefused, TransitionNotAllowed
from relais.iae.enums import AgreementParty, ParcoursState, SentenceCriterion
from relais.iae.models import Agreement, Consent, CpuSession, Handover, Parcours
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    make_detention,
    make_parcours,
    make_site,
)

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _detention_at(site, *, end_in_days: int, sentence=(1, 0, 0), **values):
    cpip = UserFactory(cpip=True, organisation=site.establishment.spip)
    return make_detention(
        cpip=cpip,
        establishment=site.establishment,
        end_date=_days(end_in_days),
        sentence=sentence,
        **values,
    )


def _prescribe(site, detention, **values):
    defaults = {
        "spip_opinion": "favourable",
        "identity_document": "national_id",
        "identity_document_valid_until": _days(500),
        "volunteer": True,
    }
    return Parcours.prescribe(
        detention=detention, site=site, by=detention.cpip, **{**defaults, **values}
    )


# -- IAE-01 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end_in_days", "eligible"),
    [(119, False), (125, True), (1090, True), (1100, False)],
    ids=["under_4_months", "just_over_4_months", "under_36_months", "over_36_months"],
)
def test_iae_01_remaining_sentence_between_4_and_36_months(end_in_days, eligible):
    site = make_site()
    parcours = _prescribe(site, _detention_at(site, end_in_days=end_in_days, sentence=(4, 0, 0)))
    result = parcours.eligibility()
    assert result.criterion == SentenceCriterion.REMAINING
    assert result.remaining_months is not None and result.quantum_months is not None
    assert result.needs_agreement is not eligible
    assert result.may_start is eligible


def test_iae_01_the_site_may_check_the_quantum_instead_and_both_figures_show():
    site = make_site(sentence_criterion=SentenceCriterion.QUANTUM)
    # 10 months left of a 4-year sentence: fine for the charter, not for the guide.
    parcours = _prescribe(site, _detention_at(site, end_in_days=300, sentence=(4, 0, 0)))
    result = parcours.eligibility()
    assert result.quantum_months == pytest.approx(48, abs=0.2)
    assert result.remaining_months == pytest.approx(9.9, abs=0.2)
    assert result.needs_agreement
    site.sentence_criterion = SentenceCriterion.REMAINING
    site.save()
    parcours.refresh_from_db()
    assert not parcours.eligibility().needs_agreement


@pytest.mark.parametrize(
    ("document", "valid_until", "ok"),
    [
        ("national_id", 30, True),
        ("national_id", -1, False),
        ("national_id", None, False),
        ("birth_certificate", None, True),
        ("residence_permit", 10, True),
        ("work_authorisation", -30, False),
        ("none", None, False),
    ],
)
def test_iae_01_a_valid_identity_document_or_work_authorisation(document, valid_until, ok):
    site = make_site()
    parcours = _prescribe(
        site,
        _detention_at(site, end_in_days=300),
        identity_document=document,
        identity_document_valid_until=_days(valid_until) if valid_until is not None else None,
    )
    result = parcours.eligibility()
    assert (not result.missing) is ok
    assert result.may_start is ok


def test_iae_01_volunteering_is_required_and_cannot_be_waived():
    site = make_site()
    parcours = _prescribe(site, _detention_at(site, end_in_days=300), volunteer=False)
    result = parcours.eligibility()
    assert [c.label for c in result.missing] == ["Volontariat de la personne"]
    for party in AgreementParty.values:
        Agreement.objects.create(parcours=parcours, party=party, given_by_name="X", given_on=TODAY)
    assert not parcours.eligibility().may_start


def _to_retained(parcours, site):
    prison = UserFactory(prison_staff=True, organisation=site.establishment)
    siae = UserFactory(siae_coach=True, organisation=site.siae)
    Consent.objects.create(
        parcours=parcours, given_on=TODAY, informed=True, paper_kept_at="SPIP", recorded_by=None
    )
    session = CpuSession.objects.create(
        establishment=site.establishment, held_on=TODAY, chaired_by="Direction", members="SPIP"
    )
    parcours.orient(session=session, by=prison)
    parcours.interview(on=TODAY, retained=True, by=siae)
    return prison


def test_iae_01_outside_the_bounds_the_three_agreements_before_the_start():
    site = make_site()
    parcours = _prescribe(site, _detention_at(site, end_in_days=1500, sentence=(5, 0, 0)))
    prison = _to_retained(parcours, site)
    with pytest.raises(TransitionNotAllowed, match="accord conjoint"):
        parcours.assign(on=TODAY, signed_by="Directeur", by=prison)
    for party in (AgreementParty.PRISON_HEAD, AgreementParty.SPIP):
        Agreement.objects.create(parcours=parcours, party=party, given_by_name="X", given_on=TODAY)
    with pytest.raises(TransitionNotAllowed, match="SIAE"):
        parcours.assign(on=TODAY, signed_by="Directeur", by=prison)
    Agreement.objects.create(
        parcours=parcours, party=AgreementParty.SIAE, given_by_name="X", given_on=TODAY
    )
    parcours.assign(on=TODAY, signed_by="Directeur", by=prison)
    assert Parcours.objects.get(pk=parcours.pk).state == ParcoursState.ACTIVE


def test_iae_01_a_remand_prisoner_needs_the_joint_agreement():
    site = make_site()
    cpip = UserFactory(cpip=True, organisation=site.establishment.spip)
    detention = make_detention(cpip=cpip, establishment=site.establishment, legal_status="remand")
    parcours = _prescribe(site, detention)
    result = parcours.eligibility()
    assert result.needs_agreement and not result.may_start
    assert "prévenue" in result.refusal() or "prévenu" in result.refusal()


# -- IAE-02 -----------------------------------------------------------------------------------


def test_iae_02_only_the_spip_following_the_person_prescribes():
    site = make_site()
    detention = _detention_at(site, end_in_days=300)
    for intruder in (
        UserFactory(prison_staff=True, organisation=site.establishment),
        UserFactory(siae_coach=True, organisation=site.siae),
        UserFactory(cpip=True, organisation__territory=site.territory),  # another SPIP
        UserFactory(siao_operator=True, organisation__territory=site.territory),
    ):
        with pytest.raises(TransitionNotAllowed, match="Seul le SPIP"):
            Parcours.prescribe(
                detention=detention,
                site=site,
                by=intruder,
                spip_opinion="favourable",
                identity_document="birth_certificate",
                volunteer=True,
            )
    assert _prescribe(site, detention).state == ParcoursState.PRESCRIBED


def test_iae_02_the_workflow_each_step_by_its_actor_and_dated():
    parcours = make_parcours(state="ended", days_ago=60)
    kinds = list(parcours.events.values_list("kind", flat=True))
    assert kinds == ["prescribed", "cpu_oriented", "retained", "assigned", "ended"]
    dated = {e.kind: e.on for e in parcours.events.all() if e.on}
    assert dated["cpu_oriented"] == parcours.oriented_on
    assert dated["assigned"] == parcours.assigned_on
    assert parcours.oriented_on <= parcours.interviewed_on <= parcours.assigned_on
    assert parcours.ended_on and parcours.end_reason == "need_met"


def test_iae_02_the_wrong_actor_is_refused_at_every_step():
    parcours = make_parcours(state="prescribed")
    site = parcours.site
    siae = UserFactory(siae_coach=True, organisation=site.siae)
    session = CpuSession.objects.create(
        establishment=site.establishment, held_on=TODAY, chaired_by="Direction", members="SPIP"
    )
    with pytest.raises(TransitionNotAllowed, match="établissement"):
        parcours.orient(session=session, by=siae)
    prison = UserFactory(prison_staff=True, organisation=site.establishment)
    parcours.orient(session=session, by=prison)
    with pytest.raises(TransitionNotAllowed, match="SIAE"):
        parcours.interview(on=TODAY, retained=True, by=prison)
    parcours.interview(on=TODAY, retained=True, by=siae)
    with pytest.raises(TransitionNotAllowed, match="établissement"):
        parcours.assign(on=TODAY, signed_by="Directeur", by=siae)
    with pytest.raises(TransitionNotAllowed):
        parcours.assign(on=TODAY, signed_by="Directeur", by=parcours.detention.cpip)


def test_iae_02_the_waiting_list_is_ordered_by_orientation_date():
    site = make_site()
    oriented = [make_parcours(site=site, state="oriented", days_ago=d) for d in (10, 40, 25)]
    waiting = list(Parcours.objects.waiting_list(site))
    assert waiting == sorted(oriented, key=lambda p: p.oriented_on)


def test_iae_02_not_retained_needs_a_reason_and_closes():
    parcours = make_parcours(state="oriented")
    siae = UserFactory(siae_coach=True, organisation=parcours.site.siae)
    with pytest.raises(TransitionNotAllowed, match="motif"):
        parcours.interview(on=TODAY, retained=False, by=siae)
    parcours.interview(on=TODAY, retained=False, reason="no_post", by=siae)
    assert parcours.state == ParcoursState.NOT_RETAINED and parcours.ended_on == TODAY


def test_iae_02_constraints_tie_states_to_dates():
    parcours = make_parcours(state="active")
    for changes in (
        {"assigned_on": None},
        {"interviewed_on": parcours.oriented_on - dt.timedelta(days=1)},
        {"immersion_starts_on": TODAY, "immersion_ends_on": TODAY - dt.timedelta(days=2)},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Parcours.objects.filter(pk=parcours.pk).update(**changes)
    with pytest.raises(StateWriteRefused):
        Parcours.objects.filter(pk=parcours.pk).update(state=ParcoursState.ENDED)


def test_iae_02_one_open_parcours_per_person():
    parcours = make_parcours(state="oriented")
    with pytest.raises(TransitionNotAllowed, match="déjà un parcours"):
        _prescribe(parcours.site, parcours.detention)


def test_iae_02_immersion_keeps_the_state_and_is_an_event():
    parcours = make_parcours(state="oriented")
    prison = UserFactory(prison_staff=True, organisation=parcours.site.establishment)
    parcours.record_immersion(starts_on=TODAY, ends_on=_days(5), by=prison)
    parcours.refresh_from_db()
    assert parcours.state == ParcoursState.ORIENTED
    assert parcours.events.filter(kind="immersion").count() == 1


# -- IAE-04 -----------------------------------------------------------------------------------


def test_iae_04_the_siae_sees_a_parcours_only_while_consent_runs():
    parcours = make_parcours(state="oriented", consent=False)
    coach = UserFactory(siae_coach=True, organisation=parcours.site.siae)
    supervisor = UserFactory(siae_supervisor=True, organisation=parcours.site.siae)
    for user in (coach, supervisor):
        assert not Parcours.objects.visible_to(user).exists()
    consent = Consent.objects.create(
        parcours=parcours, given_on=TODAY, informed=True, paper_kept_at="SPIP"
    )
    for user in (coach, supervisor):
        assert list(Parcours.objects.visible_to(user)) == [parcours]
    consent.withdraw(by=parcours.detention.cpip, note="La personne retire son accord")
    for user in (coach, supervisor):
        assert not Parcours.objects.visible_to(user).exists()
    assert not parcours.consent_runs()


def test_iae_04_after_release_only_with_consent_to_continue_outside():
    parcours = make_parcours(state="active")
    Consent.objects.filter(parcours=parcours).update(continues_outside=False)
    coach = UserFactory(siae_coach=True, organisation=parcours.site.siae)
    assert Parcours.objects.visible_to(coach).exists()
    parcours.detention.release(on=TODAY, by=parcours.detention.cpip)
    assert not Parcours.objects.visible_to(coach).exists()
    Consent.objects.filter(parcours=parcours).update(continues_outside=True)
    assert Parcours.objects.visible_to(coach).exists()


def test_iae_04_other_services_never_see_a_parcours():
    parcours = make_parcours(state="active")
    territory = parcours.territory
    for outsider in (
        UserFactory(siao_operator=True, organisation__territory=territory),
        UserFactory(social_worker=True, organisation__territory=territory),
        UserFactory(state_service=True, organisation__territory=territory),
        UserFactory(siae_coach=True, organisation__territory=territory),  # another SIAE
        UserFactory(prison_staff=True, organisation__territory=territory),  # another prison
        UserFactory(cpip=True, organisation__territory=territory),  # another SPIP
    ):
        assert not Parcours.objects.visible_to(outsider).exists(), outsider.role


def test_iae_06_the_probation_cpip_reads_the_handed_over_parcours():
    parcours = make_parcours(state="active")
    outside = UserFactory(cpip=True, organisation=OrganisationFactory(spip=True))
    assert not Parcours.objects.visible_to(outside).exists()
    Handover.objects.create(
        parcours=parcours,
        receiving_cpip=outside,
        handed_over_on=TODAY,
        handed_over_by=parcours.detention.cpip,
    )
    assert list(Parcours.objects.visible_to(outside)) == [parcours]

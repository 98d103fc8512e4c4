"""EXIT-01: one plan per detention, its items owned as the site's matrix says, each partner
seeing and changing its part within consent and sensitivity; EXIT-02: due dates re-timed."""

import datetime as dt

import pytest
from django.utils import timezone

from relais.core.transitions import TransitionNotAllowed
from relais.exitplan.enums import DEFAULT_KINDS, ITEMS, ItemEventKind, ItemKind, ItemState, Owner
from relais.exitplan.models import ExitPlan, readiness
from relais.iae.enums import Lead
from relais.justice.enums import EndDateReason
from tests.factories import UserFactory, make_detention, make_exit_plan, make_parcours

pytestmark = pytest.mark.django_db


def _item(plan, kind):
    return plan.items.get(kind=kind)


def test_exit_01_a_plan_opens_once_with_its_default_items_owned_by_the_spip():
    plan = make_exit_plan()
    assert sorted(plan.items.values_list("kind", flat=True)) == sorted(DEFAULT_KINDS)
    assert set(plan.items.values_list("owner", flat=True)) == {Owner.SPIP}
    assert set(plan.items.values_list("state", flat=True)) == {ItemState.TODO}
    assert ExitPlan.open_for(plan.detention, by=plan.detention.cpip) == plan
    assert ExitPlan.objects.count() == 1


def test_exit_01_owners_follow_the_site_who_leads_what_matrix():
    parcours = make_parcours(state="active")
    matrix = {r.domain: r for r in parcours.site.responsibilities.all()}
    rights = matrix["Accès aux droits (CNI, accès aux services publics…)"]
    rights.lead, rights.other_actor = Lead.OTHER, "Point d'accès au droit"
    rights.save()
    plan = make_exit_plan(parcours.detention)
    assert plan.site == parcours.site
    assert _item(plan, ItemKind.JOB_OR_TRAINING).owner == Owner.SIAE  # the charter's default
    bank = _item(plan, ItemKind.BANK_ACCOUNT)
    assert (bank.owner, bank.owner_other) == (Owner.OTHER, "Point d'accès au droit")
    assert "suivi par" in bank.owner_label
    assert _item(plan, ItemKind.APPOINTMENT_SPIP).owner == Owner.SPIP  # never the matrix's


def test_exit_01_each_partner_changes_its_own_items_only():
    parcours = make_parcours(state="active")
    plan = make_exit_plan(parcours.detention)
    cpip = parcours.detention.cpip
    coach = UserFactory(siae_coach=True, organisation=parcours.site.siae)
    job, bank = _item(plan, ItemKind.JOB_OR_TRAINING), _item(plan, ItemKind.BANK_ACCOUNT)
    spip_appointment = _item(plan, ItemKind.APPOINTMENT_SPIP)
    assert job.can(ItemEventKind.DONE, coach) and not job.can(ItemEventKind.DONE, cpip)
    job.take(ItemEventKind.DONE, by=coach, remarks="CDDI chez Tremplin")
    assert job.state == ItemState.DONE and job.done_on == timezone.localdate()
    assert bank.owner == Owner.SHARED  # « Accès aux droits » is shared by the charter
    assert bank.can(ItemEventKind.DONE, coach) and bank.can(ItemEventKind.DONE, cpip)
    assert spip_appointment.can(ItemEventKind.DONE, cpip)
    assert not spip_appointment.can(ItemEventKind.DONE, coach)
    siao = UserFactory(siao_operator=True, organisation__territory=plan.territory)
    assert not bank.can(ItemEventKind.DONE, siao)
    assert plan.can("first_night", siao) and not plan.can("first_night", cpip)


def test_exit_01_the_siae_reads_the_plan_only_while_consent_runs_and_never_health_or_justice():
    parcours = make_parcours(state="active")
    plan = make_exit_plan(parcours.detention)
    plan.add_item(ItemKind.AAH, by=parcours.detention.cpip)
    coach = UserFactory(siae_coach=True, organisation=parcours.site.siae)
    assert ExitPlan.objects.visible_to(coach).get() == plan
    seen = {item.kind for item in plan.items_for(coach)}
    hidden = {k for k, spec in ITEMS.items() if spec.category}
    assert seen and not seen & hidden
    assert {item.kind for item in plan.items_for(parcours.detention.cpip)} >= hidden
    parcours.consents.get().withdraw(by=parcours.detention.cpip)
    assert not ExitPlan.objects.visible_to(coach).exists()
    other_siae = UserFactory(siae_coach=True)
    assert not ExitPlan.objects.visible_to(other_siae).exists()


def test_exit_01_the_siao_and_the_spip_read_their_own_plans_only():
    plan = make_exit_plan()
    siao = UserFactory(siao_operator=True, organisation__territory=plan.territory)
    assert ExitPlan.objects.visible_to(siao).get() == plan
    assert ExitPlan.objects.visible_to(plan.detention.cpip).get() == plan
    for outsider in (
        UserFactory(siao_operator=True),
        UserFactory(cpip=True),
        UserFactory(social_worker=True, organisation__territory=plan.territory),
        UserFactory(structure_manager=True, organisation__territory=plan.territory),
    ):
        assert not ExitPlan.objects.visible_to(outsider).exists()


def test_exit_02_a_moved_end_date_re_times_every_due_date():
    today = timezone.localdate()
    detention = make_detention(end_date=today + dt.timedelta(days=300))
    plan = make_exit_plan(detention)
    identity = _item(plan, ItemKind.IDENTITY_DOCUMENT)
    first = plan.release_on(today)
    before = identity.due_on(first)
    assert not identity.is_late(first, today)
    detention.move_end_date(
        today + dt.timedelta(days=150), reason=EndDateReason.values[0], by=detention.cpip
    )
    plan = ExitPlan.objects.get(pk=plan.pk)
    moved = plan.release_on(today)
    assert moved < first
    assert identity.due_on(moved) == before - (first - moved)
    assert identity.is_late(moved, today)


def test_exit_02_readiness_counts_settled_items_per_part():
    plan = make_exit_plan()
    cpip = plan.detention.cpip
    _item(plan, ItemKind.FRANCE_TRAVAIL).take(ItemEventKind.DONE, by=cpip)
    _item(plan, ItemKind.APPOINTMENT_FRANCE_TRAVAIL).take(ItemEventKind.NOT_NEEDED, by=cpip)
    today = timezone.localdate()
    ready = readiness(plan.items_for(cpip), housing=False, release=plan.release_on(), today=today)
    assert (ready.work_done, ready.work_total) == (2, 3)
    assert ready.rights_total == len(DEFAULT_KINDS) - 3
    assert not ready.complete
    assert ready.label.startswith("Hébergement ✘ · Travail 2/3 · Droits 0/")


def test_exit_01_a_stabilised_plan_needs_the_release_and_freezes_its_items():
    plan = make_exit_plan()
    cpip = plan.detention.cpip
    with pytest.raises(TransitionNotAllowed):
        plan.stabilise(on=timezone.localdate(), by=cpip)
    plan.detention.release(on=timezone.localdate(), by=cpip)
    plan.refresh_from_db()
    plan.stabilise(on=timezone.localdate(), by=cpip)
    assert not _item(plan, ItemKind.RSA).can(ItemEventKind.DONE, cpip)


def test_exit_01_a_plan_opened_before_the_parcours_joins_its_site_on_prescription(client):
    from django.urls import reverse

    from tests.factories import make_site

    detention = make_detention(end_date=timezone.localdate() + dt.timedelta(days=300))
    plan = make_exit_plan(detention)
    cpip = detention.cpip
    touched = _item(plan, ItemKind.FRANCE_TRAVAIL)
    touched.take(ItemEventKind.STARTED, by=cpip)
    site = make_site(establishment=detention.establishment)
    site.establishment.spip = detention.spip
    site.establishment.save(update_fields=["spip"])
    client.force_login(cpip)
    client.post(
        reverse("iae:prescribe", kwargs={"detention_pk": detention.pk}),
        {
            "site": site.pk,
            "prescribed_on": timezone.localdate().isoformat(),
            "spip_opinion": "favourable",
            "identity_document": "national_id",
            "identity_document_valid_until": (
                timezone.localdate() + dt.timedelta(days=900)
            ).isoformat(),
            "volunteer": "on",
        },
    )
    plan.refresh_from_db()
    assert plan.site == site
    assert _item(plan, ItemKind.JOB_OR_TRAINING).owner == Owner.SIAE
    assert _item(plan, ItemKind.FRANCE_TRAVAIL).owner == Owner.SPIP  # already in hand


def test_exit_01_after_release_the_plan_stays_with_who_still_follows_the_person():
    parcours = make_parcours(state="active")
    plan = make_exit_plan(parcours.detention)
    cpip = parcours.detention.cpip
    coach = UserFactory(siae_coach=True, organisation=parcours.site.siae)
    today = timezone.localdate()
    parcours.detention.release(
        on=today - dt.timedelta(days=5), by=cpip, measure_ends_on=today + dt.timedelta(days=90)
    )
    assert ExitPlan.objects.visible_to(cpip).get() == plan
    assert ExitPlan.objects.visible_to(coach).get() == plan  # agreed to be followed outside
    consent = parcours.consents.get()
    consent.continues_outside = False
    consent.save()
    assert not ExitPlan.objects.visible_to(coach).exists()
    parcours.detention.__class__.objects.filter(pk=parcours.detention_id).update(
        measure_ends_on=today - dt.timedelta(days=1)
    )
    assert not ExitPlan.objects.visible_to(cpip).exists()  # the measure ended (JUS-13)
    siao = UserFactory(siao_operator=True, organisation__territory=plan.territory)
    assert ExitPlan.objects.visible_to(siao).get() == plan

"""EXIT-02: the daily job opens the plans before release and tells each late item to its owner
once per due date, within the releases' run (same transaction, same digest); a release date
that moves re-times every due date and a still-late item is told again."""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relais.exitplan import jobs
from relais.exitplan.enums import OPENS_DAYS_BEFORE, ItemEventKind, ItemKind, Owner
from relais.exitplan.models import ExitPlan, LateItemAlert
from relais.justice.enums import EndDateReason
from relais.notifications.models import Notification
from tests.factories import (
    PersonFactory,
    UserFactory,
    make_detention,
    make_exit_plan,
    make_parcours,
)

pytestmark = pytest.mark.django_db

LONG = (6, 0, 0)  # over 5 years: no LSC date, due out on the end date
TODAY = timezone.localdate()
# Due more than 20 days before release: the identity document (90), health insurance and
# complementary health (45), RSA, bank account, postal address, France Travail (30).
LATE_AT_20 = {
    ItemKind.IDENTITY_DOCUMENT,
    ItemKind.HEALTH_INSURANCE,
    ItemKind.COMPLEMENTARY_HEALTH,
    ItemKind.RSA,
    ItemKind.BANK_ACCOUNT,
    ItemKind.POSTAL_ADDRESS,
    ItemKind.FRANCE_TRAVAIL,
}


def run(day: dt.date = TODAY) -> str:
    from io import StringIO

    out = StringIO()
    call_command("escalate_releases", today=day.isoformat(), stdout=out)
    return out.getvalue()


def _in(days: int) -> dt.date:
    return TODAY + dt.timedelta(days=days)


def late_notices(user=None):
    """The exit plan's notices (not the releases' escalations)."""
    rows = Notification.objects.filter(link__startswith=reverse("exitplan:list"))
    return rows.filter(recipient=user) if user else rows


def alerted_kinds(plan) -> set[str]:
    return set(LateItemAlert.objects.filter(item__plan=plan).values_list("item__kind", flat=True))


# -- opening ----------------------------------------------------------------------------------


def test_exit_02_the_job_opens_the_plans_due_within_120_days_once():
    soon = make_detention(end_date=_in(OPENS_DAYS_BEFORE), sentence=LONG)
    passed = make_detention(end_date=_in(-3), sentence=LONG)  # still inside: most urgent
    later = make_detention(end_date=_in(OPENS_DAYS_BEFORE + 1), sentence=LONG)
    released = make_detention(end_date=_in(30), sentence=LONG)
    released.release(on=TODAY, by=released.cpip)
    out = run()
    assert "2 plans de sortie ouverts" in out
    assert set(ExitPlan.objects.values_list("detention_id", flat=True)) == {soon.pk, passed.pk}
    plan = ExitPlan.objects.get(detention=soon)
    assert plan.events.get().actor is None  # opened by the job, not by a person
    # Idempotent: a second run opens nothing.
    assert "0 plan de sortie ouvert" in run()
    assert ExitPlan.objects.count() == 2
    assert later.pk and not hasattr(later, "exit_plan")


# -- late items -------------------------------------------------------------------------------


def test_exit_02_late_items_are_told_once_to_the_cpip_in_one_notice_per_plan():
    person = PersonFactory(birth_name="Zeller")
    detention = make_detention(person, end_date=_in(20), sentence=LONG)
    plan = make_exit_plan(detention)
    plan.items.get(kind=ItemKind.RSA).take(ItemEventKind.DONE, by=detention.cpip)
    plan.items.get(kind=ItemKind.BANK_ACCOUNT).take(ItemEventKind.STARTED, by=detention.cpip)
    out = run()
    expected = LATE_AT_20 - {ItemKind.RSA}  # done; the bank account, in progress, still late
    assert f"{len(expected)} démarches en retard signalées" in out
    assert alerted_kinds(plan) == expected
    (notice,) = late_notices(detention.cpip)
    assert notice.message.startswith(f"{len(expected)} démarches du plan de sortie en retard")
    assert "ZELLER" in notice.message and "Compte bancaire" in notice.message
    assert "Réouverture du RSA" not in notice.message
    assert notice.link == reverse("exitplan:plan", kwargs={"detention_pk": detention.pk})
    # Idempotent: the second run tells nothing new.
    assert "0 démarche en retard signalée" in run()
    assert late_notices().count() == 1
    assert LateItemAlert.objects.count() == len(expected)


def test_exit_02_a_closed_plan_and_settled_items_are_not_late():
    detention = make_detention(end_date=_in(20), sentence=LONG)
    plan = make_exit_plan(detention)
    for item in plan.items.all():
        item.take(ItemEventKind.NOT_NEEDED, by=detention.cpip)
    other = make_detention(end_date=_in(-40), sentence=LONG)
    other.release(on=_in(-40), by=other.cpip, measure_ends_on=_in(200))
    closed = make_exit_plan(other)
    closed.stabilise(on=TODAY, by=other.cpip)
    run()
    assert not LateItemAlert.objects.exists() and not late_notices().exists()


def test_exit_02_a_moved_end_date_re_times_the_due_dates_and_tells_again():
    detention = make_detention(end_date=_in(40), sentence=LONG)
    plan = make_exit_plan(detention)
    identity = plan.items.get(kind=ItemKind.IDENTITY_DOCUMENT)
    run()
    late_at_40 = {ItemKind.IDENTITY_DOCUMENT, ItemKind.HEALTH_INSURANCE}
    late_at_40.add(ItemKind.COMPLEMENTARY_HEALTH)
    assert alerted_kinds(plan) == late_at_40
    assert list(identity.late_alerts.values_list("due_on", flat=True)) == [_in(40 - 90)]
    # Further away: nothing is late any more, nothing is told.
    cpip = detention.cpip
    detention.move_end_date(_in(100), reason=EndDateReason.NEW_SENTENCE, by=cpip)
    run()
    assert late_notices().count() == 1
    # Closer again, to another day: every item late for its new due date is told again.
    detention.move_end_date(_in(35), reason=EndDateReason.REDUCTION, by=cpip)
    run(TODAY)
    assert list(identity.late_alerts.values_list("due_on", flat=True)) == [_in(-50), _in(-55)]
    assert LateItemAlert.objects.count() == 2 * len(late_at_40)
    assert late_notices(cpip).count() == 2
    run(TODAY)  # and once only
    assert late_notices(cpip).count() == 2


def test_exit_02_the_siae_is_told_only_of_its_items_it_may_see():
    parcours = make_parcours(state="active")
    detention = parcours.detention
    detention.move_end_date(_in(20), reason=EndDateReason.REDUCTION, by=detention.cpip)
    plan = make_exit_plan(detention)
    plan.add_item(ItemKind.AAH, by=detention.cpip)  # health: never shown to the SIAE
    siae = parcours.site.siae
    coaches = list(UserFactory._meta.model.objects.filter(organisation=siae))
    coaches.append(UserFactory(siae_coach=True, organisation=siae))
    supervisor = UserFactory(siae_supervisor=True, organisation=siae)
    gone = UserFactory(siae_coach=True, organisation=siae, is_active=False)
    # Health insurance is shared by the charter (« Accès aux droits »), still hidden.
    assert plan.items.get(kind=ItemKind.HEALTH_INSURANCE).owner == Owner.SHARED
    run()
    for coach in coaches:
        (notice,) = late_notices(coach)
        assert "Inscription à France Travail" in notice.message  # the SIAE's (job row)
        assert "Pièce d'identité" in notice.message  # shared
        for hidden in ("Assurance maladie", "Complémentaire santé", "AAH"):
            assert hidden not in notice.message
    assert not late_notices(supervisor).exists() and not late_notices(gone).exists()
    (to_cpip,) = late_notices(detention.cpip)
    assert "Assurance maladie" in to_cpip.message and "AAH" in to_cpip.message
    assert "Inscription à France Travail" not in to_cpip.message  # the SIAE leads it


def test_exit_02_the_siae_is_not_told_once_consent_is_withdrawn():
    parcours = make_parcours(state="active")
    detention = parcours.detention
    detention.move_end_date(_in(20), reason=EndDateReason.REDUCTION, by=detention.cpip)
    make_exit_plan(detention)
    parcours.consents.get().withdraw(by=detention.cpip)
    run()
    assert set(late_notices().values_list("recipient", flat=True)) == {detention.cpip.pk}


def test_exit_02_without_a_cpip_the_spip_referent_is_told():
    detention = make_detention(end_date=_in(20), sentence=LONG)
    spip = detention.spip
    spip.referent = UserFactory(cpip=True, organisation=spip)
    spip.save()
    type(detention).objects.filter(pk=detention.pk).update(cpip=None)
    make_exit_plan(detention, by=spip.referent)
    run()
    assert set(late_notices().values_list("recipient", flat=True)) == {spip.referent.pk}


def test_exit_02_one_mail_per_address_per_run_naming_nobody(django_capture_on_commit_callbacks):
    cpip = UserFactory(cpip=True)
    for name in ("Arnaud", "Barbier"):
        make_exit_plan(make_detention(PersonFactory(birth_name=name), cpip=cpip, end_date=_in(20)))
    with django_capture_on_commit_callbacks(execute=True):
        run()
    to_cpip = [m for m in mail.outbox if cpip.email in m.to]
    assert len(to_cpip) == 1  # the escalations and the late items of both, in one digest
    body = to_cpip[0].body
    assert body.count("démarches du plan de sortie en retard") == 2
    assert "sans hébergement acquis" in body  # the releases' alerts, same mail
    assert "Arnaud" not in body.title() and "Barbier" not in body.title()
    assert late_notices(cpip).count() == 2  # one in-app notice per plan
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        run()
    assert not [m for m in mail.outbox if cpip.email in m.to]


def test_exit_02_the_job_costs_the_same_queries_for_2_or_10_late_plans():
    cpip = UserFactory(cpip=True)

    def queries(count: int) -> int:
        for _ in range(count):
            make_exit_plan(make_detention(cpip=cpip, end_date=_in(20), sentence=LONG))
        with CaptureQueriesContext(connection) as context:
            notices, _counts = jobs.run(TODAY)
        assert len(notices) == count
        return len(context.captured_queries)

    assert queries(2) == queries(10)

"""The demo's exit plans (EXIT-01..04): a plan in every state, coherent with the justice and
IAE demo, its facts dated when they happened so that past months have figures."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import Territory, User
from relais.demo.loader import load_demo as build_demo
from relais.exitplan.enums import (
    OPENS_DAYS_BEFORE,
    ItemEventKind,
    ItemKind,
    ItemState,
    Owner,
    PlanEventKind,
    PlanState,
)
from relais.exitplan.models import (
    ExitItem,
    ExitItemEvent,
    ExitPlan,
    ExitPlanEvent,
    plan_release,
    readiness,
)
from relais.indicators.exit_plans import NO_PLAN, exit_plan_months
from relais.justice.enums import DetentionState
from relais.justice.models import Detention
from relais.releases.housing import Solution, housing_for

pytestmark = pytest.mark.django_db

HEALTH = re.compile(
    r"hospitalis|hôpital|addictolog|csapa|sevrage|psych|traitement|soins|santé|mdph|\baah\b|"
    r"rqth|handicap|cpam|maladie",
    re.IGNORECASE,
)
APPOINTMENTS = [
    ItemKind.APPOINTMENT_SPIP,
    ItemKind.APPOINTMENT_CCAS,
    ItemKind.APPOINTMENT_CAF,
    ItemKind.APPOINTMENT_FRANCE_TRAVAIL,
]


def _ready(plan, user, today):
    release = plan.release_on(today)
    housing = housing_for(plan.detention).secured_by(release)
    return readiness(plan.items_for(user), housing=housing, release=release, today=today)


def _complete_on(plan, day: dt.date) -> bool:
    """Every item settled by the end of `day`, as its events tell (what EXIT-04 counts)."""
    end = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
    for item in plan.items.all():
        last = item.events.filter(occurred_at__lte=end).order_by("occurred_at", "id").last()
        if last is None or last.to_state not in (ItemState.DONE, ItemState.NOT_NEEDED):
            return False
    return housing_for(plan.detention).secured_by(day)


def test_exit_01_the_demo_has_exit_plans_in_every_state(client):
    call_command("load_demo", stdout=StringIO())
    today = timezone.localdate()
    now = timezone.now()
    cpip = User.objects.get(username="cpip")
    siao = User.objects.get(username="operateur.siao")
    coach = User.objects.get(username="cip.siae")
    plans = ExitPlan.objects.select_related("detention")
    held = plans.filter(detention__state=DetentionState.IN_DETENTION, state=PlanState.OPEN)

    # Every person due out within 120 days has a plan, as the daily job opens them; those
    # due out later have none yet, and their page offers to open it.
    in_detention = Detention.objects.filter(state=DetentionState.IN_DETENTION)
    horizon = today + dt.timedelta(days=OPENS_DAYS_BEFORE)
    without = [d for d in in_detention.filter(exit_plan__isnull=True)]
    assert without
    assert all((plan_release(d, today) or dt.date.max) > horizon for d in without)
    assert not [
        d for d in in_detention.filter(exit_plan__isnull=False) if d.exit_plan.opened_at > now
    ]
    client.force_login(siao)
    page = client.get(reverse("exitplan:plan", args=[without[0].pk])).content.decode()
    assert "Ouvrir le plan de sortie" in page

    # The release pipeline shows the plans' readiness, and the one not opened.
    pipeline = client.get(reverse("releases:pipeline")).content.decode()
    assert "plan non ouvert" in pipeline
    assert "en retard" in pipeline

    # Opened today, everything to do.
    fresh = [p for p in held if now - p.opened_at < dt.timedelta(days=1)]
    assert fresh
    assert set(fresh[0].items.values_list("state", flat=True)) == {ItemState.TODO}

    # Several late items before the release.
    assert any(_ready(p, cpip, today).late >= 3 for p in held)

    # In progress with the SIAE: the work items are its own, the job lined up by its coach,
    # France Travail under way; the appointments booked; the AAH added; an item without
    # object says why.
    with_siae = held.filter(site__isnull=False, items__kind=ItemKind.AAH).get()
    assert ExitPlan.objects.visible_to(coach).filter(pk=with_siae.pk).exists()
    job = with_siae.items.get(kind=ItemKind.JOB_OR_TRAINING)
    assert (job.owner, job.state) == (Owner.SIAE, ItemState.DONE)
    assert job.events.get(kind=ItemEventKind.DONE).actor == coach
    registration = with_siae.items.get(kind=ItemKind.FRANCE_TRAVAIL)
    assert (registration.owner, registration.state) == (Owner.SIAE, ItemState.IN_PROGRESS)
    release = with_siae.release_on(today)
    for item in with_siae.items.filter(kind__in=APPOINTMENTS):
        assert item.state == ItemState.DONE, item.kind
        assert item.place and item.address and item.phone
        assert timezone.localdate(item.appointment_at) > release
        assert timezone.localtime(item.appointment_at).weekday() < 5
    assert with_siae.items.filter(state=ItemState.NOT_NEEDED).exclude(remarks="").exists()
    assert ItemKind.AAH not in {i.kind for i in with_siae.items_for(coach)}
    assert not _ready(with_siae, cpip, today).late

    # Complete, out soon, a place reserved and the first night told by the SIAO.
    complete = [p for p in held if _ready(p, cpip, today).complete]
    assert complete
    ready = complete[0]
    assert housing_for(ready.detention).solution == Solution.RESERVED
    assert ready.arrival_hours and ready.arrival_contact and ready.arrival_phone
    assert ready.arrival_note
    assert ready.events.get(kind=PlanEventKind.FIRST_NIGHT).actor == siao
    assert 0 < (ready.release_on(today) - today).days <= 30
    client.force_login(cpip)
    page = client.get(reverse("exitplan:plan", args=[ready.detention_id])).content.decode()
    assert ready.arrival_hours in page
    # The release-day paper (EXIT-03): the night, the appointments booked.
    paper = client.get(reverse("exitplan:paper", args=[ready.pk])).content.decode()
    assert ready.arrival_hours in paper and ready.arrival_contact in paper
    for item in ready.items.filter(kind__in=APPOINTMENTS):
        assert item.place in paper.replace("&#x27;", "'")

    # Released, still open, some items done since the release.
    after = plans.filter(state=PlanState.OPEN, detention__state=DetentionState.RELEASED).filter(
        items__done_on__gt=F("detention__released_on")
    )
    assert after.filter(detention__measure_ends_on__gte=today).exists()

    # Stabilised, after the release.
    closed = plans.filter(state=PlanState.STABILISED)
    assert closed.exists()
    for plan in closed:
        assert plan.detention.released_on <= plan.stabilised_on <= today

    # EXIT-04: past releases over several months, complete or not on their release day.
    released = list(plans.filter(detention__released_on__lt=today))
    verdicts = {_complete_on(p, p.detention.released_on) for p in released}
    assert verdicts == {True, False}
    months = {
        (p.detention.establishment_id, p.detention.released_on.replace(day=1)) for p in released
    }
    assert len({month for _, month in months}) >= 3
    assert len({prison for prison, _ in months}) == 2
    # As the dashboard counts them (as known at each month's end): both establishments, some
    # months with complete plans, the missing items named.
    lines = [
        line
        for month in exit_plan_months(Territory.objects.get(), until=today)
        for line in month.lines
    ]
    assert sum(line.complete for line in lines) >= 3
    assert len({line.establishment for line in lines if line.complete}) == 2
    missing = {part for line in lines for part in line.missing}
    assert {NO_PLAN, ItemKind.BANK_ACCOUNT, ItemKind.RSA} <= missing

    # Every plan's page and the lists show to each partner who reads them.
    for user in (cpip, siao, coach):
        client.force_login(user)
        for plan in ExitPlan.objects.visible_to(user):
            url = reverse("exitplan:plan", args=[plan.detention_id])
            assert client.get(url).status_code == 200, (user, plan)
        for state in PlanState.values:
            assert client.get(reverse("exitplan:list"), {"state": state}).status_code == 200


def test_exit_01_the_demo_plans_are_dated_in_the_past_and_keep_health_from_the_siae():
    call_command("load_demo", stdout=StringIO())
    now = timezone.now()
    for model in (ExitPlanEvent, ExitItemEvent):
        events = model.objects.all()
        assert events.exists()
        assert not events.filter(occurred_at__gt=now).exists()
        assert not events.exclude(recorded_at=F("occurred_at")).exists()
    for plan in ExitPlan.objects.select_related("detention"):
        opened = plan.events.get(kind=PlanEventKind.OPENED).occurred_at
        assert plan.opened_at == opened >= plan.detention.created_at
        assert not ExitItemEvent.objects.filter(item__plan=plan, occurred_at__lt=opened).exists()
    # Done on its day, never before the plan opened.
    for item in ExitItem.objects.exclude(done_on=None).select_related("plan"):
        done = item.events.filter(kind=ItemEventKind.DONE).last()
        assert timezone.localdate(done.occurred_at) == item.done_on
    # What the SIAE reads (items without a sensitive category, the first night) names no
    # health matter.
    coach = User.objects.get(username="cip.siae")
    for plan in ExitPlan.objects.visible_to(coach):
        texts = [i.remarks for i in plan.items_for(coach)] + [plan.arrival_note]
        assert not [t for t in texts if HEALTH.search(t)]


def test_exit_01_the_demo_plans_are_the_same_on_every_load():
    now = timezone.now()

    def snapshot():
        return {
            "plans": list(
                ExitPlan.objects.order_by("pk").values_list(
                    "detention_id", "state", "opened_at", "stabilised_on", "arrival_note"
                )
            ),
            "items": list(
                ExitItem.objects.order_by("pk").values_list(
                    "plan_id", "kind", "state", "owner", "done_on", "appointment_at", "remarks"
                )
            ),
            "events": list(
                ExitItemEvent.objects.order_by("pk").values_list("item_id", "kind", "occurred_at")
            ),
        }

    build_demo(now=now)
    first = snapshot()
    build_demo(now=now)
    assert snapshot() == first
    assert first["plans"]

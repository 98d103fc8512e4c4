"""The exit plan's part of the daily job (EXIT-02), run by `escalate_releases` within the
releases' run (`relais.releases.escalations.run(today, also=[jobs.run])`): same transaction,
same digest of notices — one e-mail per address per run, naming nobody, and one in-app notice
per alert. Idempotent: a second run on the same day opens nothing and tells nothing.

The rules, in one place:

- A plan opens by itself (`ExitPlan.open_for(detention, by=None)`) for every person in
  detention whose release date (`plan_release`) is
  within `OPENS_DAYS_BEFORE` days, or already passed.
- An item is late when it is still open (to do, in progress) on an open plan and its due date
  (its lead time before the release date) has passed. It is told once per due date
  (`LateItemAlert`, unique on item + due date): a release date that moves re-times the due
  date, and an item late for the new date is told again.
- Who is told, by the item's owner: the SPIP (and another actor it follows) → the CPIP of the
  detention, else the SPIP's référent, while the SPIP follows the person; the SIAE → its
  active coaches, while the person's consent to share with it runs; shared → both. Each reader
  is told only of the items it may see (`categories_for`: never the health or justice items to
  the SIAE). The late items of one plan make one notice per reader.

Read in batches: a fixed number of queries for the dates and states of every open plan; the
plans, people and recipients are loaded only for the plans with something to tell.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from relais.accounts.enums import Role
from relais.accounts.models import User
from relais.core.text import count_of
from relais.iae.models import Parcours
from relais.justice.enums import DetentionState
from relais.justice.models import Detention
from relais.notifications.sending import Notice

from .enums import ITEMS, OPEN_ITEM_STATES, OPENS_DAYS_BEFORE, Owner, PlanState
from .models import ExitItem, ExitPlan, LateItemAlert, ReleaseDates, categories_for, plan_release

BATCH = 2000
SPIP_SIDE = {Owner.SPIP, Owner.OTHER, Owner.SHARED}
SIAE_SIDE = {Owner.SIAE, Owner.SHARED}


def run(today: dt.date) -> tuple[list[Notice], list[str]]:
    """Open the plans due to open and tell the late items: (the notices, the report's
    French counts)."""
    opened = open_plans(today)
    notices: list[Notice] = []
    raised = raise_late_items(today, notices)
    return notices, [
        count_of(opened, "plan de sortie ouvert", "plans de sortie ouverts"),
        count_of(raised, "démarche en retard signalée", "démarches en retard signalées"),
    ]


# -- opening ----------------------------------------------------------------------------------


def open_plans(today: dt.date) -> int:
    """Open the plan of every person in detention released within OPENS_DAYS_BEFORE days."""
    horizon = today + dt.timedelta(days=OPENS_DAYS_BEFORE)
    rows = (
        Detention.objects.filter(state=DetentionState.IN_DETENTION)
        .filter(Q(due_on__lte=horizon) | Q(end_date__lte=horizon))
        .filter(~Exists(ExitPlan.objects.filter(detention=OuterRef("pk"))))
        .order_by("pk")
        .values_list("pk", "released_on", "due_on", "end_date")
    )
    due = [pk for pk, *dates in rows if _within(plan_release(ReleaseDates(*dates), today), horizon)]
    opened = 0
    for start in range(0, len(due), BATCH):
        for detention in Detention.objects.filter(pk__in=due[start : start + BATCH]):
            ExitPlan.open_for(detention, by=None)
            opened += 1
    return opened


def _within(release: dt.date | None, horizon: dt.date) -> bool:
    return release is not None and release <= horizon


# -- late items -------------------------------------------------------------------------------


def raise_late_items(today: dt.date, notices: list[Notice]) -> int:
    """Record and tell the items late for their current due date; returns how many."""
    rows = (
        ExitItem.objects.filter(plan__state=PlanState.OPEN, state__in=OPEN_ITEM_STATES)
        .order_by("pk")
        .values_list(
            "pk",
            "plan_id",
            "kind",
            "plan__detention__released_on",
            "plan__detention__due_on",
            "plan__detention__end_date",
        )
    )
    late: dict[int, dt.date] = {}
    for pk, _plan_id, kind, *dates in rows:
        release = plan_release(ReleaseDates(*dates), today)
        if release is None:
            continue
        due_on = release - dt.timedelta(days=ITEMS[kind].lead_days)
        if due_on < today:
            late[pk] = due_on
    ids = list(late)
    new: dict[int, dt.date] = {}
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        told = set(LateItemAlert.objects.filter(item_id__in=batch).values_list("item_id", "due_on"))
        new.update((pk, late[pk]) for pk in batch if (pk, late[pk]) not in told)
    if not new:
        return 0
    LateItemAlert.objects.bulk_create(
        (LateItemAlert(item_id=pk, due_on=due_on) for pk, due_on in new.items()),
        batch_size=BATCH,
    )
    ids = list(new)
    for start in range(0, len(ids), BATCH):
        _tell(ids[start : start + BATCH], new, today, notices)
    return len(new)


def _tell(item_ids: list[int], due: dict[int, dt.date], today, notices: list[Notice]) -> None:
    """The notices of these newly late items, one per plan and per reader (a few queries)."""
    items = list(
        ExitItem.objects.filter(pk__in=item_ids).select_related(
            "plan__person",
            "plan__detention__establishment",
            "plan__detention__spip__referent",
            "plan__detention__cpip",
            "plan__site",
        )
    )
    by_plan: dict[int, list[ExitItem]] = defaultdict(list)
    for item in items:
        by_plan[item.plan_id].append(item)
    plans = {item.plan_id: item.plan for item in items}
    detention_ids = [plan.detention_id for plan in plans.values()]
    # The SIAE of a plan is told while the person's consent to share with it runs (IAE-06).
    shared = set(
        Parcours.objects.filter(detention_id__in=detention_ids)
        .with_running_consent()
        .values_list("detention_id", "site__siae_id")
    )
    siae_ids = {plan.site.siae_id for plan in plans.values() if plan.site_id}
    coaches = defaultdict(list)
    for coach in User.objects.filter(
        role=Role.SIAE_COACH, is_active=True, organisation_id__in=siae_ids
    ).select_related("organisation"):
        coaches[coach.organisation_id].append(coach)
    for plan_id, plan_items in by_plan.items():
        plan = plans[plan_id]
        _notices_for(plan, plan_items, due, today, shared, coaches, notices)


def _spip_readers(plan: ExitPlan, today: dt.date) -> list[User]:
    detention = plan.detention
    if not detention.measure_runs(today):
        return []  # the SPIP no longer follows the person (JUS-13)
    reader = detention.cpip or detention.spip.referent
    return [reader] if reader else []


def _notices_for(plan, items, due, today, shared, coaches, notices: list[Notice]) -> None:
    readers: dict[int, tuple[User, list[ExitItem]]] = {}

    def add(users, side):
        for user in users:
            readable = categories_for(user, plan)
            seen = [
                item
                for item in items
                if item.owner in side
                and (item.spec.category is None or item.spec.category in readable)
            ]
            if seen:
                known = readers.setdefault(user.pk, (user, []))[1]
                known += [item for item in seen if item not in known]

    add(_spip_readers(plan, today), SPIP_SIDE)
    if plan.site_id and (plan.detention_id, plan.site.siae_id) in shared:
        add(coaches.get(plan.site.siae_id, []), SIAE_SIDE)
    # Readers told of the same items share one notice (one in-app row each).
    groups: dict[tuple, list[User]] = defaultdict(list)
    for user, seen in readers.values():
        groups[tuple(sorted(item.pk for item in seen))].append(user)
    by_pk = {item.pk: item for item in items}
    order = list(ITEMS)
    for pks, users in groups.items():
        seen = sorted((by_pk[pk] for pk in pks), key=lambda item: order.index(item.kind))
        notices.append(late_notice(plan, seen, due, users))


def late_message(plan: ExitPlan, items: list[ExitItem], due: dict[int, dt.date]) -> str:
    """The in-app text (read in Relais: it names the person and the items)."""
    what = "; ".join(
        f"{item.get_kind_display()} (à faire avant le {due[item.pk]:%d/%m/%Y})" for item in items
    )
    return (
        f"{count_of(len(items), 'démarche', 'démarches')} du plan de sortie en retard pour "
        f"{plan.person} : {what}."
    )


def late_notice(plan: ExitPlan, items: list[ExitItem], due, recipients) -> Notice:
    detention = plan.detention
    return Notice(
        recipients,
        message=late_message(plan, items, due),
        mail=(
            f"{count_of(len(items), 'démarche', 'démarches')} du plan de sortie en retard pour "
            f"une personne sortant de {detention.establishment}."
        ),
        link=reverse("exitplan:plan", kwargs={"detention_pk": plan.detention_id}),
        link_label="Voir le plan de sortie",
    )

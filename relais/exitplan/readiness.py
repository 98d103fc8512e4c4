"""The readiness of many exits at once (EXIT-02), for the release pipeline and its export.

`readiness_by_detention(user, rows, today=)` reads the plans of the given detentions and their
items in two queries whatever their number, and counts, for each, only the items `user` may
see (the `items_for` rule: `categories_for`). No person is loaded (a loaded person is a read,
SEC-01).

The release date a plan is ready for is `plan_release`, from the detention's dates only, so
that a batch needs no plan object per row.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from .enums import PlanState
from .models import ExitItem, ExitPlan, Readiness, categories_for, plan_release, readiness


def _rows(rows) -> dict[int, tuple]:
    """{detention id: (detention or None, housing reading or None, secured or None)} from
    pipeline lines (`.detention`, `.housing`), dues (`.detention_id`, `.housing`) or
    (detention id, release, housing secured) triples."""
    result = {}
    for row in rows:
        if isinstance(row, tuple):
            detention_id, release, secured = row
            result[detention_id] = (None, None, (release, secured))
        elif hasattr(row, "detention"):
            result[row.detention.pk] = (row.detention, row.housing, None)
        else:
            result[row.detention_id] = (None, row.housing, (row.due_on, row.secured))
    return result


def readiness_by_detention(user, rows: Iterable, *, today: dt.date) -> dict[int, Readiness]:
    """{detention id: Readiness} for each row, as `user` sees the plan (two queries).

    A detention whose plan is not opened (or not shared with `user`) reads "plan non ouvert",
    with its housing. The housing is the row's own reading, secured by the plan's release
    date (`Housing.secured_by`)."""
    given = _rows(rows)
    if not given:
        return {}
    plans = {
        plan.detention_id: plan
        for plan in ExitPlan.objects.visible_to(user)
        .filter(detention_id__in=list(given))
        .select_related("detention")  # its dates and SPIP; not its person
    }
    items = defaultdict(list)
    for item in ExitItem.objects.filter(plan_id__in=[p.pk for p in plans.values()]).only(
        "id", "plan_id", "kind", "state"
    ):
        items[item.plan_id].append(item)
    result = {}
    for detention_id, (detention, housing, fallback) in given.items():
        plan = plans.get(detention_id)
        detention = plan.detention if plan else detention
        if housing is not None and detention is not None:
            release = plan_release(detention, today)
            secured = housing.secured_by(release)
        else:  # told by the row: a triple, or a due without a plan (its own reading)
            release, secured = fallback
        if plan is None:
            result[detention_id] = Readiness(opened=False, housing=secured)
            continue
        readable = categories_for(user, plan)
        seen = [
            item
            for item in items[plan.pk]
            if item.spec.category is None or item.spec.category in readable
        ]
        result[detention_id] = readiness(
            seen,
            housing=secured,
            release=release,
            today=today,
            closed=plan.state != PlanState.OPEN,
        )
    return result


# -- the pipeline's filter ----------------------------------------------------------------------

INCOMPLETE = "incomplet"
LATE = "en_retard"
NOT_OPENED = "non_ouvert"
PLAN_FILTERS = [
    (INCOMPLETE, "Incomplet"),
    (LATE, "Avec des démarches en retard"),
    (NOT_OPENED, "Non ouvert"),
]


def matches(ready: Readiness, choice: str) -> bool:
    """Whether a readiness answers the pipeline's "Plan de sortie" filter."""
    match choice:
        case "incomplet":
            return ready.opened and not ready.complete
        case "en_retard":
            return ready.late > 0
        case "non_ouvert":
            return not ready.opened
    return True

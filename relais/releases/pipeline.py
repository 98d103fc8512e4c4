"""The release pipeline (JUS-06): everyone due out of detention in the coming months, with
where their housing solution stands, most urgent first.

Who is in it is read through `Detention.objects.visible_to(user)`: the CPIP sees its SPIP's
detentions, the SIAO its territory's. A person still in detention is in it as soon as their
earliest possible release (`due_on`: the earliest of the end date and the LSC dates) falls
within the horizon — including a date already passed, the most urgent of all. Nobody due out
within the horizon is left out (tests/releases/test_pipeline.py builds every case).

Two steps, each a fixed number of queries whatever the number of detentions: `due_out()`
sorts and filters light rows (no person loaded: a loaded person is a read, SEC-01), and
`lines_of()` loads the persons, establishments, housing and adjustments of the rows actually
shown (a page, or an export).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils import timezone

from relais.core.text import count_of
from relais.justice.dates import add_months
from relais.justice.enums import AdjustmentState, DetentionState
from relais.justice.models import Detention, SentenceAdjustment

from .housing import Housing, Solution, housing_of

DEFAULT_MONTHS = 12
# The longest request threshold a territory may set (Territory.request_threshold_months).
MAX_THRESHOLD_MONTHS = 36


@dataclass(slots=True)
class Due:
    """One person due out, as much as sorting and filtering need."""

    detention_id: int
    due_on: dt.date
    days_left: int
    # Remaining time to due_on at most the territory's request threshold (JUS-02).
    within_threshold: bool
    housing: Housing
    # Housing acquired for the earliest possible release (Housing.secured_by(due_on)).
    secured: bool = False

    def __post_init__(self) -> None:
        self.secured = self.housing.secured_by(self.due_on)

    @property
    def urgent(self) -> bool:
        return self.within_threshold and not self.secured

    def sort_key(self) -> tuple:
        return (self.secured or not self.within_threshold, self.days_left, self.detention_id)


@dataclass(frozen=True)
class Line:
    """One line of the pipeline as shown: the detention with its person, establishment and
    CPIP loaded, and the adjustment in view."""

    due: Due
    detention: Detention
    adjustment: SentenceAdjustment | None
    # The full reading, with the request and the orientation (and its structure).
    housing: Housing
    # The readiness of the person's exit plan (EXIT-02), filled by the screens that show it
    # (relais.exitplan.readiness): the releases know nothing of the plans.
    readiness: object = None

    @property
    def person(self):
        return self.detention.person

    @property
    def days_left(self) -> int:
        return self.due.days_left

    @property
    def overdue(self) -> bool:
        return self.due.days_left < 0

    @property
    def days_left_label(self) -> str:
        """ "dans 12 jours", "aujourd'hui", "dépassée de 3 jours"."""
        days = self.due.days_left
        if days == 0:
            return "aujourd'hui"
        if days > 0:
            return f"dans {count_of(days, 'jour')}"
        return f"dépassée de {count_of(-days, 'jour')}"

    @property
    def secured(self) -> bool:
        return self.due.secured

    @property
    def urgent(self) -> bool:
        return self.due.urgent

    @property
    def lsc_examination_secured(self) -> bool | None:
        day = self.detention.lsc_examination_on
        return None if day is None else self.housing.secured_by(day)

    @property
    def lsc_automatic_secured(self) -> bool | None:
        day = self.detention.lsc_automatic_on
        return None if day is None else self.housing.secured_by(day)


def in_detention(user):
    """The detentions of the user's scope still in detention: the pipeline's population."""
    return Detention.objects.visible_to(user).filter(state=DetentionState.IN_DETENTION)


def horizon(today: dt.date, months: int) -> dt.date:
    return add_months(today, months)


def due_out(
    user,
    *,
    today: dt.date | None = None,
    months: int = DEFAULT_MONTHS,
    establishment_id: int | None = None,
    cpip_id: int | None = None,
    solution: str | None = None,
    month: tuple[int, int] | None = None,
    overdue: bool = False,
) -> list[Due]:
    """Everyone in the user's scope still in detention whose earliest release falls within
    `months` months (or has passed), most urgent first: those within their territory's
    request threshold without housing secured, then everyone by days left.

    Filters: the establishment, the CPIP, the state of the housing solution, the (year,
    month) of the earliest release, or `overdue` (that date already passed). Four queries.
    """
    today = today or timezone.localdate()
    rows = in_detention(user).filter(due_on__isnull=False, due_on__lte=horizon(today, months))
    if establishment_id:
        rows = rows.filter(establishment_id=establishment_id)
    if cpip_id:
        rows = rows.filter(cpip_id=cpip_id)
    if month:
        rows = rows.filter(due_on__year=month[0], due_on__month=month[1])
    if overdue:
        rows = rows.filter(due_on__lt=today)
    housings = housing_of(rows.order_by().values_list("id", flat=True), light=True)
    rows = rows.order_by().values_list("id", "due_on", "territory__request_threshold_months")
    thresholds: dict[int, dt.date] = {}
    result = []
    for detention_id, due_on, threshold_months in rows:
        if threshold_months not in thresholds:
            thresholds[threshold_months] = horizon(today, threshold_months)
        housing = housings.get(detention_id)
        if housing is None:  # in detention since the housing was read: read on the next load
            continue
        if solution and housing.solution != solution:
            continue
        result.append(
            Due(
                detention_id=detention_id,
                due_on=due_on,
                days_left=(due_on - today).days,
                within_threshold=due_on <= thresholds[threshold_months],
                housing=housing,
            )
        )
    result.sort(key=Due.sort_key)
    return result


def lines_of(dues: Sequence[Due]) -> list[Line]:
    """The lines shown for these rows, in their order (four queries)."""
    ids = [due.detention_id for due in dues]
    housings = housing_of(ids)
    detentions = Detention.objects.select_related("person", "establishment", "cpip").in_bulk(ids)
    adjustments: dict[int, SentenceAdjustment] = {}
    for adjustment in (
        SentenceAdjustment.objects.filter(detention_id__in=ids)
        .exclude(state=AdjustmentState.WITHDRAWN)
        .order_by("id")
    ):
        adjustments[adjustment.detention_id] = adjustment  # the latest wins
    return [
        Line(
            due=due,
            detention=detentions[due.detention_id],
            adjustment=adjustments.get(due.detention_id),
            housing=housings[due.detention_id],
        )
        for due in dues
    ]


def awaiting_request(user, *, today: dt.date | None = None) -> list[Line]:
    """JUS-02: the detainees of the user's scope who crossed their territory's request
    threshold with no live request for their detention, most urgent first."""
    territory = user.organisation.territory if user.organisation_id else None
    months = territory.request_threshold_months if territory else MAX_THRESHOLD_MONTHS
    dues = due_out(user, today=today, months=months, solution=Solution.NO_REQUEST)
    return lines_of([due for due in dues if due.within_threshold])

"""AVDL Justice (JUS-11, seed 001): a worker attached to the SIAO accompanies people leaving
detention towards and into housing. A measure starts on entry into housing, runs 2 months,
is renewable (each renewal adds 2 months, with its reason) and ends on its end date or
earlier, with a reason. A worker holds at most 20 active measures.

The limit of 20 is the database's, not only this module's: each active measure holds one of
the worker's 20 `slot`s (a CheckConstraint keeps the number in 1..20, a partial
UniqueConstraint gives a slot to one active measure at a time). Two SIAO operators who assign
a worker's last slot at once both pick it; the database lets one insert through and refuses
the other, who is then told in French that the caseload is full. This holds on SQLite (one
writer at a time) as on PostgreSQL (the second insert waits on the unique index, then fails).

Who reads a measure is `HousingSupportMeasure.objects.visible_to(user)`, the one rule:
- the SIAO of the measure's territory, and the worker who holds it;
- the CPIP of the SPIP following the person's detention, while the judicial measure runs
  (JUS-13) — the CPIP learns that the measure exists and its dates, not the reasons written
  by the SIAO and the worker (`reads_details`).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import Territory, User
from relais.core.inputs import FIRST_RECORD_DAY, in_range, plausible_dates
from relais.core.transitions import (
    INITIAL,
    StateEvent,
    Stateful,
    StatefulQuerySet,
    TransitionNotAllowed,
    Workflow,
    lock,
    noon_of,
    transition,
)
from relais.justice.dates import add_months
from relais.justice.models import Detention
from relais.orientations.models import Orientation
from relais.persons.models import Person

from .enums import (
    MAX_ACTIVE_MEASURES,
    MEASURE_MONTHS,
    CloseReason,
    MeasureEventKind,
    MeasureState,
)

State = MeasureState
# The roles a worker attached to the SIAO holds (no role of its own: JUS-11).
WORKER_ROLES = {Role.SOCIAL_WORKER, Role.SIAO_OPERATOR}
FULL = (
    "Ce travailleur suit déjà {max} mesures AVDL Justice en cours, le maximum : terminez ou "
    "arrêtez l'une d'elles, ou choisissez un autre travailleur."
)


def full_message() -> str:
    return FULL.format(max=MAX_ACTIVE_MEASURES)


class CaseloadFull(TransitionNotAllowed):
    """The worker already holds the maximum of active measures."""


class PersonHasMeasure(TransitionNotAllowed):
    """The person already has an active measure."""


# ---------------------------------------------------------------------------------------------
# The worker
# ---------------------------------------------------------------------------------------------


class WorkerQuerySet(models.QuerySet):
    def visible_to(self, user) -> "WorkerQuerySet":
        """The SIAO sees its territory's workers; a worker sees themself."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if user.role == Role.SIAO_OPERATOR and user.organisation_id:
            return self.filter(territory_id=user.organisation.territory_id)
        return self.filter(user_id=user.pk)

    def designated(self) -> "WorkerQuerySet":
        return self.filter(designated=True, user__is_active=True)


class Worker(models.Model):
    """A user of the SIAO designated as AVDL Justice worker (a social worker or an operator
    of the SIAO organisation)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="travailleur",
        on_delete=models.PROTECT,
        related_name="avdl_worker",
        limit_choices_to={"role__in": WORKER_ROLES, "organisation__kind": OrganisationKind.SIAO},
    )
    territory = models.ForeignKey(
        Territory, verbose_name="territoire", on_delete=models.PROTECT, editable=False
    )
    designated = models.BooleanField(
        "désigné travailleur AVDL Justice",
        default=True,
        help_text="Décocher quand la personne ne reçoit plus de nouvelles mesures.",
    )
    designated_on = models.DateField("désigné le", default=timezone.localdate)

    objects = WorkerQuerySet.as_manager()

    class Meta:
        verbose_name = "travailleur AVDL Justice"
        verbose_name_plural = "travailleurs AVDL Justice"
        ordering = ["user__last_name", "user__first_name", "id"]

    def __str__(self) -> str:
        return str(self.user)

    def save(self, *args, **kwargs) -> None:
        if self.user_id and not self.territory_id:
            self.territory_id = (
                User.objects.filter(pk=self.user_id)
                .values_list("organisation__territory_id", flat=True)
                .get()
            )
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        user = self.user if self.user_id else None
        if user is None:
            return
        if (
            user.role not in WORKER_ROLES
            or not user.organisation_id
            or user.organisation.kind != OrganisationKind.SIAO
        ):
            raise ValidationError(
                {
                    "user": "Le travailleur AVDL Justice est rattaché au SIAO : choisissez un "
                    "travailleur social ou un opérateur du SIAO."
                }
            )

    def active_count(self) -> int:
        return self.measures.filter(state=State.ACTIVE).count()


def designation_candidates(user):
    """The people of the SIAO `user` may designate as AVDL Justice workers: the active social
    workers and operators of the SIAO organisations of their territory, not designated yet."""
    if not (user.is_superuser or user.role == Role.SIAO_OPERATOR):
        return User.objects.none()
    candidates = (
        User.objects.people()
        .filter(is_active=True, role__in=WORKER_ROLES, organisation__kind=OrganisationKind.SIAO)
        .exclude(pk__in=Worker.objects.filter(designated=True).values("user_id"))
    )
    if not user.is_superuser:
        candidates = candidates.filter(organisation__territory_id=user.organisation.territory_id)
    return candidates.select_related("organisation").order_by("last_name", "first_name", "id")


def worker_of(user) -> Worker | None:
    """The user's designation as AVDL Justice worker, if any."""
    if not user.is_authenticated:
        return None
    return Worker.objects.filter(user_id=user.pk).first()


# ---------------------------------------------------------------------------------------------
# The measure
# ---------------------------------------------------------------------------------------------


def _runs_it(measure, user) -> bool:
    """Who renews and ends a measure: the SIAO of its territory, the worker who holds it."""
    return user.is_siao_of(measure.territory_id) or measure.worker.user_id == user.pk


class MeasureQuerySet(StatefulQuerySet):
    def visible_to(self, user) -> "MeasureQuerySet":
        """The one rule of who reads a measure (see the module docstring)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        own = Q(worker__user_id=user.pk)
        if not user.organisation_id:
            return self.filter(own)
        match user.role:
            case Role.SIAO_OPERATOR:
                return self.filter(Q(territory_id=user.organisation.territory_id) | own)
            case Role.CPIP:
                running = Detention.objects.measure_running().filter(
                    pk=OuterRef("detention_id"), spip_id=user.organisation_id
                )
                return self.filter(Exists(running))
            case _:
                return self.filter(own)

    def active(self) -> "MeasureQuerySet":
        return self.filter(state=State.ACTIVE)

    def active_on(self, day: dt.date) -> "MeasureQuerySet":
        """The measures that ran on `day`, recomputed from their dates: started on or before
        it, and not ended by then (a measure ends on its `ended_on`, which is no longer a day
        of support; one still open ends on its `ends_on`)."""
        return self.filter(starts_on__lte=day).filter(
            Q(ended_on__gt=day) | Q(ended_on__isnull=True, ends_on__gt=day)
        )

    def ending_by(self, day: dt.date) -> "MeasureQuerySet":
        """Active measures whose end date is `day` or earlier (to be ended)."""
        return self.active().filter(ends_on__lte=day)


class HousingSupportMeasure(Stateful):
    """One AVDL Justice measure: a worker accompanies a person with a justice background
    from their entry into housing."""

    worker = models.ForeignKey(
        Worker, verbose_name="travailleur AVDL", on_delete=models.PROTECT, related_name="measures"
    )
    person = models.ForeignKey(
        Person, verbose_name="personne", on_delete=models.PROTECT, related_name="avdl_measures"
    )
    detention = models.ForeignKey(
        Detention,
        verbose_name="détention",
        on_delete=models.PROTECT,
        related_name="avdl_measures",
    )
    territory = models.ForeignKey(
        Territory, verbose_name="territoire", on_delete=models.PROTECT, editable=False
    )
    # Entry into housing: a stay recorded in Relais (the start is its arrival), or housing
    # outside Relais (a lease, a social residence…) whose entry date is typed.
    orientation = models.ForeignKey(
        Orientation,
        verbose_name="séjour dans une structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="avdl_measures",
    )
    housing = models.CharField("logement", max_length=200, blank=True)
    state = models.CharField(
        "état", max_length=10, choices=State.choices, default=State.ACTIVE, editable=False
    )
    # Which of the worker's 20 places the measure takes while it runs (see the docstring).
    slot = models.PositiveSmallIntegerField("place dans la file active", null=True, editable=False)
    starts_on = models.DateField("entrée dans le logement le", editable=False)
    ends_on = models.DateField("échéance", editable=False)
    renewals = models.PositiveSmallIntegerField("renouvellements", default=0, editable=False)
    ended_on = models.DateField("fin le", null=True, blank=True, editable=False)
    close_reason = models.CharField(
        "motif de l'arrêt", max_length=20, choices=CloseReason.choices, blank=True, editable=False
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="attribuée par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("enregistrée le", default=timezone.now, editable=False)

    objects = MeasureQuerySet.as_manager()

    E = MeasureEventKind
    workflow = Workflow(
        transition(E.ASSIGNED, "Attribuer une mesure", sources=[INITIAL], target=State.ACTIVE),
        transition(
            E.RENEWED,
            "Renouveler pour 2 mois",
            sources=[State.ACTIVE],
            target=State.ACTIVE,
            may=_runs_it,
            denied="Seuls le SIAO et le travailleur AVDL renouvellent la mesure.",
        ),
        transition(
            E.ENDED,
            "Terminer à l'échéance",
            sources=[State.ACTIVE],
            target=State.ENDED,
            may=_runs_it,
            denied="Seuls le SIAO et le travailleur AVDL terminent la mesure.",
        ),
        transition(
            E.CLOSED,
            "Arrêter avant l'échéance",
            sources=[State.ACTIVE],
            target=State.CLOSED,
            may=_runs_it,
            denied="Seuls le SIAO et le travailleur AVDL arrêtent la mesure.",
        ),
    )
    del E

    class Meta:
        verbose_name = "mesure AVDL Justice"
        verbose_name_plural = "mesures AVDL Justice"
        ordering = ["ends_on", "id"]
        indexes = [models.Index(fields=["territory", "state", "ends_on"])]
        constraints = [
            # JUS-11: at most 20 active measures per worker, held by the database.
            in_range(
                "slot",
                1,
                MAX_ACTIVE_MEASURES,
                name="avdl_measure_slot_range",
                message=full_message(),
            ),
            models.UniqueConstraint(
                fields=["worker", "slot"],
                condition=Q(state=State.ACTIVE),
                name="avdl_measure_slot_once",
                violation_error_message=full_message(),
            ),
            models.CheckConstraint(
                condition=Q(state=State.ACTIVE, slot__isnull=False)
                | (~Q(state=State.ACTIVE) & Q(slot__isnull=True)),
                name="avdl_measure_active_holds_a_slot",
            ),
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state=State.ACTIVE),
                name="avdl_one_active_measure_per_person",
                violation_error_message="Cette personne a déjà une mesure AVDL Justice en cours.",
            ),
            *plausible_dates(
                "avdl_measure",
                starts_on=FIRST_RECORD_DAY,
                ends_on=FIRST_RECORD_DAY,
                ended_on=FIRST_RECORD_DAY,
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="avdl_measure_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(state=State.ACTIVE, ended_on__isnull=True)
                | (~Q(state=State.ACTIVE) & Q(ended_on__isnull=False)),
                name="avdl_measure_ended_has_date",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("starts_on")),
                name="avdl_measure_ended_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.CLOSED) | ~Q(close_reason=""),
                name="avdl_measure_closed_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(orientation__isnull=False) | ~Q(housing=""),
                name="avdl_measure_has_housing",
            ),
        ]

    def __str__(self) -> str:
        return f"Mesure AVDL Justice de {self.person}"

    # -- reading -------------------------------------------------------------------------

    @property
    def is_active(self) -> bool:
        return self.state == State.ACTIVE

    def reads_details(self, user) -> bool:
        """The reasons and notes are the SIAO's and the worker's; the CPIP reads the dates."""
        return user.is_superuser or _runs_it(self, user)

    def housing_label(self) -> str:
        if self.orientation_id:
            return str(self.orientation.structure)
        return self.housing

    def days_left(self, on: dt.date | None = None) -> int:
        return (self.ends_on - (on or timezone.localdate())).days

    # -- transitions ---------------------------------------------------------------------

    @staticmethod
    def free_slot(worker: Worker) -> int:
        """The worker's lowest free place in the active caseload; refused when all 20 are
        taken (the database enforces it again at the insert)."""
        taken = set(
            HousingSupportMeasure.objects.filter(worker=worker, state=State.ACTIVE).values_list(
                "slot", flat=True
            )
        )
        for slot in range(1, MAX_ACTIVE_MEASURES + 1):
            if slot not in taken:
                return slot
        raise CaseloadFull(full_message())

    @staticmethod
    def start_refusal(starts_on: dt.date, *, today: dt.date | None = None) -> str:
        """A measure starts on entry into housing: not in the future, and not so long ago
        that its first 2 months are already over."""
        today = today or timezone.localdate()
        if starts_on > today:
            return "L'entrée dans le logement ne peut pas être dans le futur."
        if add_months(starts_on, MEASURE_MONTHS) <= today:
            return (
                f"Entrée le {starts_on:%d/%m/%Y} : les {MEASURE_MONTHS} mois de la mesure "
                "seraient déjà écoulés."
            )
        return ""

    @classmethod
    def assign(
        cls,
        *,
        worker: Worker,
        detention: Detention,
        by,
        orientation: Orientation | None = None,
        starts_on: dt.date | None = None,
        housing: str = "",
        note: str = "",
    ) -> "HousingSupportMeasure":
        """JUS-11: the SIAO gives a person to a worker, from their entry into housing (the
        arrival of a stay recorded in Relais, or the typed date of housing outside)."""
        if not by.is_siao_of(worker.territory_id):
            raise TransitionNotAllowed("Seul le SIAO attribue les mesures AVDL Justice.")
        if not worker.designated or not worker.user.is_active:
            raise TransitionNotAllowed("Ce travailleur n'est plus désigné pour l'AVDL Justice.")
        if detention.territory_id != worker.territory_id:
            raise TransitionNotAllowed("La détention est suivie dans un autre territoire.")
        if orientation is not None:
            if orientation.request.person_id != detention.person_id:
                raise TransitionNotAllowed("Ce séjour est celui d'une autre personne.")
            if orientation.stay_started_at is None:
                raise TransitionNotAllowed("La personne n'est pas encore entrée dans ce logement.")
            starts_on = timezone.localdate(orientation.stay_started_at)
            housing = ""
        elif not housing or starts_on is None:
            raise TransitionNotAllowed(
                "Indiquez le séjour de la personne, ou son logement et la date d'entrée."
            )
        refusal = cls.start_refusal(starts_on)
        if refusal:
            raise TransitionNotAllowed(refusal)
        values = {
            "worker": worker,
            "person_id": detention.person_id,
            "detention": detention,
            "territory_id": worker.territory_id,
            "orientation": orientation,
            "housing": housing,
            "starts_on": starts_on,
            "ends_on": add_months(starts_on, MEASURE_MONTHS),
            "assigned_by": by,
        }
        # Assignments to one worker queue on the worker's row (SELECT … FOR UPDATE; SQLite's
        # write lock), so each reads the caseload the one before left. Should two inserts
        # still pick one slot, the database refuses the second, which reads again.
        for _ in range(3):
            cls._refuse_second_measure(detention.person_id)
            try:
                with transaction.atomic():
                    lock(worker)
                    measure, _ = cls._create(
                        MeasureEventKind.ASSIGNED,
                        by=by,
                        at=noon_of(starts_on),
                        note=note,
                        data={
                            "on": starts_on.isoformat(),
                            "ends_on": values["ends_on"].isoformat(),
                        },
                        values={**values, "slot": cls.free_slot(worker)},
                    )
                return measure
            except IntegrityError:
                continue
        cls._refuse_second_measure(detention.person_id)
        raise CaseloadFull(full_message())

    @classmethod
    def _refuse_second_measure(cls, person_id: int) -> None:
        if cls.objects.active().filter(person_id=person_id).exists():
            raise PersonHasMeasure("Cette personne a déjà une mesure AVDL Justice en cours.")

    def _step(self, name: str, *, by, on: dt.date, note: str = "", data=None, **changes):
        step = self.workflow[name]
        if by is not None and not step.may(self, by):
            raise TransitionNotAllowed(step.denied)
        data = {**(data or {}), "on": on.isoformat()}
        return self._apply(name, by=by, at=noon_of(on), note=note, data=data, **changes)

    def renew(self, *, reason: str, by, on: dt.date | None = None):
        """Two more months from the current end date; the reason is kept with the event."""
        reason = reason.strip()
        if not reason:
            raise TransitionNotAllowed("Indiquez le motif du renouvellement.")
        new_end = add_months(self.ends_on, MEASURE_MONTHS)
        return self._step(
            MeasureEventKind.RENEWED,
            by=by,
            on=on or timezone.localdate(),
            note=reason,
            data={"from": self.ends_on.isoformat(), "to": new_end.isoformat()},
            ends_on=new_end,
            renewals=self.renewals + 1,
        )

    def end(self, *, today: dt.date | None = None, by=None):
        """The end date came: the measure ends on it and frees its slot (the daily job)."""
        if self.ends_on > (today or timezone.localdate()):
            raise TransitionNotAllowed(f"La mesure court jusqu'au {self.ends_on:%d/%m/%Y}.")
        return self._step(
            MeasureEventKind.ENDED,
            by=by,
            on=self.ends_on,
            ended_on=self.ends_on,
            slot=None,
        )

    def close(self, *, on: dt.date, reason: str, by, note: str = ""):
        """Stop before the end date, with a reason; the slot is freed at once."""
        if reason not in CloseReason.values:
            raise TransitionNotAllowed("Indiquez le motif de l'arrêt.")
        if reason == CloseReason.OTHER and not note.strip():
            raise TransitionNotAllowed("Précisez le motif de l'arrêt.")
        if on < self.starts_on:
            raise TransitionNotAllowed(
                f"L'arrêt ne peut pas précéder l'entrée dans le logement ({self.starts_on:%d/%m/%Y})."
            )
        if on > timezone.localdate():
            raise TransitionNotAllowed("La date d'arrêt ne peut pas être dans le futur.")
        if on >= self.ends_on:
            raise TransitionNotAllowed(
                f"La mesure prend fin le {self.ends_on:%d/%m/%Y} : elle n'est pas arrêtée avant."
            )
        return self._step(
            MeasureEventKind.CLOSED,
            by=by,
            on=on,
            note=note,
            data={"reason": reason},
            ended_on=on,
            close_reason=reason,
            slot=None,
        )


class MeasureEvent(StateEvent):
    measure = models.ForeignKey(
        HousingSupportMeasure, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("étape", max_length=20, choices=MeasureEventKind.choices)

    class Meta(StateEvent.Meta):
        verbose_name = "étape de la mesure AVDL Justice"

    def _day(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        return dt.date.fromisoformat(value) if value else None

    @property
    def on(self) -> dt.date | None:
        return self._day("on")

    @property
    def new_end(self) -> dt.date | None:
        return self._day("to")

    def reason_label(self) -> str:
        reason = self.data.get("reason")
        return CloseReason(reason).label if reason in CloseReason.values else ""


class EndAlert(models.Model):
    """The worker and the SIAO were told, once per measure and end date, that the measure
    ends soon; a renewal moves the end date and alerts again."""

    measure = models.ForeignKey(
        HousingSupportMeasure, on_delete=models.CASCADE, related_name="end_alerts"
    )
    ends_on = models.DateField("échéance")
    alerted_on = models.DateField("alerté le")

    class Meta:
        verbose_name = "alerte d'échéance AVDL"
        constraints = [
            models.UniqueConstraint(fields=["measure", "ends_on"], name="avdl_end_alert_once")
        ]

    def __str__(self) -> str:
        return f"Alerte du {self.alerted_on:%d/%m/%Y}"

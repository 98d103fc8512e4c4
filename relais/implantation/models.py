"""IAE-09: the implantation of an SIAE in a prison, one project per establishment, through the
six steps of seed 003 §E and the administrative acts of its step 5 (relais/implantation/
constants.py holds the guide; the rows here hold what happened).

The implantation is the business of the prison administration (the establishment, the DISP),
the SPIP, the SIAE and the State service (DDETS, DREETS): `ImplantationProject.objects.
visible_to(user)` says who reads a project, `may_change(user)` who moves it on, and
`ActParty.may_record(user)` who records a signature or a sending.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import Organisation, Territory
from relais.core.inputs import FIRST_RECORD_DAY, LAST_DAY, date_validators, plausible_dates
from relais.core.transitions import (
    INITIAL,
    StateEvent,
    Stateful,
    StatefulQuerySet,
    TransitionNotAllowed,
    Workflow,
    transition,
)
from relais.justice.dates import add_months

from . import constants
from .enums import ActKind, ActStatus, Party, PartyRole, StepEventKind, StepStatus

# Who reads the projects of their organisation (prison, SPIP, SIAE) or territory (State).
SIAE_ROLES = {Role.SIAE_COACH, Role.SIAE_SUPERVISOR}
TERRITORY_ROLES = {Role.STATE_SERVICE, Role.TERRITORY_ADMIN}
READER_ROLES = {Role.PRISON_STAFF, Role.CPIP, *SIAE_ROLES, *TERRITORY_ROLES}
# Who creates a project and moves its steps on.
WRITER_ROLES = {Role.PRISON_STAFF, *TERRITORY_ROLES}


def _date(label: str, **kwargs) -> models.DateField:
    return models.DateField(label, validators=date_validators(FIRST_RECORD_DAY, LAST_DAY), **kwargs)


def _day(value: dt.date) -> str:
    return value.strftime("%d/%m/%Y")


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProjectQuerySet":
        """The establishment's staff, the CPIPs of the SPIP working there, the staff of the
        project's SIAE, the State service and the administrator of its territory, the
        superuser. Nobody else reads a project."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not user.organisation_id:
            return self.none()
        org = user.organisation_id
        match user.role:
            case Role.PRISON_STAFF:
                return self.filter(establishment_id=org)
            case Role.CPIP:
                return self.filter(establishment__spip_id=org)
            case Role.SIAE_COACH | Role.SIAE_SUPERVISOR:
                return self.filter(siae_id=org)
            case Role.STATE_SERVICE | Role.TERRITORY_ADMIN:
                return self.filter(territory_id=user.organisation.territory_id)
            case _:
                return self.none()


def may_create(user) -> bool:
    """Who opens a project: the prison's staff, the State service, the territory's
    administrator, the superuser (the establishments each may choose: `creatable_for`)."""
    return user.is_superuser or (user.organisation_id is not None and user.role in WRITER_ROLES)


def establishments_for(user) -> models.QuerySet:
    """The prisons `user` may open a project in."""
    prisons = Organisation.objects.filter(kind=OrganisationKind.PRISON).order_by("name")
    if user.is_superuser:
        return prisons
    if not may_create(user):
        return prisons.none()
    if user.role == Role.PRISON_STAFF:
        return prisons.filter(pk=user.organisation_id)
    return prisons.filter(territory_id=user.organisation.territory_id)


class ImplantationProject(models.Model):
    territory = models.ForeignKey(
        Territory,
        verbose_name="territoire",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    establishment = models.ForeignKey(
        Organisation,
        verbose_name="établissement pénitentiaire",
        on_delete=models.PROTECT,
        related_name="implantation_projects",
        limit_choices_to={"kind": OrganisationKind.PRISON},
    )
    siae = models.ForeignKey(
        Organisation,
        verbose_name="SIAE",
        on_delete=models.PROTECT,
        related_name="implantations",
        null=True,
        blank=True,
        limit_choices_to={"kind": OrganisationKind.SIAE},
        help_text="À indiquer une fois la SIAE trouvée (étape 2).",
    )
    activity = models.CharField("activité support", max_length=200, blank=True)
    lead_name = models.CharField(
        "chef de projet",
        max_length=150,
        help_text="Le guide recommande un chef de projet commun au SPIP et à l'établissement.",
    )
    started_on = _date("démarrage du projet")
    target_opening_on = _date("ouverture de l'atelier visée", null=True, blank=True)
    notes = models.TextField("notes", blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créé par",
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = "projet d'implantation"
        ordering = ["-started_on", "-id"]
        constraints = [
            *plausible_dates(
                "implantation", started_on=FIRST_RECORD_DAY, target_opening_on=FIRST_RECORD_DAY
            ),
            models.CheckConstraint(
                condition=Q(target_opening_on__isnull=True)
                | Q(target_opening_on__gte=F("started_on")),
                name="implantation_opening_after_start",
                violation_error_message=(
                    "L'ouverture visée ne peut pas précéder le démarrage du projet."
                ),
            ),
        ]

    def __str__(self) -> str:
        siae = f" avec {self.siae}" if self.siae_id else ""
        return f"Implantation d'une SIAE à {self.establishment}{siae}"

    def save(self, *args, **kwargs) -> None:
        if self.establishment_id:
            self.territory_id = Organisation.objects.values_list("territory_id", flat=True).get(
                pk=self.establishment_id
            )
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.establishment_id and self.establishment.kind != OrganisationKind.PRISON:
            errors["establishment"] = "Choisissez un établissement pénitentiaire."
        if self.siae_id:
            if self.siae.kind != OrganisationKind.SIAE:
                errors["siae"] = "Choisissez une SIAE."
            elif (
                self.establishment_id and self.siae.territory_id != self.establishment.territory_id
            ):
                errors["siae"] = "Choisissez une SIAE du territoire de l'établissement."
        if self.started_on and self.target_opening_on and self.target_opening_on < self.started_on:
            errors["target_opening_on"] = (
                "L'ouverture visée ne peut pas précéder le démarrage du projet "
                f"({_day(self.started_on)})."
            )
        if errors:
            raise ValidationError(errors)

    # -- creation ----------------------------------------------------------------------------

    @classmethod
    def open(cls, *, by, **values) -> "ImplantationProject":
        """A new project with its six steps, all to do, and its five acts, one row per party
        of the table: what the checklist shows from the first day."""
        with transaction.atomic():
            project = cls(created_by=by, **values)
            project.full_clean()
            project.save()
            for guide in constants.STEPS:
                ImplantationStep.plan(project, number=guide.number, by=by)
            for kind in ActKind.values:
                act = ImplantationAct.objects.create(project=project, kind=kind)
                ActParty.objects.bulk_create(
                    [ActParty(act=act, party=party) for party in constants.ACT_TABLE[kind]]
                )
        return project

    # -- who -------------------------------------------------------------------------------

    def may_change(self, user) -> bool:
        """Who moves the project on (steps, edition, every party's dates): the establishment's
        staff, the State service and the administrator of its territory, the superuser."""
        if user.is_superuser:
            return True
        if not user.is_authenticated or not user.organisation_id:
            return False
        if user.role == Role.PRISON_STAFF:
            return user.organisation_id == self.establishment_id
        if user.role in TERRITORY_ROLES:
            return user.organisation.territory_id == self.territory_id
        return False

    # -- the checklist ---------------------------------------------------------------------

    def schedule(self, *, on: dt.date | None = None) -> list["StepPlan"]:
        """Each step with its expected end, from the previous steps' dates and the guide's
        durations, and whether it is late (`on`, default today, past its expected end)."""
        on = on or timezone.localdate()
        plans = []
        earliest = latest = self.started_on  # when the next step may start
        for step in sorted(self.steps.all(), key=lambda s: s.number):
            guide = step.guide
            start_early = start_late = step.started_on
            if start_early is None:
                start_early, start_late = earliest, latest
            if step.done_on:
                end_early = end_late = step.done_on
            elif guide.ends_at_opening:
                end_early = end_late = self.target_opening_on
            elif guide.max_months is not None:
                end_early = add_months(start_early, guide.min_months)
                end_late = add_months(start_late, guide.max_months)
            else:
                end_early = end_late = None
            late = step.status != StepStatus.DONE and end_late is not None and end_late < on
            plans.append(StepPlan(step, guide, end_early, end_late, late))
            # A step not done yet ends today at the earliest: the next one waits for it.
            if end_late is None:
                earliest = latest = on if step.status != StepStatus.DONE else step.done_on
            elif step.status == StepStatus.DONE:
                earliest = latest = step.done_on
            else:
                earliest, latest = max(end_early, on), max(end_late, on)
        return plans

    def acts_in_order(self) -> list["ImplantationAct"]:
        order = {kind: index for index, kind in enumerate(ActKind.values)}
        return sorted(self.acts.all(), key=lambda a: order[a.kind])

    def progress(self, *, on: dt.date | None = None) -> dict:
        """What the list shows: steps done out of 6, acts signed out of 5, steps late."""
        plans = self.schedule(on=on)
        acts = list(self.acts.all())
        return {
            "steps_done": sum(p.step.status == StepStatus.DONE for p in plans),
            "steps": len(plans),
            "acts_signed": sum(a.is_signed for a in acts),
            "acts": len(acts),
            "late": [p for p in plans if p.late],
        }

    def warnings(self) -> list[str]:
        """The guide's advice the project's dates do not follow (shown, never refused)."""
        found = []
        if self.target_opening_on:
            if self.target_opening_on < add_months(self.started_on, constants.OVERALL_MIN_MONTHS):
                found.append(
                    "L'ouverture visée arrive moins de 6 mois après le démarrage du projet ; le "
                    "guide prévoit 6 à 8 mois a minima de l'idée à la contractualisation."
                )
            if self.target_opening_on.month in constants.HOLIDAY_MONTHS:
                found.append(constants.OPENING_ADVICE)
        return found


@dataclass(frozen=True)
class StepPlan:
    step: "ImplantationStep"
    guide: constants.StepGuide
    expected_end_earliest: dt.date | None
    expected_end: dt.date | None  # at the latest
    late: bool


# -- the steps ----------------------------------------------------------------------------------


def _may_change_step(step, user) -> bool:
    return step.project.may_change(user)


class ImplantationStep(Stateful):
    """One of the six steps of a project; what it is (title, pilot, partners, duration) is the
    guide's (`guide`), what happened is here."""

    project = models.ForeignKey(
        ImplantationProject, verbose_name="projet", on_delete=models.CASCADE, related_name="steps"
    )
    number = models.PositiveSmallIntegerField(
        "étape", choices=[(g.number, f"Étape {g.number}") for g in constants.STEPS]
    )
    status = models.CharField(
        "état",
        max_length=12,
        choices=StepStatus.choices,
        default=StepStatus.TODO,
        editable=False,
    )
    started_on = _date("commencée le", null=True, blank=True, editable=False)
    done_on = _date("faite le", null=True, blank=True, editable=False)
    # Not "note": that is the event's (Stateful._apply(note=...)).
    notes = models.TextField("note", blank=True)

    objects = StatefulQuerySet.as_manager()

    S = StepStatus
    workflow = Workflow(
        transition(StepEventKind.PLANNED, "Prévoir l'étape", sources=[INITIAL], target=S.TODO),
        transition(
            StepEventKind.STARTED,
            "Commencer l'étape",
            sources=[S.TODO],
            target=S.IN_PROGRESS,
            may=_may_change_step,
        ),
        transition(
            StepEventKind.FINISHED,
            "Marquer l'étape comme faite",
            sources=[S.IN_PROGRESS],
            target=S.DONE,
            may=_may_change_step,
        ),
        transition(
            StepEventKind.REOPENED,
            "Rouvrir l'étape",
            sources=[S.DONE],
            target=S.IN_PROGRESS,
            may=_may_change_step,
        ),
        field="status",
    )
    del S

    class Meta:
        verbose_name = "étape"
        ordering = ["project", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="implantation_step_once"),
            *plausible_dates(
                "implantation_step", started_on=FIRST_RECORD_DAY, done_on=FIRST_RECORD_DAY
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=StepStatus.TODO, started_on__isnull=True, done_on__isnull=True)
                    | Q(
                        status=StepStatus.IN_PROGRESS,
                        started_on__isnull=False,
                        done_on__isnull=True,
                    )
                    | Q(status=StepStatus.DONE, started_on__isnull=False, done_on__isnull=False)
                ),
                name="implantation_step_status_dates",
                violation_error_message=(
                    "Une étape commencée a une date de début ; une étape faite, ses dates de "
                    "début et de fin ; une étape à faire, aucune."
                ),
            ),
            models.CheckConstraint(
                condition=Q(done_on__isnull=True) | Q(done_on__gte=F("started_on")),
                name="implantation_step_done_after_start",
                violation_error_message="Une étape ne peut pas finir avant d'avoir commencé.",
            ),
        ]

    def __str__(self) -> str:
        return f"Étape {self.number} — {self.guide.title}"

    @property
    def guide(self) -> constants.StepGuide:
        return constants.STEP_BY_NUMBER[self.number]

    @classmethod
    def plan(cls, project: ImplantationProject, *, number: int, by) -> "ImplantationStep":
        step, _ = cls._create(
            StepEventKind.PLANNED, by=by, values={"project": project, "number": number}
        )
        return step

    def date_refusal(self, name: str, on: dt.date | None, *, today: dt.date | None = None) -> str:
        """Why `on` cannot be the date of transition `name` (French), or "". The one place the
        dates of a step are checked: the form asks it, `take()` asks it again."""
        today = today or timezone.localdate()
        if name == StepEventKind.REOPENED:
            return ""
        if on is None:
            return "Indiquez la date."
        if on > today:
            return "Cette date est à venir : on enregistre une étape une fois le fait survenu."
        if on < self.project.started_on:
            return f"Cette date précède le démarrage du projet ({_day(self.project.started_on)})."
        if name == StepEventKind.FINISHED and self.started_on and on < self.started_on:
            return (
                "Une étape ne peut pas finir avant d'avoir commencé "
                f"(commencée le {_day(self.started_on)})."
            )
        return ""

    def take(
        self,
        name: str,
        *,
        by,
        on: dt.date | None = None,
        note: str = "",
        at: dt.datetime | None = None,
    ):
        """Start, finish or reopen the step on `on` (a reopened step keeps its start); `at`
        is when it was recorded (default now)."""
        refusal = self.date_refusal(name, on)
        if refusal:
            raise TransitionNotAllowed(refusal)
        changes: dict = {}
        if name == StepEventKind.STARTED:
            changes["started_on"] = on
        elif name == StepEventKind.FINISHED:
            changes["done_on"] = on
        elif name == StepEventKind.REOPENED:
            changes["done_on"] = None
        if note:
            changes["notes"] = note
        data = {"on": on.isoformat()} if on else {}
        return self._apply(name, by=by, at=at, note=note, data=data, **changes)


class StepEvent(StateEvent):
    step = models.ForeignKey(ImplantationStep, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("événement", max_length=20, choices=StepEventKind.choices)

    class Meta(StateEvent.Meta):
        verbose_name = "événement d'étape"


# -- the administrative acts -------------------------------------------------------------------


class ImplantationAct(models.Model):
    """One of the five acts of a project; it is signed when every signer of the table has
    signed (`status`, computed from its parties' dates, never typed)."""

    project = models.ForeignKey(
        ImplantationProject, verbose_name="projet", on_delete=models.CASCADE, related_name="acts"
    )
    kind = models.CharField("acte", max_length=25, choices=ActKind.choices)

    class Meta:
        verbose_name = "acte administratif"
        ordering = ["project", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="implantation_act_once")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def _dates(self) -> dict[str, dt.date | None]:
        return {row.party: row.on for row in self.parties.all()}

    @property
    def is_signed(self) -> bool:
        """Every signer of the table has a signing date (a signer without its row has not)."""
        dates = self._dates()
        return all(dates.get(party) for party in constants.signers(self.kind))

    @property
    def last_signed_on(self) -> dt.date | None:
        dates = self._dates()
        signed = [dates[p] for p in constants.signers(self.kind) if dates.get(p)]
        return max(signed) if signed else None

    @property
    def status(self) -> str:
        dates = self._dates()
        if not self.is_signed:
            if any(dates.get(p) for p in constants.signers(self.kind)):
                return ActStatus.SIGNING
            return ActStatus.TO_PREPARE
        if all(dates.get(p) for p in constants.recipients(self.kind)):
            return ActStatus.SENT
        return ActStatus.SIGNED

    def get_status_display(self) -> str:
        return ActStatus(self.status).label


class ActParty(models.Model):
    """One party of one act (a cell of the table): its signing date if it signs, the date the
    act was sent to it if it receives it."""

    act = models.ForeignKey(
        ImplantationAct, verbose_name="acte", on_delete=models.CASCADE, related_name="parties"
    )
    party = models.CharField("partie", max_length=10, choices=Party.choices)
    on = _date("date", null=True, blank=True, editable=False)
    recorded_at = models.DateTimeField("enregistrée le", null=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistrée par",
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        verbose_name = "partie à un acte"
        ordering = ["act", "id"]
        constraints = [
            models.UniqueConstraint(fields=["act", "party"], name="implantation_party_once"),
            *plausible_dates("implantation_party", on=FIRST_RECORD_DAY),
        ]

    def __str__(self) -> str:
        return f"{self.act} — {self.get_party_display()} ({self.role_label.lower()})"

    @property
    def cell(self) -> constants.Cell:
        return constants.cell(self.act.kind, self.party)

    @property
    def signs(self) -> bool:
        return self.cell.role == PartyRole.SIGNS

    @property
    def role_label(self) -> str:
        return PartyRole(self.cell.role).label

    def may_record(self, user) -> bool:
        """Who records this party's date: whoever moves the project on, and the staff of the
        project's SIAE for the SIAE's own signatures."""
        project = self.act.project
        if project.may_change(user):
            return True
        return (
            self.party == Party.SIAE
            and user.is_authenticated
            and user.role in SIAE_ROLES
            and project.siae_id is not None
            and user.organisation_id == project.siae_id
        )

    def date_refusal(self, on: dt.date | None, *, today: dt.date | None = None) -> str:
        """Why `on` cannot be recorded for this party (French), or "": the one place the dates
        of the acts are checked."""
        today = today or timezone.localdate()
        project = self.act.project
        if on is None:
            return "Indiquez la date."
        if on > today:
            return (
                "Cette date est à venir : on enregistre une signature ou un envoi une fois faits."
            )
        if on < project.started_on:
            return f"Cette date précède le démarrage du projet ({_day(project.started_on)})."
        if self.party == Party.SIAE and project.siae_id is None:
            return "Indiquez d'abord la SIAE du projet (modifier le projet)."
        if not self.signs:
            if not self.act.is_signed:
                missing = [
                    Party(p).label
                    for p in constants.signers(self.act.kind)
                    if not self.act._dates().get(p)
                ]
                return (
                    f"L'acte n'est pas encore signé (manque : {', '.join(missing)}) : "
                    "il se transmet une fois signé."
                )
            last = self.act.last_signed_on
            if last and on < last:
                return f"L'envoi ne peut pas précéder la dernière signature ({_day(last)})."
        return ""

    def record(self, on: dt.date, *, by) -> None:
        """Record the date, under a lock of the act (its status reads all its parties)."""
        with transaction.atomic():
            # Read the act again, without any prefetched parties: another signature may have
            # just been recorded.
            self.act = (
                ImplantationAct.objects.select_for_update()
                .select_related("project")
                .get(pk=self.act_id)
            )
            refusal = self.date_refusal(on)
            if refusal:
                raise TransitionNotAllowed(refusal)
            self.on = on
            self.recorded_at = timezone.now()
            self.recorded_by = by
            self.save(update_fields=["on", "recorded_at", "recorded_by"])

"""The monthly *commission justice* of a territory (JUS-10; seed 001: SPIP, AVDL, the SPIP's
social workers and the SIAO's workers who go into detention meet every month to keep an eye on
every SIAO request, far from release or near it).

A commission is planned by the SIAO or a CPIP, with the services invited to it. Its agenda is
built from the territory: every person in detention with an open request, every person
released within the follow-up window (`agenda.cases_on`). It records who was there, one
decision per case — an action, who carries it, by when — and, once held, its minutes are
validated: the decisions are then frozen. The actions not yet done carry over to the next
commissions of the territory until someone marks them done.

Who sees a commission is `Commission.objects.visible_to(user)`: the services taking part.
"""

import datetime as dt

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import Organisation, Territory
from relais.core.inputs import FIRST_RECORD_DAY, LAST_DAY, date_validators, plausible_dates
from relais.core.text import count_of
from relais.core.transitions import (
    INITIAL,
    StateEvent,
    Stateful,
    StatefulQuerySet,
    TransitionNotAllowed,
    Workflow,
    transition,
)
from relais.justice.models import Detention
from relais.persons.models import Person
from relais.requests.models import Request

from .enums import AgendaReason, CommissionEventKind, CommissionState, ServiceStatus

State = CommissionState
DATES = date_validators(FIRST_RECORD_DAY, LAST_DAY)
ACTION_MAX_LENGTH = 500

# The roles that take part in a commission: the SIAO's operators and workers (the AVDL is
# attached to the SIAO), the SPIP's CPIPs. Others of an invited service see nothing of it.
PARTICIPANT_ROLES = {Role.SIAO_OPERATOR, Role.CPIP, Role.SOCIAL_WORKER}
# Who plans a commission.
ORGANISER_ROLES = {Role.SIAO_OPERATOR, Role.CPIP}


def may_plan(user) -> bool:
    return bool(user.is_authenticated and user.role in ORGANISER_ROLES and user.organisation_id)


def runs(commission: "Commission", user) -> bool:
    """Who builds the agenda, records attendance and decisions, holds and closes: the SIAO of
    the territory, a CPIP of an invited SPIP, the superuser."""
    if user.is_superuser:
        return True
    if user.is_siao_of(commission.territory_id):
        return True
    return (
        user.role == Role.CPIP
        and user.organisation_id is not None
        and commission.services.filter(pk=user.organisation_id).exists()
    )


class CommissionQuerySet(StatefulQuerySet):
    def visible_to(self, user) -> "CommissionQuerySet":
        """The participants' services: the SIAO of the territory (it hosts every commission),
        and the users of an invited service in a participant role. Nobody else."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not user.organisation_id or user.role not in PARTICIPANT_ROLES:
            return self.none()
        if user.role == Role.SIAO_OPERATOR:
            return self.filter(territory_id=user.organisation.territory_id)
        return self.filter(
            territory_id=user.organisation.territory_id, services=user.organisation_id
        ).distinct()


class Commission(Stateful):
    territory = models.ForeignKey(
        Territory, verbose_name="territoire", on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField("date de la commission", validators=DATES)
    place = models.CharField("lieu", max_length=200)
    services = models.ManyToManyField(
        Organisation,
        verbose_name="services invités",
        related_name="justice_commissions",
        help_text="Seuls les services invités voient la commission et son compte rendu.",
    )
    present_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name="personnes présentes",
        related_name="justice_commissions_attended",
        blank=True,
    )
    state = models.CharField(
        "état", max_length=10, choices=State.choices, default=State.PLANNED, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="prévue par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)
    agenda_built_at = models.DateTimeField(
        "ordre du jour construit le", null=True, blank=True, editable=False
    )
    closed_at = models.DateTimeField("compte rendu validé le", null=True, editable=False)

    objects = CommissionQuerySet.as_manager()

    workflow = Workflow(
        transition(
            CommissionEventKind.PLANNED,
            "Prévoir la commission",
            sources=[INITIAL],
            target=State.PLANNED,
        ),
        transition(
            CommissionEventKind.HELD,
            "Indiquer que la commission s'est tenue",
            sources=[State.PLANNED],
            target=State.HELD,
            may=runs,
            rule=lambda c: (
                ""
                if c.held_on <= timezone.localdate()
                else "La commission ne peut pas s'être tenue avant sa date."
            ),
        ),
        transition(
            CommissionEventKind.CLOSED,
            "Valider le compte rendu",
            sources=[State.HELD],
            target=State.CLOSED,
            may=runs,
            rule=lambda c: (
                "" if c.present_users.exists() else "Enregistrez d'abord les personnes présentes."
            ),
        ),
    )

    class Meta:
        verbose_name = "commission justice"
        verbose_name_plural = "commissions justice"
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["territory", "held_on"])]
        constraints = [
            *plausible_dates("commission", held_on=FIRST_RECORD_DAY),
            models.CheckConstraint(
                condition=~Q(state=State.CLOSED) | Q(closed_at__isnull=False),
                name="commission_closed_has_date",
                violation_error_message="Un compte rendu validé a une date de validation.",
            ),
        ]

    def __str__(self) -> str:
        return f"Commission justice du {self.held_on:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("commission:detail", args=[self.pk])

    @property
    def frozen(self) -> bool:
        """Minutes validated: the decisions no longer change."""
        return self.state == State.CLOSED

    # -- transitions ---------------------------------------------------------------------

    @classmethod
    def plan(
        cls, *, territory: Territory, held_on: dt.date, place: str, services, by, at=None
    ) -> "Commission":
        """A commission planned, with its invited services (the territory's SIAO always)."""
        with transaction.atomic():
            commission, _ = cls._create(
                CommissionEventKind.PLANNED,
                by=by,
                at=at,
                values={
                    "territory": territory,
                    "held_on": held_on,
                    "place": place,
                    "created_by": by,
                    "created_at": at or timezone.now(),
                },
            )
            siao = Organisation.objects.filter(territory=territory, kind=OrganisationKind.SIAO)
            commission.services.set({*services, *siao})
        return commission

    def hold(self, *, by, at=None):
        return self._apply(CommissionEventKind.HELD, by=by, at=at)

    def close(self, *, by, at=None):
        """Validate the minutes: the decisions are frozen from now on."""
        at = at or timezone.now()
        return self._apply(CommissionEventKind.CLOSED, by=by, at=at, closed_at=at)

    def _open_row(self) -> "Commission":
        """This commission locked, refused once its minutes are validated."""
        row = self.lock()
        if row.frozen:
            raise TransitionNotAllowed(
                "Le compte rendu est validé : la commission ne se modifie plus."
            )
        return row

    # -- agenda --------------------------------------------------------------------------

    def build_agenda(self, *, by, today: dt.date | None = None) -> int:
        """Add the cases of the territory not yet on the agenda; refresh the release date of
        those already there. Run again, it adds only what is new. Returns how many were
        added."""
        from .agenda import cases_on  # the agenda reads the territory, this the commission

        with transaction.atomic():
            row = self._open_row()
            existing = {item.person_id: item for item in row.items.all()}
            added = 0
            for case in cases_on(row.territory, today or timezone.localdate()):
                item = existing.get(case.person_id)
                if item is None:
                    AgendaItem.objects.create(
                        commission=row,
                        person_id=case.person_id,
                        reason=case.reason,
                        detention_id=case.detention_id,
                        request_id=case.request_id,
                        release_on=case.release_on,
                    )
                    added += 1
                elif (item.release_on, item.reason) != (case.release_on, case.reason):
                    item.release_on, item.reason = case.release_on, case.reason
                    item.detention_id, item.request_id = case.detention_id, case.request_id
                    item.save(update_fields=["release_on", "reason", "detention", "request"])
            Commission.objects.filter(pk=row.pk).update(agenda_built_at=timezone.now())
        self.agenda_built_at = timezone.now()
        return added

    # -- attendance ----------------------------------------------------------------------

    def record_attendance(self, *, users, services: dict[int, str], by) -> None:
        """Who was there, and for each invited service whether it was represented, excused
        or absent (a blank status removes it)."""
        with transaction.atomic():
            row = self._open_row()
            row.present_users.set(users)
            invited = set(row.services.values_list("pk", flat=True))
            for organisation_id, status in services.items():
                if organisation_id not in invited:
                    continue
                if status:
                    ServiceAttendance.objects.update_or_create(
                        commission=row,
                        organisation_id=organisation_id,
                        defaults={"status": status},
                    )
                else:
                    row.service_attendances.filter(organisation_id=organisation_id).delete()

    # -- decisions -----------------------------------------------------------------------

    def decide(
        self,
        item: "AgendaItem",
        *,
        action: str,
        due_on: dt.date,
        by,
        owner_user=None,
        owner_organisation=None,
    ) -> "Decision":
        """The one decision on a case: written, or rewritten until the minutes are validated."""
        if item.commission_id != self.pk:
            raise ValueError("the item is not on this commission's agenda")
        with transaction.atomic():
            self._open_row()
            decision, _ = Decision.objects.update_or_create(
                item=item,
                defaults={
                    "action": action,
                    "due_on": due_on,
                    "owner_user": owner_user,
                    "owner_organisation": owner_organisation,
                    "decided_by": by,
                    "decided_at": timezone.now(),
                },
            )
        return decision

    # -- the commissions around this one -----------------------------------------------

    def previous(self) -> "Commission | None":
        """The commission of the territory held just before this one."""
        return (
            Commission.objects.filter(territory_id=self.territory_id, held_on__lt=self.held_on)
            .order_by("-held_on", "-id")
            .first()
        )

    def carried_actions(self) -> "DecisionQuerySet":
        """The actions decided by earlier commissions of the territory that this one follows:
        those still open, and those done since the previous commission (so its minutes say
        they were done)."""
        previous = self.previous()
        since = previous.held_on if previous else FIRST_RECORD_DAY
        return (
            Decision.objects.filter(
                item__commission__territory_id=self.territory_id,
                item__commission__held_on__lt=self.held_on,
            )
            .filter(Q(done_on__isnull=True) | Q(done_on__gt=since))
            .select_related(
                "item__person", "item__commission", "owner_user", "owner_organisation", "done_by"
            )
            .order_by("due_on", "id")
        )

    def done_by_then(self, decision: "Decision") -> bool:
        """Whether the carried action was done as this commission saw it: done by its date
        once its minutes are validated, done at all before."""
        if decision.done_on is None:
            return False
        return not self.frozen or decision.done_on <= self.held_on


class CommissionEvent(StateEvent):
    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("événement", max_length=20, choices=CommissionEventKind.choices)
    from_state = models.CharField("état précédent", max_length=10, blank=True)
    to_state = models.CharField("nouvel état", max_length=10)

    class Meta(StateEvent.Meta):
        verbose_name = "événement de commission justice"


class AgendaItem(models.Model):
    """One case on the agenda: a person, why they are on it, their release date."""

    commission = models.ForeignKey(
        Commission, verbose_name="commission", on_delete=models.CASCADE, related_name="items"
    )
    person = models.ForeignKey(
        Person, verbose_name="personne", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField("motif d'inscription", max_length=15, choices=AgendaReason.choices)
    detention = models.ForeignKey(
        Detention, verbose_name="détention", on_delete=models.PROTECT, related_name="+"
    )
    request = models.ForeignKey(
        Request,
        verbose_name="demande en cours",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The earliest possible release while in detention, the release day after it.
    release_on = models.DateField("sortie", null=True, blank=True)
    added_at = models.DateTimeField("inscrit le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "cas à l'ordre du jour"
        verbose_name_plural = "cas à l'ordre du jour"
        ordering = [models.F("release_on").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(fields=["commission", "person"], name="agenda_person_once")
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_reason_display()}"

    @property
    def in_detention(self) -> bool:
        return self.reason == AgendaReason.IN_DETENTION

    @property
    def days_left(self) -> int | None:
        """Days from the commission to the expected release (negative once passed)."""
        if self.release_on is None:
            return None
        return (self.release_on - self.commission.held_on).days

    @property
    def days_left_label(self) -> str:
        days = self.days_left
        if days is None:
            return ""
        if self.reason == AgendaReason.FOLLOW_UP:
            return f"sortie il y a {count_of(-days, 'jour')}" if days < 0 else "sortie ce jour"
        if days == 0:
            return "le jour de la commission"
        if days > 0:
            return f"dans {count_of(days, 'jour')}"
        return f"dépassée de {count_of(-days, 'jour')}"


class ServiceAttendance(models.Model):
    commission = models.ForeignKey(
        Commission, on_delete=models.CASCADE, related_name="service_attendances"
    )
    organisation = models.ForeignKey(
        Organisation, verbose_name="service", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField("présence", max_length=12, choices=ServiceStatus.choices)

    class Meta:
        verbose_name = "présence d'un service"
        ordering = ["organisation__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commission", "organisation"], name="service_attendance_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} : {self.get_status_display().lower()}"


class DecisionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DecisionQuerySet":
        """The decisions of the commissions the user sees."""
        return self.filter(item__commission__in=Commission.objects.visible_to(user))

    def open(self) -> "DecisionQuerySet":
        return self.filter(done_on__isnull=True)


class Decision(models.Model):
    """The one decision of a commission on a case: what to do, who does it, by when."""

    item = models.OneToOneField(
        AgendaItem, verbose_name="cas", on_delete=models.CASCADE, related_name="decision"
    )
    action = models.CharField("action décidée", max_length=ACTION_MAX_LENGTH)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="personne chargée de l'action",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        verbose_name="service chargé de l'action",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    due_on = models.DateField("à faire pour le", validators=DATES)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField("décidée le", default=timezone.now)
    done_on = models.DateField("faite le", null=True, blank=True, validators=DATES)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="marquée faite par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "décision de la commission justice"
        ordering = ["due_on", "id"]
        constraints = [
            *plausible_dates("decision", due_on=FIRST_RECORD_DAY, done_on=FIRST_RECORD_DAY),
            models.CheckConstraint(
                condition=Q(owner_user__isnull=False) | Q(owner_organisation__isnull=False),
                name="decision_has_an_owner",
                violation_error_message="Une décision dit qui porte l'action.",
            ),
        ]

    def __str__(self) -> str:
        return self.action

    @property
    def commission(self) -> Commission:
        return self.item.commission

    @property
    def owner(self) -> str:
        """ "Camille Fischer (SPIP du Haut-Rhin)", or the service alone."""
        if self.owner_user_id:
            name = self.owner_user.get_full_name() or self.owner_user.get_username()
            if self.owner_organisation_id:
                return f"{name} ({self.owner_organisation})"
            return name
        return str(self.owner_organisation)

    @property
    def done(self) -> bool:
        return self.done_on is not None

    def mark_done(self, *, on: dt.date, by) -> None:
        """The action is done, on `on` (a later mark corrects the date)."""
        if on < self.item.commission.held_on:
            raise TransitionNotAllowed(
                "L'action ne peut pas avoir été faite avant la commission qui l'a décidée."
            )
        if on > timezone.localdate():
            raise TransitionNotAllowed("La date ne peut pas être dans le futur.")
        self.done_on, self.done_by = on, by
        self.save(update_fields=["done_on", "done_by"])

"""Work insertion in prison (seeds 002, 003): an SIAE implanted in an establishment (a site),
the parcours of each person from the SPIP's prescription to the end of the job, and what the
SPIP and the SIAE share about it under the person's written consent.

Who reads a parcours is `Parcours.objects.visible_to(user)`, the one rule (IAE-04):
- the SPIP that follows the detention, while the judicial measure runs (JUS-13), and the
  probation CPIP it was handed over to outside (IAE-06);
- the establishment's staff, who record the CPU's decisions and the affectation;
- the SIAE's staff (CIP, ET) only while the person's written consent runs — withdrawn, access
  ends at once; after release only if the person agreed to be followed outside.
Who does what is said once per transition (`may`); the handover log is the SPIP's and the
SIAE's only (`reads_log`). The SIAE sees dates of the detention, never its judicial details.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
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
    noon_of,
    transition,
)
from relais.justice.dates import add_months
from relais.justice.enums import DetentionState, LegalStatus
from relais.justice.models import Detention
from relais.persons.models import Person

from .enums import (
    CHARTER_DOMAINS,
    CLOSED_STATES,
    COMMON_SKILLS,
    DOCUMENTS_WITHOUT_EXPIRY,
    MAX_HOURS_A_MONTH,
    OPEN_STATES,
    OUTSIDE_FOLLOW_UP_MONTHS,
    SENTENCE_MAX_MONTHS,
    SENTENCE_MIN_MONTHS,
    ActionKind,
    ActionStatus,
    AgreementParty,
    AssessmentKind,
    ClosedReason,
    ContactKind,
    EndReason,
    ExitOutcome,
    IdentityDocument,
    Lead,
    NotRetainedReason,
    ParcoursEventKind,
    ParcoursState,
    SentenceCriterion,
    SkillFamily,
    SkillLevel,
    SpipOpinion,
)

State = ParcoursState
SIAE_ROLES = {Role.SIAE_COACH, Role.SIAE_SUPERVISOR}
# Who works on parcours at all (lists, homes): the SPIP, the prison, the SIAE.
IAE_ROLES = {Role.CPIP, Role.PRISON_STAFF, *SIAE_ROLES}
DATES = date_validators(FIRST_RECORD_DAY, LAST_DAY)


def _date_field(label: str, **kwargs) -> models.DateField:
    return models.DateField(label, null=True, blank=True, validators=DATES, **kwargs)


# ---------------------------------------------------------------------------------------------
# The site: one SIAE implanted in one establishment
# ---------------------------------------------------------------------------------------------


class SiteQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SiteQuerySet":
        """The sites a user works on: the establishment's, the SIAE's, those of the SPIP that
        works in the establishment; the State service and the territory administrator their
        territory's."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not user.organisation_id:
            return self.none()
        match user.role:
            case Role.PRISON_STAFF:
                return self.filter(establishment_id=user.organisation_id)
            case Role.SIAE_COACH | Role.SIAE_SUPERVISOR:
                return self.filter(siae_id=user.organisation_id)
            case Role.CPIP:
                return self.filter(establishment__spip_id=user.organisation_id)
            case Role.STATE_SERVICE | Role.TERRITORY_ADMIN:
                return self.filter(territory_id=user.organisation.territory_id)
            case _:
                return self.none()


class Site(models.Model):
    """An SIAE implanted in an establishment, with the settings of its charter."""

    establishment = models.ForeignKey(
        Organisation,
        verbose_name="établissement pénitentiaire",
        on_delete=models.PROTECT,
        related_name="iae_sites",
        limit_choices_to={"kind": OrganisationKind.PRISON},
    )
    siae = models.ForeignKey(
        Organisation,
        verbose_name="SIAE",
        on_delete=models.PROTECT,
        related_name="iae_sites_run",
        limit_choices_to={"kind": OrganisationKind.SIAE},
    )
    territory = models.ForeignKey(
        Territory, verbose_name="territoire", on_delete=models.PROTECT, editable=False
    )
    activity = models.CharField("activité support", max_length=200, blank=True)
    posts = models.PositiveSmallIntegerField(
        "nombre de postes", null=True, blank=True, validators=[MaxValueValidator(500)]
    )
    sentence_criterion = models.CharField(
        "critère de peine de la charte",
        max_length=10,
        choices=SentenceCriterion.choices,
        default=SentenceCriterion.REMAINING,
        help_text=(
            "La charte SPIP–SIAE retient le reliquat de peine, le guide national le quantum : "
            "les deux sont affichés, celui-ci est vérifié."
        ),
    )
    exit_alert_weeks = models.PositiveSmallIntegerField(
        "alerte avant la sortie (semaines)",
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text="La SIAE est alertée ce nombre de semaines avant la libération prévue "
        "pour rédiger la synthèse de parcours.",
    )

    objects = SiteQuerySet.as_manager()

    class Meta:
        verbose_name = "site d'insertion"
        ordering = ["establishment__name", "siae__name"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "siae"], name="iae_site_once"),
            models.CheckConstraint(
                condition=Q(exit_alert_weeks__gte=1, exit_alert_weeks__lte=52),
                name="iae_site_alert_weeks_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.siae} — {self.establishment}"

    def save(self, *args, **kwargs) -> None:
        adding = self._state.adding
        if self.establishment_id and not self.territory_id:
            self.territory_id = Organisation.objects.values_list("territory_id", flat=True).get(
                pk=self.establishment_id
            )
        super().save(*args, **kwargs)
        if adding:
            Responsibility.objects.bulk_create(
                Responsibility(site=self, domain=domain, lead=lead, other_actor=other, position=i)
                for i, (domain, lead, other) in enumerate(CHARTER_DOMAINS)
            )

    @property
    def spip_id(self) -> int | None:
        return self.establishment.spip_id

    def works_here(self, user) -> bool:
        """The site's own staff: the establishment's or the SIAE's (or the superuser)."""
        if user.is_superuser:
            return True
        if user.role == Role.PRISON_STAFF:
            return user.organisation_id == self.establishment_id
        return user.role in SIAE_ROLES and user.organisation_id == self.siae_id

    def may_change(self, user) -> bool:
        """Who keeps the site's charter (matrix, directory, settings): the establishment, the
        SIAE, the SPIP that works there."""
        if self.works_here(user):
            return True
        return user.role == Role.CPIP and user.organisation_id == self.spip_id


class Responsibility(models.Model):
    """IAE-03: one row of the site's who-leads-what matrix."""

    site = models.ForeignKey(
        Site, verbose_name="site", on_delete=models.CASCADE, related_name="responsibilities"
    )
    domain = models.CharField("domaine d'intervention", max_length=150)
    lead = models.CharField("chef de file", max_length=10, choices=Lead.choices)
    other_actor = models.CharField(
        "autre acteur",
        max_length=150,
        blank=True,
        help_text="À préciser quand le chef de file est un autre acteur (ex. unité sanitaire).",
    )
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "chef de file d'un domaine"
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "domain"], name="iae_responsibility_once"),
            models.CheckConstraint(
                condition=~Q(lead=Lead.OTHER) | ~Q(other_actor=""),
                name="iae_responsibility_other_named",
                violation_error_message="Nommez l'autre acteur chef de file.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.domain} : {self.lead_display}"

    @property
    def lead_display(self) -> str:
        if self.lead == Lead.OTHER:
            return self.other_actor
        return self.get_lead_display()


class ResourcePerson(models.Model):
    """IAE-07: a resource person of the site's directory, for one domain of the matrix."""

    site = models.ForeignKey(
        Site, verbose_name="site", on_delete=models.CASCADE, related_name="resource_persons"
    )
    responsibility = models.ForeignKey(
        Responsibility,
        verbose_name="domaine",
        on_delete=models.CASCADE,
        related_name="resource_persons",
    )
    name = models.CharField("nom", max_length=150)
    function = models.CharField("fonction", max_length=150, blank=True)
    organisation_name = models.CharField("structure", max_length=150, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    how_to_reach = models.CharField("comment la solliciter", max_length=300, blank=True)

    class Meta:
        verbose_name = "personne ressource"
        ordering = ["responsibility__position", "name"]

    def __str__(self) -> str:
        return self.name


class CpuSession(models.Model):
    """A sitting of the *commission pluridisciplinaire unique*, chaired by the prison head:
    it classifies people for work and orients some to the SIAE regime."""

    establishment = models.ForeignKey(
        Organisation,
        verbose_name="établissement pénitentiaire",
        on_delete=models.PROTECT,
        related_name="cpu_sessions",
        limit_choices_to={"kind": OrganisationKind.PRISON},
    )
    held_on = models.DateField("date de la CPU", validators=DATES)
    chaired_by = models.CharField("présidée par", max_length=150)
    members = models.TextField(
        "membres présents", help_text="Une personne par ligne, avec sa fonction ou son service."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField("enregistrée le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "séance de CPU"
        ordering = ["-held_on", "-id"]
        constraints = [*plausible_dates("cpu", held_on=FIRST_RECORD_DAY)]

    def __str__(self) -> str:
        return f"CPU du {self.held_on:%d/%m/%Y}"

    @property
    def member_lines(self) -> list[str]:
        return [line.strip() for line in self.members.splitlines() if line.strip()]


# ---------------------------------------------------------------------------------------------
# Eligibility (IAE-01)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    label: str
    met: bool
    detail: str
    # Outside the bounds, or on remand, the joint agreement of the three parties admits.
    waivable: bool = False


@dataclass(frozen=True)
class Eligibility:
    """IAE-01 on a given day: the criteria, both sentence figures, what is missing."""

    on: dt.date
    criteria: tuple[Criterion, ...]
    remaining_months: float | None
    quantum_months: float | None
    criterion: str  # the site's SentenceCriterion
    agreements: frozenset[str]  # the parties that agreed

    @property
    def missing(self) -> list[Criterion]:
        """Criteria not met that nothing can waive."""
        return [c for c in self.criteria if not c.met and not c.waivable]

    @property
    def needs_agreement(self) -> bool:
        return any(not c.met and c.waivable for c in self.criteria)

    @property
    def agreed(self) -> bool:
        return self.agreements >= set(AgreementParty.values)

    @property
    def may_start(self) -> bool:
        return not self.missing and (not self.needs_agreement or self.agreed)

    def refusal(self) -> str:
        """Why the parcours cannot start on that day (French), or ""."""
        if self.missing:
            return "Conditions non réunies : " + " ; ".join(c.detail for c in self.missing) + "."
        if self.needs_agreement and not self.agreed:
            waiting = [p.label for p in AgreementParty if p.value not in self.agreements]
            return (
                "Hors des critères de peine ou prévenu : l'accord conjoint du chef "
                "d'établissement, du SPIP et de la SIAE est nécessaire (manque : "
                + ", ".join(waiting)
                + ")."
            )
        return ""


def _months_between(start: dt.date, end: dt.date) -> float:
    return round((end - start).days / 30.4375, 1)


def within_bounds(start: dt.date, end: dt.date) -> bool:
    """From `start` to `end` lies between 4 and 36 calendar months, both included."""
    return add_months(start, SENTENCE_MIN_MONTHS) <= end <= add_months(start, SENTENCE_MAX_MONTHS)


def eligibility(
    detention: Detention,
    *,
    criterion: str,
    document: str,
    document_valid_until: dt.date | None,
    volunteer: bool,
    agreements=frozenset(),
    on: dt.date | None = None,
) -> Eligibility:
    """IAE-01 computed from the detention record (charter 002 art. 3.2, guide 003 §D.1)."""
    on = on or timezone.localdate()
    convicted = detention.legal_status == LegalStatus.CONVICTED
    remaining = quantum = None
    remaining_ok = quantum_ok = False
    if convicted and detention.end_date:
        remaining = _months_between(on, detention.end_date)
        remaining_ok = within_bounds(on, detention.end_date)
    if convicted and detention.quantum:
        start = detention.incarcerated_on
        years, months, days = detention.quantum
        served_to = add_months(start, 12 * years + months) + dt.timedelta(days=days)
        quantum = _months_between(start, served_to)
        quantum_ok = within_bounds(start, served_to)
    checked_ok, checked_value, checked_word = (
        (remaining_ok, remaining, "reliquat de peine")
        if criterion == SentenceCriterion.REMAINING
        else (quantum_ok, quantum, "quantum de peine")
    )
    document_ok = document not in ("", IdentityDocument.NONE) and (
        document in DOCUMENTS_WITHOUT_EXPIRY
        or (document_valid_until is not None and document_valid_until >= on)
    )
    criteria = (
        Criterion(
            "Personne condamnée",
            convicted,
            "personne condamnée" if convicted else "personne prévenue (non encore jugée)",
            waivable=True,
        ),
        Criterion(
            f"{checked_word.capitalize()} entre {SENTENCE_MIN_MONTHS} et "
            f"{SENTENCE_MAX_MONTHS} mois",
            checked_ok,
            (
                f"{checked_word} de {_format_months(checked_value)}"
                if checked_value is not None
                else f"{checked_word} inconnu"
            ),
            waivable=True,
        ),
        Criterion(
            "Pièce d'identité, titre de séjour ou autorisation de travail en cours de validité",
            document_ok,
            _document_detail(document, document_valid_until, on),
        ),
        Criterion(
            "Volontariat de la personne",
            volunteer,
            "volontaire" if volunteer else "volontariat non recueilli",
        ),
    )
    return Eligibility(
        on=on,
        criteria=criteria,
        remaining_months=remaining,
        quantum_months=quantum,
        criterion=criterion,
        agreements=frozenset(agreements),
    )


def _format_months(months: float | None) -> str:
    if months is None:
        return "—"
    text = f"{months:.1f}".replace(".", ",").removesuffix(",0")
    return f"{text} mois"


def _document_detail(document: str, valid_until: dt.date | None, on: dt.date) -> str:
    if document in ("", IdentityDocument.NONE):
        return "aucune pièce d'identité ou autorisation de travail valide"
    label = IdentityDocument(document).label
    if document in DOCUMENTS_WITHOUT_EXPIRY:
        return label
    if valid_until is None:
        return f"{label} : date de validité non renseignée"
    if valid_until < on:
        return f"{label} expiré(e) le {valid_until:%d/%m/%Y}"
    return f"{label} valable jusqu'au {valid_until:%d/%m/%Y}"


# ---------------------------------------------------------------------------------------------
# The parcours (IAE-02)
# ---------------------------------------------------------------------------------------------


def _is_spip(user, parcours) -> bool:
    """A CPIP of the SPIP that follows the detention (the prescriber's service)."""
    return user.is_superuser or (
        user.role == Role.CPIP and user.organisation_id == parcours.detention.spip_id
    )


def _is_prison(user, parcours) -> bool:
    return user.is_superuser or (
        user.role == Role.PRISON_STAFF and user.organisation_id == parcours.site.establishment_id
    )


def _is_siae(user, parcours) -> bool:
    return user.is_superuser or (
        user.role in SIAE_ROLES
        and user.organisation_id == parcours.site.siae_id
        and parcours.consent_runs()
    )


def _any_partner(user, parcours) -> bool:
    return _is_spip(user, parcours) or _is_prison(user, parcours) or _is_siae(user, parcours)


def _prison_or_siae(user, parcours) -> bool:
    return _is_prison(user, parcours) or _is_siae(user, parcours)


def _by(check):
    """A `may` of the workflow (record, user) from a check written (user, record)."""
    return lambda parcours, user: check(user, parcours)


def _may_orient(parcours) -> str:
    missing = [c for c in parcours.eligibility().missing]
    if missing:
        return (
            "La CPU ne peut orienter vers la SIAE qu'une personne volontaire disposant d'une "
            "pièce d'identité ou d'une autorisation de travail valide : "
            + " ; ".join(c.detail for c in missing)
            + "."
        )
    return ""


def _may_interview(parcours) -> str:
    if not parcours.consent_runs():
        return (
            "Le consentement écrit de la personne au partage de ses informations avec la SIAE "
            "doit être enregistré avant l'entretien."
        )
    return ""


def _may_assign(parcours) -> str:
    return parcours.eligibility(on=parcours.assigned_on).refusal()


class ParcoursQuerySet(StatefulQuerySet):
    def visible_to(self, user) -> "ParcoursQuerySet":
        """The one rule of who reads a parcours (see the module docstring)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not user.organisation_id:
            return self.none()
        match user.role:
            case Role.CPIP:
                followed = Q(detention__spip_id=user.organisation_id) | Exists(
                    Handover.objects.filter(
                        parcours=OuterRef("pk"), receiving_spip_id=user.organisation_id
                    )
                )
                running = Detention.objects.measure_running().filter(pk=OuterRef("detention_id"))
                return self.filter(followed).filter(Exists(running))
            case Role.PRISON_STAFF:
                return self.filter(site__establishment_id=user.organisation_id)
            case Role.SIAE_COACH | Role.SIAE_SUPERVISOR:
                return self.filter(site__siae_id=user.organisation_id).with_running_consent()
            case _:
                return self.none()

    def with_running_consent(self) -> "ParcoursQuerySet":
        """Parcours whose person's consent to share with the SIAE runs; once released, only
        if they agreed to be followed outside (IAE-06)."""
        consent = Consent.objects.filter(parcours=OuterRef("pk"), withdrawn_at__isnull=True)
        inside = Detention.objects.filter(
            pk=OuterRef("detention_id"), state=DetentionState.IN_DETENTION
        )
        return self.filter(
            Exists(consent) & (Exists(inside) | Exists(consent.filter(continues_outside=True)))
        )

    def open(self) -> "ParcoursQuerySet":
        return self.filter(state__in=OPEN_STATES)

    def waiting_list(self, site) -> "ParcoursQuerySet":
        """IAE-02: the people oriented to the site's SIAE, first oriented first."""
        return self.filter(site=site, state=State.ORIENTED).order_by("oriented_on", "id")


class Parcours(Stateful):
    person = models.ForeignKey(
        Person, verbose_name="personne", on_delete=models.PROTECT, related_name="iae_parcours"
    )
    detention = models.ForeignKey(
        Detention,
        verbose_name="détention",
        on_delete=models.PROTECT,
        related_name="iae_parcours",
    )
    site = models.ForeignKey(
        Site, verbose_name="site", on_delete=models.PROTECT, related_name="parcours"
    )
    territory = models.ForeignKey(
        Territory, verbose_name="territoire", on_delete=models.PROTECT, editable=False
    )
    state = models.CharField(
        "étape", max_length=15, choices=State.choices, default=State.PRESCRIBED, editable=False
    )
    # The SPIP's prescription and its opinion (IAE-02).
    prescribed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="prescrit par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )
    prescribed_on = models.DateField("prescrit le", default=timezone.localdate, validators=DATES)
    spip_opinion = models.CharField("avis du SPIP", max_length=15, choices=SpipOpinion.choices)
    spip_opinion_note = models.TextField("motivation de l'avis", blank=True)
    # Eligibility (IAE-01).
    identity_document = models.CharField(
        "pièce d'identité ou autorisation", max_length=20, choices=IdentityDocument.choices
    )
    identity_document_valid_until = _date_field(
        "valable jusqu'au", help_text="Sauf extrait d'acte de naissance (sans date de validité)."
    )
    volunteer = models.BooleanField(
        "la personne est volontaire",
        default=False,
        help_text="Recueilli auprès de la personne lors d'un entretien.",
    )
    # The CPU's orientation.
    cpu_session = models.ForeignKey(
        CpuSession,
        verbose_name="séance de CPU",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parcours",
        editable=False,
    )
    oriented_on = _date_field("orientée le", editable=False)
    # The SIAE's interview.
    interviewed_on = _date_field("entretien le", editable=False)
    not_retained_reason = models.CharField(
        "motif", max_length=12, choices=NotRetainedReason.choices, blank=True, editable=False
    )
    immersion_starts_on = _date_field("immersion du", editable=False)
    immersion_ends_on = _date_field("immersion au", editable=False)
    # The prison head's affectation decision.
    assigned_on = _date_field("affectée le", editable=False)
    assignment_signed_by = models.CharField(
        "décision signée par", max_length=150, blank=True, editable=False
    )
    # The end.
    ended_on = _date_field("terminé le", editable=False)
    end_reason = models.CharField(
        "motif de fin", max_length=15, choices=EndReason.choices, blank=True, editable=False
    )
    closed_reason = models.CharField(
        "motif d'arrêt", max_length=15, choices=ClosedReason.choices, blank=True, editable=False
    )
    created_at = models.DateTimeField("enregistré le", default=timezone.now, editable=False)

    objects = ParcoursQuerySet.as_manager()

    E = ParcoursEventKind
    workflow = Workflow(
        transition(
            E.PRESCRIBED, "Prescrire un parcours IAE", sources=[INITIAL], target=State.PRESCRIBED
        ),
        transition(
            E.CPU_ORIENTED,
            "Orienter vers la SIAE (décision de la CPU)",
            sources=[State.PRESCRIBED],
            target=State.ORIENTED,
            may=_by(_is_prison),
            rule=_may_orient,
            denied="Seul l'établissement enregistre les décisions de la CPU.",
        ),
        transition(
            E.CPU_DECLINED,
            "Ne pas orienter (décision de la CPU)",
            sources=[State.PRESCRIBED],
            target=State.NOT_ORIENTED,
            may=_by(_is_prison),
            denied="Seul l'établissement enregistre les décisions de la CPU.",
        ),
        transition(
            E.IMMERSION,
            "Enregistrer une immersion",
            sources=[State.ORIENTED, State.RETAINED],
            target=None,
            may=_by(_prison_or_siae),
        ),
        transition(
            E.RETAINED,
            "Retenir après l'entretien",
            sources=[State.ORIENTED],
            target=State.RETAINED,
            may=_by(_is_siae),
            rule=_may_interview,
            denied="Seule la SIAE conduit les entretiens de recrutement.",
        ),
        transition(
            E.NOT_RETAINED,
            "Ne pas retenir après l'entretien",
            sources=[State.ORIENTED],
            target=State.NOT_RETAINED,
            may=_by(_is_siae),
            rule=_may_interview,
            denied="Seule la SIAE conduit les entretiens de recrutement.",
        ),
        transition(
            E.ASSIGNED,
            "Affecter (décision du chef d'établissement)",
            sources=[State.RETAINED],
            target=State.ACTIVE,
            may=_by(_is_prison),
            rule=_may_assign,
            denied="Seul l'établissement enregistre la décision d'affectation.",
        ),
        transition(
            E.ENDED,
            "Terminer le parcours",
            sources=[State.ACTIVE],
            target=State.ENDED,
            may=_by(_any_partner),
        ),
        transition(
            E.CLOSED,
            "Arrêter avant l'affectation",
            sources=[State.PRESCRIBED, State.ORIENTED, State.RETAINED],
            target=State.CLOSED,
            may=_by(_any_partner),
        ),
    )
    del E

    class Meta:
        verbose_name = "parcours IAE"
        verbose_name_plural = "parcours IAE"
        ordering = ["-prescribed_on", "-id"]
        indexes = [models.Index(fields=["site", "state", "oriented_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(state__in=OPEN_STATES),
                name="iae_one_open_parcours",
                violation_error_message="Cette personne a déjà un parcours IAE en cours.",
            ),
            *plausible_dates(
                "iae_parcours",
                prescribed_on=FIRST_RECORD_DAY,
                identity_document_valid_until=FIRST_RECORD_DAY,
                oriented_on=FIRST_RECORD_DAY,
                interviewed_on=FIRST_RECORD_DAY,
                immersion_starts_on=FIRST_RECORD_DAY,
                immersion_ends_on=FIRST_RECORD_DAY,
                assigned_on=FIRST_RECORD_DAY,
                ended_on=FIRST_RECORD_DAY,
            ),
            # Each state carries the dates of the steps that led to it.
            models.CheckConstraint(
                condition=~Q(state__in=[State.ORIENTED, State.RETAINED, State.ACTIVE])
                | Q(oriented_on__isnull=False),
                name="iae_oriented_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[State.RETAINED, State.NOT_RETAINED, State.ACTIVE])
                | Q(interviewed_on__isnull=False),
                name="iae_interviewed_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[State.ACTIVE, State.ENDED]) | Q(assigned_on__isnull=False),
                name="iae_active_has_assignment",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=CLOSED_STATES) | Q(ended_on__isnull=False),
                name="iae_closed_has_end_date",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.ENDED) | ~Q(end_reason=""),
                name="iae_ended_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(state=State.NOT_RETAINED) | ~Q(not_retained_reason=""),
                name="iae_not_retained_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(oriented_on__isnull=True)
                | Q(oriented_on__gte=models.F("prescribed_on")),
                name="iae_oriented_after_prescription",
            ),
            models.CheckConstraint(
                condition=Q(interviewed_on__isnull=True)
                | Q(interviewed_on__gte=models.F("oriented_on")),
                name="iae_interview_after_orientation",
            ),
            models.CheckConstraint(
                condition=Q(assigned_on__isnull=True)
                | Q(assigned_on__gte=models.F("interviewed_on")),
                name="iae_assignment_after_interview",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("prescribed_on")),
                name="iae_end_after_prescription",
            ),
            models.CheckConstraint(
                condition=Q(immersion_ends_on__isnull=True)
                | Q(immersion_ends_on__gte=models.F("immersion_starts_on")),
                name="iae_immersion_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"Parcours IAE de {self.person} ({self.site.siae})"

    def save(self, *args, **kwargs) -> None:
        if self.site_id and not self.territory_id:
            self.territory_id = Site.objects.values_list("territory_id", flat=True).get(
                pk=self.site_id
            )
        super().save(*args, **kwargs)

    # -- reading -------------------------------------------------------------------------

    def consent_runs(self) -> bool:
        """The person's written consent to share with the SIAE runs (IAE-04); once released,
        only if they agreed to be followed outside."""
        consent = self.running_consent()
        if consent is None:
            return False
        return self.detention.state == DetentionState.IN_DETENTION or consent.continues_outside

    def running_consent(self) -> "Consent | None":
        return self.consents.filter(withdrawn_at__isnull=True).first()

    def agreement_parties(self) -> frozenset[str]:
        return frozenset(self.agreements.values_list("party", flat=True))

    def eligibility(self, on: dt.date | None = None) -> Eligibility:
        """IAE-01 on `on` (default: the affectation day once assigned, else today)."""
        return eligibility(
            self.detention,
            criterion=self.site.sentence_criterion,
            document=self.identity_document,
            document_valid_until=self.identity_document_valid_until,
            volunteer=self.volunteer,
            agreements=self.agreement_parties(),
            on=on or self.assigned_on or timezone.localdate(),
        )

    def reads_log(self, user) -> bool:
        """IAE-04: the handover log is between the SPIP and the SIAE (within consent)."""
        if user.is_superuser:
            return True
        if user.role == Role.CPIP:
            return True  # the parcours is visible to them: their SPIP's, or handed over
        return user.role in SIAE_ROLES and _is_siae(user, self)

    def writes_siae_part(self, user) -> bool:
        """Hours, trainings, skills, the exit synthesis: the SIAE's staff within consent."""
        return _is_siae(user, self)

    def is_spip(self, user) -> bool:
        return _is_spip(user, self) or (
            user.role == Role.CPIP
            and self.handovers.filter(receiving_spip_id=user.organisation_id).exists()
        )

    def is_prison(self, user) -> bool:
        return _is_prison(user, self)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def total_hours(self):
        return self.hours.aggregate(total=models.Sum("hours"))["total"] or 0

    # -- transitions ---------------------------------------------------------------------

    @classmethod
    def prescribe(cls, *, detention: Detention, site: Site, by, **values) -> "Parcours":
        """IAE-02: only the SPIP prescribes, for a person in detention in the site's
        establishment."""
        if not (
            by.is_superuser or (by.role == Role.CPIP and by.organisation_id == detention.spip_id)
        ):
            raise TransitionNotAllowed(
                "Seul le SPIP qui suit la personne prescrit un parcours IAE."
            )
        if detention.state != DetentionState.IN_DETENTION:
            raise TransitionNotAllowed("La personne n'est plus en détention.")
        if detention.establishment_id != site.establishment_id:
            raise TransitionNotAllowed(
                "La personne n'est pas détenue dans l'établissement de cette SIAE."
            )
        if cls.objects.open().filter(person_id=detention.person_id).exists():
            raise TransitionNotAllowed("Cette personne a déjà un parcours IAE en cours.")
        prescribed_on = values.get("prescribed_on") or timezone.localdate()
        parcours, _ = cls._create(
            ParcoursEventKind.PRESCRIBED,
            by=by,
            at=noon_of(prescribed_on),
            data={"on": prescribed_on.isoformat()},
            values={
                "person_id": detention.person_id,
                "detention": detention,
                "site": site,
                "prescribed_by": by,
                **values,
            },
        )
        return parcours

    def _step(
        self, name: str, *, by, on: dt.date, note: str = "", data=None, locked=None, **changes
    ):
        """Take transition `name` on day `on` if `by` may (the one check of who)."""
        step = self.workflow[name]
        if not step.may(self, by):
            raise TransitionNotAllowed(step.denied)
        data = {**(data or {}), "on": on.isoformat()}
        return self._apply(
            name, by=by, at=noon_of(on), note=note, data=data, locked=locked, **changes
        )

    def orient(self, *, session: CpuSession, by, note: str = ""):
        if session.establishment_id != self.site.establishment_id:
            raise TransitionNotAllowed("Cette séance de CPU est celle d'un autre établissement.")
        return self._step(
            ParcoursEventKind.CPU_ORIENTED,
            by=by,
            on=session.held_on,
            note=note,
            data={"cpu_session": session.pk},
            cpu_session=session,
            oriented_on=session.held_on,
        )

    def decline_orientation(self, *, session: CpuSession, by, note: str = ""):
        return self._step(
            ParcoursEventKind.CPU_DECLINED,
            by=by,
            on=session.held_on,
            note=note,
            data={"cpu_session": session.pk},
            cpu_session=session,
            ended_on=session.held_on,
        )

    def record_immersion(self, *, starts_on: dt.date, ends_on: dt.date, by, note: str = ""):
        return self._step(
            ParcoursEventKind.IMMERSION,
            by=by,
            on=starts_on,
            note=note,
            data={"ends_on": ends_on.isoformat()},
            target=self.state,
            immersion_starts_on=starts_on,
            immersion_ends_on=ends_on,
        )

    def interview(self, *, on: dt.date, retained: bool, by, reason: str = "", note: str = ""):
        if retained:
            return self._step(
                ParcoursEventKind.RETAINED, by=by, on=on, note=note, interviewed_on=on
            )
        if reason not in NotRetainedReason.values:
            raise TransitionNotAllowed(
                "Indiquez le motif pour lequel la personne n'est pas retenue."
            )
        return self._step(
            ParcoursEventKind.NOT_RETAINED,
            by=by,
            on=on,
            note=note,
            data={"reason": reason},
            interviewed_on=on,
            not_retained_reason=reason,
            ended_on=on,
        )

    def assign(self, *, on: dt.date, signed_by: str, by, note: str = ""):
        """The prison head's affectation decision makes the recruitment final (IAE-02); the
        eligibility, or the three agreements, are checked on that day (IAE-01)."""
        with transaction.atomic():
            row = self.lock()
            row.assigned_on = on  # the rule reads the eligibility on the day of the decision
            return self._step(
                ParcoursEventKind.ASSIGNED,
                by=by,
                on=on,
                note=note,
                data={"signed_by": signed_by},
                locked=row,
                assigned_on=on,
                assignment_signed_by=signed_by,
            )

    def end(self, *, on: dt.date, reason: str, by, note: str = ""):
        if reason not in EndReason.values:
            raise TransitionNotAllowed("Indiquez le motif de fin du parcours.")
        if self.assigned_on and on < self.assigned_on:
            raise TransitionNotAllowed("La fin ne peut pas précéder l'affectation.")
        result = self._step(
            ParcoursEventKind.ENDED,
            by=by,
            on=on,
            note=note,
            data={"reason": reason},
            ended_on=on,
            end_reason=reason,
        )
        if reason == EndReason.RELEASE:
            OutsideFollowUp.plan(self, released_on=on)
        return result

    def close(self, *, on: dt.date, reason: str, by, note: str = ""):
        if reason not in ClosedReason.values:
            raise TransitionNotAllowed("Indiquez pourquoi la candidature s'arrête.")
        if on < self.prescribed_on:
            raise TransitionNotAllowed("L'arrêt ne peut pas précéder la prescription.")
        return self._step(
            ParcoursEventKind.CLOSED,
            by=by,
            on=on,
            note=note,
            data={"reason": reason},
            ended_on=on,
            closed_reason=reason,
        )

    def step_date_refusal(self, on: dt.date, *, after: dt.date | None) -> str:
        if after and on < after:
            return f"La date ne peut pas précéder le {after:%d/%m/%Y}."
        if on > timezone.localdate():
            return "La date ne peut pas être dans le futur."
        return ""


class ParcoursEvent(StateEvent):
    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("étape", max_length=20, choices=ParcoursEventKind.choices)

    class Meta(StateEvent.Meta):
        verbose_name = "étape du parcours IAE"

    @property
    def on(self) -> dt.date | None:
        value = self.data.get("on")
        return dt.date.fromisoformat(value) if value else None


# ---------------------------------------------------------------------------------------------
# Agreements (IAE-01) and consent (IAE-04)
# ---------------------------------------------------------------------------------------------


def may_agree_for(user, parcours: Parcours, party: str) -> bool:
    """Each party records its own agreement: the establishment for its head, the SPIP, the
    SIAE (within consent)."""
    match party:
        case AgreementParty.PRISON_HEAD:
            return _is_prison(user, parcours)
        case AgreementParty.SPIP:
            return _is_spip(user, parcours)
        case AgreementParty.SIAE:
            return _is_siae(user, parcours)
    return False


class Agreement(models.Model):
    """IAE-01: one party's agreement to a parcours outside the bounds (or on remand)."""

    parcours = models.ForeignKey(
        Parcours, verbose_name="parcours", on_delete=models.CASCADE, related_name="agreements"
    )
    party = models.CharField("partie", max_length=12, choices=AgreementParty.choices)
    given_by_name = models.CharField("accord donné par", max_length=150)
    given_on = models.DateField("le", validators=DATES)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "accord dérogatoire"
        ordering = ["given_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["parcours", "party"], name="iae_agreement_once"),
            *plausible_dates("iae_agreement", given_on=FIRST_RECORD_DAY),
        ]

    def __str__(self) -> str:
        return f"Accord {self.get_party_display()} ({self.given_by_name}, {self.given_on:%d/%m/%Y})"


class Consent(models.Model):
    """IAE-04: the person was informed and consented in writing to what the SPIP shares with
    the SIAE. Withdrawn, it stops the SIAE's access at once; a new consent is a new row."""

    parcours = models.ForeignKey(
        Parcours, verbose_name="parcours", on_delete=models.CASCADE, related_name="consents"
    )
    given_on = models.DateField("signé le", validators=DATES)
    informed = models.BooleanField(
        "la personne a été informée de l'usage de ses données et de son droit de retrait"
    )
    continues_outside = models.BooleanField(
        "accepte d'être accompagnée par la SIAE après la sortie", default=False
    )
    shares_with_partners = models.BooleanField(
        "accepte la transmission à France Travail, à la mission locale et aux employeurs contactés",
        default=False,
    )
    paper_kept_at = models.CharField(
        "original signé conservé",
        max_length=200,
        help_text="Où se trouve le document signé (ex. dossier SPIP, bureau du CPIP).",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistré par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now, editable=False)
    withdrawn_at = models.DateTimeField("retiré le", null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="retrait enregistré par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    withdrawal_note = models.TextField("précisions sur le retrait", blank=True, editable=False)

    class Meta:
        verbose_name = "consentement"
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["parcours"],
                condition=Q(withdrawn_at__isnull=True),
                name="iae_one_running_consent",
                violation_error_message="Un consentement est déjà en cours pour ce parcours.",
            ),
            models.CheckConstraint(condition=Q(informed=True), name="iae_consent_informed"),
            *plausible_dates("iae_consent", given_on=FIRST_RECORD_DAY),
        ]

    def __str__(self) -> str:
        return f"Consentement du {self.given_on:%d/%m/%Y}"

    @property
    def runs(self) -> bool:
        return self.withdrawn_at is None

    def withdraw(self, *, by, note: str = "") -> None:
        """Withdrawn now: the SIAE's access ends with this write."""
        Consent.objects.filter(pk=self.pk, withdrawn_at__isnull=True).update(
            withdrawn_at=timezone.now(), withdrawn_by=by, withdrawal_note=note
        )
        self.refresh_from_db()


def may_record_consent(user, parcours: Parcours) -> bool:
    """The SPIP collects the written consent (the SIAE sees nothing before it); the
    establishment may record it too."""
    return _is_spip(user, parcours) or _is_prison(user, parcours)


def may_withdraw_consent(user, parcours: Parcours) -> bool:
    """A withdrawal may reach any partner first: each records it (the SIAE's own access
    ends with it)."""
    return may_record_consent(user, parcours) or _is_siae(user, parcours)


class LogEntry(models.Model):
    """IAE-04: a dated entry of the *cahier de transmission* between the CPIP and the SIAE."""

    parcours = models.ForeignKey(
        Parcours, verbose_name="parcours", on_delete=models.CASCADE, related_name="log_entries"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    about_on = models.DateField("date des faits", default=timezone.localdate, validators=DATES)
    text = models.TextField("transmission", max_length=4000)
    written_at = models.DateTimeField("écrit le", default=timezone.now, editable=False)

    class Meta:
        verbose_name = "transmission"
        ordering = ["-about_on", "-written_at", "-id"]
        constraints = [*plausible_dates("iae_log", about_on=FIRST_RECORD_DAY)]

    def __str__(self) -> str:
        return f"Transmission du {self.about_on:%d/%m/%Y}"


# ---------------------------------------------------------------------------------------------
# The parcours running: hours, trainings and certifications (IAE-02)
# ---------------------------------------------------------------------------------------------


class MonthlyHours(models.Model):
    """Hours worked in one month (1,350 h a year is full time: guide 003 §D.1)."""

    parcours = models.ForeignKey(
        Parcours, verbose_name="parcours", on_delete=models.CASCADE, related_name="hours"
    )
    month = models.DateField("mois", validators=DATES, help_text="Le premier jour du mois.")
    hours = models.DecimalField(
        "heures travaillées",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_HOURS_A_MONTH)],
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "heures du mois"
        verbose_name_plural = "heures travaillées"
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["parcours", "month"], name="iae_hours_once_a_month"),
            models.CheckConstraint(
                condition=Q(hours__gte=0, hours__lte=MAX_HOURS_A_MONTH),
                name="iae_hours_range",
                violation_error_message=f"Entre 0 et {MAX_HOURS_A_MONTH} heures par mois.",
            ),
            *plausible_dates("iae_hours", month=FIRST_RECORD_DAY),
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} : {self.hours} h"


class ParcoursAction(models.Model):
    """A training, a certification (CléA…), a PMSMP, a skills assessment, a VAE (003 §C.3)."""

    parcours = models.ForeignKey(
        Parcours, verbose_name="parcours", on_delete=models.CASCADE, related_name="actions"
    )
    kind = models.CharField("type", max_length=20, choices=ActionKind.choices)
    title = models.CharField("intitulé", max_length=200)
    provider = models.CharField("organisme ou structure d'accueil", max_length=200, blank=True)
    starts_on = models.DateField("du", validators=DATES)
    ends_on = models.DateField("au", null=True, blank=True, validators=DATES)
    status = models.CharField(
        "où en est-on", max_length=15, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    hours = models.PositiveSmallIntegerField(
        "durée (heures)", null=True, blank=True, validators=[MaxValueValidator(2000)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = "formation, certification ou immersion"
        ordering = ["starts_on", "id"]
        constraints = [
            *plausible_dates("iae_action", starts_on=FIRST_RECORD_DAY, ends_on=FIRST_RECORD_DAY),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="iae_action_dates_in_order",
                violation_error_message="La fin ne peut pas précéder le début.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.title}"


# ---------------------------------------------------------------------------------------------
# The skills booklet (IAE-05)
# ---------------------------------------------------------------------------------------------


class Skill(models.Model):
    """A skill of the referential: common (behavioural, CléA's 7 domains: site empty) or one
    of a site's activity."""

    site = models.ForeignKey(
        Site,
        verbose_name="site",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="skills",
    )
    family = models.CharField("famille", max_length=12, choices=SkillFamily.choices)
    label = models.CharField("compétence", max_length=250)
    position = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "compétence"
        ordering = ["family", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["site", "label"], name="iae_skill_once"),
            models.CheckConstraint(
                condition=Q(site__isnull=False) | ~Q(family=SkillFamily.TECHNICAL),
                name="iae_technical_skill_has_site",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @classmethod
    def ensure_common(cls) -> None:
        """The shared referential (COMMON_SKILLS), as the migration writes it."""
        for position, (family, label) in enumerate(COMMON_SKILLS):
            cls.objects.get_or_create(
                site=None, label=label, defaults={"family": family, "position": position}
            )

    @staticmethod
    def referential(site: Site):
        """The skills a parcours at `site` is assessed against, by family."""
        return Skill.objects.filter(Q(site__isnull=True) | Q(site=site)).order_by(
            "family", "position", "id"
        )


class Assessment(models.Model):
    """A dated evaluation of the skills: at entry, then along the parcours."""

    parcours = models.ForeignKey(
        Parcours, verbose_name="parcours", on_delete=models.CASCADE, related_name="assessments"
    )
    kind = models.CharField("type", max_length=10, choices=AssessmentKind.choices)
    assessed_on = models.DateField("date de l'évaluation", validators=DATES)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="évaluée par",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    note = models.TextField("observations partagées avec la personne", blank=True)

    class Meta:
        verbose_name = "évaluation des compétences"
        ordering = ["assessed_on", "id"]
        constraints = [
            *plausible_dates("iae_assessment", assessed_on=FIRST_RECORD_DAY),
            models.UniqueConstraint(
                fields=["parcours"],
                condition=Q(kind=AssessmentKind.ENTRY),
                name="iae_one_entry_assessment",
                violation_error_message="L'évaluation d'entrée est déjà enregistrée.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} du {self.assessed_on:%d/%m/%Y}"


class Rating(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name="évaluation", on_delete=models.CASCADE, related_name="ratings"
    )
    skill = models.ForeignKey(
        Skill, verbose_name="compétence", on_delete=models.PROTECT, related_name="ratings"
    )
    level = models.PositiveSmallIntegerField("niveau", choices=SkillLevel.choices)

    class Meta:
        verbose_name = "niveau d'une compétence"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "skill"], name="iae_rating_once"),
            models.CheckConstraint(
                condition=Q(level__gte=SkillLevel.NOT_ACQUIRED, level__lte=SkillLevel.MASTERED),
                name="iae_rating_level_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill} : {self.get_level_display()}"


# ---------------------------------------------------------------------------------------------
# The exit: synthesis, handover outside, continuity (IAE-06, IAE-08)
# ---------------------------------------------------------------------------------------------


class ExitSynthesis(models.Model):
    """IAE-06: what the SIAE hands the person and the SPIP before the parcours ends."""

    parcours = models.OneToOneField(
        Parcours, verbose_name="parcours", on_delete=models.CASCADE, related_name="synthesis"
    )
    skills_acquired = models.TextField(
        "compétences acquises", help_text="Fiche de poste, attestation de compétences…"
    )
    steps_engaged = models.TextField("démarches engagées en détention", blank=True)
    outcome = models.CharField(
        "situation prévue à la sortie", max_length=15, choices=ExitOutcome.choices
    )
    outside_conditions = models.TextField(
        "conditions de l'accompagnement à l'extérieur",
        blank=True,
        help_text="Si la personne poursuit avec la SIAE : fréquence et lieu des entretiens, "
        "formations…",
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField("mise à jour le", default=timezone.now)
    sent_at = models.DateTimeField("transmise au SPIP le", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "synthèse de parcours"
        verbose_name_plural = "synthèses de parcours"

    def __str__(self) -> str:
        return f"Synthèse de parcours — {self.parcours.person}"


class ExitContact(models.Model):
    synthesis = models.ForeignKey(
        ExitSynthesis, verbose_name="synthèse", on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField("type", max_length=15, choices=ContactKind.choices)
    name = models.CharField("nom et structure", max_length=200)
    details = models.CharField("coordonnées", max_length=300, blank=True)
    note = models.CharField("démarche", max_length=300, blank=True)

    class Meta:
        verbose_name = "contact pris"
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.name


class ExitAlert(models.Model):
    """IAE-06: the SIAE was alerted, once per expected release date, to write the synthesis."""

    parcours = models.ForeignKey(Parcours, on_delete=models.CASCADE, related_name="exit_alerts")
    release_on = models.DateField()
    alerted_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parcours", "release_on"], name="iae_exit_alert_once")
        ]

    def __str__(self) -> str:
        return f"Alerte du {self.alerted_on:%d/%m/%Y}"


class Handover(models.Model):
    """IAE-06: the prison CPIP hands the parcours over to the probation CPIP outside."""

    parcours = models.ForeignKey(
        Parcours, verbose_name="parcours", on_delete=models.CASCADE, related_name="handovers"
    )
    receiving_cpip = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="CPIP du milieu ouvert",
        on_delete=models.PROTECT,
        related_name="iae_handovers_received",
        limit_choices_to={"role": Role.CPIP},
    )
    receiving_spip = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", editable=False
    )
    handed_over_on = models.DateField("transmis le", validators=DATES)
    handed_over_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    note = models.TextField("informations transmises", blank=True)

    class Meta:
        verbose_name = "passage au milieu ouvert"
        ordering = ["-handed_over_on", "-id"]
        constraints = [*plausible_dates("iae_handover", handed_over_on=FIRST_RECORD_DAY)]

    def __str__(self) -> str:
        return f"Transmis à {self.receiving_cpip} le {self.handed_over_on:%d/%m/%Y}"

    def save(self, *args, **kwargs) -> None:
        self.receiving_spip_id = self.receiving_cpip.organisation_id
        super().save(*args, **kwargs)


class OutsideFollowUp(models.Model):
    """IAE-08: where the person stands 3 and 6 months after release."""

    parcours = models.ForeignKey(
        Parcours, verbose_name="parcours", on_delete=models.CASCADE, related_name="follow_ups"
    )
    months = models.PositiveSmallIntegerField("mois après la sortie")
    due_on = models.DateField("à faire le")
    checked_on = models.DateField("fait le", null=True, blank=True, validators=DATES)
    in_employment_or_training = models.BooleanField(
        "en emploi ou en formation", null=True, blank=True
    )
    still_with_siae = models.BooleanField("toujours accompagnée par la SIAE", null=True, blank=True)
    note = models.CharField("précisions", max_length=300, blank=True)

    class Meta:
        verbose_name = "suivi après la sortie"
        ordering = ["months"]
        constraints = [
            models.UniqueConstraint(fields=["parcours", "months"], name="iae_follow_up_once"),
            models.CheckConstraint(
                condition=Q(checked_on__isnull=True) | Q(in_employment_or_training__isnull=False),
                name="iae_follow_up_checked_has_answer",
            ),
        ]

    def __str__(self) -> str:
        return f"Suivi à {self.months} mois"

    @classmethod
    def plan(cls, parcours: Parcours, *, released_on: dt.date) -> None:
        for months in OUTSIDE_FOLLOW_UP_MONTHS:
            cls.objects.get_or_create(
                parcours=parcours,
                months=months,
                defaults={"due_on": add_months(released_on, months)},
            )

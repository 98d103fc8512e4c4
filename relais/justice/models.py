"""The detention context of a person (JUS-01): one person may have several detentions over
the years. Judicial data is special (GDPR art. 10): `Detention.objects.visible_to(user)` is
who reads it — the SIAO of the territory and the SPIP following the person while a judicial
measure runs (JUS-13); a structure learns only that a geographic constraint exists (the
orientation page says « Contrainte géographique : oui »)."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import Organisation, Territory
from relais.core.inputs import FIRST_FACT_DAY, LAST_DAY, date_validators, plausible_dates
from relais.core.transitions import (
    INITIAL,
    StateEvent,
    Stateful,
    StatefulQuerySet,
    Workflow,
    transition,
)
from relais.persons.models import Person

from . import dates
from .enums import (
    AdjustmentEventKind,
    AdjustmentKind,
    AdjustmentRefusalReason,
    AdjustmentState,
    AreaKind,
    AreaLevel,
    DetentionEventKind,
    DetentionState,
    EndDateReason,
    LegalStatus,
)

State = DetentionState


def follows(user, detention) -> bool:
    """Who may record and change a detention: the SIAO of its territory, the CPIP of its SPIP
    while the measure runs, the superuser."""
    if user.is_superuser:
        return True
    if user.is_siao_of(detention.territory_id):
        return True
    return (
        user.role == Role.CPIP
        and user.organisation_id == detention.spip_id
        and detention.measure_runs()
    )


def may_record(user, spip) -> bool:
    """Who records a detention followed by `spip`: that SPIP's CPIPs, the SIAO of its
    territory, the superuser."""
    if user.is_superuser:
        return True
    if user.is_siao_of(spip.territory_id):
        return True
    return user.role == Role.CPIP and user.organisation_id == spip.pk


class DetentionQuerySet(StatefulQuerySet):
    def measure_running(self, on: dt.date | None = None) -> "DetentionQuerySet":
        """Detentions whose judicial measure runs on `on` (default today): still in detention,
        or released with a measure ending that day or later."""
        on = on or timezone.localdate()
        return self.filter(Q(state=State.IN_DETENTION) | Q(measure_ends_on__gte=on))

    def visible_to(self, user) -> "DetentionQuerySet":
        """The SIAO reads its territory's detentions; the CPIP its SPIP's while the measure
        runs; nobody else reads a detention."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not user.organisation_id:
            return self.none()
        match user.role:
            case Role.SIAO_OPERATOR:
                return self.filter(territory_id=user.organisation.territory_id)
            case Role.CPIP:
                return self.filter(spip_id=user.organisation_id).measure_running()
            case _:
                return self.none()


class Detention(Stateful):
    person = models.ForeignKey(
        Person, verbose_name="personne", on_delete=models.PROTECT, related_name="detentions"
    )
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
        related_name="detentions",
        limit_choices_to={"kind": OrganisationKind.PRISON},
    )
    prison_number = models.CharField("numéro d'écrou", max_length=30)
    spip = models.ForeignKey(
        Organisation,
        verbose_name="SPIP",
        on_delete=models.PROTECT,
        related_name="followed_detentions",
        limit_choices_to={"kind": OrganisationKind.SPIP},
    )
    cpip = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="CPIP référent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followed_detentions",
        limit_choices_to={"role": Role.CPIP},
    )
    legal_status = models.CharField(
        "statut", max_length=10, choices=LegalStatus.choices, default=LegalStatus.CONVICTED
    )
    incarcerated_on = models.DateField(
        "date d'incarcération", validators=date_validators(FIRST_FACT_DAY, LAST_DAY)
    )
    sentence_years = models.PositiveSmallIntegerField(
        "peine totale : années", default=0, validators=[MaxValueValidator(99)]
    )
    sentence_months = models.PositiveSmallIntegerField(
        "mois", default=0, validators=[MaxValueValidator(11)]
    )
    sentence_days = models.PositiveSmallIntegerField(
        "jours", default=0, validators=[MaxValueValidator(30)]
    )
    end_date = models.DateField(
        "date de fin de peine prévue",
        null=True,
        blank=True,
        validators=date_validators(FIRST_FACT_DAY, LAST_DAY),
        help_text="Elle ne se modifie ensuite qu'avec un motif : l'historique est conservé.",
    )
    # Computed on save from the dates above (JUS-07), never typed.
    lsc_examination_on = models.DateField(
        "examen de la libération sous contrainte", null=True, editable=False
    )
    lsc_automatic_on = models.DateField(
        "libération sous contrainte de plein droit", null=True, editable=False
    )
    due_on = models.DateField("sortie possible au plus tôt", null=True, editable=False)
    state = models.CharField(
        "état", max_length=15, choices=State.choices, default=State.IN_DETENTION, editable=False
    )
    released_on = models.DateField("libérée le", null=True, blank=True, editable=False)
    measure_ends_on = models.DateField(
        "fin de la mesure judiciaire",
        null=True,
        blank=True,
        editable=False,
        help_text="Après la libération, le SPIP suit la personne jusqu'à cette date (JUS-13).",
    )
    created_at = models.DateTimeField("enregistrée le", default=timezone.now, editable=False)

    objects = DetentionQuerySet.as_manager()

    workflow = Workflow(
        transition(
            DetentionEventKind.RECORDED,
            "Enregistrer la détention",
            sources=[INITIAL],
            target=State.IN_DETENTION,
        ),
        transition(
            DetentionEventKind.END_DATE_MOVED,
            "Modifier la date de fin de peine",
            sources=[State.IN_DETENTION],
            target=State.IN_DETENTION,
            may=follows,
        ),
        transition(
            DetentionEventKind.RELEASED,
            "Enregistrer la libération",
            sources=[State.IN_DETENTION],
            target=State.RELEASED,
            may=follows,
        ),
    )

    class Meta:
        verbose_name = "détention"
        ordering = ["-incarcerated_on", "-id"]
        indexes = [
            models.Index(fields=["territory", "state", "due_on"]),
            models.Index(fields=["spip", "state", "due_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "prison_number"], name="detention_prison_number_once"
            ),
            *plausible_dates(
                "detention",
                incarcerated_on=None,
                end_date=None,
                released_on=None,
                measure_ends_on=None,
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("incarcerated_on")),
                name="detention_end_after_incarceration",
                violation_error_message=(
                    "La date de fin de peine ne peut pas précéder la date d'incarcération."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Écrou n° {self.prison_number} ({self.establishment})"

    @property
    def sentence_display(self) -> str:
        """ "2 ans, 3 mois et 10 jours"; "" for a remand prisoner."""
        if self.quantum is None:
            return ""
        parts = [
            f"{n} {word}{'s' if n > 1 and word != 'mois' else ''}"
            for n, word in zip(self.quantum, ("an", "mois", "jour"), strict=True)
            if n
        ]
        return " et ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else "".join(parts)

    def days_left(self, on: dt.date | None = None) -> int | None:
        """Days until the earliest possible release (negative once passed)."""
        if self.due_on is None:
            return None
        return (self.due_on - (on or timezone.localdate())).days

    # -- computed dates ------------------------------------------------------------------

    @property
    def quantum(self) -> tuple[int, int, int] | None:
        if self.legal_status != LegalStatus.CONVICTED:
            return None
        return (self.sentence_years, self.sentence_months, self.sentence_days)

    def compute_dates(self) -> None:
        """LSC dates and the earliest possible release, from the incarceration date, the
        quantum and the current end date."""
        self.lsc_examination_on, self.lsc_automatic_on = dates.lsc_dates(
            self.incarcerated_on, self.end_date, self.quantum
        )
        candidates = [
            d for d in (self.end_date, self.lsc_examination_on, self.lsc_automatic_on) if d
        ]
        self.due_on = min(candidates) if candidates else None

    def clean(self) -> None:
        super().clean()
        if self.establishment_id and self.spip_id:
            if self.establishment.kind != OrganisationKind.PRISON:
                raise ValidationError(
                    {"establishment": "Choisissez un établissement pénitentiaire."}
                )
            if self.spip.kind != OrganisationKind.SPIP:
                raise ValidationError({"spip": "Choisissez un SPIP."})
        if self.legal_status == LegalStatus.CONVICTED and not (
            self.sentence_years or self.sentence_months or self.sentence_days
        ):
            raise ValidationError({"sentence_years": "Indiquez la peine totale prononcée."})
        if self.legal_status == LegalStatus.CONVICTED and not self.end_date:
            raise ValidationError({"end_date": "Indiquez la date de fin de peine prévue."})
        if self.end_date and self.incarcerated_on and self.end_date < self.incarcerated_on:
            raise ValidationError(
                {"end_date": "La date de fin de peine ne peut pas précéder l'incarcération."}
            )

    def save(self, *args, **kwargs) -> None:
        if self.spip_id and not self.territory_id:
            self.territory_id = Organisation.objects.values_list("territory_id", flat=True).get(
                pk=self.spip_id
            )
        self.compute_dates()
        super().save(*args, **kwargs)

    def measure_runs(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.state == State.IN_DETENTION or (
            self.measure_ends_on is not None and self.measure_ends_on >= on
        )

    # -- transitions ---------------------------------------------------------------------

    @classmethod
    def record(cls, *, by, **values) -> "Detention":
        detention, _ = cls._create(DetentionEventKind.RECORDED, by=by, values=values)
        return detention

    def move_end_date(self, new_date: dt.date, *, reason: str, by, note: str = "", at=None):
        """The expected end date changes, with its reason: the history keeps each change."""
        if reason not in EndDateReason.values:
            raise ValueError(reason)
        previous = self.end_date
        return self._apply(
            DetentionEventKind.END_DATE_MOVED,
            by=by,
            at=at,
            note=note,
            data={
                "from": previous.isoformat() if previous else None,
                "to": new_date.isoformat(),
                "reason": reason,
            },
            end_date=new_date,
        )

    def release(self, *, on: dt.date, by, measure_ends_on: dt.date | None = None, note=""):
        """Released on `on`; the SPIP follows until `measure_ends_on` (default: that day)."""
        return self._apply(
            DetentionEventKind.RELEASED,
            by=by,
            note=note,
            data={"on": on.isoformat()},
            released_on=on,
            measure_ends_on=measure_ends_on or on,
        )

    def end_date_history(self):
        """The changes of the expected end date, oldest first (events of kind moved)."""
        return self.events.filter(kind=DetentionEventKind.END_DATE_MOVED).select_related("actor")

    # -- judicial constraints on housing (JUS-04) --------------------------------------

    def area_refusal(self, commune_insee_code: str) -> str:
        """Why a place in that commune breaks the constraints (French), or ""."""
        return area_refusal(list(self.areas.all()), commune_insee_code)


def departement_of(commune_insee_code: str) -> str:
    code = commune_insee_code or ""
    return code[:3] if code.startswith("97") else code[:2]


def area_refusal(areas, commune_insee_code: str) -> str:
    """The one rule of JUS-04: a place is refused inside an exclusion area or an area to
    avoid, or outside every residence obligation. An unknown commune cannot be checked."""
    if not areas:
        return ""
    if not commune_insee_code:
        return (
            "Contrainte géographique : la commune de cette structure n'est pas renseignée, "
            "elle ne peut pas être vérifiée."
        )
    inside = [a for a in areas if a.contains(commune_insee_code)]
    for area in inside:
        if area.kind in (AreaKind.EXCLUSION, AreaKind.AVOID):
            return f"{area.get_kind_display()} : {area.name or area.insee_code}"
    residences = [a for a in areas if a.kind == AreaKind.RESIDENCE]
    if residences and not any(a in inside for a in residences):
        names = ", ".join(a.name or a.insee_code for a in residences)
        return f"Obligation de résider : {names}"
    return ""


class JudicialArea(models.Model):
    """A commune or a département named by a judicial measure."""

    detention = models.ForeignKey(
        Detention, verbose_name="détention", on_delete=models.CASCADE, related_name="areas"
    )
    kind = models.CharField("contrainte", max_length=10, choices=AreaKind.choices)
    level = models.CharField("niveau", max_length=12, choices=AreaLevel.choices)
    insee_code = models.CharField("code INSEE", max_length=5)
    name = models.CharField("nom", max_length=100, blank=True)

    class Meta:
        verbose_name = "contrainte géographique"
        ordering = ["kind", "insee_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["detention", "kind", "level", "insee_code"], name="judicialarea_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.name or self.insee_code}"

    def contains(self, commune_insee_code: str) -> bool:
        if self.level == AreaLevel.COMMUNE:
            return commune_insee_code == self.insee_code
        return departement_of(commune_insee_code) == self.insee_code


class DetentionEvent(StateEvent):
    detention = models.ForeignKey(Detention, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("événement", max_length=20, choices=DetentionEventKind.choices)
    from_state = models.CharField("état précédent", max_length=15, blank=True)
    to_state = models.CharField("nouvel état", max_length=15)

    class Meta(StateEvent.Meta):
        verbose_name = "événement de détention"

    def _day(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        return dt.date.fromisoformat(value) if value else None

    @property
    def from_date(self) -> dt.date | None:
        return self._day("from")

    @property
    def to_date(self) -> dt.date | None:
        return self._day("to")

    def reason_label(self) -> str:
        reason = self.data.get("reason")
        return EndDateReason(reason).label if reason in EndDateReason.values else ""


# ---------------------------------------------------------------------------------------------
# Sentence adjustment in view
# ---------------------------------------------------------------------------------------------


def _follows_adjustment(adjustment, user) -> bool:
    return follows(user, adjustment.detention)


class SentenceAdjustment(Stateful):
    """The adjustment in view (LC, SL, PSE, PE, LSC) and where it stands."""

    detention = models.ForeignKey(
        Detention, verbose_name="détention", on_delete=models.CASCADE, related_name="adjustments"
    )
    kind = models.CharField("aménagement", max_length=5, choices=AdjustmentKind.choices)
    state = models.CharField(
        "état",
        max_length=12,
        choices=AdjustmentState.choices,
        default=AdjustmentState.TO_PREPARE,
        editable=False,
    )
    hearing_on = models.DateField(
        "date d'audience",
        null=True,
        blank=True,
        editable=False,
        validators=date_validators(FIRST_FACT_DAY, LAST_DAY),
    )
    refusal_reason = models.CharField(
        "motif du refus",
        max_length=12,
        choices=AdjustmentRefusalReason.choices,
        blank=True,
        editable=False,
    )

    objects = StatefulQuerySet.as_manager()

    S = AdjustmentState
    workflow = Workflow(
        transition(
            AdjustmentEventKind.PLANNED,
            "Envisager un aménagement",
            sources=[INITIAL],
            target=S.TO_PREPARE,
        ),
        transition(
            AdjustmentEventKind.REQUESTED,
            "Demande déposée",
            sources=[S.TO_PREPARE],
            target=S.REQUESTED,
            may=_follows_adjustment,
        ),
        transition(
            AdjustmentEventKind.HEARING_SET,
            "Audience fixée",
            sources=[S.TO_PREPARE, S.REQUESTED, S.HEARING_SET],
            target=S.HEARING_SET,
            may=_follows_adjustment,
        ),
        transition(
            AdjustmentEventKind.GRANTED,
            "Aménagement accordé",
            sources=[S.REQUESTED, S.HEARING_SET],
            target=S.GRANTED,
            may=_follows_adjustment,
        ),
        transition(
            AdjustmentEventKind.REFUSED,
            "Aménagement refusé",
            sources=[S.REQUESTED, S.HEARING_SET],
            target=S.REFUSED,
            may=_follows_adjustment,
        ),
        transition(
            AdjustmentEventKind.WITHDRAWN,
            "Abandonner",
            sources=[S.TO_PREPARE, S.REQUESTED, S.HEARING_SET],
            target=S.WITHDRAWN,
            may=_follows_adjustment,
        ),
    )
    del S

    class Meta:
        verbose_name = "aménagement de peine"
        ordering = ["-id"]
        constraints = [*plausible_dates("adjustment", hearing_on=None)]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.get_state_display()}"

    @classmethod
    def plan(cls, detention: Detention, *, kind: str, by) -> "SentenceAdjustment":
        adjustment, _ = cls._create(
            AdjustmentEventKind.PLANNED, by=by, values={"detention": detention, "kind": kind}
        )
        return adjustment

    def take(
        self,
        step: str,
        *,
        by,
        hearing_on: dt.date | None = None,
        refusal_reason: str = "",
        note: str = "",
    ):
        """The next step of the adjustment: requested, hearing set, granted, refused…"""
        changes = {}
        if step == AdjustmentEventKind.HEARING_SET:
            changes["hearing_on"] = hearing_on
        if step == AdjustmentEventKind.REFUSED:
            changes["refusal_reason"] = refusal_reason
        data = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in changes.items()}
        return self._apply(step, by=by, note=note, data=data, **changes)

    @property
    def in_view(self) -> bool:
        return self.state not in (AdjustmentState.WITHDRAWN, AdjustmentState.REFUSED)


class AdjustmentEvent(StateEvent):
    adjustment = models.ForeignKey(
        SentenceAdjustment, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("événement", max_length=20, choices=AdjustmentEventKind.choices)

    class Meta(StateEvent.Meta):
        verbose_name = "événement d'aménagement"

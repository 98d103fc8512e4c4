import datetime as dt
import math
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone

from relais.accounts.models import Organisation, Territory
from relais.core.inputs import MAX_AGE, MAX_PLACES, in_range
from relais.core.text import count_of
from relais.core.transitions import Event, TransitionNotAllowed, lock

from .enums import CapacityEventKind, PlaceReservation, PlaceType, StructureType
from .signals import places_freed
from .validators import (
    validate_commune_insee_code,
    validate_finess,
    validate_postcode,
    validate_siret,
)


class StructureQuerySet(models.QuerySet):
    def managed_by(self, organisation: Organisation | None) -> "StructureQuerySet":
        if organisation is None:
            return self.none()
        return self.filter(manager=organisation)

    def visible_to(self, user) -> "StructureQuerySet":
        """SIAO-21: a structure manager sees its own structures; the SIAO its whole territory."""
        from relais.accounts.enums import Role

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if user.role == Role.STRUCTURE_MANAGER:
            return self.managed_by(user.organisation)
        if user.role in (Role.SIAO_OPERATOR, Role.TERRITORY_ADMIN) and user.organisation_id:
            return self.filter(territory_id=user.organisation.territory_id)
        return self.none()


class Structure(models.Model):
    """A shelter or housing provider's site (seed 004 Annex II §2)."""

    name = models.CharField("nom", max_length=200)
    structure_type = models.CharField(
        "type de structure", max_length=30, choices=StructureType.choices
    )
    territory = models.ForeignKey(
        Territory, verbose_name="territoire", on_delete=models.PROTECT, related_name="structures"
    )
    manager = models.ForeignKey(
        Organisation,
        verbose_name="gestionnaire",
        on_delete=models.PROTECT,
        related_name="structures",
    )
    has_chrs_status = models.BooleanField("statut CHRS", default=False)
    finess = models.CharField("n° FINESS", max_length=9, blank=True, validators=[validate_finess])
    siret = models.CharField("n° SIRET", max_length=14, blank=True, validators=[validate_siret])
    street = models.CharField("adresse", max_length=200, blank=True)
    postcode = models.CharField(
        "code postal", max_length=5, blank=True, validators=[validate_postcode]
    )
    commune = models.CharField("commune", max_length=100, blank=True)
    commune_insee_code = models.CharField(
        "code INSEE de la commune",
        max_length=5,
        blank=True,
        validators=[validate_commune_insee_code],
    )
    email = models.EmailField("adresse électronique du gestionnaire", blank=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        code = self.commune_insee_code
        if code and self.territory_id:
            departement = self.territory.insee_code
            if not code.startswith(departement if len(departement) == 2 else departement[:3]):
                raise ValidationError(
                    {
                        "commune_insee_code": (
                            f"Cette commune n'est pas dans le département {departement}."
                        )
                    }
                )

    @property
    def is_chrs(self) -> bool:
        return self.has_chrs_status or self.structure_type in StructureType.chrs_types()

    @property
    def address(self) -> str:
        town = " ".join(part for part in [self.postcode, self.commune] if part)
        return ", ".join(part for part in [self.street, town] if part)

    def capacity_for_direct_admission(self) -> "PlaceCapacity | None":
        """The capacity a direct admission (urgence) lands in: urgence places first."""
        capacities = sorted(
            self.capacities.all(),
            key=lambda c: (c.place_type != PlaceType.EMERGENCY, c.is_winter_only, c.pk),
        )
        return capacities[0] if capacities else None

    def permanent_capacity(self) -> int:
        """Places counted for the structure (décret 2010-255): winter-only places are not."""
        return self.capacities.filter(is_winter_only=False).aggregate(n=Sum("places"))["n"] or 0


# ---------------------------------------------------------------------------------------------
# Table 2: places of a dwelling from its surface
# ---------------------------------------------------------------------------------------------

TABLE_2_FIRST_SURFACE = Decimal(9)
TABLE_2_LAST_SURFACE = Decimal(100)


def places_for_surface(surface: Decimal | int | float | str) -> int:
    """Places of a dwelling of `surface` m² (décret 2010-255, art. R. 312-193-3; SIAO-10).

    9 to less than 12 m² is one place, 12 to less than 23 two, then one more place per 11 m²
    up to 89 to less than 100 m², nine places. Above 100 m², every further started 10 m² adds
    one place (100.01 → 10, 110 → 10, 110.01 → 11). The decree lists no row for exactly
    100 m² and starts its extra places "above 100": we keep 100 m² in type IX (9 places).
    """
    surface = Decimal(str(surface))
    if surface < TABLE_2_FIRST_SURFACE:
        return 0
    if surface < 12:
        return 1
    if surface <= TABLE_2_LAST_SURFACE:
        return min(2 + int((surface - 12) // 11), 9)
    return 9 + math.ceil((surface - TABLE_2_LAST_SURFACE) / 10)


# ---------------------------------------------------------------------------------------------
# Capacities and vacancies
# ---------------------------------------------------------------------------------------------


def _places_held(*, on=None, **filters) -> models.QuerySet:
    """The rows holding places of capacities on day `on` (default today), reached through the
    relation that points here (orientations, which say themselves which of their states hold
    a place, and from when): places need no knowledge of the orientation workflow."""
    holder = PlaceCapacity._meta.get_field("orientations").related_model
    return holder.objects.holding_places(on=on).filter(**filters)


# What the indicators count of a capacity, hence what its history records (SIAO-18).
HISTORY_FIELDS = frozenset(
    {"structure", "structure_id", "place_type", "is_winter_only", "places", "reservation"}
)


class PlaceCapacityQuerySet(models.QuerySet):
    def with_vacancies(self, on=None) -> "PlaceCapacityQuerySet":
        """Annotate `occupied` (places held by orientations and stays) and `vacant`, on day
        `on` (default today).

        Vacancies are never typed: capacity, minus what the manager declared unavailable,
        minus the places held by orientations and stays (SIAO-09).
        """
        held = (
            _places_held(on=on, capacity=OuterRef("pk"))
            .order_by()
            .values("capacity")
            .annotate(n=Sum("places"))
            .values("n")
        )
        return self.annotate(
            occupied=Coalesce(Subquery(held), Value(0)),
        ).annotate(vacant=F("places") - F("unavailable_places") - F("occupied"))

    def visible_to(self, user) -> "PlaceCapacityQuerySet":
        return self.filter(structure__in=Structure.objects.visible_to(user))

    def offered_as(self, reservations) -> "PlaceCapacityQuerySet":
        """The capacities kept for one of `reservations` (the kinds a request may be offered,
        `relais.orientations.offer.reservations_open_to`)."""
        return self.filter(reservation__in=set(reservations))


def places_by_reservation(on=None, *, territory_id=None) -> dict[str, dict[str, int]]:
    """JUS-12, for the reports of the use of reserved places: per kind of reservation, the
    places of the capacities kept for it and the places held there by orientations and
    stays, as `PlaceCapacityQuerySet.with_vacancies(on)` counts them (the orientations as they
    stand now; a reservation's window counts from its start): {"detention": {"places": 6,
    "held": 4}, ...}. Every kind is listed, at 0 when none. A report over past days reads
    the capacities' past states in CapacityChange and the stays' dates on Orientation."""
    capacities = PlaceCapacity.objects.all()
    held = _places_held(on=on)
    if territory_id is not None:
        capacities = capacities.filter(structure__territory_id=territory_id)
        held = held.filter(capacity__structure__territory_id=territory_id)
    result = {kind: {"places": 0, "held": 0} for kind in PlaceReservation.values}
    for kind, places in capacities.order_by().values_list("reservation").annotate(n=Sum("places")):
        result[kind]["places"] = places or 0
    for kind, places in (
        held.order_by().values_list("capacity__reservation").annotate(n=Sum("places"))
    ):
        result[kind]["held"] = places or 0
    return result


TOO_MANY_PLACES = f"Au plus {MAX_PLACES:_} places par ligne de capacité.".replace("_", "\u202f")
AGE_LIMIT = f"Un âge limite est compris entre 0 et {MAX_AGE} ans."
AGE_RANGE = "L'âge minimum dépasse l'âge maximum."
RESERVATION_BADGES = {
    PlaceReservation.DETENTION: "Réservée aux sortants de détention",
    PlaceReservation.FLYING: "Place volante (sorties sèches)",
    PlaceReservation.PLACEMENT: "Placement à l'extérieur",
}
# DSFR badge colours, one per kind.
RESERVATION_COLOURS = {
    PlaceReservation.DETENTION: "fr-badge--purple-glycine",
    PlaceReservation.FLYING: "fr-badge--orange-terre-battue",
    PlaceReservation.PLACEMENT: "fr-badge--blue-ecume",
}
AGREEMENT_ONLY_FOR_PLACEMENT = (
    "Seules des places de placement à l'extérieur se rattachent à une convention."
)
AGREEMENT_NEEDED = (
    "Des places de placement à l'extérieur se rattachent à la convention qui les dédie : "
    "choisissez-la."
)


class PlaceCapacity(models.Model):
    """A number of places of one kind in a structure (Table 1 attributes) and who they take."""

    structure = models.ForeignKey(
        Structure, verbose_name="structure", on_delete=models.CASCADE, related_name="capacities"
    )
    place_type = models.CharField("type de place", max_length=20, choices=PlaceType.choices)
    label = models.CharField(
        "précision", max_length=100, blank=True, help_text="Ex. : aile femmes, appartements."
    )
    places = models.PositiveIntegerField(
        "nombre de places", validators=[MaxValueValidator(MAX_PLACES, message=TOO_MANY_PLACES)]
    )
    is_winter_only = models.BooleanField("temporaire (mesure hivernale)", default=False)
    reservation = models.CharField(
        "places réservées",
        max_length=20,
        choices=PlaceReservation.choices,
        default=PlaceReservation.ORDINARY,
        help_text="Places gardées pour les sortants de détention (JUS-12) ou dédiées au "
        "placement à l'extérieur (JUS-03).",
    )
    # JUS-03: the agreement the placement à l'extérieur places are dedicated under.
    pe_agreement = models.ForeignKey(
        "PlacementAgreement",
        verbose_name="convention de placement à l'extérieur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="capacities",
        help_text="Pour des places de placement à l'extérieur : la convention qui les dédie.",
    )
    is_scattered = models.BooleanField("en diffus", default=False)
    is_dormitory = models.BooleanField("dortoir (≥ 5 places)", default=False)
    # Who the places take in: what a shelter really asks before saying yes.
    accepts_men = models.BooleanField("hommes seuls", default=True)
    accepts_women = models.BooleanField("femmes seules", default=True)
    accepts_couples = models.BooleanField("couples", default=True)
    accepts_children = models.BooleanField("familles avec enfants", default=True)
    min_age = models.PositiveSmallIntegerField(
        "âge minimum", null=True, blank=True, validators=[MaxValueValidator(MAX_AGE, AGE_LIMIT)]
    )
    max_age = models.PositiveSmallIntegerField(
        "âge maximum", null=True, blank=True, validators=[MaxValueValidator(MAX_AGE, AGE_LIMIT)]
    )
    accepts_pets = models.BooleanField("animaux acceptés", default=False)
    wheelchair_accessible = models.BooleanField("accessible en fauteuil roulant", default=False)
    # Declared by the manager (works, a room kept for a partner…), with a trace in CapacityEvent.
    unavailable_places = models.PositiveIntegerField(
        "places indisponibles", default=0, editable=False
    )

    objects = PlaceCapacityQuerySet.as_manager()

    class Meta:
        verbose_name = "capacité"
        verbose_name_plural = "capacités"
        ordering = ["structure", "place_type", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(places__gt=0),
                name="placecapacity_places_positive",
                violation_error_message="Indiquez au moins une place.",
            ),
            in_range(
                "places",
                1,
                MAX_PLACES,
                name="placecapacity_places_plausible",
                message=TOO_MANY_PLACES,
            ),
            models.CheckConstraint(
                condition=Q(unavailable_places__lte=F("places")),
                name="placecapacity_unavailable_within_places",
                violation_error_message="Il y a plus de places indisponibles que de places.",
            ),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True)
                | Q(max_age__isnull=True)
                | Q(min_age__lte=F("max_age")),
                name="placecapacity_age_range",
                violation_error_message=AGE_RANGE,
            ),
            in_range(
                "min_age", 0, MAX_AGE, name="placecapacity_min_age_plausible", message=AGE_LIMIT
            ),
            in_range(
                "max_age", 0, MAX_AGE, name="placecapacity_max_age_plausible", message=AGE_LIMIT
            ),
            models.CheckConstraint(
                condition=Q(pe_agreement__isnull=True) | Q(reservation=PlaceReservation.PLACEMENT),
                name="placecapacity_agreement_only_for_placement",
                violation_error_message=AGREEMENT_ONLY_FOR_PLACEMENT,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.places} × {self.get_place_type_display()} — {self.structure}"

    def save(self, *args, change_by=None, change_at=None, change_note: str = "", **kwargs):
        """Save, and write a CapacityChange if the places, their kind, their winter-only
        status or their structure changed (or the capacity is new). `change_at`: when the
        change took effect, if earlier than now (a change entered late)."""
        update_fields = kwargs.get("update_fields")
        with transaction.atomic():
            super().save(*args, **kwargs)
            if update_fields is None or HISTORY_FIELDS.intersection(update_fields):
                self.record_change(by=change_by, at=change_at, note=change_note)

    @property
    def description(self) -> str:
        """Table 1 attributes in plain words: "urgence, regroupées, dortoir, hivernales"."""
        parts = [self.get_place_type_display()]
        if self.label:
            parts.append(self.label)
        parts.append("en diffus" if self.is_scattered else "regroupées")
        parts.append("dortoir" if self.is_dormitory else "chambres individuelles")
        if self.is_winter_only:
            parts.append("hivernales")
        return ", ".join(parts)

    @property
    def public_display(self) -> str:
        accepted = [
            label
            for flag, label in [
                (self.accepts_men, "hommes"),
                (self.accepts_women, "femmes"),
                (self.accepts_couples, "couples"),
                (self.accepts_children, "familles avec enfants"),
            ]
            if flag
        ]
        text = ", ".join(accepted) if accepted else "personne"
        if self.min_age and self.max_age:
            text += f", de {self.min_age} à {self.max_age} ans"
        elif self.min_age:
            text += f", {self.min_age} ans et plus"
        elif self.max_age:
            text += f", jusqu'à {self.max_age} ans"
        if self.accepts_pets:
            text += ", animaux acceptés"
        if self.wheelchair_accessible:
            text += ", accessible en fauteuil"
        return text

    def clean(self) -> None:
        super().clean()
        if self.is_dormitory and self.places is not None and self.places < 5:
            raise ValidationError(
                {"is_dormitory": "Un dortoir compte au moins 5 places (table 1)."}
            )
        if refusal := self.agreement_refusal():
            raise ValidationError({"pe_agreement": refusal})

    @property
    def reservation_badge(self) -> str:
        """The short French label shown next to reserved places, "" for ordinary ones."""
        return RESERVATION_BADGES.get(self.reservation, "")

    @property
    def reservation_colour(self) -> str:
        return RESERVATION_COLOURS.get(self.reservation, "")

    @property
    def is_reserved(self) -> bool:
        """Kept for someone (JUS-03, JUS-12): shown apart, offered only to who it is for."""
        return self.reservation != PlaceReservation.ORDINARY

    def agreement_refusal(self) -> str:
        """JUS-03: placement places come with their agreement, of the same structure, within
        the number of places the agreement dedicates; other places with none. "" if fine."""
        placement = self.reservation == PlaceReservation.PLACEMENT
        if not placement:
            return AGREEMENT_ONLY_FOR_PLACEMENT if self.pe_agreement_id else ""
        if not self.pe_agreement_id:
            return AGREEMENT_NEEDED
        agreement = self.pe_agreement
        if self.structure_id and agreement.structure_id != self.structure_id:
            return f"La convention « {agreement} » porte sur une autre structure."
        others = agreement.capacities.exclude(pk=self.pk).aggregate(n=Sum("places"))["n"] or 0
        if self.places is not None and others + self.places > agreement.places:
            return (
                f"La convention « {agreement} » dédie "
                f"{count_of(agreement.places, 'place')} au placement à l'extérieur : "
                f"{count_of(others, 'place y est déjà rattachée', 'places y sont déjà rattachées')}."
            )
        return ""

    def held_places(self, on=None) -> int:
        """Places held on day `on` (default today)."""
        held = _places_held(on=on, capacity=self)
        return held.aggregate(n=Sum("places"))["n"] or 0

    def vacant_places(self, on=None) -> int:
        """Places free on day `on` (default today)."""
        return self.places - self.unavailable_places - self.held_places(on=on)

    def sync_places_from_dwellings(self) -> None:
        total = sum(dwelling.places for dwelling in self.dwellings.all())
        if total:
            with transaction.atomic():
                PlaceCapacity.objects.filter(pk=self.pk).update(places=total)
                self.places = total
                self.record_change(note="Places recalculées d'après les logements (table 2).")

    # -- history of the capacity (SIAO-18) ----------------------------------------------

    def record_change(
        self, *, by=None, at=None, note: str = "", removed: bool = False
    ) -> "CapacityChange | None":
        """Append the capacity's state as stored now to its history, unless its last change
        already says so. `removed`: the capacity is being deleted (its places go to 0).

        The state is read back from the database, so a stale instance cannot write a wrong
        history. A change takes effect at `at` (default now): neither in the future nor
        before the capacity's last change, so that the row always holds the latest state."""
        state = (
            PlaceCapacity.objects.filter(pk=self.pk)
            .values_list("structure_id", "place_type", "is_winter_only", "places", "reservation")
            .get()
        )
        if removed:
            state = (*state[:3], 0, state[4])
        last = self.changes.order_by("-occurred_at", "-pk").first()
        if last is not None and last.state == state:
            return None
        now = timezone.now()
        at = at or now
        if at > now:
            raise ValidationError("Un changement de capacité ne peut pas prendre effet demain.")
        if last is not None and at < last.occurred_at:
            raise ValidationError(
                "Un changement de capacité ne peut pas prendre effet avant le précédent "
                f"({timezone.localtime(last.occurred_at):%d/%m/%Y %H:%M})."
            )
        structure_id, place_type, is_winter_only, places, reservation = state
        change = CapacityChange.objects.create(
            capacity_id=self.pk,
            structure_id=structure_id,
            place_type=place_type,
            is_winter_only=is_winter_only,
            places=places,
            reservation=reservation,
            places_before=last.places if last is not None else 0,
            occurred_at=at,
            recorded_at=now,
            actor=by,
            note=note,
        )
        if last is not None and places > last.places:
            places_freed.send(sender=PlaceCapacity, capacity=self, cause="capacité augmentée")
        return change

    # -- declarations by the manager (SIAO-09) ------------------------------------------

    def declare_unavailable(self, *, by, count: int, note: str) -> "CapacityEvent":
        """Take `count` free places out of the vacancies (works, a room closed…)."""
        return self._declare(
            by=by, delta=count, kind=CapacityEventKind.DECLARED_UNAVAILABLE, note=note
        )

    def declare_available(self, *, by, count: int, note: str = "") -> "CapacityEvent":
        """Give `count` unavailable places back to the vacancies."""
        return self._declare(
            by=by, delta=-count, kind=CapacityEventKind.DECLARED_AVAILABLE, note=note
        )

    def _declare(self, *, by, delta: int, kind: str, note: str) -> "CapacityEvent":
        if delta == 0:
            raise TransitionNotAllowed("Indiquez un nombre de places.")
        with transaction.atomic():
            locked = lock(self)
            unavailable = locked.unavailable_places + delta
            if unavailable < 0:
                raise TransitionNotAllowed(
                    "Seulement "
                    + count_of(
                        locked.unavailable_places,
                        "place est déclarée indisponible.",
                        "places sont déclarées indisponibles.",
                    )
                )
            if delta > 0 and delta > locked.vacant_places():
                raise TransitionNotAllowed(
                    f"Seulement {count_of(max(locked.vacant_places(), 0), 'place est libre', 'places sont libres')} : "
                    "une place occupée se libère par une fin de séjour."
                )
            locked.unavailable_places = unavailable
            locked.save(update_fields=["unavailable_places"])
            event = CapacityEvent.objects.create(
                capacity=locked, kind=kind, delta=delta, actor=by, note=note
            )
            if delta < 0:
                places_freed.send(
                    sender=PlaceCapacity, capacity=locked, cause="places de nouveau disponibles"
                )
        self.refresh_from_db()
        return event


class CapacityEvent(Event):
    """A manager's declaration about a capacity: who, when, why. Rows are only ever added."""

    capacity = models.ForeignKey(
        PlaceCapacity, verbose_name="capacité", on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField("déclaration", max_length=20, choices=CapacityEventKind.choices)
    delta = models.IntegerField("places rendues indisponibles (négatif : rendues disponibles)")
    occurred_at = models.DateTimeField("le", default=timezone.now)
    note = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "déclaration de disponibilité"
        verbose_name_plural = "déclarations de disponibilité"
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.count}) — {self.capacity}"

    @property
    def count(self) -> int:
        return abs(self.delta)


class CapacityChange(models.Model):
    """One change of a capacity as the indicators count it (SIAO-18): from `occurred_at`, the
    capacity has `places` places of `place_type` in `structure` (0: it was removed), as Relais
    learnt at `recorded_at`. Rows are only ever added, by PlaceCapacity.record_change().

    Each row carries the whole counted state, so the capacity in effect at any instant, as
    known at any instant, is the last row in effect then; the history survives the deletion
    of its capacity (no database constraint on `capacity`, whose removal writes a last row
    of 0 places). A structure with a capacity history cannot be deleted."""

    capacity = models.ForeignKey(
        PlaceCapacity,
        verbose_name="capacité",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="changes",
    )
    structure = models.ForeignKey(
        Structure,
        verbose_name="structure",
        on_delete=models.PROTECT,
        related_name="capacity_changes",
    )
    place_type = models.CharField("type de place", max_length=20, choices=PlaceType.choices)
    is_winter_only = models.BooleanField("temporaire (mesure hivernale)")
    reservation = models.CharField(
        "places réservées",
        max_length=20,
        choices=PlaceReservation.choices,
        default=PlaceReservation.ORDINARY,
    )
    places = models.PositiveIntegerField("places (0 : capacité supprimée)")
    places_before = models.PositiveIntegerField("places auparavant")
    occurred_at = models.DateTimeField("en vigueur à partir du", default=timezone.now)
    recorded_at = models.DateTimeField("enregistré le", default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField("motif", blank=True)

    class Meta:
        verbose_name = "changement de capacité"
        verbose_name_plural = "changements de capacité"
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(occurred_at__lte=F("recorded_at")),
                name="capacitychange_occurred_before_recorded",
                violation_error_message="Un changement de places ne peut pas prendre effet "
                "après son enregistrement.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.places_before} → {self.places} places ({self.occurred_at:%d/%m/%Y})"

    @property
    def state(self) -> tuple:
        return (
            self.structure_id,
            self.place_type,
            self.is_winter_only,
            self.places,
            self.reservation,
        )

    @classmethod
    def record_opening(
        cls, capacities: list[PlaceCapacity], *, at, note: str = ""
    ) -> list["CapacityChange"]:
        """The first change of capacities created in bulk (bulk_create skips save())."""
        return cls.objects.bulk_create(
            cls(
                capacity=capacity,
                structure_id=capacity.structure_id,
                place_type=capacity.place_type,
                is_winter_only=capacity.is_winter_only,
                places=capacity.places,
                reservation=capacity.reservation,
                places_before=0,
                occurred_at=at,
                recorded_at=at,
                note=note,
            )
            for capacity in capacities
        )


@receiver(pre_delete, sender=PlaceCapacity)
def _capacity_removed(sender, instance: PlaceCapacity, **kwargs) -> None:
    """However a capacity is deleted (admin, queryset), its history ends with 0 places."""
    instance.record_change(note="Capacité supprimée du registre.", removed=True)


class Dwelling(models.Model):
    """A flat or house of a housing capacity; its places come from its surface (Table 2)."""

    capacity = models.ForeignKey(
        PlaceCapacity, verbose_name="capacité", on_delete=models.CASCADE, related_name="dwellings"
    )
    label = models.CharField("logement", max_length=100, help_text="Ex. : T2, 3e étage gauche.")
    surface = models.DecimalField("surface habitable (m²)", max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = "logement"
        ordering = ["capacity", "label"]
        constraints = [
            models.CheckConstraint(
                condition=Q(surface__gte=9),
                name="dwelling_surface_min",
                violation_error_message="Un logement mesure au moins 9 m².",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.surface} m²)"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.capacity.sync_places_from_dwellings()

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            result = super().delete(*args, **kwargs)
            self.capacity.sync_places_from_dwellings()
        return result

    @property
    def places(self) -> int:
        return places_for_surface(self.surface)

    def clean(self) -> None:
        super().clean()
        if self.surface is not None and self.surface < TABLE_2_FIRST_SURFACE:
            raise ValidationError(
                {"surface": "Un logement de moins de 9 m² ne compte pour aucune place (table 2)."}
            )


# ---------------------------------------------------------------------------------------------
# Placement à l'extérieur agreements (JUS-03)
# ---------------------------------------------------------------------------------------------

AGREEMENT_DOCUMENT_TYPES = {
    # extension: the bytes a real file of that kind starts with
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}
AGREEMENT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
AGREEMENT_ALERT_DAYS = 60


def agreement_document_refusal(upload) -> str:
    """Why an uploaded signed agreement is refused (French), or "": a PDF or a scan (PNG,
    JPEG) whose content is really of that kind, of 10 Mo at most."""
    import os

    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in AGREEMENT_DOCUMENT_TYPES:
        return "Joignez la convention signée en PDF, ou scannée en PNG ou JPEG."
    if upload.size > AGREEMENT_DOCUMENT_MAX_BYTES:
        return "Le document dépasse 10 Mo : réduisez la résolution du scan."
    if upload.size == 0:
        return "Le document est vide."
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    if not head.startswith(AGREEMENT_DOCUMENT_TYPES[extension]):
        return f"Le fichier ne contient pas un document {extension[1:].upper()} valide."
    return ""


def _agreement_upload_to(instance, filename: str) -> str:
    """An unguessable name: the file is never public, but neither is its name telling."""
    import os
    import uuid

    return f"conventions_pe/{uuid.uuid4().hex}{os.path.splitext(filename)[1].lower()}"


class PlacementAgreementQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PlacementAgreementQuerySet":
        """JUS-03: the SIAO of the structure's territory, which records them, and the SPIP
        that signed (its CPIPs); nobody else."""
        from relais.accounts.enums import Role

        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        if not user.organisation_id:
            return self.none()
        if user.role == Role.SIAO_OPERATOR:
            return self.filter(structure__territory_id=user.organisation.territory_id)
        if user.role == Role.CPIP:
            return self.filter(spip_id=user.organisation_id)
        return self.none()

    def in_force(self, on=None) -> "PlacementAgreementQuerySet":
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on, ends_on__gte=on)

    def ending_within(self, today, days: int = AGREEMENT_ALERT_DAYS):
        """Agreements still running on `today` whose end falls within `days` days."""
        return self.filter(ends_on__gte=today, ends_on__lte=today + dt.timedelta(days=days))


class PlacementAgreement(models.Model):
    """JUS-03: a bilateral agreement between the prison administration and a structure for
    placements à l'extérieur. The SPIP sends it to the SIAO, which records it with the places
    it dedicates (PlaceCapacity.pe_agreement): those places do not go through the SIAO."""

    structure = models.ForeignKey(
        Structure,
        verbose_name="structure",
        on_delete=models.PROTECT,
        related_name="pe_agreements",
    )
    spip = models.ForeignKey(
        Organisation,
        verbose_name="SPIP",
        on_delete=models.PROTECT,
        related_name="pe_agreements",
        limit_choices_to={"kind": "spip"},
    )
    disp = models.ForeignKey(
        Organisation,
        verbose_name="DISP (direction interrégionale)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pe_agreements_as_disp",
        limit_choices_to={"kind": "state_service"},
    )
    reference = models.CharField(
        "référence", max_length=100, blank=True, help_text="Ex. : n° de la convention."
    )
    starts_on = models.DateField("valable du")
    ends_on = models.DateField("au")
    places = models.PositiveIntegerField(
        "nombre de places",
        validators=[MaxValueValidator(MAX_PLACES, message=TOO_MANY_PLACES)],
    )
    funding = models.TextField(
        "financement",
        max_length=1000,
        help_text="Ex. : prix de journée pris en charge par la DISP.",
    )
    conditions = models.TextField("conditions particulières", max_length=3000, blank=True)
    document = models.FileField("convention signée", upload_to=_agreement_upload_to, max_length=200)
    document_name = models.CharField("nom du document", max_length=200, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="enregistrée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    recorded_at = models.DateTimeField("enregistrée le", default=timezone.now, editable=False)

    objects = PlacementAgreementQuerySet.as_manager()

    class Meta:
        verbose_name = "convention de placement à l'extérieur"
        verbose_name_plural = "conventions de placement à l'extérieur"
        ordering = ["-ends_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="placementagreement_ends_after_start",
                violation_error_message="La fin de validité précède son début.",
            ),
            models.CheckConstraint(
                condition=Q(places__gt=0),
                name="placementagreement_places_positive",
                violation_error_message="Indiquez au moins une place.",
            ),
            in_range(
                "places",
                1,
                MAX_PLACES,
                name="placementagreement_places_plausible",
                message=TOO_MANY_PLACES,
            ),
        ]

    def __str__(self) -> str:
        label = f"{self.structure} – {self.spip}" if self.structure_id and self.spip_id else ""
        if self.reference:
            label = f"{self.reference} ({label})" if label else self.reference
        return label or "Convention de placement à l'extérieur"

    @property
    def territory_id(self):
        return self.structure.territory_id

    def in_force(self, on=None) -> bool:
        on = on or timezone.localdate()
        return self.starts_on <= on <= self.ends_on

    def status_label(self, on=None) -> str:
        on = on or timezone.localdate()
        if on < self.starts_on:
            return "À venir"
        if on > self.ends_on:
            return "Expirée"
        if self.ends_on - on <= dt.timedelta(days=AGREEMENT_ALERT_DAYS):
            return "Expire bientôt"
        return "En vigueur"

    def dedicated_places(self) -> int:
        return self.capacities.aggregate(n=Sum("places"))["n"] or 0

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = "La fin de validité précède son début."
        if self.spip_id and self.structure_id:
            if self.spip.kind != "spip":
                errors["spip"] = "Choisissez un SPIP."
            elif self.spip.territory_id != self.structure.territory_id:
                errors["spip"] = "Ce SPIP n'est pas sur le territoire de la structure."
        if self.disp_id and self.disp.kind != "state_service":
            errors["disp"] = "Choisissez un service de l'État (DISP)."
        if self.pk and self.places is not None:
            dedicated = self.dedicated_places()
            if self.places < dedicated:
                errors["places"] = (
                    f"{count_of(dedicated, 'place est rattachée', 'places sont rattachées')} "
                    "à cette convention dans le registre : réduisez-les d'abord."
                )
        if errors:
            raise ValidationError(errors)


class AgreementAlert(models.Model):
    """That the end of an agreement was signalled to the SIAO and the SPIP (JUS-03): once
    per agreement and end date, however often the daily command runs; an end date that
    moves is signalled again."""

    agreement = models.ForeignKey(
        PlacementAgreement,
        verbose_name="convention",
        on_delete=models.CASCADE,
        related_name="alerts",
    )
    ends_on = models.DateField("fin de validité signalée")
    sent_on = models.DateField("signalée le")

    class Meta:
        verbose_name = "alerte de fin de convention"
        verbose_name_plural = "alertes de fin de convention"
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "ends_on"], name="agreementalert_once_per_end_date"
            )
        ]

    def __str__(self) -> str:
        return f"Fin au {self.ends_on:%d/%m/%Y} signalée le {self.sent_on:%d/%m/%Y}"

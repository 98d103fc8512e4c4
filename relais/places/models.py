from django.db import models
from django.db.models import Q, Sum

from relais.accounts.models import Organisation, Territory

from .enums import PlaceType, StructureType


class StructureQuerySet(models.QuerySet):
    def managed_by(self, organisation: Organisation | None) -> "StructureQuerySet":
        if organisation is None:
            return self.none()
        return self.filter(manager=organisation)


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
    finess = models.CharField("n° FINESS", max_length=9, blank=True)
    siret = models.CharField("n° SIRET", max_length=14, blank=True)
    street = models.CharField("adresse", max_length=200, blank=True)
    postcode = models.CharField("code postal", max_length=5, blank=True)
    commune = models.CharField("commune", max_length=100, blank=True)
    commune_insee_code = models.CharField("code INSEE de la commune", max_length=5, blank=True)
    email = models.EmailField("adresse électronique du gestionnaire", blank=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_chrs(self) -> bool:
        return self.has_chrs_status or self.structure_type in StructureType.chrs_types()

    def permanent_capacity(self) -> int:
        return self.capacities.filter(is_winter_only=False).aggregate(n=Sum("places"))["n"] or 0


class PlaceCapacity(models.Model):
    """A number of places of one kind in a structure (Table 1 attributes)."""

    structure = models.ForeignKey(
        Structure, verbose_name="structure", on_delete=models.CASCADE, related_name="capacities"
    )
    place_type = models.CharField("type de place", max_length=20, choices=PlaceType.choices)
    places = models.PositiveIntegerField("nombre de places")
    is_winter_only = models.BooleanField("temporaire (mesure hivernale)", default=False)
    is_scattered = models.BooleanField("en diffus", default=False)
    is_dormitory = models.BooleanField("dortoir (≥ 5 places)", default=False)

    class Meta:
        verbose_name = "capacité"
        verbose_name_plural = "capacités"
        constraints = [
            models.CheckConstraint(condition=Q(places__gt=0), name="placecapacity_places_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.places} × {self.get_place_type_display()} — {self.structure}"

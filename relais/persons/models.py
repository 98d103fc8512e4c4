import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from relais.core.inputs import FIRST_FACT_DAY, LAST_DAY, date_validators, in_range

from . import enums

FIRST_BIRTH_YEAR = 1900


def birth_date_errors(year: int | None, month: int | None, day: int | None) -> dict[str, str]:
    """What is wrong with a (possibly partial) birth date, by part: empty when it is plausible.

    Born in 1900 or later and not in the future; a day needs a month, a month a year."""
    errors = {}
    if day is not None and not 1 <= day <= 31:
        errors["birth_day"] = "Le jour de naissance doit être compris entre 1 et 31."
    elif day and not month:
        errors["birth_day"] = (
            "Un jour de naissance sans mois n'est pas une date : indiquez le mois."
        )
    if month is not None and not 1 <= month <= 12:
        errors["birth_month"] = "Le mois de naissance doit être compris entre 1 et 12."
    elif month and not year:
        errors["birth_month"] = "Indiquez l'année de naissance avant le mois."
    if errors or year is None:
        return errors
    today = timezone.localdate()
    if not FIRST_BIRTH_YEAR <= year <= today.year:
        errors["birth_year"] = (
            f"L'année de naissance doit être comprise entre {FIRST_BIRTH_YEAR} et {today.year}."
        )
    elif month and day:
        try:
            born = dt.date(year, month, day)
        except ValueError:
            errors["birth_day"] = (
                "Cette date de naissance n'existe pas. Vérifiez le jour et le mois "
                f"({day:02d}/{month:02d}/{year})."
            )
        else:
            if born > today:
                errors["birth_day"] = "La date de naissance ne peut pas être dans le futur."
    elif month and (year, month) > (today.year, today.month):
        errors["birth_month"] = "La date de naissance ne peut pas être dans le futur."
    return errors


class Person(models.Model):
    """Identity traits of one person. A birth date may be partial (year, or year and month)."""

    birth_name = models.CharField("nom de naissance", max_length=100)
    usage_name = models.CharField("nom d'usage", max_length=100, blank=True)
    first_names = models.CharField(
        "prénom(s)",
        max_length=150,
        help_text="Dans l'ordre de l'état civil, séparés par un espace.",
    )
    sex = models.CharField("sexe", max_length=1, choices=enums.Sex.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField("année de naissance", null=True, blank=True)
    birth_month = models.PositiveSmallIntegerField("mois de naissance", null=True, blank=True)
    birth_day = models.PositiveSmallIntegerField("jour de naissance", null=True, blank=True)
    birth_place = models.CharField("lieu de naissance", max_length=120, blank=True)
    nationality_group = models.CharField(
        "nationalité", max_length=6, choices=enums.NationalityGroup.choices, blank=True
    )
    nationality = models.CharField("nationalité (précision)", max_length=80, blank=True)
    residence_permit_type = models.CharField(
        "nature du titre de séjour",
        max_length=12,
        choices=enums.ResidencePermitType.choices,
        blank=True,
    )
    residence_permit_valid_until = models.DateField(
        "titre de séjour valable jusqu'au",
        null=True,
        blank=True,
        validators=date_validators(FIRST_FACT_DAY, LAST_DAY),
    )
    has_id_card = models.BooleanField("carte d'identité", null=True, blank=True)
    marital_status = models.CharField(
        "situation familiale", max_length=15, choices=enums.MaritalStatus.choices, blank=True
    )
    address = models.CharField("adresse ou domiciliation", max_length=300, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    created_at = models.DateTimeField("créée le", default=timezone.now, editable=False)

    class Meta:
        # The tables keep the names they had in relais.requests: the model moved, not the data.
        db_table = "requests_person"
        verbose_name = "personne"
        ordering = ["birth_name", "first_names"]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_month__isnull=True) | Q(birth_month__gte=1, birth_month__lte=12),
                name="person_birth_month_range",
                violation_error_message="Le mois de naissance doit être compris entre 1 et 12.",
            ),
            models.CheckConstraint(
                condition=Q(birth_day__isnull=True) | Q(birth_day__gte=1, birth_day__lte=31),
                name="person_birth_day_range",
                violation_error_message="Le jour de naissance doit être compris entre 1 et 31.",
            ),
            models.CheckConstraint(
                condition=Q(birth_day__isnull=True) | Q(birth_month__isnull=False),
                name="person_birth_day_needs_month",
                violation_error_message="Un jour de naissance sans mois n'est pas une date.",
            ),
            models.CheckConstraint(
                condition=Q(birth_month__isnull=True) | Q(birth_year__isnull=False),
                name="person_birth_month_needs_year",
                violation_error_message="Indiquez l'année de naissance avant le mois.",
            ),
            in_range(
                "birth_year",
                FIRST_BIRTH_YEAR,
                LAST_DAY.year,
                name="person_birth_year_range",
                message=f"L'année de naissance doit être comprise entre {FIRST_BIRTH_YEAR} et "
                "aujourd'hui.",
            ),
        ]
        indexes = [models.Index(fields=["birth_name", "first_names"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def last_name(self) -> str:
        return self.usage_name or self.birth_name

    @property
    def full_name(self) -> str:
        name = f"{self.last_name.upper()} {self.first_names}"
        if self.usage_name and self.usage_name.casefold() != self.birth_name.casefold():
            name += f" (né(e) {self.birth_name.upper()})"
        return name

    @property
    def birth_date(self) -> dt.date | None:
        if self.birth_year and self.birth_month and self.birth_day:
            return dt.date(self.birth_year, self.birth_month, self.birth_day)
        return None

    @property
    def birth_date_display(self) -> str:
        """French order; unknown parts shown as ?? so a partial date reads as such."""
        if not self.birth_year:
            return "inconnue"
        day = f"{self.birth_day:02d}" if self.birth_day else "??"
        month = f"{self.birth_month:02d}" if self.birth_month else "??"
        return f"{day}/{month}/{self.birth_year}"

    def age_on(self, day: dt.date) -> int | None:
        if not self.birth_year:
            return None
        age = day.year - self.birth_year
        if self.birth_month and (day.month, day.day) < (self.birth_month, self.birth_day or 1):
            age -= 1
        return age

    def clean(self) -> None:
        super().clean()
        errors = birth_date_errors(self.birth_year, self.birth_month, self.birth_day)
        if (
            self.residence_permit_valid_until
            and self.nationality_group != enums.NationalityGroup.NON_EU
        ):
            errors["residence_permit_valid_until"] = (
                "Le titre de séjour ne concerne que les personnes de nationalité hors Union européenne."
            )
        if errors:
            raise ValidationError(errors)


class Household(models.Model):
    """A principal applicant and the persons attached to them (seed 004: *groupe de personnes*)."""

    principal = models.ForeignKey(
        Person, verbose_name="demandeur principal", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)

    class Meta:
        db_table = "requests_household"
        verbose_name = "ménage"

    def __str__(self) -> str:
        return f"Ménage de {self.principal}"

    @property
    def size(self) -> int:
        return self.members.count()


class HouseholdMember(models.Model):
    household = models.ForeignKey(
        Household, verbose_name="ménage", on_delete=models.CASCADE, related_name="members"
    )
    person = models.ForeignKey(
        Person, verbose_name="personne", on_delete=models.PROTECT, related_name="memberships"
    )
    relationship = models.CharField("lien", max_length=15, choices=enums.Relationship.choices)
    child_situation = models.CharField(
        "situation de l'enfant", max_length=10, choices=enums.ChildSituation.choices, blank=True
    )

    class Meta:
        db_table = "requests_householdmember"
        verbose_name = "membre du ménage"
        verbose_name_plural = "membres du ménage"
        ordering = ["household", "id"]
        constraints = [
            models.UniqueConstraint(fields=["household", "person"], name="householdmember_unique"),
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relationship="principal"),
                name="householdmember_one_principal",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_relationship_display()}"

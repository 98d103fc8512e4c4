from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from .enums import ROLE_ORGANISATION_KINDS, OrganisationKind, OrganisationSubtype, Role

DEPARTEMENT_CODE = RegexValidator(
    r"^(0[1-9]|[1-8]\d|9[0-5]|2A|2B|97[1-6])$",
    "Code INSEE de département invalide (ex. 68, 2A, 974).",
)


class Territory(models.Model):
    """A département, the area of one SIAO."""

    name = models.CharField("nom", max_length=100)
    insee_code = models.CharField(
        "code INSEE du département", max_length=3, unique=True, validators=[DEPARTEMENT_CODE]
    )
    stores_social_security_number = models.BooleanField(
        "conserver le numéro de sécurité sociale",
        default=False,
        help_text=(
            "Désactivé par défaut : la CNIL encadre strictement l'usage du NIR. "
            "Seule la couverture sociale est alors conservée."
        ),
    )
    decision_delay_days = models.PositiveSmallIntegerField(
        "délai d'alerte des orientations sans suite (jours)",
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=(
            "Une orientation attribuée sans décision de la structure, ou une admission "
            "acceptée sans arrivée enregistrée, est signalée au SIAO au-delà de ce délai."
        ),
    )

    # Justice (JUS-02): how early the SPIP sends the request, when the SIAO escalates.
    request_threshold_months = models.PositiveSmallIntegerField(
        "demande attendue du SPIP à (mois de reliquat de peine)",
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
        help_text="Une personne détenue sans demande à ce reliquat est signalée au CPIP.",
    )
    escalation_steps = models.CharField(
        "alertes avant la libération (jours)",
        max_length=60,
        default="90,60,30,7",
        validators=[
            RegexValidator(
                r"^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$",
                "Indiquez des nombres de jours séparés par des virgules (ex. 90,60,30,7).",
            )
        ],
        help_text="Nombres de jours avant la libération, séparés par des virgules.",
    )
    alerts_cpip = models.BooleanField("alerter le CPIP", default=True)
    alerts_spip_referent = models.BooleanField(
        "alerter le référent hébergement-logement du SPIP", default=True
    )
    alerts_siao_referent = models.BooleanField("alerter le référent justice du SIAO", default=True)

    class Meta:
        verbose_name = "territoire"
        ordering = ["insee_code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(decision_delay_days__gte=1, decision_delay_days__lte=365),
                name="territory_decision_delay_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"

    @property
    def escalation_days(self) -> list[int]:
        """The escalation steps, in days before release, furthest first: [90, 60, 30, 7]."""
        steps = {int(part) for part in self.escalation_steps.split(",") if part.strip().isdigit()}
        return sorted(steps, reverse=True)


# Who reads the justice directory (JUS-08): the services that work with prisons — the SIAO
# and its 115, the SPIPs, the territory administrator who keeps it, the State service.
JUSTICE_DIRECTORY_ROLES = {
    Role.SIAO_OPERATOR,
    Role.EMERGENCY_LINE,
    Role.CPIP,
    Role.TERRITORY_ADMIN,
    Role.STATE_SERVICE,
}
JUSTICE_DIRECTORY_KINDS = [OrganisationKind.SIAO, OrganisationKind.SPIP, OrganisationKind.PRISON]


class OrganisationQuerySet(models.QuerySet):
    def in_justice_directory_of(self, user) -> "OrganisationQuerySet":
        """The SIAOs, SPIPs and prisons of the user's territory (every territory for the
        superuser), for the roles of JUSTICE_DIRECTORY_ROLES; nothing for the others."""
        directory = self.filter(kind__in=JUSTICE_DIRECTORY_KINDS)
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return directory
        if user.role not in JUSTICE_DIRECTORY_ROLES or not user.organisation_id:
            return self.none()
        return directory.filter(territory_id=user.organisation.territory_id)


class Organisation(models.Model):
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=30, choices=OrganisationKind.choices)
    subtype = models.CharField(
        "précision", max_length=20, choices=OrganisationSubtype.choices, blank=True
    )
    territory = models.ForeignKey(
        Territory, verbose_name="territoire", on_delete=models.PROTECT, related_name="organisations"
    )
    email = models.EmailField("adresse électronique", blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)
    address = models.CharField("adresse", max_length=300, blank=True)
    # JUS-08: the SPIP's référent hébergement-logement, the SIAO's référent justice.
    referent = models.ForeignKey(
        "User",
        verbose_name="référent justice / hébergement-logement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=("Au SPIP : le référent hébergement-logement. Au SIAO : le référent justice."),
    )
    # JUS-08: the SPIP that works in a prison (the directory's "which SPIP covers which
    # establishment"); only for an organisation of kind prison.
    spip = models.ForeignKey(
        "self",
        verbose_name="SPIP intervenant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="establishments",
        limit_choices_to={"kind": OrganisationKind.SPIP},
        help_text="Pour un établissement pénitentiaire : le SPIP qui y intervient.",
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = "organisation"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.referent_id and self.referent.organisation_id != self.pk:
            errors["referent"] = "Le référent doit être une personne de cette organisation."
        if self.spip_id and self.kind != OrganisationKind.PRISON:
            errors["spip"] = "Seul un établissement pénitentiaire a un SPIP intervenant."
        elif self.spip_id and self.spip.kind != OrganisationKind.SPIP:
            errors["spip"] = "Choisissez un SPIP."
        if errors:
            raise ValidationError(errors)


class UserQuerySet(models.QuerySet):
    def people(self) -> "UserQuerySet":
        """Accounts of persons: not the service accounts that partner software acts as
        through an API token (relais/api), which are never offered as a CPIP, a referent or
        a participant, and never notified (relais/notifications)."""
        return self.filter(api_token__isnull=True)

    def service_accounts(self) -> "UserQuerySet":
        """The accounts partner software acts as (the complement of `people`)."""
        return self.filter(api_token__isnull=False)


class PeopleManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="organisation",
        on_delete=models.PROTECT,
        related_name="members",
        null=True,
        blank=True,
    )
    role = models.CharField("rôle", max_length=30, choices=Role.choices, blank=True)
    phone = models.CharField("téléphone", max_length=30, blank=True)

    objects = PeopleManager()

    class Meta:
        verbose_name = "utilisateur"

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role and not self.organisation_id:
            raise ValidationError({"organisation": "Un rôle suppose une organisation."})
        if self.role and self.organisation_id:
            allowed = ROLE_ORGANISATION_KINDS[self.role]
            if self.organisation.kind not in allowed:
                raise ValidationError(
                    {
                        "role": (
                            f"Le rôle « {self.get_role_display()} » n'est pas possible dans "
                            f"une organisation de type « {self.organisation.get_kind_display()} »."
                        )
                    }
                )

    @property
    def territory(self) -> Territory | None:
        return self.organisation.territory if self.organisation_id else None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    def is_siao_of(self, territory_id: int | None) -> bool:
        """The territory's SIAO (or the superuser): who orients and oversees its requests."""
        if self.is_superuser:
            return True
        return (
            self.role == Role.SIAO_OPERATOR
            and self.organisation_id is not None
            and self.organisation.territory_id == territory_id
        )

    def manages(self, structure) -> bool:
        """A manager of `structure`'s organisation (or the superuser): who decides admissions
        there and records its stays."""
        if self.is_superuser:
            return True
        return self.role == Role.STRUCTURE_MANAGER and self.organisation_id == structure.manager_id

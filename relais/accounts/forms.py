from django import forms
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from dsfr.forms import DsfrBaseForm

from relais.notifications.sending import absolute_url

from .enums import OrganisationKind, Role
from .models import Organisation, Territory, User


class AccountForm(forms.ModelForm):
    """A territory administrator grants an account (habilitation, SIAO-22)."""

    template_name = DsfrBaseForm.template_name
    bound_field_class = DsfrBaseForm.bound_field_class

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "phone", "organisation", "role"]
        labels = {"username": "Identifiant", "email": "Adresse électronique"}

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        from dsfr.utils import dsfr_input_class_attr

        self.fields["organisation"].queryset = Organisation.objects.filter(territory=territory)
        self.fields["organisation"].required = True
        self.fields["role"].required = True
        self.fields["role"].choices = [("", "---------"), *Role.choices]
        self.fields["email"].required = True
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)


class OrganisationReferentForm(forms.ModelForm):
    """JUS-08: the territory administrator names the SPIP's référent hébergement-logement
    and the SIAO's référent justice, keeps their contacts, and says which SPIP works in each
    prison."""

    template_name = DsfrBaseForm.template_name
    bound_field_class = DsfrBaseForm.bound_field_class

    class Meta:
        model = Organisation
        fields = ["referent", "spip", "email", "phone", "address"]
        labels = {"email": "Adresse électronique de l'organisation", "phone": "Téléphone"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from dsfr.utils import dsfr_input_class_attr

        organisation = self.instance
        # A prison has a SPIP and no referent, a SIAO or a SPIP the reverse: the field the
        # form does not show is emptied, so that the model's rules never fail on it unseen.
        if organisation.kind == OrganisationKind.PRISON:
            organisation.referent = None
            del self.fields["referent"]
            spip = self.fields["spip"]
            spip.queryset = Organisation.objects.filter(
                territory_id=organisation.territory_id, kind=OrganisationKind.SPIP
            )
            spip.error_messages["invalid_choice"] = (
                "Choisissez un SPIP du territoire dans la liste."
            )
        else:
            organisation.spip = None
            del self.fields["spip"]
            referent = self.fields["referent"]
            referent.label = (
                "Référent hébergement-logement"
                if organisation.kind == OrganisationKind.SPIP
                else "Référent justice"
            )
            referent.help_text = f"Une personne ayant un compte à « {organisation} »."
            referent.queryset = (
                organisation.members.people()
                .filter(is_active=True)
                .order_by("last_name", "first_name")
            )
            referent.error_messages["invalid_choice"] = (
                f"Choisissez une personne de « {organisation} » dans la liste."
            )
        self.fields["email"].error_messages["invalid"] = (
            "Saisissez une adresse électronique valide (ex. spip68@justice.fr)."
        )
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)


def send_set_password_email(*, user: User) -> None:
    """The new user chooses their own password through a one-time link.

    Django's PasswordResetForm skips accounts without a usable password, which is exactly
    the state of a new account, so the link is built here with the same token generator.
    """
    # The site's own address (RELAIS_SITE_URL), never the Host header of the admin's request.
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    context = {"user": user, "link": absolute_url(path)}
    subject = render_to_string("accounts/emails/account_created_subject.txt", context).strip()
    body = render_to_string("accounts/emails/account_created.txt", context)
    send_mail(subject, body, None, [user.email])


MAX_ESCALATION_STEPS = 10


class TerritorySettingsForm(forms.ModelForm):
    """The territory administrator's release settings (JUS-02): how early the SPIP sends the
    request, when the alerts before release go out, and to whom."""

    template_name = DsfrBaseForm.template_name
    bound_field_class = DsfrBaseForm.bound_field_class

    class Meta:
        model = Territory
        fields = [
            "request_threshold_months",
            "escalation_steps",
            "alerts_cpip",
            "alerts_spip_referent",
            "alerts_siao_referent",
        ]
        error_messages = {
            "request_threshold_months": {
                "invalid": "Indiquez un nombre entier de mois.",
                "required": "Indiquez le nombre de mois.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from dsfr.utils import dsfr_input_class_attr

        self.fields["escalation_steps"].help_text = (
            "Nombres de jours avant la date de sortie possible au plus tôt, séparés par des "
            "virgules (ex. 90,60,30,7) : une alerte part à chacun."
        )
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def clean_escalation_steps(self) -> str:
        """A list of distinct whole numbers of days, at least 1, written furthest first."""
        text = self.cleaned_data.get("escalation_steps") or ""
        parts = [part.strip() for part in text.split(",")]
        if not any(parts):
            raise ValidationError("Indiquez au moins une étape, en nombre de jours.")
        steps = set()
        for part in parts:
            if not part:
                raise ValidationError(
                    "Une virgule est de trop : séparez les nombres de jours par une seule virgule."
                )
            if not (part.isascii() and part.isdigit()):
                raise ValidationError(
                    f"« {part} » n'est pas un nombre de jours : écrivez des nombres entiers "
                    "séparés par des virgules (ex. 90,60,30,7)."
                )
            days = int(part)
            if not 1 <= days <= 999:
                raise ValidationError(
                    f"« {part} » : chaque étape est un nombre de jours entre 1 et 999."
                )
            steps.add(days)
        if len(steps) > MAX_ESCALATION_STEPS:
            raise ValidationError(f"Au plus {MAX_ESCALATION_STEPS} étapes.")
        return ",".join(str(days) for days in sorted(steps, reverse=True))

"""Forms of the commission justice (JUS-10). Several share the commission's page: each has
its own element ids (OwnIds, one per case for the decisions)."""

import datetime as dt

from django import forms
from django.utils import timezone
from dsfr.forms import DsfrBaseForm

from relais.accounts.enums import OrganisationKind
from relais.accounts.models import Organisation, User
from relais.requests.forms import DsfrModelForm

from .enums import ServiceStatus
from .models import ACTION_MAX_LENGTH, DATES, Commission

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The services a commission may invite: the SIAO (and the AVDL attached to it), the SPIPs,
# the social services and the structures' associations of the territory.
INVITABLE_KINDS = [
    OrganisationKind.SIAO,
    OrganisationKind.SPIP,
    OrganisationKind.SOCIAL_SERVICE,
    OrganisationKind.STRUCTURE_MANAGER,
]


def invitable(territory_id: int):
    return Organisation.objects.filter(territory_id=territory_id, kind__in=INVITABLE_KINDS)


def participants(commission: Commission):
    """The active accounts of the invited services."""
    return (
        User.objects.people()
        .filter(organisation__in=commission.services.all(), is_active=True)
        .select_related("organisation")
        .order_by("organisation__name", "last_name", "first_name", "pk")
    )


class UserChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return _user_label(user)


class CommissionForm(DsfrModelForm):
    class Meta:
        model = Commission
        fields = ["held_on", "place", "services"]
        widgets = {"held_on": DATE_INPUT, "services": forms.CheckboxSelectMultiple}
        error_messages = {
            "held_on": {"required": "Indiquez la date de la commission."},
            "place": {"required": "Indiquez le lieu de la commission."},
            "services": {"required": "Invitez au moins un service."},
        }

    def __init__(self, *args, territory_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        services = self.fields["services"]
        services.queryset = invitable(territory_id)
        services.help_text = (
            "Seuls les services invités voient la commission. Le SIAO du territoire l'est toujours."
        )
        if not self.is_bound:
            self.initial.setdefault(
                "services",
                list(
                    invitable(territory_id)
                    .filter(kind__in=[OrganisationKind.SIAO, OrganisationKind.SPIP])
                    .values_list("pk", flat=True)
                ),
            )


class AttendanceForm(DsfrBaseForm):
    """Who was there; for each invited service, represented, excused or absent."""

    present = UserChoice(
        label="Personnes présentes",
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, commission: Commission, **kwargs):
        kwargs.setdefault("auto_id", "id_attendance_%s")
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = participants(commission)
        self.services = list(commission.services.order_by("name"))
        statuses = dict(commission.service_attendances.values_list("organisation_id", "status"))
        for service in self.services:
            name = f"service_{service.pk}"
            self.fields[name] = forms.ChoiceField(
                label=str(service),
                choices=[("", "Non renseigné"), *ServiceStatus.choices],
                required=False,
            )
            self.initial.setdefault(name, statuses.get(service.pk, ""))
        self.initial.setdefault(
            "present", list(commission.present_users.values_list("pk", flat=True))
        )

    def service_statuses(self) -> dict[int, str]:
        return {s.pk: self.cleaned_data.get(f"service_{s.pk}", "") for s in self.services}


class DecisionForm(DsfrBaseForm):
    """The decision on one case: the action, who carries it, by when. The page has one per
    case: the people and services to choose from are read once (`choices_for`)."""

    action = forms.CharField(
        label="Action décidée",
        max_length=ACTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=f"{ACTION_MAX_LENGTH} caractères au plus. N'y écrivez pas d'information de "
        "santé.",
        error_messages={"required": "Indiquez l'action décidée."},
    )
    owner_user = forms.ChoiceField(label="Personne chargée de l'action", required=False)
    owner_organisation = forms.ChoiceField(label="Service chargé de l'action", required=False)
    due_on = forms.DateField(
        label="À faire pour le",
        widget=DATE_INPUT,
        validators=DATES,
        error_messages={"required": "Indiquez pour quand l'action est à faire."},
    )

    @staticmethod
    def choices_for(commission: Commission) -> tuple[dict, dict]:
        """({pk: user}, {pk: service}) of the commission, for all its decision forms."""
        return (
            {str(u.pk): u for u in participants(commission)},
            {str(o.pk): o for o in commission.services.order_by("name")},
        )

    def __init__(self, *args, commission: Commission, item_pk: int, choices=None, **kwargs):
        kwargs.setdefault("auto_id", f"id_decision_{item_pk}_%s")
        super().__init__(*args, **kwargs)
        self.commission = commission
        self.users, self.services = choices or self.choices_for(commission)
        invalid = {"invalid_choice": "Choisissez dans la liste."}
        self.fields["owner_user"].choices = [
            ("", "Non renseigné"),
            *((pk, _user_label(u)) for pk, u in self.users.items()),
        ]
        self.fields["owner_user"].error_messages.update(invalid)
        self.fields["owner_organisation"].choices = [
            ("", "Non renseigné"),
            *((pk, str(o)) for pk, o in self.services.items()),
        ]
        self.fields["owner_organisation"].error_messages.update(invalid)

    def clean_owner_user(self):
        return self.users.get(self.cleaned_data["owner_user"])

    def clean_owner_organisation(self):
        return self.services.get(self.cleaned_data["owner_organisation"])

    def clean_due_on(self) -> dt.date:
        due_on = self.cleaned_data["due_on"]
        if due_on < self.commission.held_on:
            raise forms.ValidationError("L'échéance ne peut pas précéder la date de la commission.")
        return due_on

    def clean(self):
        data = super().clean()
        nobody = not data.get("owner_user") and not data.get("owner_organisation")
        if nobody and "owner_user" not in self.errors:
            self.add_error("owner_user", "Indiquez la personne ou le service chargé de l'action.")
        return data


def _user_label(user) -> str:
    return f"{user.get_full_name() or user.get_username()} ({user.organisation})"


class DoneForm(DsfrBaseForm):
    """An action marked done, on a day."""

    done_on = forms.DateField(
        label="Faite le",
        widget=DATE_INPUT,
        validators=DATES,
        error_messages={"required": "Indiquez la date à laquelle l'action a été faite."},
    )
    # The page the form was sent from (a later commission follows the action).
    commission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, decision, **kwargs):
        kwargs.setdefault("auto_id", f"id_done_{decision.pk}_%s")
        super().__init__(*args, **kwargs)
        self.decision = decision
        self.initial.setdefault("done_on", timezone.localdate())

    def clean_done_on(self) -> dt.date:
        done_on = self.cleaned_data["done_on"]
        if done_on > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        if done_on < self.decision.item.commission.held_on:
            raise forms.ValidationError(
                "L'action ne peut pas avoir été faite avant la commission qui l'a décidée."
            )
        return done_on

    @staticmethod
    def back_to(value: str) -> int | None:
        """The commission page to go back to; a value a browser never sends means none."""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None

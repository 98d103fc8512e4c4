import datetime as dt
import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils import timezone
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr

from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.inputs import FIRST_FACT_DAY, LAST_DAY, LocalDateTimeField, date_validators
from relais.persons import enums as person_enums
from relais.persons.models import HouseholdMember, Person, birth_date_errors
from relais.places.models import Structure

from . import enums
from .models import (
    Debt,
    Employment,
    EvaluationReason,
    HousingAid,
    Request,
    ResourceLine,
    SocialEvaluation,
    create_request,
)

YES_NO = [("", "Non renseigné"), ("true", "Oui"), ("false", "Non")]


class DsfrModelForm(forms.ModelForm):
    """A ModelForm rendered with the DSFR field snippets."""

    template_name = DsfrBaseForm.template_name
    bound_field_class = DsfrBaseForm.bound_field_class

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)


class YesNoField(forms.TypedChoiceField):
    """A yes/no question where "not asked" is a real answer (None)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(
            choices=YES_NO,
            coerce=lambda value: value == "true",
            empty_value=None,
            widget=forms.RadioSelect(attrs={"class": "fr-fieldset--inline"}),
            **kwargs,
        )

    def prepare_value(self, value):
        if value is True:
            return "true"
        if value is False:
            return "false"
        return value


PARTIAL_DATE_RE = re.compile(r"^\s*(?:(?:(\d{1,2})[/.\-])?(\d{1,2})[/.\-])?(\d{4})\s*$")
# ISO 8601, as software sends it (the API) or a date pasted from a spreadsheet.
ISO_PARTIAL_DATE_RE = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*$")


def parse_partial_date(text: str) -> tuple[int, int | None, int | None]:
    """'12/03/1985' → (1985, 3, 12); '03/1985' → (1985, 3, None); '1985' → (1985, None, None);
    in ISO 8601, '1985-03-12' and '1985-03' too."""
    if match := ISO_PARTIAL_DATE_RE.match(text):
        year, month, day = (int(part) if part else None for part in match.groups())
        return year, month, day
    match = PARTIAL_DATE_RE.match(text)
    if not match:
        raise ValidationError(
            "Date de naissance illisible : écrivez JJ/MM/AAAA, ou MM/AAAA ou AAAA si elle "
            "n'est connue qu'en partie."
        )
    day, month, year = (int(part) if part else None for part in match.groups())
    return year, month, day


def birth_date_field() -> forms.CharField:
    return forms.CharField(
        label="Date de naissance",
        required=False,
        help_text="JJ/MM/AAAA ; si elle n'est connue qu'en partie : MM/AAAA ou AAAA.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class PartialBirthDateMixin:
    """Reads the `birth_date` text field into (year, month, day); parts may be None."""

    def new_person(self, **extra) -> Person:
        """An unsaved Person from a short intake form's name, first names, sex and birth date."""
        data = self.cleaned_data
        year, month, day = data["birth_date"]
        return Person(
            birth_name=data["birth_name"],
            first_names=data["first_names"],
            sex=data["sex"],
            birth_year=year,
            birth_month=month,
            birth_day=day,
            **extra,
        )

    def clean_birth_date(self):
        text = self.cleaned_data["birth_date"].strip()
        if not text:
            return (None, None, None)
        year, month, day = parse_partial_date(text)
        errors = birth_date_errors(year, month, day)
        if errors:
            raise ValidationError(list(errors.values()))
        return (year, month, day)


class PersonBirthDateMixin(PartialBirthDateMixin):
    """For Person model forms: store the parts, and report their errors on `birth_date`."""

    def _post_clean(self):
        parts = self.cleaned_data.get("birth_date")
        if parts:
            self.instance.birth_year, self.instance.birth_month, self.instance.birth_day = parts
        super()._post_clean()

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            for part in ("birth_year", "birth_month", "birth_day"):
                if part in errors.error_dict:
                    errors.error_dict.setdefault("birth_date", []).extend(
                        errors.error_dict.pop(part)
                    )
        super()._update_errors(errors)


class PersonForm(PersonBirthDateMixin, DsfrModelForm):
    """Identity traits; the birth date is typed as one field that may be partial."""

    birth_date = birth_date_field()
    has_id_card = YesNoField(label="Carte d'identité")

    class Meta:
        model = Person
        fields = [
            "birth_name",
            "usage_name",
            "first_names",
            "sex",
            "birth_date",
            "birth_place",
            "nationality_group",
            "nationality",
            "residence_permit_type",
            "residence_permit_valid_until",
            "has_id_card",
            "marital_status",
            "address",
            "phone",
        ]
        widgets = {
            "sex": forms.RadioSelect(attrs={"class": "fr-fieldset--inline"}),
            "nationality_group": forms.RadioSelect(attrs={"class": "fr-fieldset--inline"}),
            "residence_permit_valid_until": forms.DateInput(
                attrs={"type": "date"}, format="%Y-%m-%d"
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        person = self.instance
        if person.pk and person.birth_year and not self.is_bound:
            self.initial["birth_date"] = person.birth_date_display.replace("??/", "")
        self.fields["sex"].choices = person_enums.Sex.choices
        self.fields["nationality_group"].choices = person_enums.NationalityGroup.choices


class HouseholdMemberForm(PersonBirthDateMixin, DsfrModelForm):
    """A person attached to the principal applicant: spouse, child or relative."""

    relationship = forms.ChoiceField(
        label="Lien avec le demandeur",
        choices=[
            c
            for c in person_enums.Relationship.choices
            if c[0] != person_enums.Relationship.PRINCIPAL
        ],
    )
    child_situation = forms.ChoiceField(
        label="Situation (enfant)",
        choices=[("", "—"), *person_enums.ChildSituation.choices],
        required=False,
    )
    birth_date = birth_date_field()

    class Meta:
        model = Person
        fields = [
            "birth_name",
            "usage_name",
            "first_names",
            "sex",
            "birth_date",
            "nationality_group",
        ]
        widgets = {
            "sex": forms.RadioSelect(attrs={"class": "fr-fieldset--inline"}),
            "nationality_group": forms.RadioSelect(attrs={"class": "fr-fieldset--inline"}),
        }


class BaseMembersFormSet(forms.BaseFormSet):
    def attach_to(self, req: Request, *, by) -> None:
        """Each attached person gets a secondary request in the same household (SIAO-02)."""
        for member_form in self:
            if not member_form.has_changed():
                continue
            person = member_form.save()
            HouseholdMember.objects.create(
                household=req.household,
                person=person,
                relationship=member_form.cleaned_data["relationship"],
                child_situation=member_form.cleaned_data["child_situation"],
            )
            create_request(
                person=person,
                channel=req.channel,
                referrer_organisation=req.referrer_organisation,
                by=by,
                household=req.household,
                requested_on=req.requested_on,
            )


HouseholdMemberFormSet = forms.formset_factory(
    HouseholdMemberForm, formset=BaseMembersFormSet, extra=0, max_num=15
)


class SubmittedOnceMixin:
    """A hidden one-time key: the same form sent twice (a double click, a reload) is
    recognised and makes one record, not two."""

    def add_submission_key(self) -> None:
        self.fields["submission"] = forms.CharField(widget=forms.HiddenInput, required=False)
        if not self.is_bound:
            self.initial["submission"] = uuid.uuid4().hex

    def clean_submission(self) -> str:
        return re.sub(r"[^0-9a-f]", "", self.cleaned_data.get("submission", ""))[:32]


class InsertionRequestForm(DsfrModelForm):
    channel = forms.ChoiceField(
        label="Dispositif",
        choices=[
            (enums.Channel.INSERTION.value, enums.Channel.INSERTION.label),
            (enums.Channel.HOUSING.value, enums.Channel.HOUSING.label),
        ],
        widget=forms.RadioSelect(attrs={"class": "fr-fieldset--inline"}),
    )

    class Meta:
        model = Request
        fields = ["channel", "requested_on", "notes"]
        widgets = {"requested_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_requested_on(self):
        day = self.cleaned_data["requested_on"]
        if day and day > timezone.localdate():
            raise ValidationError("La date de la demande ne peut pas être dans le futur.")
        return day


class RequestEditForm(DsfrModelForm):
    """What may change on a request outside its transitions."""

    class Meta:
        model = Request
        fields = ["requested_on", "current_location", "needs_tonight", "notes"]
        widgets = {
            "requested_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.channel != enums.Channel.EMERGENCY:
            del self.fields["current_location"]
            del self.fields["needs_tonight"]

    clean_requested_on = InsertionRequestForm.clean_requested_on


class EmergencyIntakeForm(SubmittedOnceMixin, PartialBirthDateMixin, DsfrBaseForm):
    """What a 115 call handler can learn in a short call."""

    birth_name = forms.CharField(label="Nom", max_length=100)
    first_names = forms.CharField(label="Prénom(s)", max_length=150)
    sex = forms.ChoiceField(
        label="Sexe",
        choices=person_enums.Sex.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "fr-fieldset--inline"}),
    )
    birth_date = birth_date_field()
    phone = forms.CharField(label="Téléphone", max_length=30, required=False)
    current_location = forms.CharField(
        label="Lieu où se trouve la personne", max_length=200, required=False
    )
    needs_tonight = forms.BooleanField(
        label="Demande de mise à l'abri ce soir", required=False, initial=True
    )
    notes = forms.CharField(
        label="Observations (situation, vulnérabilités)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_submission_key()


class DirectAdmissionForm(SubmittedOnceMixin, PartialBirthDateMixin, DsfrBaseForm):
    """SIAO-04: a structure records, afterwards, someone it admitted on the spot."""

    structure = forms.ModelChoiceField(label="Structure", queryset=Structure.objects.none())
    admitted_at = LocalDateTimeField(
        label="Date et heure d'admission",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )
    birth_name = forms.CharField(label="Nom", max_length=100)
    first_names = forms.CharField(label="Prénom(s)", max_length=150)
    sex = forms.ChoiceField(
        label="Sexe",
        choices=person_enums.Sex.choices,
        required=False,
        widget=forms.RadioSelect(attrs={"class": "fr-fieldset--inline"}),
    )
    birth_date = birth_date_field()
    notes = forms.CharField(
        label="Observations", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.managed_by(organisation)
        self.add_submission_key()

    def clean_admitted_at(self):
        at = self.cleaned_data["admitted_at"]
        if at > timezone.now():
            raise ValidationError(
                "L'admission directe s'enregistre après coup : la date ne peut pas être future."
            )
        if at < timezone.now() - dt.timedelta(days=365):
            raise ValidationError("Cette admission date de plus d'un an : contactez le SIAO.")
        return at


# ---------------------------------------------------------------------------------------------
# Social evaluation (Annex IV)
# ---------------------------------------------------------------------------------------------

_DATE = {
    "widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "required": False,
    "validators": date_validators(FIRST_FACT_DAY, LAST_DAY),
}
_MONEY = {"required": False, "min_value": 0, "max_digits": 9, "decimal_places": 2}


class SocialEvaluationForm(DsfrModelForm):
    is_indebted = YesNoField(label="Le demandeur est-il endetté ?")
    over_indebtedness_filed = YesNoField(
        label="Dossier de surendettement déposé à la Banque de France"
    )
    moratorium = YesNoField(label="Moratoire")
    has_protection_measure = YesNoField(label="Mesure de protection")
    landlord_steps_taken = YesNoField(label="Démarches entreprises auprès des offices (bailleurs)")
    needs_adapted_housing = YesNoField(label="Nécessité d'un hébergement adapté")
    fit_for_collective_life = YesNoField(label="Apte à la vie en collectif")

    class Meta:
        model = SocialEvaluation
        exclude = ["request"]  # noqa: DJ006 — every block of the form is edited here
        widgets = {
            "interview_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "over_indebtedness_filed_on": forms.DateInput(
                attrs={"type": "date"}, format="%Y-%m-%d"
            ),
            "referral_origin": forms.RadioSelect,
            "housing_situation": forms.RadioSelect,
            "ongoing_procedures": forms.Textarea(attrs={"rows": 2}),
            "housing_comment": forms.Textarea(attrs={"rows": 2}),
            "landlord_steps_detail": forms.Textarea(attrs={"rows": 2}),
            "situation_comment": forms.Textarea(attrs={"rows": 3}),
            "argument": forms.Textarea(attrs={"rows": 8}),
            "orientation_comment": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "argument": "Parcours et besoins. Les informations de santé ou judiciaires se cochent "
            "dans « Exposé de la situation » : elles ne sont montrées qu'aux personnes habilitées.",
        }

    def __init__(self, *args, territory, **kwargs):
        super().__init__(*args, **kwargs)
        if not territory.stores_social_security_number:
            del self.fields["social_security_number"]
        self.fields["referral_origin"].choices = enums.ReferralOrigin.choices
        self.fields["housing_situation"].choices = enums.HousingSituation.choices

    def clean(self):
        data = super().clean()
        if data.get("over_indebtedness_filed_on") and not data.get("over_indebtedness_filed"):
            self.add_error(
                "over_indebtedness_filed",
                "Une date de dépôt est indiquée : cochez « oui » pour le dossier de surendettement.",
            )
        if data.get("protection_measure") and data.get("has_protection_measure") is False:
            self.add_error(
                "has_protection_measure",
                "Une nature de mesure est indiquée : répondez « oui » à « mesure de protection ».",
            )
        return data


class EmploymentForm(DsfrModelForm):
    status = forms.ChoiceField(
        label="Situation",
        choices=[("", "Non renseignée"), *enums.EmploymentStatus.choices],
        required=False,
    )

    class Meta:
        model = Employment
        fields = ["status", "contract_type", "part_time", "start_date", "end_date"]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start_date", "end_date"):  # model validation is skipped: see _post_clean
            self.fields[name].validators += date_validators(FIRST_FACT_DAY, LAST_DAY)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La date de fin précède la date de début.")
        if data.get("contract_type") and data.get("status") != enums.EmploymentStatus.EMPLOYED:
            self.add_error("status", "Un contrat est indiqué : choisissez « En emploi ».")
        return data

    def _post_clean(self):
        # `evaluation` and `holder` are set by the view, so model validation (which needs
        # them) is skipped; clean() above checks what the user can get wrong.
        self.instance = construct_instance(self, self.instance, self._meta.fields)


class GridForm(DsfrBaseForm):
    """A fixed grid of rows (holder × kind, reason, scheme), as on the paper form.

    Subclasses list their `rows` and declare per-row fields through `row_fields()`; the grid
    loads from and saves to one child table of the evaluation.
    """

    rows: list[tuple[str, str]] = []  # (key, label)

    def __init__(self, *args, evaluation: SocialEvaluation | None, **kwargs):
        super().__init__(*args, **kwargs)
        self.evaluation = evaluation
        existing = self.existing_rows() if evaluation and evaluation.pk else {}
        for key, label in self.rows:
            for name, field in self.row_fields(key, label).items():
                self.fields[f"{key}__{name}"] = field
            instance = existing.get(key)
            # Bound forms too: the initial values are what a save compares with (an unchanged
            # grid is no rectification).
            if instance is not None:
                for name in self.row_fields(key, label):
                    self.initial[f"{key}__{name}"] = self.initial_value(instance, name)
        for visible in self.visible_fields():
            dsfr_input_class_attr(visible)

    def row(self, key: str) -> list:
        return [self[f"{key}__{name}"] for name in self.row_fields(key, "")]

    @property
    def grid(self) -> list[dict]:
        return [{"key": key, "label": label, "fields": self.row(key)} for key, label in self.rows]

    def initial_value(self, instance, name):
        return getattr(instance, name)

    def row_data(self, key: str) -> dict:
        return {name: self.cleaned_data.get(f"{key}__{name}") for name in self.row_fields(key, "")}


class ResourcesForm(GridForm):
    rows = [
        (f"{holder.value}-{kind.value}", f"{holder.label} — {kind.label}")
        for holder in enums.Holder
        for kind in enums.ResourceKind
    ]

    def row_fields(self, key, label):
        kind = key.split("-", 1)[1]
        fields = {
            "monthly_amount": forms.DecimalField(label=f"{label} : montant mensuel (€)", **_MONEY)
        }
        if kind == enums.ResourceKind.ARE_ASS:
            fields["rights_start"] = forms.DateField(label="Début des droits", **_DATE)
            fields["rights_end"] = forms.DateField(label="Fin des droits", **_DATE)
        if kind == enums.ResourceKind.OTHER:
            fields["detail"] = forms.CharField(label="À préciser", required=False, max_length=200)
        return fields

    def existing_rows(self):
        return {f"{r.holder}-{r.kind}": r for r in self.evaluation.resources.all()}

    @property
    def by_kind(self) -> list[dict]:
        """One line per kind of resource, one cell per holder, as on the paper form."""
        return [
            {
                "label": kind.label,
                "cells": [self.row(f"{holder.value}-{kind.value}") for holder in enums.Holder],
            }
            for kind in enums.ResourceKind
        ]

    def clean(self):
        data = super().clean()
        for key, _label in self.rows:
            start, end = data.get(f"{key}__rights_start"), data.get(f"{key}__rights_end")
            if start and end and end < start:
                self.add_error(f"{key}__rights_end", "La fin des droits précède leur début.")
        return data

    def save(self, evaluation: SocialEvaluation) -> None:
        for key, _label in self.rows:
            holder, kind = key.split("-", 1)
            values = self.row_data(key)
            if any(v not in (None, "") for v in values.values()):
                ResourceLine.objects.update_or_create(
                    evaluation=evaluation, holder=holder, kind=kind, defaults=values
                )
            else:
                ResourceLine.objects.filter(
                    evaluation=evaluation, holder=holder, kind=kind
                ).delete()


class DebtsForm(GridForm):
    rows = list(enums.DebtKind.choices)

    def row_fields(self, key, label):
        fields = {
            "present": forms.BooleanField(label=label, required=False),
            "amount": forms.DecimalField(label=f"{label} : montant (€)", **_MONEY),
        }
        if key == enums.DebtKind.OTHER:
            fields["detail"] = forms.CharField(label="À préciser", required=False, max_length=200)
        return fields

    def existing_rows(self):
        return {d.kind: d for d in self.evaluation.debts.all()}

    def initial_value(self, instance, name):
        return True if name == "present" else getattr(instance, name)

    def save(self, evaluation: SocialEvaluation) -> None:
        for key, _label in self.rows:
            values = self.row_data(key)
            present = values.pop("present") or values.get("amount") is not None
            if present:
                Debt.objects.update_or_create(evaluation=evaluation, kind=key, defaults=values)
            else:
                Debt.objects.filter(evaluation=evaluation, kind=key).delete()


class ReasonsForm(GridForm):
    rows = list(enums.RequestReason.choices)

    def row_fields(self, key, label):
        return {
            "checked": forms.BooleanField(label=label, required=False),
            "detail": forms.CharField(
                label=f"{label} : précisions", required=False, max_length=300
            ),
        }

    def existing_rows(self):
        return {r.reason: r for r in self.evaluation.reasons.all()}

    def initial_value(self, instance, name):
        return True if name == "checked" else getattr(instance, name)

    def clean(self):
        data = super().clean()
        if data.get("other__checked") and not data.get("other__detail", "").strip():
            self.add_error("other__detail", "Précisez l'autre motif.")
        return data

    def save(self, evaluation: SocialEvaluation) -> None:
        for key, _label in self.rows:
            values = self.row_data(key)
            if values["checked"]:
                EvaluationReason.objects.update_or_create(
                    evaluation=evaluation, reason=key, defaults={"detail": values["detail"]}
                )
            else:
                EvaluationReason.objects.filter(evaluation=evaluation, reason=key).delete()


class HousingAidsForm(GridForm):
    rows = list(enums.HousingAidScheme.choices)

    def row_fields(self, key, label):
        fields = {
            "status": forms.ChoiceField(
                label="Situation",
                choices=[("", "—"), *self.statuses_for(key)],
                required=False,
            ),
        }
        if key.startswith("asll"):
            fields["start_date"] = forms.DateField(label="Date de début", **_DATE)
            fields["end_date"] = forms.DateField(label="Date de fin", **_DATE)
        else:
            fields["decision_date"] = forms.DateField(label=self.date_label(key), **_DATE)
        if key == enums.HousingAidScheme.PREFECTORAL:
            fields["detail"] = forms.CharField(label="Motif", required=False, max_length=300)
        return fields

    @staticmethod
    def date_label(key: str) -> str:
        if key == enums.HousingAidScheme.PREFECTORAL:
            return "Date de la commission"
        if key.startswith("dalo"):
            return "Date"
        return "Date de l'accord ou du refus"

    @staticmethod
    def statuses_for(key: str) -> list[tuple[str, str]]:
        s = enums.HousingAidStatus
        if key.startswith("dalo"):
            allowed = [s.TO_REQUEST, s.IN_PROGRESS, s.PRIORITY, s.REFUSED]
        elif key == enums.HousingAidScheme.PREFECTORAL:
            allowed = [s.TO_REQUEST, s.IN_PROGRESS, s.AGREED, s.REFUSED]
        else:
            allowed = [s.TO_REQUEST, s.AGREED, s.REFUSED]
        return [(v.value, v.label) for v in allowed]

    def existing_rows(self):
        return {a.scheme: a for a in self.evaluation.housing_aids.all()}

    def clean(self):
        data = super().clean()
        for key, _label in self.rows:
            if data.get(f"{key}__decision_date") and not data.get(f"{key}__status"):
                self.add_error(f"{key}__status", "Une date est indiquée : précisez la situation.")
            start, end = data.get(f"{key}__start_date"), data.get(f"{key}__end_date")
            if start and end and end < start:
                self.add_error(f"{key}__end_date", "La date de fin précède la date de début.")
        return data

    def save(self, evaluation: SocialEvaluation) -> None:
        for key, _label in self.rows:
            values = self.row_data(key)
            if values["status"]:
                HousingAid.objects.update_or_create(
                    evaluation=evaluation, scheme=key, defaults=values
                )
            else:
                HousingAid.objects.filter(evaluation=evaluation, scheme=key).delete()


class EvaluationForms:
    """The blocks of the Annex IV form (the page, and the API which binds the same names):
    valid together, saved together in one transaction, or not at all."""

    GRIDS = ("resources", "debts", "reasons", "housing_aids")

    def __init__(self, req: Request, evaluation: SocialEvaluation, data=None):
        self.req = req
        employments = {e.holder: e for e in evaluation.employments.all()} if evaluation.pk else {}
        self.forms = {
            "main": SocialEvaluationForm(
                data, instance=evaluation, territory=req.territory, prefix="evaluation"
            ),
            "employment_applicant": EmploymentForm(
                data,
                instance=employments.get(enums.Holder.APPLICANT),
                prefix="employment-applicant",
            ),
            "employment_spouse": EmploymentForm(
                data, instance=employments.get(enums.Holder.SPOUSE), prefix="employment-spouse"
            ),
            "resources": ResourcesForm(data, evaluation=evaluation, prefix="resources"),
            "debts": DebtsForm(data, evaluation=evaluation, prefix="debts"),
            "reasons": ReasonsForm(data, evaluation=evaluation, prefix="reasons"),
            "housing_aids": HousingAidsForm(data, evaluation=evaluation, prefix="aids"),
        }

    def __getitem__(self, name: str):
        return self.forms[name]

    def values(self):
        return self.forms.values()

    def items(self):
        return self.forms.items()

    def is_valid(self) -> bool:
        return all(form.is_valid() for form in self.forms.values())

    def save(self, *, by, audit_as) -> None:
        """Save every block (call within a transaction, after `is_valid()`); a change is a
        rectification of the request, recorded and audited as `audit_as`."""
        evaluation = self.forms["main"].save()
        for name, holder in (
            ("employment_applicant", enums.Holder.APPLICANT),
            ("employment_spouse", enums.Holder.SPOUSE),
        ):
            form = self.forms[name]
            if form.cleaned_data.get("status"):
                employment = form.save(commit=False)
                employment.evaluation = evaluation
                employment.holder = holder
                employment.save()
            elif form.instance.pk:
                form.instance.delete()
        for name in self.GRIDS:
            self.forms[name].save(evaluation)
        changed = audit.form_changes(self.forms)
        if changed["changes"]:
            self.req.record_update(by=by, fields=list(changed["labels"].values()))
            audit.record(
                request_or_user=audit_as, action=Action.WRITE, obj=self.req, detail=changed
            )


class CloseRequestForm(DsfrBaseForm):
    """Closing a request: a reason from the list, and words when it is another one."""

    reason = forms.ChoiceField(
        label="Motif de clôture",
        choices=[("", "Choisissez un motif"), *enums.CloseReason.choices],
    )
    note = forms.CharField(
        label="Précisions",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Obligatoire pour « Autre motif ». N'y écrivez pas d'information de santé "
        "ni de justice.",
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == enums.CloseReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "Précisez le motif de clôture.")
        return data

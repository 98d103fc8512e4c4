"""Forms of the implantation checklist (IAE-09): the project, a step's next move, a date of an
act. The date rules are the models' (`date_refusal`): the forms only put them next to the field."""

from django import forms
from dsfr.forms import DsfrBaseForm

from relais.accounts.enums import OrganisationKind
from relais.accounts.models import Organisation
from relais.core.inputs import FIRST_RECORD_DAY, LAST_DAY, date_validators
from relais.requests.forms import DsfrModelForm

from .enums import StepEventKind
from .models import ActParty, ImplantationProject, ImplantationStep, establishments_for

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label: str, *, required: bool = True, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DATE_INPUT,
        help_text=help_text,
        validators=date_validators(FIRST_RECORD_DAY, LAST_DAY),
    )


def _day(value) -> str:
    return value.strftime("%d/%m/%Y")


class ProjectForm(DsfrModelForm):
    class Meta:
        model = ImplantationProject
        fields = [
            "establishment",
            "siae",
            "activity",
            "lead_name",
            "started_on",
            "target_opening_on",
            "notes",
        ]
        widgets = {
            "started_on": DATE_INPUT,
            "target_opening_on": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "activity": "L'activité de travail envisagée ; elle peut se préciser à l'étape 3.",
            "started_on": "Le premier comité de pilotage, ou le jour où le projet a été lancé.",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            del self.fields["establishment"]
            territory_id = self.instance.territory_id
        else:
            prisons = establishments_for(user)
            self.fields["establishment"].queryset = prisons
            if len(prisons) == 1 and not self.is_bound:
                self.fields["establishment"].initial = prisons[0].pk
            territory_id = None if user.is_superuser else user.organisation.territory_id
        siaes = Organisation.objects.filter(kind=OrganisationKind.SIAE).order_by("name")
        if territory_id is not None:
            siaes = siaes.filter(territory_id=territory_id)
        self.fields["siae"].queryset = siaes
        self.fields["siae"].label_from_instance = lambda o: o.name

    def clean_started_on(self):
        started_on = self.cleaned_data["started_on"]
        project = self.instance
        if project.pk:
            first = _first_recorded(project)
            if first and started_on > first:
                raise forms.ValidationError(
                    "Des dates du projet précèdent ce démarrage (la première le "
                    f"{_day(first)}) : le démarrage ne peut pas être plus tard."
                )
        return started_on


def _first_recorded(project: ImplantationProject):
    days = [
        *project.steps.exclude(started_on=None).values_list("started_on", flat=True),
        *ActParty.objects.filter(act__project=project)
        .exclude(on=None)
        .values_list("on", flat=True),
    ]
    return min(days) if days else None


class StepForm(DsfrBaseForm):
    """The next move of one step: the one transition its status allows, on a day."""

    transition = forms.ChoiceField(widget=forms.HiddenInput)
    on = _date_field("Date", required=False)
    note = forms.CharField(
        label="Note (facultatif)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Par exemple : COPIL tenu, décision prise, point à suivre.",
    )

    LABELS = {
        StepEventKind.STARTED: "Date de début",
        StepEventKind.FINISHED: "Date de fin",
    }

    def __init__(self, *args, step: ImplantationStep, user, **kwargs):
        super().__init__(*args, prefix=f"etape-{step.pk}", **kwargs)
        self.step = step
        allowed = step.allowed_transitions(user)
        self.fields["transition"].choices = [(t.name, t.label) for t in allowed]
        self.action = allowed[0] if allowed else None
        if self.action is not None:
            self.fields["transition"].initial = self.action.name
            if self.action.name in self.LABELS:
                self.fields["on"].label = self.LABELS[self.action.name]
            else:
                del self.fields["on"]

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("transition")
        if name and "on" in self.fields and "on" not in self.errors:
            refusal = self.step.date_refusal(name, cleaned.get("on"))
            if refusal:
                self.add_error("on", refusal)
        return cleaned


class RecordForm(DsfrBaseForm):
    """A signing or sending date for one party of one act."""

    party = forms.ModelChoiceField(
        label="Acte et partie",
        queryset=ActParty.objects.none(),
        error_messages={"invalid_choice": "Choisissez une ligne de la liste."},
    )
    on = _date_field("Date de la signature ou de l'envoi")

    def __init__(self, *args, project: ImplantationProject, user, **kwargs):
        super().__init__(*args, prefix="acte", **kwargs)
        rows = (
            ActParty.objects.filter(act__project=project)
            .select_related("act", "act__project")
            .order_by("act_id", "id")
        )
        allowed = [row.pk for row in rows if row.may_record(user)]
        self.fields["party"].queryset = rows.filter(pk__in=allowed)
        self.fields["party"].label_from_instance = lambda row: (
            f"{row.act} — {row.get_party_display()} ({row.role_label.lower()})"
        )

    @property
    def has_choices(self) -> bool:
        return self.fields["party"].queryset.exists()

    def clean(self):
        cleaned = super().clean()
        row = cleaned.get("party")
        if row is not None and "on" not in self.errors:
            refusal = row.date_refusal(cleaned.get("on"))
            if refusal:
                self.add_error("on", refusal)
        return cleaned

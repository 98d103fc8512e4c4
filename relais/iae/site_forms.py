"""Forms of the site screens: the site and its charter's settings, the who-leads-what matrix
(IAE-03), a resource person of the directory (IAE-07). Each refusal is French and next to its
field; the database constraints are said here first, in words."""

from django import forms
from django.db.models import Max

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import Organisation
from relais.requests.forms import DsfrModelForm

from .enums import Lead
from .models import ResourcePerson, Responsibility, Site

SETTINGS_FIELDS = ["activity", "posts", "sentence_criterion", "exit_alert_weeks"]
OTHER_ACTOR_MISSING = "Nommez l'autre acteur chef de file (ex. : unité sanitaire, Mission locale)."


def establishments_for(user):
    """The prisons where `user` may implant a site: the prison staff's own, the territory's for
    its administrator, every one for the superuser."""
    prisons = Organisation.objects.filter(kind=OrganisationKind.PRISON).order_by("name")
    if user.is_superuser:
        return prisons
    if not user.organisation_id:
        return prisons.none()
    if user.role == Role.PRISON_STAFF:
        return prisons.filter(pk=user.organisation_id)
    if user.role == Role.TERRITORY_ADMIN:
        return prisons.filter(territory_id=user.organisation.territory_id)
    return prisons.none()


def may_create_site(user) -> bool:
    """Who opens a site: the prison's staff (at their establishment), the territory's
    administrator, the superuser."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user.organisation_id) and user.role in (Role.PRISON_STAFF, Role.TERRITORY_ADMIN)


class SiteForm(DsfrModelForm):
    """A new site (establishment × SIAE) with its settings, or the settings of one."""

    class Meta:
        model = Site
        fields = ["establishment", "siae", *SETTINGS_FIELDS]
        widgets = {"sentence_criterion": forms.RadioSelect}
        help_texts = {
            "activity": "L'activité de travail de l'atelier (ex. : blanchisserie, menuiserie).",
            "posts": "Le nombre de postes de travail en IAE ouverts dans l'atelier.",
            "sentence_criterion": (
                "La charte SPIP–SIAE compte le reliquat de peine, le guide national le "
                "quantum : les deux chiffres sont affichés sur chaque candidature, celui "
                "choisi ici est vérifié."
            ),
        }
        error_messages = {
            "establishment": {
                "required": "Choisissez l'établissement pénitentiaire.",
                "invalid_choice": "Choisissez un établissement de la liste.",
            },
            "siae": {
                "required": "Choisissez la SIAE implantée.",
                "invalid_choice": "Choisissez une SIAE de la liste.",
            },
            "posts": {
                "invalid": "Indiquez un nombre entier de postes.",
                "max_value": "Indiquez au plus 500 postes.",
                "min_value": "Indiquez un nombre de postes positif.",
            },
            "exit_alert_weeks": {
                "required": "Indiquez le nombre de semaines d'alerte avant la sortie.",
                "invalid": "Indiquez un nombre entier de semaines.",
                "max_value": "Indiquez au plus 52 semaines.",
                "min_value": "Indiquez au moins 1 semaine.",
            },
            "sentence_criterion": {
                "required": "Choisissez le critère de peine retenu.",
                "invalid_choice": "Choisissez l'un des deux critères proposés.",
            },
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            del self.fields["establishment"]
            del self.fields["siae"]
            return
        prisons = establishments_for(user)
        self.fields["establishment"].queryset = prisons
        self.fields["establishment"].label_from_instance = lambda o: o.name
        if len(prisons) == 1 and not self.is_bound:
            self.fields["establishment"].initial = prisons[0].pk
        siaes = Organisation.objects.filter(kind=OrganisationKind.SIAE).order_by("name")
        if not user.is_superuser:
            siaes = siaes.filter(territory_id=user.organisation.territory_id)
        self.fields["siae"].queryset = siaes
        self.fields["siae"].label_from_instance = lambda o: o.name

    def clean(self):
        cleaned = super().clean()
        establishment, siae = cleaned.get("establishment"), cleaned.get("siae")
        if self.instance.pk or not (establishment and siae):
            return cleaned
        if establishment.territory_id != siae.territory_id:
            self.add_error(
                "siae",
                "Cette SIAE n'est pas du territoire de l'établissement : choisissez-en une autre.",
            )
        elif Site.objects.filter(establishment=establishment, siae=siae).exists():
            self.add_error(
                "siae",
                f"« {siae.name} » est déjà implantée à « {establishment.name} » : ouvrez la "
                "page de ce site depuis la liste des sites.",
            )
        return cleaned


class ResponsibilityForm(DsfrModelForm):
    """One row of the matrix: a domain, who leads it, the other actor when it is one."""

    class Meta:
        model = Responsibility
        fields = ["domain", "lead", "other_actor"]
        error_messages = {
            "domain": {"required": "Nommez le domaine d'intervention."},
            "lead": {
                "required": "Choisissez le chef de file du domaine.",
                "invalid_choice": "Choisissez un chef de file de la liste.",
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = [("", "Choisir le chef de file"), *Lead.choices]
        self.fields["other_actor"].help_text = "Seulement si le chef de file est un autre acteur."

    def clean(self):
        cleaned = super().clean()
        lead = cleaned.get("lead")
        if lead == Lead.OTHER and not (cleaned.get("other_actor") or "").strip():
            if "other_actor" not in self.errors:
                self.add_error("other_actor", OTHER_ACTOR_MISSING)
        elif lead and lead != Lead.OTHER:
            cleaned["other_actor"] = ""
        return cleaned


class BaseResponsibilityFormSet(forms.BaseModelFormSet):
    """The site's rows in their order, one blank row to add a domain."""

    def __init__(self, *args, site: Site, **kwargs):
        self.site = site
        kwargs.setdefault("queryset", site.responsibilities.order_by("position", "id"))
        super().__init__(*args, prefix="domaines", **kwargs)

    def clean(self):
        super().clean()
        seen: dict[str, str] = {}
        kept_busy = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if not data:
                continue
            if data.get("DELETE"):
                # A removed row is not validated as a form: refuse for the whole table.
                if form.instance.pk and form.instance.resource_persons.exists():
                    kept_busy.append(
                        forms.ValidationError(
                            f"« {form.instance.domain} » a des personnes ressources dans "
                            "l'annuaire : retirez-les ou changez leur domaine avant de "
                            "retirer cette ligne."
                        )
                    )
                continue
            domain = (data.get("domain") or "").strip()
            key = domain.casefold()
            if key and key in seen:
                form.add_error("domain", "Ce domaine figure déjà dans le tableau.")
            seen[key] = domain
        if kept_busy:
            raise forms.ValidationError(kept_busy)

    def save_rows(self) -> dict:
        """Save the rows (added ones last, in their order); what changed, for the audit."""
        rows = self.save(commit=False)
        position = (self.site.responsibilities.aggregate(last=Max("position"))["last"] or 0) + 1
        added, changed = [], []
        for row in rows:
            if row.pk is None:
                row.site = self.site
                row.position = position
                position += 1
                added.append(row.domain)
            else:
                changed.append(row.domain)
            row.save()
        removed = [row.domain for row in self.deleted_objects]
        for row in self.deleted_objects:
            row.delete()
        return {"ajoutés": added, "modifiés": changed, "retirés": removed}


ResponsibilityFormSet = forms.modelformset_factory(
    Responsibility,
    form=ResponsibilityForm,
    formset=BaseResponsibilityFormSet,
    extra=1,
    can_delete=True,
)


class ResourcePersonForm(DsfrModelForm):
    """A resource person of the site's directory, under one of its domains."""

    class Meta:
        model = ResourcePerson
        fields = [
            "responsibility",
            "name",
            "function",
            "organisation_name",
            "phone",
            "email",
            "how_to_reach",
        ]
        labels = {"name": "Nom et prénom"}
        help_texts = {
            "function": "Ex. : conseillère France Travail Justice, infirmier de l'unité sanitaire.",
            "how_to_reach": "Ex. : permanence le mardi matin, par le CPIP référent, par courriel.",
        }
        error_messages = {
            "responsibility": {
                "required": "Choisissez le domaine de cette personne ressource.",
                "invalid_choice": "Choisissez un domaine du tableau de ce site.",
            },
            "name": {"required": "Indiquez le nom de la personne ressource."},
            "email": {"invalid": "Indiquez une adresse électronique valide (nom@exemple.fr)."},
        }

    def __init__(self, *args, site: Site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site
        field = self.fields["responsibility"]
        field.queryset = site.responsibilities.order_by("position", "id")
        field.label = "Domaine d'intervention"
        field.label_from_instance = lambda row: row.domain
        field.empty_label = "Choisir le domaine"

    def save(self, commit: bool = True):
        self.instance.site = self.site
        return super().save(commit=commit)

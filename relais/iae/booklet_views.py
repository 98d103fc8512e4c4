"""IAE-05: the skills booklet (*livret de compétences*, guide 003 §F.3), shared by the SPIP and
the SIAE and given to the person: the site's referential (behavioural skills, the activity's
technical skills, CléA's 7 domains) against the dated assessments, entry to exit.

Who reads: whoever reads the parcours (`visible_parcours`: the SPIP, the establishment, the
SIAE within consent). Who writes an assessment: the SIAE's staff within consent
(`Parcours.writes_siae_part`). Who adds a technical skill to a site's referential: the SIAE's
staff of that site.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from dsfr.forms import DsfrBaseForm

from relais.audit import log as audit
from relais.audit.enums import Action
from relais.core.inputs import FIRST_RECORD_DAY, LAST_DAY, date_validators

from .enums import AssessmentKind, ParcoursState, SkillFamily, SkillLevel
from .models import SIAE_ROLES, Assessment, Parcours, Rating, Skill
from .views import visible_parcours, visible_site

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# An assessment is recorded from the recruitment on, and after the end (the exit one).
ASSESSED_STATES = {ParcoursState.RETAINED, ParcoursState.ACTIVE, ParcoursState.ENDED}
ENTRY_TAKEN = (
    "L'évaluation d'entrée est déjà enregistrée : choisissez une évaluation de suivi ou de sortie."
)
LEVEL_CHOICES = [("", "Choisir un niveau"), *SkillLevel.choices]


# -- the booklet as a table -------------------------------------------------------------------


def booklet(parcours: Parcours) -> dict:
    """The referential by family, each skill with its level at each assessment and its
    evolution from the first level to the last."""
    assessments = list(
        parcours.assessments.order_by("assessed_on", "id").prefetch_related("ratings")
    )
    levels = {(r.assessment_id, r.skill_id): r.level for a in assessments for r in a.ratings.all()}
    families = []
    for family in SkillFamily:
        rows = []
        for skill in Skill.referential(parcours.site).filter(family=family):
            cells = [levels.get((a.pk, skill.pk)) for a in assessments]
            rated = [level for level in cells if level is not None]
            rows.append(
                {
                    "skill": skill,
                    "cells": [
                        {"level": level, "label": SkillLevel(level).label if level else "—"}
                        for level in cells
                    ],
                    "latest": SkillLevel(rated[-1]).label if rated else "Non évaluée",
                    "latest_level": rated[-1] if rated else None,
                    "evolution": _evolution(rated),
                }
            )
        families.append({"label": family.label, "rows": rows})
    return {"assessments": assessments, "families": families}


def _evolution(rated: list[int]) -> str:
    if len(rated) < 2:
        return ""
    change = rated[-1] - rated[0]
    if change > 0:
        return f"En progrès (+{change} niveau{'x' if change > 1 else ''})"
    if change < 0:
        return f"En recul ({change} niveau{'x' if change < -1 else ''})"
    return "Stable"


def latest_levels(parcours: Parcours) -> list[dict]:
    """Each skill's latest level (the exit synthesis lists them)."""
    return [
        {"family": family["label"], "skill": row["skill"], "level": row["latest"]}
        for family in booklet(parcours)["families"]
        for row in family["rows"]
        if row["latest_level"] is not None
    ]


# -- forms ------------------------------------------------------------------------------------


class AssessmentForm(DsfrBaseForm):
    kind = forms.ChoiceField(
        label="Type d'évaluation", choices=[("", "Choisir"), *AssessmentKind.choices]
    )
    assessed_on = forms.DateField(
        label="Date de l'évaluation",
        widget=DATE_INPUT,
        validators=date_validators(FIRST_RECORD_DAY, LAST_DAY),
    )
    note = forms.CharField(
        label="Observations partagées avec la personne",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Elles figurent sur le livret remis à la personne.",
    )

    def __init__(self, *args, parcours: Parcours, **kwargs):
        super().__init__(*args, **kwargs)
        self.parcours = parcours
        self.skills = list(Skill.referential(parcours.site))
        for skill in self.skills:
            self.fields[self.field_name(skill)] = forms.TypedChoiceField(
                label=skill.label, choices=LEVEL_CHOICES, coerce=int
            )

    @staticmethod
    def field_name(skill: Skill) -> str:
        return f"niveau_{skill.pk}"

    def skill_fields(self):
        """The level fields, by family, for the template."""
        return [
            {
                "label": family.label,
                "fields": [self[self.field_name(s)] for s in self.skills if s.family == family],
            }
            for family in SkillFamily
        ]

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        if day < self.parcours.prescribed_on:
            raise forms.ValidationError(
                f"La date ne peut pas précéder la prescription du "
                f"{self.parcours.prescribed_on:%d/%m/%Y}."
            )
        return day

    def clean_kind(self):
        kind = self.cleaned_data["kind"]
        if (
            kind == AssessmentKind.ENTRY
            and self.parcours.assessments.filter(kind=AssessmentKind.ENTRY).exists()
        ):
            raise forms.ValidationError(ENTRY_TAKEN)
        return kind

    def save(self, *, by) -> Assessment:
        data = self.cleaned_data
        with transaction.atomic():
            assessment = Assessment.objects.create(
                parcours=self.parcours,
                kind=data["kind"],
                assessed_on=data["assessed_on"],
                assessed_by=by,
                note=data["note"],
            )
            Rating.objects.bulk_create(
                Rating(assessment=assessment, skill=skill, level=data[self.field_name(skill)])
                for skill in self.skills
            )
        return assessment


class SkillForm(DsfrBaseForm):
    label = forms.CharField(
        label="Compétence technique",
        max_length=250,
        help_text="Ex. « Utiliser une presse à injecter en sécurité ».",
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean_label(self):
        label = " ".join(self.cleaned_data["label"].split())
        if not label:
            raise forms.ValidationError("Nommez la compétence.")
        if Skill.objects.filter(site__isnull=True, label__iexact=label).exists() or (
            self.site.skills.filter(label__iexact=label).exists()
        ):
            raise forms.ValidationError("Cette compétence figure déjà dans le référentiel.")
        return label


# -- screens ----------------------------------------------------------------------------------


def _writable(request, pk: int) -> Parcours:
    parcours = visible_parcours(request, pk)
    if not parcours.writes_siae_part(request.user):
        raise PermissionDenied(
            "Les évaluations du livret sont enregistrées par la SIAE, dans le cadre du "
            "consentement de la personne."
        )
    return parcours


def _booklet_context(parcours: Parcours, user, form=None) -> dict:
    can_write = parcours.writes_siae_part(user)
    if can_write and form is None and parcours.state in ASSESSED_STATES:
        form = AssessmentForm(
            parcours=parcours, initial={"assessed_on": timezone.localdate().isoformat()}
        )
    return {
        "parcours": parcours,
        **booklet(parcours),
        "can_write": can_write,
        "can_add_skill": _may_add_skill(user, parcours.site),
        "form": form,
        "assessable": parcours.state in ASSESSED_STATES,
    }


def booklet_page(request, pk: int):
    parcours = visible_parcours(request, pk)
    return render(request, "iae/booklet.html", _booklet_context(parcours, request.user))


def booklet_print(request, pk: int):
    parcours = visible_parcours(request, pk)
    context = _booklet_context(parcours, request.user)
    context["today"] = timezone.localdate()
    return render(request, "iae/booklet_print.html", context)


@require_POST
def assessment_create(request, pk: int):
    parcours = _writable(request, pk)
    form = AssessmentForm(request.POST, parcours=parcours)
    if parcours.state not in ASSESSED_STATES:
        form.is_valid()
        form.add_error(None, "Les compétences s'évaluent une fois la personne retenue par la SIAE.")
    elif form.is_valid():
        try:
            assessment = form.save(by=request.user)
        except IntegrityError:
            form.add_error("kind", ENTRY_TAKEN)
        else:
            audit.record(
                request_or_user=request,
                action=Action.WRITE,
                obj=assessment,
                person_id=parcours.person_id,
                detail={"event": "iae_assessment_recorded", "kind": assessment.kind},
            )
            messages.success(request, f"{assessment} enregistrée.")
            return redirect("iae:booklet", pk=parcours.pk)
    context = _booklet_context(parcours, request.user, form=form)
    return render(request, "iae/booklet.html", context, status=400)


def _may_add_skill(user, site) -> bool:
    return user.is_superuser or (site.works_here(user) and user.role in SIAE_ROLES)


def skill_add(request, pk: int):
    """A technical skill of the site's activity, added to its referential."""
    site = visible_site(request, pk)
    if not _may_add_skill(request.user, site):
        raise PermissionDenied(
            "Les compétences techniques du référentiel sont tenues par la SIAE qui anime l'activité."
        )
    back = request.GET.get("parcours", "")
    back = int(back) if back.isdigit() else None
    form = SkillForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        position = site.skills.count() + 1
        try:
            with transaction.atomic():
                skill = Skill.objects.create(
                    site=site,
                    family=SkillFamily.TECHNICAL,
                    label=form.cleaned_data["label"],
                    position=position,
                )
        except IntegrityError:
            form.add_error("label", "Cette compétence figure déjà dans le référentiel.")
        else:
            audit.record(
                request_or_user=request,
                action=Action.WRITE,
                obj=skill,
                detail={"event": "iae_skill_added", "site": site.pk},
            )
            messages.success(request, f"Compétence ajoutée au référentiel : {skill.label}.")
            url = request.path + (f"?parcours={back}" if back else "")
            return redirect(url)
    return render(
        request,
        "iae/skill_form.html",
        {
            "site": site,
            "form": form,
            "skills": site.skills.filter(family=SkillFamily.TECHNICAL),
            "back": back,
        },
        status=400 if form.is_bound else 200,
    )

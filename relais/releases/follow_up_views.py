"""JUS-05: the SIAO records where a person released from detention stands, 1, 3 and 6 months
after release (the checks are planned and reminded by `escalate_releases`)."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from dsfr.forms import DsfrBaseForm

from relais.audit import log as audit
from relais.audit import reads
from relais.audit.enums import Action

from .enums import FollowUpOutcome
from .models import FollowUpCheck


class FollowUpForm(DsfrBaseForm):
    outcome = forms.ChoiceField(
        label="Où en est la personne ?",
        choices=FollowUpOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Indiquez la situation de la personne."},
    )
    note = forms.CharField(
        label="Précisions",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Où elle est hébergée, qui l'accompagne. N'y écrivez pas d'information de "
        "santé ni de justice.",
    )


def follow_up(request, pk: int):
    """The SIAO of the territory only: out of scope is a 404, an id reveals nothing."""
    check = get_object_or_404(
        FollowUpCheck.objects.visible_to(request.user).select_related(
            "detention__person", "detention__establishment", "detention__spip", "by"
        ),
        pk=pk,
    )
    detention = check.detention
    initial = {"outcome": check.outcome, "note": check.note} if check.answered else None
    form = FollowUpForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        check.answer(
            outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"], by=request.user
        )
        audit.record(
            request_or_user=request,
            action=Action.WRITE,
            obj=detention,
            detail={"event": "follow_up", "months": check.months, "outcome": check.outcome},
        )
        messages.success(request, "Point de suivi enregistré.")
        return redirect("releases:follow_up", pk=check.pk)
    reads.note_read(request, detention)
    return render(
        request,
        "releases/follow_up.html",
        {"check": check, "detention": detention, "form": form},
        status=400 if request.method == "POST" else 200,
    )

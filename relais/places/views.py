from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render

from relais.accounts.enums import Role
from relais.requests.forms import DirectAdmissionForm
from relais.requests.models import Person, TransitionNotAllowed, record_direct_admission


def direct_admission(request):
    """SIAO-04: the structure records an emergency admission after the fact."""
    if request.user.role != Role.STRUCTURE_MANAGER:
        raise PermissionDenied(
            "Seul un gestionnaire de structure enregistre une admission directe."
        )
    form = DirectAdmissionForm(request.POST or None, organisation=request.user.organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        year, month, day = data["birth_date"]
        try:
            with transaction.atomic():
                person = Person(
                    birth_name=data["birth_name"],
                    first_names=data["first_names"],
                    sex=data["sex"],
                    birth_year=year,
                    birth_month=month,
                    birth_day=day,
                )
                person.full_clean()
                person.save()
                req = record_direct_admission(
                    person=person,
                    structure=data["structure"],
                    admitted_at=data["admitted_at"],
                    by=request.user,
                    notes=data["notes"],
                )
        except TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Admission directe de {person} enregistrée.")
            return redirect("requests:detail", pk=req.pk)
    return render(request, "places/direct_admission.html", {"form": form})

"""SIAO-22: the person's rights of access and rectification, and the information notice."""

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from relais.accounts.enums import OrganisationKind, Role
from relais.accounts.models import Organisation
from relais.audit import log as audit
from relais.audit import reads
from relais.audit.enums import Action
from relais.persons.models import Person
from relais.requests.models import Request

from . import rights


def _person_and_requests(request, person_pk: int) -> tuple[Person, list[Request]]:
    """Out of the user's reach is a 404, as for requests: an id in the URL reveals nothing."""
    person = get_object_or_404(Person, pk=person_pk)
    requests = list(
        rights.rights_requests(request.user, person).select_related("territory").order_by("-id")
    )
    if not requests:
        raise Http404("Personne introuvable.")
    return person, requests


def person_export(request, person_pk: int):
    """Right of access: everything held about the person, as a printable page."""
    person, requests = _person_and_requests(request, person_pk)
    audit.record(
        request_or_user=request, action=Action.EXPORT, obj=person, detail={"format": "html"}
    )
    return render(
        request,
        "privacy/export.html",
        {
            "person": person,
            "export": rights.export_for(request.user, person),
            "generated_at": timezone.now(),
            "latest_request": requests[0],
            "is_partial": not (
                request.user.is_superuser or request.user.role == Role.SIAO_OPERATOR
            ),
        },
    )


def person_export_json(request, person_pk: int):
    """Right of access: the same export as a JSON file, for a portable copy."""
    person, requests = _person_and_requests(request, person_pk)
    audit.record(
        request_or_user=request, action=Action.EXPORT, obj=person, detail={"format": "json"}
    )
    data = {
        "generated_at": timezone.now().isoformat(),
        "generated_by": request.user.get_username(),
        **rights.as_json(rights.export_for(request.user, person)),
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="relais-personne-{person.pk}.json"'
    return response


def person_rectifications(request, person_pk: int):
    """Right of rectification: what was changed in the person's files, by whom, old → new."""
    person, requests = _person_and_requests(request, person_pk)
    reads.note_read(request, person)
    return render(
        request,
        "privacy/rectifications.html",
        {
            "person": person,
            "latest_request": requests[0],
            **rights.rectifications(request.user, person),
        },
    )


def person_notice(request, person_pk: int):
    """The information notice handed to the person (RGPD articles 13 and 14)."""
    person, requests = _person_and_requests(request, person_pk)
    reads.note_read(request, person)
    territory = requests[0].territory
    return render(
        request,
        "privacy/notice.html",
        {
            "person": person,
            "latest_request": requests[0],
            "territory": territory,
            "siao": Organisation.objects.filter(
                territory=territory, kind=OrganisationKind.SIAO
            ).first(),
            "file_retention_years": _years(settings.FILE_RETENTION_DAYS),
            "file_retention_days": settings.FILE_RETENTION_DAYS,
            "audit_retention_days": settings.AUDIT_RETENTION_DAYS,
            "audit_retention_years": _years(settings.AUDIT_RETENTION_DAYS),
            "today": timezone.localdate(),
        },
    )


def _years(days: int) -> str:
    """365 → "1 an", 730 → "2 ans"; other values in days."""
    if days % 365 == 0:
        years = days // 365
        return f"{years} an{'s' if years > 1 else ''}"
    return f"{days} jours"

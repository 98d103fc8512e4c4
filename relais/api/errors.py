"""What the API answers when it refuses: always JSON, always French, never a 500 for input.

- 400: `{"detail": "…", "errors": {"field": ["message"]}}` — the same messages as the forms;
- 401 / 403 / 404 / 429: `{"detail": "…"}`;
- 409: a refused transition, a conflict, or likely existing persons (with their candidates);
- 503: the database is busy (retry).
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from relais.core.errors import refusal

NOT_FOUND = "Introuvable, ou hors du périmètre de ce jeton."
INVALID = "Données invalides : voir le détail par champ."
NOT_JSON = "Le corps de la requête n'est pas un JSON valide."


class Invalid(exceptions.APIException):
    """Field errors of a form or a serializer: 400 with the messages per field."""

    status_code = status.HTTP_400_BAD_REQUEST

    def __init__(self, errors: dict[str, list[str]], detail: str = INVALID):
        super().__init__(detail)
        self.errors = errors


def form_errors(form) -> dict[str, list[str]]:
    """A Django form's errors by field; errors of the whole form under "non_field_errors"."""
    return {
        ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


def exception_handler(exc, context):
    if isinstance(exc, Invalid):
        set_rollback()
        return Response({"detail": str(exc.detail), "errors": exc.errors}, status=400)
    if (found := refusal(exc)) is not None:
        set_rollback()
        message, code = found
        response = Response({"detail": message}, status=code)
        if code == 503:
            response["Retry-After"] = "2"
        return response
    if isinstance(exc, exceptions.ParseError):
        exc = exceptions.ParseError(NOT_JSON)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(NOT_FOUND)
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = {"detail": INVALID, "errors": errors}
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    return response

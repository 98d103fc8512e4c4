"""`Idempotency-Key` on POSTs: a partner's retry never creates twice.

The first POST with a key stores its answer (status and body) in the same transaction as its
work; a POST with the same key and the same body gets that answer again, marked
`Idempotent-Replayed: true`, and does nothing. The same key with another body or address is
refused (422). Two copies sent at the same instant race on the key's unique constraint: the
second waits for the first, then replays it. A request that failed with an error stored
nothing, so its retry runs again. Keys are kept 24 hours.
"""

import hashlib
import json
from functools import wraps

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.response import Response

from .auth import token_of
from .errors import Invalid
from .models import IdempotentRequest

HEADER = "Idempotency-Key"
MAX_LENGTH = 100
PATH_LENGTH = IdempotentRequest._meta.get_field("path").max_length
BAD_KEY = f"La clé d'idempotence doit faire de 1 à {MAX_LENGTH} caractères imprimables (ASCII)."
REUSED = (
    "Cette clé d'idempotence a déjà servi pour une autre requête : utilisez une nouvelle clé "
    "pour chaque nouvel envoi."
)


class KeyReused(exceptions.APIException):
    status_code = 422
    default_detail = REUSED


def _digest(data) -> str:
    text = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def idempotent(handler):
    """Decorate the POST handler of an API view."""

    @wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER, "")
        if not key:
            return handler(view, request, *args, **kwargs)
        if len(key) > MAX_LENGTH or not (key.isascii() and key.isprintable()) or not key.strip():
            raise Invalid({HEADER: [BAD_KEY]}, detail=BAD_KEY)
        token = token_of(request)
        body = _digest(request.data)
        path = request.path[:PATH_LENGTH]
        now = timezone.now()
        with transaction.atomic():
            IdempotentRequest.objects.filter(token=token).expired(now).delete()
            try:
                with transaction.atomic():
                    row = IdempotentRequest.objects.create(
                        token=token, key=key, method=request.method, path=path,
                        body_digest=body, created_at=now,
                    )  # fmt: skip
            except IntegrityError:
                row = IdempotentRequest.objects.select_for_update().get(token=token, key=key)
                if row.body_digest != body or row.path != path or row.status is None:
                    raise KeyReused() from None
                replay = Response(row.response, status=row.status)
                replay["Idempotent-Replayed"] = "true"
                return replay
            response = handler(view, request, *args, **kwargs)
            row.status = response.status_code
            row.response = json.loads(json.dumps(response.data, cls=DjangoJSONEncoder))
            row.save(update_fields=["status", "response"])
        return response

    return wrapper

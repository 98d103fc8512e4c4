"""A refused action or a lock conflict that reaches a view becomes a French message, never a
server error: the one place that says so, for every view.

Views still catch the refusals they expect (an attribution with no place left shows the
suggestions again, with the form): this is the net for the others — a transition refused by
a race the view did not foresee, a row locked for too long (SQLite's "database is locked",
PostgreSQL's lock timeout, deadlock or serialisation failure), a unique constraint hit by a
double submission. The database has rolled the transaction back by then: nothing was half
written.
"""

import logging
from collections.abc import Callable

from django.contrib import messages
from django.db import IntegrityError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from relais.core.transitions import TransitionNotAllowed

logger = logging.getLogger(__name__)

BUSY = (
    "Relais est très sollicité en ce moment et n'a pas pu enregistrer votre action. "
    "Vérifiez la page, puis réessayez dans un instant."
)
BUSY_READING = (
    "Relais est très sollicité en ce moment et n'a pas pu afficher cette page. "
    "Réessayez dans un instant."
)
ALREADY_DONE = (
    "Cette action vient déjà d'être enregistrée (double clic, ou un collègue au même moment) : "
    "rien n'a été enregistré deux fois. Vérifiez la page."
)

# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available (lock_timeout).
_PG_LOCK_CONFLICTS = {"40001", "40P01", "55P03"}
_PG_UNIQUE_VIOLATION = "23505"


def refusal(exception: BaseException) -> tuple[str, int] | None:
    """The French message and HTTP status for an exception that is a refusal or a conflict,
    or None for a real fault (which stays a server error)."""
    if isinstance(exception, TransitionNotAllowed):
        return str(exception), 409
    sqlstate = getattr(exception.__cause__, "sqlstate", None)
    if isinstance(exception, OperationalError) and (
        sqlstate in _PG_LOCK_CONFLICTS or "database is locked" in str(exception)
    ):
        return BUSY, 503
    if isinstance(exception, IntegrityError) and (
        sqlstate == _PG_UNIQUE_VIOLATION or "UNIQUE constraint failed" in str(exception)
    ):
        return ALREADY_DONE, 409
    return None


class ConflictMiddleware:
    """Turns a refusal or a conflict raised by a view into the page the user came from, with
    the message on top.

    - a form posted (POST…): back to the page it was sent from, the message on top;
    - htmx: the message alone, put at the top of the page, the rest of the page left as it
      is (what the user typed in the form stays);
    - a page read (GET): a page with the message, status 409 or 503 (try again).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        found = refusal(exception)
        if found is None:
            return None
        message, status = found
        logger.warning(
            "%s %s refused: %r", request.method, request.path, exception, exc_info=status == 503
        )
        if request.headers.get("HX-Request") == "true":
            response = render(request, "core/_refusal.html", {"message": message})
            # Swap the alert in at the top of the page whatever the element asked for.
            response["HX-Retarget"] = "#contenu"
            response["HX-Reswap"] = "afterbegin"
            response["HX-Reselect"] = "#refus"
            response["HX-Push-Url"] = "false"
            return response
        if request.method in ("GET", "HEAD"):
            if status == 503:
                message = BUSY_READING
            response = render(request, "core/refusal.html", {"message": message}, status=status)
            if status == 503:
                response["Retry-After"] = "2"
            return response
        messages.error(request, message)
        return redirect(_page_sent_from(request))


def _page_sent_from(request: HttpRequest) -> str:
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return referer
    return "home"

"""Every person shown is a read (SEC-01): one mechanism for every page, fragment and export.

While an authenticated request is served, `ReadsMiddleware` keeps a collector in a context
variable, and every person loaded from the database (the `post_init` signal, connected in
AuditConfig.ready()) is noted in it. Once the response is a success (2xx: a page, an htmx
fragment, an export), the middleware writes one READ row per person noted, all in one short
transaction at the end of the request (`log.record_reads`). A failed or refused request, a
redirect after a form, and anonymous visitors write none.

Views never write READ rows themselves. A view that knows more about a read says it with
`note_read()`: which file it opened (the row then names the request rather than the bare
person) and why (the reason of an access on request, which then applies to every person the
page shows). A person already named by a row written during the same request (an export)
gets no second row.
"""

import contextvars
from dataclasses import dataclass, field

from django.db import models
from django.http import HttpRequest

from .enums import Action

# The model whose loading is a read. Where persons live is said here only.
PERSON_MODEL = "persons.Person"


@dataclass
class ReadNote:
    """What a view said about the read of one person."""

    obj: models.Model
    reason: str = ""
    detail: dict = field(default_factory=dict)


@dataclass
class Reads:
    """The persons shown while serving one request, in the order they were loaded."""

    persons: dict[int, ReadNote | None] = field(default_factory=dict)
    reason: str = ""  # applies to every person without a note of their own
    logged: set[int] = field(default_factory=set)  # already named by a row of this request

    def to_write(self) -> dict[int, ReadNote | None]:
        return {pk: note for pk, note in self.persons.items() if pk not in self.logged}


_current: contextvars.ContextVar[Reads | None] = contextvars.ContextVar(
    "relais_audit_reads", default=None
)


def current() -> Reads | None:
    """The collector of the request being served, or None outside one (commands, shell)."""
    return _current.get()


def person_loaded(sender, instance, **kwargs) -> None:
    """post_init of the person model: an instance with an id came from the database."""
    reads = _current.get()
    if reads is not None and instance.pk is not None:
        reads.persons.setdefault(instance.pk, None)


def note_read(request: HttpRequest, obj: models.Model, *, reason: str = "", **detail) -> None:
    """Say which file this page reads (`obj`: a request, a person…) and why.

    The person's row then names `obj` and carries `reason` and `detail`; a reason also
    becomes the reason of every other person shown on the page (the household of a file
    read under an access on request). Outside a collected request, does nothing.
    """
    reads = _current.get()
    if reads is None:
        return
    person_id = obj.pk if obj._meta.label == PERSON_MODEL else getattr(obj, "person_id", None)
    if person_id is None:
        return
    reads.persons[person_id] = ReadNote(obj=obj, reason=reason, detail=detail)
    if reason:
        reads.reason = reason


def note_logged(*, action: str, person_id: int | None) -> None:
    """A row naming this person was just written (log.record): no READ row on top of it."""
    reads = _current.get()
    if reads is not None and person_id is not None and action != Action.READ:
        reads.logged.add(person_id)


class ReadsMiddleware:
    """Collect the persons a request shows; log them as READ once the response succeeded.

    Placed after the authentication and second-factor middlewares: a request they turn away
    never gets here. If the rows cannot be written, the page is not delivered (the error
    propagates): no read goes unlogged.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        reads = Reads()
        token = _current.set(reads)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        if 200 <= response.status_code < 300 and reads.to_write():
            from . import log

            log.record_reads(request, reads)
        return response

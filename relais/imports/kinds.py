"""The kinds of file one may import, and who may import each: exactly who may create the same
records on screen (the rule is the screen's own function, not a copy)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from relais.places.views import may_edit_register
from relais.requests.views import may_open_requests

from .engine import Importer
from .requests import RequestImporter
from .structures import StructureImporter


@dataclass(frozen=True)
class Kind:
    slug: str
    importer: type[Importer]
    title: str  # « Importer … »
    rule: Callable  # raises PermissionDenied
    template_name: str  # the downloadable model file

    def allow(self, user) -> None:
        """PermissionDenied unless `user` may import this kind of file."""
        self.rule(user)
        if user.organisation_id is None:
            raise PermissionDenied("Votre compte n'est rattaché à aucun territoire.")


STRUCTURES = Kind(
    "structures",
    StructureImporter,
    "structures et places",
    may_edit_register,
    "modele-structures-places.csv",
)
REQUESTS = Kind(
    "requests",
    RequestImporter,
    "demandes et personnes",
    may_open_requests,
    "modele-demandes-personnes.csv",
)
KINDS = {kind.slug: kind for kind in (STRUCTURES, REQUESTS)}


def kinds_for(user) -> list[Kind]:
    allowed = []
    for kind in KINDS.values():
        try:
            kind.allow(user)
        except PermissionDenied:
            continue
        allowed.append(kind)
    return allowed

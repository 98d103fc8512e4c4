"""The permission matrix: every URL of the project, for every role and every ownership case.

Each URL name must appear in MATRIX below, which says who may reach it; a view added to the
project without an entry here fails `test_every_view_is_in_the_matrix`. Outcomes:

- "ok": the page answers (200, or a redirect that is not to the login page);
- "denied": 403 or 404 — out-of-scope objects answer 404 so an id in the URL reveals nothing;
- anonymous visitors are always sent to the login page, except on PUBLIC pages.

Ownership cases, for URLs about one request: the request was referred by the user ("own"), by
a colleague of the same organisation ("same_org"), by another organisation of the territory
("other_org"), or belongs to another territory ("other_territory"). For a structure manager
"own" and "same_org" mean oriented to a structure of their organisation.

URLs about another kind of object (an orientation, a structure, an account, an access grant, a
pair of person records, a merge) build that object standing in the same four cases to the user
(see each `_<object>_in_case`). A POST action must also do its work when allowed and leave the
object as it was when refused (`done`): a 302 that changed nothing would hide a broken rule.

The superuser is one more role: it reaches every object of every territory, but account
management belongs to the territory administrators (the superuser has the Django admin).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from relais.access.models import AccessGrant
from relais.accounts.enums import ROLE_ORGANISATION_KINDS
from relais.accounts.models import User
from relais.api.models import ApiToken
from relais.commission.models import AgendaItem, Commission, Decision
from relais.iae.models import CpuSession, Parcours, ResourcePerson
from relais.identity.models import PairStatus, PersonMerge, PersonPair
from relais.implantation.models import ActParty, ImplantationStep
from relais.indicators.models import ForecastSnapshot
from relais.justice.models import Detention, JudicialArea, SentenceAdjustment
from relais.orientations.enums import EndDestination, EndReason, OrientationState, RefusalReason
from relais.orientations.models import Orientation
from relais.places.models import PlaceCapacity, Structure
from relais.releases.models import FollowUpCheck
from relais.requests.enums import Channel, RequestStatus
from relais.requests.models import Request
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    StructureFactory,
    UserFactory,
    make_detention,
    make_evaluation,
    make_implantation,
    make_request,
)
from tests.iae.cases import parcours_in_case
from tests.iae.site_cases import resource_person_in_case, site_in_case

pytestmark = pytest.mark.django_db

ROLES = [
    "siao_operator",
    "emergency_line",
    "social_worker",
    "structure_manager",
    "cpip",
    "siae_coach",
    "siae_supervisor",
    "prison_staff",
    "state_service",
    "territory_admin",
    "superuser",
]
CASES = ["own", "same_org", "other_org", "other_territory"]
ALL = set(ROLES)

EVERYWHERE = set(CASES)
TERRITORY = {"own", "same_org", "other_org"}
MINE = {"own", "same_org"}

# Who reads and who writes a request, case by case (the rules of SIAO-20/21, written out).
READ = {
    "siao_operator": TERRITORY,
    "emergency_line": MINE,
    "social_worker": MINE,
    "cpip": MINE,
    "structure_manager": MINE,
    "superuser": EVERYWHERE,
}
WRITE = {
    "siao_operator": TERRITORY,
    "emergency_line": MINE,
    "social_worker": MINE,
    "cpip": MINE,
    "superuser": EVERYWHERE,
}
SIAO = {"siao_operator": TERRITORY, "superuser": EVERYWHERE}
# The structure decides on, and records the stays of, the orientations to its own structures.
STRUCTURE = {"structure_manager": MINE, "superuser": EVERYWHERE}


@dataclass(frozen=True)
class Page:
    """A URL without an object: the roles that may open it."""

    allowed: frozenset = frozenset()
    method: str = "get"
    data: tuple = ()  # (name, value) pairs sent with the request
    done: Callable | None = None


@dataclass(frozen=True)
class OnRequest:
    """A URL about one request (kwarg `pk`): the cases each role reaches.

    `data(req)` is what a POST sends; `done(req)` (read from the database) says whether the
    action took effect."""

    cases: dict = field(default_factory=dict)
    method: str = "get"
    kwarg: str = "pk"
    data: Callable | tuple = ()
    done: Callable | None = None


@dataclass(frozen=True)
class OnPerson(OnRequest):
    """A URL about the person of one request (kwarg `person_pk`)."""

    kwarg: str = "person_pk"


@dataclass(frozen=True)
class OnObject:
    """A URL about one object of another kind: `make(world, role, user, case)` builds it in
    `case` to the user, `kwargs(obj)` are the URL's, `data(obj)` what a POST sends and
    `done(obj)` (read from the database) whether the action took effect."""

    make: Callable
    cases: dict = field(default_factory=dict)
    method: str = "get"
    data: Callable | tuple = ()
    done: Callable | None = None
    kwargs: Callable = lambda obj: {"pk": obj.pk}


# Who answers a person's rights (SIAO-22): the SIAO and the referring service.
RIGHTS = {
    "siao_operator": TERRITORY,
    "social_worker": MINE,
    "cpip": MINE,
    "superuser": EVERYWHERE,
}


def _import_job_in_case(world, role, user, case):
    """OPS-02: an import sent by the user, by a colleague, by another organisation of the
    territory, by another territory's worker: a file of one line, checked and ready."""
    from relais.imports import jobs

    sender = _account_in_case(world, role, user, case)
    if (case == "same_org" and sender == user) or not sender.organisation_id:
        sender = world.outsider  # no import without an organisation: someone else's
    kind = "requests" if role in ("siao_operator", "social_worker", "cpip") else "structures"
    text = (
        f"Référence;Nom de naissance;Prénoms;Dispositif\nR-{role}-{case};Import;Zoé;insertion\n"
        if kind == "requests"
        else "Nom de la structure;Type de structure;Gestionnaire\nCHU Import;CHU;Gestion Import\n"
    )
    OrganisationFactory(
        structure_manager=True, territory=sender.organisation.territory, name="Gestion Import"
    )
    job = jobs.start(kind=kind, user=sender, file_name="import.csv", text=text)
    return jobs.advance(job, seconds=5)


IMPORTERS = frozenset({"siao_operator", "social_worker", "cpip"})
REGISTER_KEEPERS = frozenset({"siao_operator", "territory_admin"})
IMPORT_JOB = {role: {"own"} for role in IMPORTERS | REGISTER_KEEPERS}
RUN_IMPORT = IMPORT_JOB

PUBLIC = {"login", "logout", "password_reset_confirm", "password_reset_complete"}

MATRIX: dict[str, object] = {
    "home": Page(frozenset(ALL)),
    "requests:list": Page(frozenset(ALL)),
    "requests:create": Page(frozenset({"siao_operator", "social_worker", "cpip"})),
    "requests:create_emergency": Page(
        frozenset({"siao_operator", "emergency_line", "social_worker"})
    ),
    "requests:detail": OnRequest(READ),
    "requests:evaluation_print": OnRequest(READ),
    "requests:edit": OnRequest(WRITE),
    "requests:evaluation": OnRequest(WRITE),
    "requests:household_add": OnRequest(WRITE),
    "requests:evaluate": OnRequest(
        WRITE,
        method="post",
        done=lambda req: Request.objects.get(pk=req.pk).status == RequestStatus.EVALUATED,
    ),
    "requests:close": OnRequest(
        WRITE,
        method="post",
        data=lambda req: {"reason": "no_news"},
        done=lambda req: Request.objects.get(pk=req.pk).status == RequestStatus.CLOSED,
    ),
    "places:direct_admission": Page(frozenset({"structure_manager"})),
    # OPS-02: who may create the records on screen imports them; an import is its sender's.
    "imports:requests": Page(IMPORTERS),
    "imports:requests_template": Page(IMPORTERS),
    "imports:structures": Page(REGISTER_KEEPERS),
    "imports:structures_template": Page(REGISTER_KEEPERS),
    "imports:job": OnObject(_import_job_in_case, IMPORT_JOB),
    "imports:job_progress": OnObject(_import_job_in_case, IMPORT_JOB),
    "imports:job_run": OnObject(
        _import_job_in_case,
        RUN_IMPORT,
        method="post",
        done=lambda job: type(job).objects.get(pk=job.pk).imported_at is not None,
    ),
    "access:search": Page(frozenset({"social_worker", "cpip"})),
    "access:list": Page(frozenset({"superuser", "siao_operator", "social_worker", "cpip"})),
    # Asking for access: only for a file one does not already see, in one's territory.
    "access:create": OnRequest(
        {"social_worker": TERRITORY, "cpip": TERRITORY},
        kwarg="request_pk",
    ),
    "accounts:list": Page(frozenset({"territory_admin"})),
    # OPS-02: tokens of partner software, created by the territory administrator.
    "apitokens:list": Page(frozenset({"territory_admin"})),
    "apitokens:create": Page(frozenset({"territory_admin"})),
    "accounts:create": Page(frozenset({"territory_admin"})),
    # JUS-02: the territory's release settings, kept by its administrator.
    "accounts:territory": Page(frozenset({"territory_admin"})),
    # JUS-06: the release pipeline, for the SPIP (its caseload) and the SIAO (its territory).
    "releases:pipeline": Page(frozenset({"superuser", "siao_operator", "cpip"})),
    "releases:pipeline_export": Page(frozenset({"superuser", "siao_operator", "cpip"})),
    "password_change": Page(frozenset(ALL)),
    "second_factor_verify": Page(frozenset(ALL)),
    "second_factor_enrol": Page(frozenset(ALL)),
    # Places and orientations (SIAO-07..16, SIAO-21).
    "places:list": Page(
        frozenset({"superuser", "siao_operator", "structure_manager", "territory_admin"})
    ),
    "places:create": Page(frozenset({"siao_operator", "territory_admin"})),
    "places:vacancies": Page(frozenset({"superuser", "siao_operator"})),
    "places:hosted": Page(frozenset({"superuser", "siao_operator", "structure_manager"})),
    "orientations:list": Page(frozenset({"superuser", "siao_operator", "structure_manager"})),
    "notifications:list": Page(frozenset(ALL)),
    "orientations:suggestions": OnRequest(SIAO, kwarg="request_pk"),
    "orientations:attribute": OnRequest(
        SIAO,
        method="post",
        kwarg="request_pk",
        data=lambda req: {"capacity": _free_capacity(req).pk, "mode": "attribute"},
        done=lambda req: Orientation.objects.filter(
            request=req, state=OrientationState.PROPOSED
        ).exists(),
    ),
    # JUS-06: a place reserved over a window, for a request linked to a detention.
    "orientations:reserve": OnRequest(
        SIAO,
        method="post",
        kwarg="request_pk",
        data=lambda req: {"capacity": _free_capacity(req).pk, **_window(10, 30)},
        done=lambda req: Orientation.objects.filter(
            request=req, window_starts_on__isnull=False
        ).exists(),
    ),
    # Indicators (SIAO-17..19): the SIAO and the State service; the people behind a number
    # only for the SIAO.
    "indicators:dashboard": Page(frozenset({"superuser", "siao_operator", "state_service"})),
    "indicators:export": Page(frozenset({"superuser", "siao_operator", "state_service"})),
    "indicators:drilldown": Page(frozenset({"superuser", "siao_operator"})),
    "indicators:transmission": Page(frozenset({"superuser", "siao_operator", "state_service"})),
    "indicators:report": Page(frozenset({"superuser", "siao_operator", "state_service"})),
    "indicators:quality": Page(frozenset({"superuser", "siao_operator", "state_service"})),
    # Audit (SEC-01): the SIAO and the territory administrator search the log.
    "audit:search": Page(frozenset({"superuser", "siao_operator", "territory_admin"})),
    # Identity (IDV-02, IDV-03): suggestions while typing a new person; the SIAO reviews.
    "identity:entry_candidates": Page(
        frozenset({"superuser", "siao_operator", "emergency_line", "social_worker", "cpip"}),
        method="post",
        data=(("source", "person"), ("person-birth_name", "Martin"), ("person-first_names", "Léa")),
    ),
    "identity:review_queue": Page(frozenset({"superuser", "siao_operator"})),
    # The person's file (SIAO-01): whoever reads one of the person's files reads it.
    "persons:file": OnPerson(READ, kwarg="pk"),
    # Rights of the person (SIAO-22).
    "privacy:export": OnPerson(RIGHTS),
    "privacy:export_json": OnPerson(RIGHTS),
    "privacy:rectifications": OnPerson(RIGHTS),
    "privacy:notice": OnPerson(RIGHTS),
}


def _url_names(resolver=None, namespace: str = "") -> list[str]:
    resolver = resolver or get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin: staff only, checked in test_admin_is_staff_only
            if pattern.namespace == "api":
                continue  # the API: tokens, not sessions; tests/api/test_api_matrix.py walks it
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}{pattern.name}")
    return names


def test_every_view_is_in_the_matrix():
    """No exemption list: every URL name is checked for every role and case."""
    unlisted = sorted(set(_url_names()) - set(MATRIX) - PUBLIC)
    assert not unlisted, f"Views missing from the permission matrix: {unlisted}"


ROLE_FIXTURES = {
    "siao_operator": "siao_operator",
    "emergency_line": "emergency_line_user",
    "social_worker": "social_worker",
    "structure_manager": "structure_manager",
    "cpip": "cpip",
    "siae_coach": "siae_coach",
    "siae_supervisor": "siae_supervisor",
    "prison_staff": "prison_staff",
    "state_service": "state_service_user",
    "territory_admin": "territory_admin",
    "superuser": "admin_user",
}
REFERRING_ROLES = {"siao_operator", "emergency_line", "social_worker", "cpip"}


def _request_in_case(role: str, user, case: str, *, outsider, remote_worker, siao_operator):
    """A request standing in `case` to `user` (see the module docstring)."""
    if case == "other_territory":
        referrer = remote_worker
    elif case == "other_org" or role not in REFERRING_ROLES:
        referrer = outsider
    elif case == "own":
        referrer = user
    else:
        referrer = UserFactory(**{role: True}, organisation=user.organisation)
    req = make_request(referrer=referrer, channel=Channel.INSERTION)
    make_evaluation(req)
    if role == "structure_manager":
        manager = user.organisation
        if case == "other_org":
            manager = OrganisationFactory(
                structure_manager=True, territory=user.organisation.territory
            )
        elif case == "other_territory":
            manager = OrganisationFactory(
                structure_manager=True, territory=remote_worker.organisation.territory
            )
        structure = StructureFactory(manager=manager, places=10)
        req.evaluate(by=siao_operator if case != "other_territory" else referrer)
        place_request(req, structure=structure, by=siao_operator)
    return req


def place_request(req, *, structure, by):
    """Orient the request to the structure (the orientation workflow's own entry point), four
    hours ago: its admission and arrival are dated after it."""
    Orientation.attribute(
        request=req,
        capacity=structure.capacities.first(),
        by=by,
        at=timezone.now() - dt.timedelta(hours=4),
    )


@pytest.fixture
def world(territory, other_territory, siao_operator, outsider, remote_worker):
    """The cast an object in a case is built from."""
    return SimpleNamespace(
        territory=territory,
        other_territory=other_territory,
        siao_operator=siao_operator,
        outsider=outsider,
        remote_worker=remote_worker,
    )


def _territory_of(world, user, case: str):
    if case == "other_territory":
        return world.other_territory
    return user.organisation.territory if user.organisation_id else world.territory


def _request_for(world, role: str, user, case: str) -> Request:
    return _request_in_case(
        role,
        user,
        case,
        outsider=world.outsider,
        remote_worker=world.remote_worker,
        siao_operator=world.siao_operator,
    )


def _evaluated(world, req: Request) -> Request:
    if req.status == RequestStatus.NEW:
        remote = req.territory_id == world.other_territory.pk
        req.evaluate(by=world.remote_worker if remote else world.siao_operator)
    return req


def _window(start_in: int, end_in: int) -> dict:
    today = timezone.localdate()
    return {
        "starts_on": (today + dt.timedelta(days=start_in)).isoformat(),
        "ends_on": (today + dt.timedelta(days=end_in)).isoformat(),
    }


def _detained(req: Request) -> Request:
    """Link the request to a detention of its person in its territory (JUS-01)."""
    detention = make_detention(req.person, territory=req.territory, sentence=(8, 0, 0))
    Request.objects.filter(pk=req.pk).update(detention=detention)
    req.refresh_from_db()
    return req


def _free_capacity(req: Request) -> PlaceCapacity:
    manager = OrganisationFactory(structure_manager=True, territory=req.territory)
    return StructureFactory(manager=manager, places=10).capacities.get()


# -- objects other than a request, each in the four cases ---------------------------------------


def _orientation_in_case(state: str) -> Callable:
    """An orientation in `state` of a request in the case; for a structure manager, the case
    is the structure's (see _request_in_case)."""

    def make(world, role, user, case) -> Orientation:
        req = _evaluated(world, _request_for(world, role, user, case))
        siao = world.siao_operator
        orientation = req.orientations.first()  # a structure manager's case: attributed
        capacity = orientation.capacity if orientation else _free_capacity(req)
        if state == OrientationState.WAITING:
            if orientation:
                orientation.cancel(by=siao, reason="Prépositionnement à la place")
            return Orientation.preposition(request=req, capacity=capacity, by=siao)
        now = timezone.now()
        orientation = orientation or Orientation.attribute(
            request=req, capacity=capacity, by=siao, at=now - dt.timedelta(hours=4)
        )
        if state in (OrientationState.ADMITTED, OrientationState.IN_STAY):
            orientation.admit(by=siao, at=now - dt.timedelta(hours=3))
        if state == OrientationState.IN_STAY:
            orientation.start_stay(by=siao, at=now - dt.timedelta(hours=2))
        return orientation

    return make


def _reservation_in_case(world, role, user, case) -> Orientation:
    """A place reserved for a window for a request in the case (for a structure manager, in
    the case's structure: the attribution gives way to the reservation)."""
    req = _detained(_evaluated(world, _request_for(world, role, user, case)))
    siao = world.siao_operator
    attributed = req.orientations.first()
    if attributed:
        attributed.cancel(by=siao, reason="Réservation à la place")
    capacity = attributed.capacity if attributed else _free_capacity(req)
    window = _window(10, 30)
    return Orientation.reserve(
        request=req,
        capacity=capacity,
        by=siao,
        starts_on=dt.date.fromisoformat(window["starts_on"]),
        ends_on=dt.date.fromisoformat(window["ends_on"]),
    )


def _orientation_reached(state: str) -> Callable:
    return lambda o: Orientation.objects.get(pk=o.pk).state == state


def _structure_in_case(world, role, user, case) -> Structure:
    """A structure run by the user's organisation (own, same_org: for a structure manager; for
    the other roles any structure of their territory), by another organisation of the
    territory, or in another territory."""
    if role == "structure_manager" and case in MINE:
        manager = user.organisation
    else:
        manager = OrganisationFactory(
            structure_manager=True, territory=_territory_of(world, user, case)
        )
    return StructureFactory(manager=manager, places=10)


def _account_in_case(world, role, user, case) -> User:
    """The user's own account, a colleague's, another organisation's, another territory's."""
    if case == "own":
        return user
    if case == "same_org" and user.organisation_id:
        return UserFactory(**{role: True}, organisation=user.organisation)
    if case == "other_territory":
        return world.remote_worker
    return world.outsider


def _token_in_case(world, role, user, case) -> ApiToken:
    """A token of the user's organisation ("own", "same_org"), of another organisation of
    the territory, or of another territory."""
    organisation = {
        "own": user.organisation,
        "same_org": user.organisation,
        "other_org": world.outsider.organisation,
        "other_territory": world.remote_worker.organisation,
    }[case] or world.outsider.organisation
    token, _ = ApiToken.issue(
        name="Logiciel",
        organisation=organisation,
        role=next(r for r, kinds in ROLE_ORGANISATION_KINDS.items() if organisation.kind in kinds),
        expires_at=timezone.now() + dt.timedelta(days=30),
        scopes={"requests": "read"},
        by=None,
    )
    return token


def _grant_in_case(world, role, user, case) -> AccessGrant:
    """An access on request held by the user, a colleague, another organisation's worker or
    another territory's, to a file of that holder's territory."""
    holder = _account_in_case(world, role, user, case)
    if case == "same_org" and not user.organisation_id:
        holder = UserFactory(social_worker=True, organisation__territory=world.territory)
    referrer = UserFactory(
        social_worker=True, organisation__territory=_territory_of(world, user, case)
    )
    req = make_request(referrer=referrer, channel=Channel.INSERTION)
    return AccessGrant.grant(user=holder, request=req, reason="Suivi commun de la personne")


def _pair_in_case(world, role, user, case) -> PersonPair:
    """Two records of one person, each with a request, in the user's territory or another."""
    if case == "other_territory":
        referrers = [world.remote_worker, world.remote_worker]
    else:
        referrer = user if case == "own" and role in REFERRING_ROLES else world.outsider
        referrers = [referrer, world.outsider]
    twins = [
        PersonFactory(
            birth_name=name,
            first_names="Sophie",
            sex="F",
            birth_year=1962,
            birth_month=7,
            birth_day=4,
            birth_place="",
        )
        for name in ("Durand", "Durant")
    ]
    for person, referrer in zip(twins, referrers, strict=True):
        make_request(person=person, referrer=referrer, channel=Channel.INSERTION)
    return PersonPair.objects.between(*twins).get()


def _merge_in_case(world, role, user, case) -> PersonMerge:
    pair = _pair_in_case(world, role, user, case)
    return PersonMerge.merge(kept=pair.person_a, merged=pair.person_b, by=world.siao_operator)


def _follow_up_in_case(world, role, user, case):
    """A follow-up check (JUS-05) of a person released in the user's territory, or another's."""
    detention = make_detention(territory=_territory_of(world, user, case))
    released_on = timezone.localdate() - dt.timedelta(days=40)
    detention.release(on=released_on, by=detention.cpip)
    return FollowUpCheck.objects.create(
        detention=detention, months=1, due_on=released_on + dt.timedelta(days=30)
    )


def _end_of_stay(orientation) -> dict:
    ended = timezone.localtime() - dt.timedelta(hours=1)
    return {
        "ended_on": ended.strftime("%Y-%m-%dT%H:%M"),
        "destination": EndDestination.FAMILY,
        "reason": EndReason.VOLUNTARY,
    }


# Orientation pages (SIAO-12..16): who sees one is who sees its request, or its structure.
ORIENTATION_READ = READ
# The register (SIAO-07, 21): the SIAO and the territory administrator keep the territory's,
# a structure manager sees its own.
REGISTER_READ = {**SIAO, "territory_admin": TERRITORY, "structure_manager": MINE}
REGISTER_EDIT = {**SIAO, "territory_admin": TERRITORY}
# Accounts (SIAO-22): the territory administrator manages the others of the territory.
ACCOUNTS = {"territory_admin": {"same_org", "other_org"}}
# Access on request (SEC-02): its holder withdraws it, the SIAO any of its territory.
REVOKE = {role: {"own"} for role in ROLES} | SIAO

MATRIX.update(
    {
        "orientations:detail": OnObject(
            _orientation_in_case(OrientationState.PROPOSED), ORIENTATION_READ
        ),
        "orientations:admit": OnObject(
            _orientation_in_case(OrientationState.PROPOSED),
            STRUCTURE,
            method="post",
            done=_orientation_reached(OrientationState.ADMITTED),
        ),
        "orientations:refuse": OnObject(
            _orientation_in_case(OrientationState.PROPOSED),
            STRUCTURE,
            method="post",
            data=(("reason", RefusalReason.PUBLIC_NOT_SERVED), ("comment", "")),
            done=_orientation_reached(OrientationState.REFUSED),
        ),
        "orientations:start_stay": OnObject(
            _orientation_in_case(OrientationState.ADMITTED),
            STRUCTURE,
            method="post",
            done=_orientation_reached(OrientationState.IN_STAY),
        ),
        "orientations:end_stay": OnObject(
            _orientation_in_case(OrientationState.IN_STAY),
            STRUCTURE,
            method="post",
            data=_end_of_stay,
            done=_orientation_reached(OrientationState.ENDED),
        ),
        "orientations:confirm": OnObject(
            _orientation_in_case(OrientationState.WAITING),
            SIAO,
            method="post",
            done=_orientation_reached(OrientationState.PROPOSED),
        ),
        "orientations:cancel": OnObject(
            _orientation_in_case(OrientationState.PROPOSED),
            SIAO,
            method="post",
            data=(("reason", "La personne a trouvé une solution"),),
            done=_orientation_reached(OrientationState.CANCELLED),
        ),
        "orientations:change_window": OnObject(
            _reservation_in_case,
            SIAO,
            method="post",
            data=lambda o: _window(20, 40),
            done=lambda o: (
                Orientation.objects.get(pk=o.pk).window_ends_on
                == dt.date.fromisoformat(_window(20, 40)["ends_on"])
            ),
        ),
        "places:structure": OnObject(_structure_in_case, REGISTER_READ),
        "places:edit": OnObject(_structure_in_case, REGISTER_EDIT),
        "places:declare_availability": OnObject(
            _structure_in_case,
            STRUCTURE,
            method="post",
            kwargs=lambda s: {"pk": s.pk, "capacity_pk": s.capacities.get().pk},
            data=(("action", "unavailable"), ("count", 1), ("note", "Travaux")),
            done=lambda s: s.capacities.get().unavailable_places == 1,
        ),
        "accounts:edit": OnObject(_account_in_case, ACCOUNTS),
        # OPS-02: the territory administrator revokes the tokens of its territory.
        "apitokens:revoke": OnObject(
            _token_in_case,
            {"territory_admin": {"own", "same_org", "other_org"}},
            method="post",
            done=lambda token: ApiToken.objects.get(pk=token.pk).is_revoked,
        ),
        "accounts:toggle": OnObject(
            _account_in_case,
            ACCOUNTS,
            method="post",
            done=lambda account: not User.objects.get(pk=account.pk).is_active,
        ),
        "access:revoke": OnObject(
            _grant_in_case,
            REVOKE,
            method="post",
            done=lambda grant: AccessGrant.objects.get(pk=grant.pk).revoked_at is not None,
        ),
        "identity:pair": OnObject(_pair_in_case, SIAO),
        # Follow-up after release (JUS-05): the SIAO of the territory records it.
        "releases:follow_up": OnObject(_follow_up_in_case, SIAO),
        "identity:pair_decide": OnObject(
            _pair_in_case,
            SIAO,
            method="post",
            data=(("action", "different"),),
            done=lambda pair: PersonPair.objects.get(pk=pair.pk).status == PairStatus.DIFFERENT,
        ),
        "identity:merge": OnObject(_merge_in_case, SIAO),
        "identity:merge_undo": OnObject(
            _merge_in_case,
            SIAO,
            method="post",
            done=lambda merge: PersonMerge.objects.get(pk=merge.pk).undone_at is not None,
        ),
    }
)


# -- placement à l'extérieur agreements (JUS-03) ----------------------------------------------


def _agreement_in_case(world, role, user, case):
    """An agreement signed by the user's SPIP (a CPIP: own, same_org), by another SPIP of the
    territory, or in another territory; for the SIAO, of its territory or another."""
    from tests.places.agreements import make_agreement

    territory = _territory_of(world, user, case)
    manager = OrganisationFactory(structure_manager=True, territory=territory)
    structure = StructureFactory(manager=manager, places=2)
    if role == "cpip" and case in MINE:
        spip = user.organisation
    else:
        spip = OrganisationFactory(spip=True, territory=territory)
    return make_agreement(structure, spip, places=2)


# The SIAO of the territory records them; the signing SPIP reads its own.
AGREEMENT_READ = {"siao_operator": TERRITORY, "cpip": MINE, "superuser": EVERYWHERE}

MATRIX.update(
    {
        "places:agreements": Page(frozenset({"superuser", "siao_operator", "cpip"})),
        "places:agreement_create": Page(frozenset({"siao_operator"})),
        "places:agreement": OnObject(_agreement_in_case, AGREEMENT_READ),
        "places:agreement_edit": OnObject(_agreement_in_case, SIAO),
        "places:agreement_document": OnObject(_agreement_in_case, AGREEMENT_READ),
        # Only a CPIP of the signing SPIP records a placement on its places.
        "places:agreement_placement": OnObject(_agreement_in_case, {"cpip": MINE}),
    }
)


# -- the detention context (JUS-01, JUS-13), the directory (JUS-08), the letter (JUS-05) -------


def _directory_entry_in_case(world, role, user, case):
    """The user's own organisation (a SIAO or a SPIP: a directory entry), a SPIP of the
    territory, a prison of the territory, a SPIP of another territory."""
    from relais.accounts.models import JUSTICE_DIRECTORY_KINDS

    territory = _territory_of(world, user, case)
    if case == "own" and user.organisation_id and user.organisation.kind in JUSTICE_DIRECTORY_KINDS:
        return user.organisation
    if case == "other_org":
        return OrganisationFactory(prison=True, territory=territory)
    return OrganisationFactory(spip=True, territory=territory)


def _detention_in_case(world, role, user, case) -> Detention:
    """A detention followed by the user (a CPIP), a colleague of the same SPIP, another SPIP
    of the territory, or another territory's SPIP."""
    if role == "cpip" and case == "own":
        cpip = user
    elif role == "cpip" and case == "same_org":
        cpip = UserFactory(cpip=True, organisation=user.organisation)
    else:
        cpip = UserFactory(cpip=True, organisation__territory=_territory_of(world, user, case))
    return make_detention(cpip=cpip)


def _adjustment_in_case(world, role, user, case) -> SentenceAdjustment:
    detention = _detention_in_case(world, role, user, case)
    return SentenceAdjustment.plan(detention, kind="lc", by=detention.cpip)


def _area_in_case(world, role, user, case) -> JudicialArea:
    detention = _detention_in_case(world, role, user, case)
    return JudicialArea.objects.create(
        detention=detention, kind="exclusion", level="commune", insee_code="68224"
    )


def _detention(obj) -> Detention:
    return Detention.objects.get(pk=obj.pk)


# The SPIP following the person while the measure runs, and the SIAO of the territory.
DETENTION = {"cpip": MINE, "siao_operator": TERRITORY, "superuser": EVERYWHERE}
JUSTICE_PAGE = frozenset({"superuser", "siao_operator", "cpip"})
# Who reads the directory (JUS-08): the services working with prisons.
JUSTICE_DIRECTORY = frozenset(
    {"siao_operator", "emergency_line", "cpip", "territory_admin", "state_service", "superuser"}
)

MATRIX.update(
    {
        "justice:list": Page(JUSTICE_PAGE),
        "justice:create": Page(JUSTICE_PAGE),
        "justice:import": Page(JUSTICE_PAGE),
        "justice:detail": OnObject(_detention_in_case, DETENTION),
        "justice:edit": OnObject(_detention_in_case, DETENTION),
        "justice:move_end_date": OnObject(
            _detention_in_case,
            DETENTION,
            method="post",
            data=lambda d: {
                "new_date": (d.end_date - dt.timedelta(days=30)).isoformat(),
                "reason": "reduction",
            },
            done=lambda d: _detention(d).end_date != d.end_date,
        ),
        "justice:release": OnObject(
            _detention_in_case,
            DETENTION,
            method="post",
            data=lambda d: {"released_on": timezone.localdate().isoformat()},
            done=lambda d: _detention(d).state == "released",
        ),
        "justice:adjustment_create": OnObject(
            _detention_in_case,
            DETENTION,
            method="post",
            data=(("kind", "lc"),),
            done=lambda d: d.adjustments.exists(),
        ),
        "justice:adjustment_step": OnObject(
            _adjustment_in_case,
            DETENTION,
            method="post",
            data=lambda a: {f"amenagement-{a.pk}-step": "requested"},
            done=lambda a: SentenceAdjustment.objects.get(pk=a.pk).state == "requested",
        ),
        "justice:area_add": OnObject(
            _detention_in_case,
            DETENTION,
            method="post",
            data=(("kind", "exclusion"), ("level", "departement"), ("insee_code", "68")),
            done=lambda d: d.areas.exists(),
        ),
        "justice:area_delete": OnObject(
            _area_in_case,
            DETENTION,
            method="post",
            done=lambda a: not JudicialArea.objects.filter(pk=a.pk).exists(),
        ),
        "justice:directory": Page(JUSTICE_DIRECTORY),
        # The territory administrator keeps the referents and contacts of its territory.
        "accounts:organisation_referent": OnObject(
            _directory_entry_in_case, {"territory_admin": TERRITORY}
        ),
        # Whoever reads the detention prints the letter (JUS-05).
        "justice:letter": OnObject(_detention_in_case, DETENTION),
    }
)


# -- the implantation of an SIAE in a prison (IAE-09) -------------------------------------------


def _implantation_in_case(world, role, user, case):
    """A project at the user's prison, at a prison its SPIP works in, with its SIAE (own,
    same_org); at another prison with another SIAE of the territory (other_org); in another
    territory. For the State service and the administrator the case is the territory's."""
    territory = _territory_of(world, user, case)
    mine = case in MINE
    if role == "prison_staff" and mine:
        establishment = user.organisation
    else:
        establishment = OrganisationFactory(prison=True, territory=territory)
    if role == "cpip" and mine:
        establishment.spip = user.organisation
        establishment.save()
    if role in ("siae_coach", "siae_supervisor") and mine:
        siae = user.organisation
    else:
        siae = OrganisationFactory(siae=True, territory=territory)
    return make_implantation(establishment=establishment, siae=siae)


def _implantation_step_in_case(world, role, user, case) -> ImplantationStep:
    return _implantation_in_case(world, role, user, case).steps.get(number=1)


def _siae_signature(project) -> ActParty:
    return ActParty.objects.get(act__project=project, act__kind="dui", party="siae")


# Who reads a project: the prison, the SPIP working there, its SIAE, the territory's State
# service and administrator; who moves it on: the prison, the State, the administrator; the
# SIAE also records its own signatures.
IMPLANTATION_READ = {
    "prison_staff": MINE,
    "cpip": MINE,
    "siae_coach": MINE,
    "siae_supervisor": MINE,
    "state_service": TERRITORY,
    "territory_admin": TERRITORY,
    "superuser": EVERYWHERE,
}
IMPLANTATION_WRITE = {
    "prison_staff": MINE,
    "state_service": TERRITORY,
    "territory_admin": TERRITORY,
    "superuser": EVERYWHERE,
}
IMPLANTATION_SIGN = {**IMPLANTATION_WRITE, "siae_coach": MINE, "siae_supervisor": MINE}

MATRIX.update(
    {
        "implantation:list": Page(
            frozenset(
                {
                    "prison_staff",
                    "cpip",
                    "siae_coach",
                    "siae_supervisor",
                    "state_service",
                    "territory_admin",
                    "superuser",
                }
            )
        ),
        "implantation:create": Page(
            frozenset({"prison_staff", "state_service", "territory_admin", "superuser"})
        ),
        "implantation:detail": OnObject(_implantation_in_case, IMPLANTATION_READ),
        "implantation:print": OnObject(_implantation_in_case, IMPLANTATION_READ),
        "implantation:edit": OnObject(_implantation_in_case, IMPLANTATION_WRITE),
        "implantation:step": OnObject(
            _implantation_step_in_case,
            IMPLANTATION_WRITE,
            method="post",
            data=lambda step: {
                f"etape-{step.pk}-transition": "started",
                f"etape-{step.pk}-on": timezone.localdate().isoformat(),
            },
            done=lambda step: ImplantationStep.objects.get(pk=step.pk).status == "in_progress",
        ),
        "implantation:record": OnObject(
            _implantation_in_case,
            IMPLANTATION_SIGN,
            method="post",
            data=lambda project: {
                "acte-party": _siae_signature(project).pk,
                "acte-on": timezone.localdate().isoformat(),
            },
            done=lambda project: _siae_signature(project).on is not None,
        ),
    }
)


# -- work insertion in prison: the parcours (IAE-01, 02, 04) ---------------------------------


def _parcours(state: str = "active", **values) -> Callable:
    def make(world, role, user, case):
        parcours = parcours_in_case(world, role, user, case, state=state, **values)
        parcours.role_in_case = role  # what the action posts may depend on the role
        return parcours

    return make


def _parcours_reached(state: str) -> Callable:
    return lambda p: Parcours.objects.get(pk=p.pk).state == state


def _cpu_session_for(parcours) -> dict:
    session = CpuSession.objects.create(
        establishment=parcours.site.establishment,
        held_on=timezone.localdate(),
        chaired_by="Direction",
        members="SPIP",
    )
    return {"session": session.pk, "decision": "orient"}


AGREEMENT_PARTY = {"cpip": "spip", "prison_staff": "prison_head"}


def _agreement_data(parcours) -> dict:
    party = AGREEMENT_PARTY.get(parcours.role_in_case, "siae")
    return {"party": party, "given_by_name": "Mme Roth", "given_on": _today()}


def _today() -> str:
    return timezone.localdate().isoformat()


def _site_in_case(world, role, user, case):
    return parcours_in_case(world, role, user, case, state="oriented").site


def _cpu_in_case(world, role, user, case) -> CpuSession:
    return CpuSession.objects.create(
        establishment=_site_in_case(world, role, user, case).establishment,
        held_on=timezone.localdate(),
        chaired_by="Direction",
        members="SPIP",
    )


def _detention_at_site_in_case(world, role, user, case) -> Detention:
    return _site_in_case(world, role, user, case).parcours.get().detention


# Who reads a parcours: the SPIP following the person, the establishment, the SIAE within the
# person's consent (IAE-04).
SIAE_STAFF = {"siae_coach": MINE, "siae_supervisor": MINE}
PARCOURS_READ = {"cpip": MINE, "prison_staff": MINE, **SIAE_STAFF, "superuser": EVERYWHERE}
PRISON = {"prison_staff": MINE, "superuser": EVERYWHERE}
SIAE_PART = {**SIAE_STAFF, "superuser": EVERYWHERE}
IAE_PAGE = frozenset({"superuser", "cpip", "prison_staff", "siae_coach", "siae_supervisor"})
CPU_PAGE = frozenset({"superuser", "cpip", "prison_staff"})

MATRIX.update(
    {
        "iae:list": Page(IAE_PAGE),
        "iae:cpu_list": Page(CPU_PAGE),
        "iae:cpu_create": Page(frozenset({"superuser", "prison_staff"})),
        "iae:cpu_detail": OnObject(_cpu_in_case, {"cpip": MINE, **PRISON}),
        "iae:waiting_list": OnObject(_site_in_case, {"cpip": MINE, **PRISON, **SIAE_STAFF}),
        # IAE-02: only the SPIP following the person prescribes.
        "iae:prescribe": OnObject(
            _detention_at_site_in_case,
            {"cpip": MINE, "superuser": EVERYWHERE},
            kwargs=lambda d: {"detention_pk": d.pk},
        ),
        "iae:detail": OnObject(_parcours(), PARCOURS_READ),
        "iae:cpu_decision": OnObject(
            _parcours("prescribed"),
            PRISON,
            method="post",
            data=_cpu_session_for,
            done=_parcours_reached("oriented"),
        ),
        "iae:interview": OnObject(
            _parcours("oriented"),
            SIAE_PART,
            method="post",
            data=lambda p: {"on": _today(), "outcome": "retained"},
            done=_parcours_reached("retained"),
        ),
        "iae:immersion": OnObject(
            _parcours("oriented"),
            {**PRISON, **SIAE_STAFF},
            method="post",
            data=lambda p: {"on": _today(), "ends_on": _today()},
            done=lambda p: Parcours.objects.get(pk=p.pk).immersion_starts_on is not None,
        ),
        "iae:assign": OnObject(
            _parcours("retained"),
            PRISON,
            method="post",
            data=lambda p: {"on": _today(), "signed_by": "Le chef d'établissement"},
            done=_parcours_reached("active"),
        ),
        "iae:end": OnObject(
            _parcours("active"),
            PARCOURS_READ,
            method="post",
            data=lambda p: {"on": _today(), "reason": "need_met"},
            done=_parcours_reached("ended"),
        ),
        "iae:close": OnObject(
            _parcours("prescribed"),
            PARCOURS_READ,
            method="post",
            data=lambda p: {"on": _today(), "reason": "withdrawn"},
            done=_parcours_reached("closed"),
        ),
        "iae:agreement": OnObject(
            _parcours("retained"),
            PARCOURS_READ,
            method="post",
            data=_agreement_data,
            done=lambda p: p.agreements.exists(),
        ),
        # IAE-04: the SPIP (or the establishment) records the written consent; the SIAE
        # cannot see the parcours before it.
        "iae:consent": OnObject(
            _parcours("prescribed", consent=False),
            {"cpip": MINE, **PRISON},
            method="post",
            data=lambda p: {"given_on": _today(), "informed": "on", "paper_kept_at": "SPIP"},
            done=lambda p: p.consents.filter(withdrawn_at__isnull=True).exists(),
        ),
        "iae:consent_withdraw": OnObject(
            _parcours("oriented"),
            PARCOURS_READ,
            method="post",
            done=lambda p: not p.consents.filter(withdrawn_at__isnull=True).exists(),
        ),
        # The handover log is the SPIP's and the SIAE's, not the establishment's.
        "iae:log_add": OnObject(
            _parcours("active"),
            {"cpip": MINE, **SIAE_PART},
            method="post",
            data=lambda p: {"about_on": _today(), "text": "Point sur la semaine"},
            done=lambda p: p.log_entries.exists(),
        ),
        "iae:hours": OnObject(
            _parcours("active"),
            SIAE_PART,
            method="post",
            data=lambda p: {"month": p.assigned_on.replace(day=1).isoformat(), "hours": "80"},
            done=lambda p: p.hours.exists(),
        ),
        "iae:action_add": OnObject(
            _parcours("active"),
            SIAE_PART,
            method="post",
            data=lambda p: {
                "kind": "clea",
                "title": "CléA",
                "starts_on": _today(),
                "status": "planned",
            },
            done=lambda p: p.actions.exists(),
        ),
    }
)


# -- the skills booklet, the exit synthesis, the handover (IAE-05, IAE-06) ----------------------


def _parcours_with_synthesis(world, role, user, case):
    from relais.iae.models import ExitSynthesis

    parcours = parcours_in_case(world, role, user, case)
    ExitSynthesis.objects.create(
        parcours=parcours, skills_acquired="Conduite de chariot", outcome="employment"
    )
    return parcours


def _parcours_with_follow_ups(world, role, user, case):
    from relais.iae.models import OutsideFollowUp

    parcours = parcours_in_case(world, role, user, case)
    OutsideFollowUp.plan(parcours, released_on=timezone.localdate() - dt.timedelta(days=100))
    return parcours


def _assessment_data(parcours) -> dict:
    from relais.iae.models import Skill

    return {
        "kind": "entry",
        "assessed_on": timezone.localdate().isoformat(),
        **{f"niveau_{s.pk}": 2 for s in Skill.referential(parcours.site)},
    }


def _assessed(parcours) -> bool:
    return parcours.assessments.exists()


def _sent(parcours) -> bool:
    from relais.iae.models import ExitSynthesis

    return ExitSynthesis.objects.get(parcours=parcours).sent_at is not None


SIAE_MINE = SIAE_PART
# Who reads the booklet: who reads the parcours (PARCOURS_READ).
# The exit synthesis is between the SPIP and the SIAE (the handover log's readers).
EXIT_READ = {**SIAE_MINE, "cpip": MINE}
SPIP_MINE = {"cpip": MINE, "superuser": EVERYWHERE}

MATRIX.update(
    {
        "iae:booklet": OnObject(parcours_in_case, PARCOURS_READ),
        "iae:booklet_print": OnObject(parcours_in_case, PARCOURS_READ),
        "iae:assessment_create": OnObject(
            parcours_in_case, SIAE_MINE, method="post", data=_assessment_data, done=_assessed
        ),
        "iae:skill_add": OnObject(
            parcours_in_case, SIAE_MINE, kwargs=lambda parcours: {"pk": parcours.site_id}
        ),
        "iae:synthesis": OnObject(parcours_in_case, EXIT_READ),
        "iae:synthesis_print": OnObject(parcours_in_case, EXIT_READ),
        "iae:synthesis_send": OnObject(
            _parcours_with_synthesis, SIAE_MINE, method="post", done=_sent
        ),
        "iae:handover": OnObject(parcours_in_case, SPIP_MINE),
        "iae:follow_up": OnObject(
            _parcours_with_follow_ups,
            {**SIAE_MINE, "cpip": MINE},
            kwargs=lambda parcours: {"pk": parcours.pk, "months": 3},
        ),
    }
)


# -- work insertion in prison: indicators and the steering committee's report (IAE-08) ---------
# Aggregates of the sites a user works on (`Site.objects.visible_to`): a reader without a site
# sees an empty page; other roles are refused.
IAE_INDICATOR_READERS = frozenset(
    {
        "prison_staff",
        "cpip",
        "siae_coach",
        "siae_supervisor",
        "state_service",
        "territory_admin",
        "superuser",
    }
)
MATRIX.update(
    {
        "iae:indicators": Page(IAE_INDICATOR_READERS),
        "iae:indicators_export": Page(IAE_INDICATOR_READERS),
        "iae:steering_report": Page(IAE_INDICATOR_READERS),
    }
)


# -- the sites of work insertion in prison (IAE-03, IAE-07) ------------------------------------

# Who reads a site: its establishment, its SIAE, the SPIP working there, the territory's State
# service and administrator; who keeps its charter (settings, matrix, directory): the
# establishment, the SIAE and the SPIP.
SITE_READ = {
    "prison_staff": MINE,
    "cpip": MINE,
    "siae_coach": MINE,
    "siae_supervisor": MINE,
    "state_service": TERRITORY,
    "territory_admin": TERRITORY,
    "superuser": EVERYWHERE,
}
SITE_WRITE = {
    "prison_staff": MINE,
    "cpip": MINE,
    "siae_coach": MINE,
    "siae_supervisor": MINE,
    "superuser": EVERYWHERE,
}

MATRIX.update(
    {
        "iae:site_list": Page(IAE_PAGE | {"state_service", "territory_admin"}),
        "iae:site_create": Page(frozenset({"prison_staff", "territory_admin", "superuser"})),
        "iae:site_detail": OnObject(site_in_case, SITE_READ),
        "iae:site_print": OnObject(site_in_case, SITE_READ),
        "iae:site_edit": OnObject(site_in_case, SITE_WRITE),
        "iae:site_matrix": OnObject(site_in_case, SITE_WRITE),
        "iae:resource_add": OnObject(site_in_case, SITE_WRITE),
        "iae:resource_edit": OnObject(resource_person_in_case, SITE_WRITE),
        "iae:resource_delete": OnObject(
            resource_person_in_case,
            SITE_WRITE,
            method="post",
            done=lambda person: not ResourcePerson.objects.filter(pk=person.pk).exists(),
        ),
    }
)


# -- JUS-09: the SPIP's forecast of place needs and the SIAO's report of its offer (forecasts) --
# Counts only, never a person: the CPIP sees their SPIP's establishments, the SIAO and the
# State service their territory (`relais.indicators.forecast.scope_for`).
JUSTICE_FIGURE_READERS = frozenset({"cpip", "siao_operator", "state_service", "superuser"})
MATRIX.update(
    {
        "indicators:forecast": Page(JUSTICE_FIGURE_READERS),
        "indicators:forecast_print": Page(JUSTICE_FIGURE_READERS),
        "indicators:offer": Page(JUSTICE_FIGURE_READERS),
        "indicators:offer_print": Page(JUSTICE_FIGURE_READERS),
        # Only a SPIP sends its forecast; the copy sent is read by that SPIP and the SIAO and
        # State service of its territory.
        "indicators:forecast_send": Page(
            frozenset({"cpip"}),
            method="post",
            done=lambda _: ForecastSnapshot.objects.exists(),
        ),
        "indicators:forecast_sent": OnObject(
            lambda world, role, user, case: _forecast_sent_in_case(world, role, user, case),
            {
                "cpip": MINE,
                "siao_operator": TERRITORY,
                "state_service": TERRITORY,
                "superuser": EVERYWHERE,
            },
        ),
    }
)

# -- AVDL Justice measures (JUS-11) -----------------------------------------------------------
# Who reads a measure: the SIAO of its territory, the worker who holds it, the CPIP of the SPIP
# following the person's detention while the judicial measure runs (the dates only). Who
# assigns, renews and stops: the SIAO (and the worker, who has no fixture here: tests/avdl).


def _avdl_siao_operator(world, territory):
    if territory == world.territory:
        return world.siao_operator
    return UserFactory(siao_operator=True, organisation__territory=territory)


def _avdl_worker_in_case(world, role, user, case):
    from relais.avdl.models import Worker

    territory = _territory_of(world, user, case)
    siao = _avdl_siao_operator(world, territory).organisation
    return Worker.objects.create(user=UserFactory(social_worker=True, organisation=siao))


def _avdl_candidate_in_case(world, role, user, case):
    territory = _territory_of(world, user, case)
    siao = _avdl_siao_operator(world, territory).organisation
    return UserFactory(social_worker=True, organisation=siao)


def _avdl_measure_in_case(world, role, user, case):
    """A measure of the case's territory; for a CPIP, of a detention followed by the user
    ("own"), a colleague ("same_org"), another SPIP of the territory or elsewhere."""
    from relais.avdl.models import HousingSupportMeasure

    territory = _territory_of(world, user, case)
    if role == "cpip" and case in MINE:
        cpip = user if case == "own" else UserFactory(cpip=True, organisation=user.organisation)
    else:
        cpip = UserFactory(cpip=True, organisation__territory=territory)
    today = timezone.localdate()
    detention = make_detention(cpip=cpip)
    detention.release(
        on=today - dt.timedelta(days=10), by=cpip, measure_ends_on=today + dt.timedelta(days=200)
    )
    worker = _avdl_worker_in_case(world, role, user, case)
    return HousingSupportMeasure.assign(
        worker=worker,
        detention=detention,
        housing="Logement social",
        starts_on=today - dt.timedelta(days=5),
        by=_avdl_siao_operator(world, territory),
    )


def _avdl_state(measure):
    from relais.avdl.models import HousingSupportMeasure

    return HousingSupportMeasure.objects.get(pk=measure.pk)


AVDL_SIAO = {"siao_operator": TERRITORY, "superuser": EVERYWHERE}

MATRIX.update(
    {
        "avdl:list": Page(frozenset({"superuser", "siao_operator", "cpip"})),
        "avdl:assign": Page(frozenset({"superuser", "siao_operator"})),
        "avdl:workers": Page(frozenset({"superuser", "siao_operator"})),
        # Only a designated worker has "Mes mesures AVDL" (none among these fixtures).
        "avdl:mine": Page(frozenset()),
        "avdl:designate": OnObject(
            _avdl_candidate_in_case,
            AVDL_SIAO,
            method="post",
            kwargs=lambda candidate: {"user_pk": candidate.pk},
            done=lambda candidate: hasattr(User.objects.get(pk=candidate.pk), "avdl_worker"),
        ),
        "avdl:caseload": OnObject(_avdl_worker_in_case, AVDL_SIAO),
        "avdl:detail": OnObject(_avdl_measure_in_case, {**AVDL_SIAO, "cpip": MINE}),
        "avdl:renew": OnObject(
            _avdl_measure_in_case,
            AVDL_SIAO,
            method="post",
            data=lambda measure: {"reason": "Démarches en cours"},
            done=lambda measure: _avdl_state(measure).renewals == 1,
        ),
        "avdl:close": OnObject(
            _avdl_measure_in_case,
            AVDL_SIAO,
            method="post",
            data=lambda measure: {"on": _today(), "reason": "relay"},
            done=lambda measure: _avdl_state(measure).state == "closed",
        ),
    }
)


def _forecast_sent_in_case(world, role, user, case) -> ForecastSnapshot:
    """A forecast sent by the user's SPIP (own, same_org: for a CPIP), by another SPIP of the
    territory, or by a SPIP of another territory."""
    if role == "cpip" and case in MINE:
        spip = user.organisation
    else:
        spip = OrganisationFactory(spip=True, territory=_territory_of(world, user, case))
    return ForecastSnapshot.objects.create(
        territory=spip.territory,
        spip=spip,
        first_day=dt.date(2026, 1, 1),
        last_day=dt.date(2026, 12, 31),
        lines=[
            {
                "label": "Total",
                "expected": 1,
                "undated": 0,
                "past_exits": 2,
                "past_dry": 1,
                "rate": 50.0,
                "need": 1,
                "by_type": [0, 1, 0],
                "total": True,
            }
        ],
    )


# IAE-04: the SIAE's access to a parcours follows the person's written consent.
CONSENT_PAGES = ["iae:detail", "iae:booklet", "iae:synthesis"]


@pytest.mark.parametrize("name", CONSENT_PAGES)
@pytest.mark.parametrize("role", ["siae_coach", "siae_supervisor"])
@pytest.mark.parametrize(
    ("moment", "allowed"),
    [("before_consent", False), ("after_consent", True), ("after_withdrawal", False)],
)
def test_iae_04_siae_access_follows_the_consent(
    client, request, record_property, world, name, role, moment, allowed
):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    parcours = parcours_in_case(world, role, user, "own", state="active")
    consent = parcours.consents.get()
    if moment == "before_consent":
        consent.delete()
    elif moment == "after_withdrawal":
        consent.withdraw(by=parcours.detention.cpip)
    client.force_login(user)
    entry = Page(frozenset({role} if allowed else ()))
    _check(
        client,
        record_property,
        name,
        entry,
        allowed=allowed,
        kwargs={"pk": parcours.pk},
        obj=None,
    )


# -- the commission justice (JUS-10) ------------------------------------------------------------


def _commission_in_case(world, role, user, case) -> Commission:
    """A commission of the user's territory inviting the user's service ("own", "same_org"),
    one of the territory not inviting it ("other_org"), one of another territory."""
    territory = _territory_of(world, user, case)
    invited = [user.organisation] if case in MINE and user.organisation_id else []
    by = world.remote_worker if case == "other_territory" else world.siao_operator
    return Commission.plan(
        territory=territory,
        held_on=timezone.localdate(),
        place="SPIP, salle de réunion",
        services=[*invited, by.organisation],
        by=by,
    )


def _held_commission_in_case(world, role, user, case) -> Commission:
    commission = _commission_in_case(world, role, user, case)
    commission.hold(by=commission.created_by)
    commission.record_attendance(users=[commission.created_by], services={}, by=None)
    return commission


def _agenda_item_in_case(world, role, user, case) -> AgendaItem:
    commission = _commission_in_case(world, role, user, case)
    detention = make_detention(territory=commission.territory)
    return AgendaItem.objects.create(
        commission=commission,
        person=detention.person,
        reason="in_detention",
        detention=detention,
        release_on=detention.due_on,
    )


def _commission_decision_in_case(world, role, user, case) -> Decision:
    item = _agenda_item_in_case(world, role, user, case)
    return item.commission.decide(
        item,
        action="Appeler le CHRS",
        due_on=timezone.localdate(),
        owner_user=item.commission.created_by,
        by=item.commission.created_by,
    )


def _commission_state(state: str) -> Callable:
    return lambda c: Commission.objects.get(pk=c.pk).state == state


# Who reads a commission: the SIAO of the territory, the users of an invited service (CPIP,
# social worker); who runs it: the SIAO, the CPIPs of an invited SPIP.
COMMISSION_READ = {
    "siao_operator": TERRITORY,
    "cpip": MINE,
    "social_worker": MINE,
    "superuser": EVERYWHERE,
}
COMMISSION_RUN = {"siao_operator": TERRITORY, "cpip": MINE, "superuser": EVERYWHERE}

MATRIX.update(
    {
        "commission:list": Page(frozenset({"superuser", "siao_operator", "cpip", "social_worker"})),
        "commission:create": Page(frozenset({"siao_operator", "cpip"})),
        "commission:detail": OnObject(_commission_in_case, COMMISSION_READ),
        "commission:minutes": OnObject(_commission_in_case, COMMISSION_READ),
        "commission:build_agenda": OnObject(
            _commission_in_case,
            COMMISSION_RUN,
            method="post",
            done=lambda c: Commission.objects.get(pk=c.pk).agenda_built_at is not None,
        ),
        "commission:attendance": OnObject(
            _commission_in_case,
            COMMISSION_RUN,
            method="post",
            data=lambda c: {"present": [c.created_by_id]},
            done=lambda c: c.present_users.exists(),
        ),
        "commission:hold": OnObject(
            _commission_in_case, COMMISSION_RUN, method="post", done=_commission_state("held")
        ),
        "commission:close": OnObject(
            _held_commission_in_case,
            COMMISSION_RUN,
            method="post",
            done=_commission_state("closed"),
        ),
        "commission:decide": OnObject(
            _agenda_item_in_case,
            COMMISSION_RUN,
            method="post",
            data=lambda item: {
                "action": "Préparer le dossier",
                "owner_user": item.commission.created_by_id,
                "due_on": _today(),
            },
            done=lambda item: Decision.objects.filter(item=item).exists(),
        ),
        "commission:mark_done": OnObject(
            _commission_decision_in_case,
            COMMISSION_RUN,
            method="post",
            data=lambda d: {"done_on": _today()},
            done=lambda d: Decision.objects.get(pk=d.pk).done_on is not None,
        ),
    }
)


# -- exit plans (EXIT-01) ---------------------------------------------------------------------
# Who reads a plan: the SIAO of its territory, the SPIP following the person, the SIAE of the
# person's parcours while consent runs. Who changes an item: its owner (a shared item: the SPIP
# or the SIAE); the first night: the SIAO; adding an item: the SPIP; closing: SPIP or SIAO.


def _exit_parcours_in_case(world, role, user, case, *, released: bool = False):
    parcours = parcours_in_case(world, role, user, case)
    if released:
        today = timezone.localdate()
        parcours.detention.release(
            on=today - dt.timedelta(days=3),
            by=parcours.detention.cpip,
            measure_ends_on=today + dt.timedelta(days=300),
        )
    return parcours


def _exit_plan_in_case(world, role, user, case, *, released: bool = False):
    from relais.exitplan.models import ExitPlan

    detention = _exit_parcours_in_case(world, role, user, case, released=released).detention
    return ExitPlan.open_for(detention, by=detention.cpip)


def _stabilised_plan_in_case(world, role, user, case):
    plan = _exit_plan_in_case(world, role, user, case, released=True)
    plan.stabilise(on=timezone.localdate(), by=plan.detention.cpip)
    return plan


def _exit_item_in_case(world, role, user, case):
    return _exit_plan_in_case(world, role, user, case).items.get(kind="bank")


def _exit_plan_state(plan):
    from relais.exitplan.models import ExitPlan

    return ExitPlan.objects.get(pk=plan.pk)


EXIT_READ = {
    "siao_operator": TERRITORY,
    "cpip": MINE,
    "siae_coach": MINE,
    "siae_supervisor": MINE,
    "superuser": EVERYWHERE,
}
EXIT_RUN = {"siao_operator": TERRITORY, "cpip": MINE, "superuser": EVERYWHERE}

MATRIX.update(
    {
        "exitplan:list": Page(
            frozenset({"superuser", "siao_operator", "cpip", "siae_coach", "siae_supervisor"})
        ),
        "exitplan:plan": OnObject(
            _exit_plan_in_case, EXIT_READ, kwargs=lambda plan: {"detention_pk": plan.detention_id}
        ),
        "exitplan:open": OnObject(
            lambda world, role, user, case: (
                _exit_parcours_in_case(world, role, user, case).detention
            ),
            EXIT_RUN,
            method="post",
            kwargs=lambda detention: {"detention_pk": detention.pk},
            done=lambda detention: hasattr(Detention.objects.get(pk=detention.pk), "exit_plan"),
        ),
        "exitplan:item": OnObject(
            _exit_item_in_case,
            {
                "cpip": MINE,
                "siae_coach": MINE,
                "siae_supervisor": MINE,
                "superuser": EVERYWHERE,
            },
            method="post",
            data=lambda item: {f"element-{item.pk}-step": "done"},
            done=lambda item: type(item).objects.get(pk=item.pk).state == "done",
        ),
        "exitplan:first_night": OnObject(
            _exit_plan_in_case,
            {"siao_operator": TERRITORY, "superuser": EVERYWHERE},
            method="post",
            data=lambda plan: {"premier-soir-arrival_hours": "de 14 h à 18 h"},
            done=lambda plan: _exit_plan_state(plan).arrival_hours != "",
        ),
        "exitplan:add_item": OnObject(
            _exit_plan_in_case,
            {"cpip": MINE, "superuser": EVERYWHERE},
            method="post",
            data=lambda plan: {"ajout-kind": "aah"},
            done=lambda plan: plan.items.filter(kind="aah").exists(),
        ),
        "exitplan:close": OnObject(
            lambda world, role, user, case: _exit_plan_in_case(
                world, role, user, case, released=True
            ),
            EXIT_RUN,
            method="post",
            data=lambda plan: {"cloture-on": _today()},
            done=lambda plan: _exit_plan_state(plan).state == "stabilised",
        ),
        "exitplan:reopen": OnObject(
            _stabilised_plan_in_case,
            EXIT_RUN,
            method="post",
            done=lambda plan: _exit_plan_state(plan).state == "open",
        ),
        # EXIT-03: whoever reads the plan prints the person's paper for release day.
        "exitplan:paper": OnObject(_exit_plan_in_case, EXIT_READ),
    }
)


def _outcome(response) -> str:
    if response.status_code in (403, 404):
        return "denied"
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return "login"
    if response.status_code in (200, 302):
        return "ok"
    return f"HTTP {response.status_code}"


def _call(client, name: str, entry, kwargs: dict | None = None, obj=None):
    url = reverse(name, kwargs=kwargs)
    data = getattr(entry, "data", ())
    data = data(obj) if callable(data) else dict(data)
    return client.post(url, data) if entry.method == "post" else client.get(url, data)


def _check(client, record_property, name: str, entry, *, allowed: bool, kwargs: dict, obj):
    """The outcome, and for an action its effect: done when allowed, nothing when refused."""
    before = entry.done(obj) if entry.done else None
    outcome = _outcome(_call(client, name, entry, kwargs, obj))
    assert outcome == ("ok" if allowed else "denied")
    if entry.done:
        after = entry.done(obj)
        if allowed:
            assert (before, after) == (False, True), "the action was allowed but did nothing"
        else:
            assert after == before, "the action was refused but changed the object"
    if not allowed:
        record_property("denials", 1)


PAGE_CASES = [
    (name, role) for name, entry in MATRIX.items() if isinstance(entry, Page) for role in ROLES
]
OBJECT_CASES = [
    (name, role, case)
    for name, entry in MATRIX.items()
    if isinstance(entry, OnRequest | OnObject)
    for role in ROLES
    for case in CASES
]


@pytest.mark.parametrize(("name", "role"), PAGE_CASES)
def test_page_permissions(client, request, record_property, territory, name, role):
    entry = MATRIX[name]
    client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    _check(
        client, record_property, name, entry, allowed=role in entry.allowed, kwargs=None, obj=None
    )


@pytest.mark.parametrize(("name", "role", "case"), OBJECT_CASES)
def test_object_permissions(client, request, record_property, world, name, role, case):
    entry = MATRIX[name]
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    if isinstance(entry, OnObject):
        obj = entry.make(world, role, user, case)
        kwargs = entry.kwargs(obj)
    else:
        obj = _request_for(world, role, user, case)
        if name in ("orientations:attribute", "orientations:reserve"):
            _evaluated(world, obj)
        if name == "orientations:reserve":
            _detained(obj)
        target = obj.person_id if isinstance(entry, OnPerson) else obj.pk
        kwargs = {entry.kwarg: target}
    client.force_login(user)
    allowed = case in entry.cases.get(role, set())
    _check(client, record_property, name, entry, allowed=allowed, kwargs=kwargs, obj=obj)


@pytest.mark.parametrize("name", sorted(set(MATRIX) - PUBLIC))
def test_anonymous_visitors_are_sent_to_login(client, world, social_worker, record_property, name):
    entry = MATRIX[name]
    kwargs = obj = None
    if isinstance(entry, OnObject):
        obj = entry.make(world, "siao_operator", world.siao_operator, "own")
        kwargs = entry.kwargs(obj)
    elif isinstance(entry, OnRequest):
        obj = make_request(referrer=social_worker, channel=Channel.INSERTION)
        kwargs = {entry.kwarg: obj.person_id if isinstance(entry, OnPerson) else obj.pk}
    before = entry.done(obj) if entry.done else None
    assert _outcome(_call(client, name, entry, kwargs, obj)) == "login"
    if entry.done:
        assert entry.done(obj) == before
    record_property("denials", 1)


@pytest.mark.parametrize("role", [role for role in ROLES if role != "superuser"])
def test_admin_is_staff_only(client, request, record_property, role):
    client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    for name in (
        "admin:index",
        "admin:requests_request_changelist",
        "admin:accounts_user_changelist",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
        record_property("denials", 1)


def test_the_superuser_reaches_the_admin(admin_client):
    for name in ("admin:index", "admin:accounts_user_changelist"):
        assert admin_client.get(reverse(name)).status_code == 200


# JUS-13: the CPIP's access to a released person's files, the day the measure ends and after.
MEASURE_PAGES = {
    "justice:detail": lambda detention, req: {"pk": detention.pk},
    "requests:detail": lambda detention, req: {"pk": req.pk},
    "requests:evaluation": lambda detention, req: {"pk": req.pk},
    "persons:file": lambda detention, req: {"pk": req.person_id},
    "privacy:export": lambda detention, req: {"person_pk": req.person_id},
}


@pytest.mark.parametrize("name", sorted(MEASURE_PAGES))
@pytest.mark.parametrize(
    ("ends_in_days", "allowed"),
    [(0, True), (-1, False)],
    ids=["measure_ends_today", "measure_ended_yesterday"],
)
def test_jus_13_spip_access_ends_with_the_measure(
    client, cpip, record_property, name, ends_in_days, allowed
):
    today = timezone.localdate()
    detention = make_detention(cpip=cpip)
    req = make_request(detention.person, referrer=cpip)
    detention.release(
        on=today - dt.timedelta(days=10),
        by=cpip,
        measure_ends_on=today + dt.timedelta(days=ends_in_days),
    )
    client.force_login(cpip)
    entry = Page(frozenset({"cpip"} if allowed else ()))
    kwargs = MEASURE_PAGES[name](detention, req)
    _check(client, record_property, name, entry, allowed=allowed, kwargs=kwargs, obj=None)

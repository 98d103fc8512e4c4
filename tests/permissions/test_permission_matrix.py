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
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from relais.requests.enums import Channel
from tests.factories import (
    OrganisationFactory,
    StructureFactory,
    UserFactory,
    make_evaluation,
    make_request,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "siao_operator",
    "emergency_line",
    "social_worker",
    "structure_manager",
    "cpip",
    "siae_coach",
    "state_service",
    "territory_admin",
]
CASES = ["own", "same_org", "other_org", "other_territory"]
ALL = set(ROLES)

# Who reads and who writes a request, case by case (the rules of SIAO-20/21, written out).
READ = {
    "siao_operator": {"own", "same_org", "other_org"},
    "emergency_line": {"own", "same_org"},
    "social_worker": {"own", "same_org"},
    "cpip": {"own", "same_org"},
    "structure_manager": {"own", "same_org"},
}
WRITE = {
    "siao_operator": {"own", "same_org", "other_org"},
    "emergency_line": {"own", "same_org"},
    "social_worker": {"own", "same_org"},
    "cpip": {"own", "same_org"},
}


@dataclass(frozen=True)
class Page:
    """A URL without an object: the roles that may open it."""

    allowed: frozenset = frozenset()
    method: str = "get"
    data: tuple = ()  # (name, value) pairs sent with the request


@dataclass(frozen=True)
class OnRequest:
    """A URL about one request (kwarg `pk`): the cases each role reaches."""

    cases: dict = field(default_factory=dict)
    method: str = "get"
    kwarg: str = "pk"


@dataclass(frozen=True)
class OnPerson(OnRequest):
    """A URL about the person of one request (kwarg `person_pk`)."""

    kwarg: str = "person_pk"


# Who answers a person's rights (SIAO-22): the SIAO and the referring service.
RIGHTS = {
    "siao_operator": {"own", "same_org", "other_org"},
    "social_worker": {"own", "same_org"},
    "cpip": {"own", "same_org"},
}

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
    "requests:evaluate": OnRequest(WRITE, method="post"),
    "requests:close": OnRequest(WRITE),
    "places:direct_admission": Page(frozenset({"structure_manager"})),
    "access:search": Page(frozenset({"social_worker", "cpip"})),
    "access:list": Page(frozenset({"siao_operator", "social_worker", "cpip"})),
    # Asking for access: only for a file one does not already see, in one's territory.
    "access:create": OnRequest(
        {
            "social_worker": {"own", "same_org", "other_org"},
            "cpip": {"own", "same_org", "other_org"},
        },
        kwarg="request_pk",
    ),
    "accounts:list": Page(frozenset({"territory_admin"})),
    "accounts:create": Page(frozenset({"territory_admin"})),
    "password_change": Page(frozenset(ALL)),
    "second_factor_verify": Page(frozenset(ALL)),
    "second_factor_enrol": Page(frozenset(ALL)),
    # Places and orientations (SIAO-07..16, SIAO-21).
    "places:list": Page(frozenset({"siao_operator", "structure_manager", "territory_admin"})),
    "places:create": Page(frozenset({"siao_operator", "territory_admin"})),
    "places:vacancies": Page(frozenset({"siao_operator"})),
    "places:hosted": Page(frozenset({"siao_operator", "structure_manager"})),
    "orientations:list": Page(frozenset({"siao_operator", "structure_manager"})),
    "notifications:list": Page(frozenset(ALL)),
    "orientations:suggestions": OnRequest(
        {"siao_operator": {"own", "same_org", "other_org"}}, kwarg="request_pk"
    ),
    "orientations:attribute": OnRequest(
        {"siao_operator": {"own", "same_org", "other_org"}}, method="post", kwarg="request_pk"
    ),
    # Indicators (SIAO-17..19): the SIAO and the State service; the people behind a number
    # only for the SIAO.
    "indicators:dashboard": Page(frozenset({"siao_operator", "state_service"})),
    "indicators:export": Page(frozenset({"siao_operator", "state_service"})),
    "indicators:drilldown": Page(frozenset({"siao_operator"})),
    "indicators:transmission": Page(frozenset({"siao_operator", "state_service"})),
    "indicators:report": Page(frozenset({"siao_operator", "state_service"})),
    "indicators:quality": Page(frozenset({"siao_operator", "state_service"})),
    # Audit (SEC-01): the SIAO and the territory administrator search the log.
    "audit:search": Page(frozenset({"siao_operator", "territory_admin"})),
    # Identity (IDV-02, IDV-03): suggestions while typing a new person; the SIAO reviews.
    "identity:entry_candidates": Page(
        frozenset({"siao_operator", "emergency_line", "social_worker", "cpip"}),
        method="post",
        data=(("source", "person"), ("person-birth_name", "Martin"), ("person-first_names", "Léa")),
    ),
    "identity:review_queue": Page(frozenset({"siao_operator"})),
    # Rights of the person (SIAO-22).
    "privacy:export": OnPerson(RIGHTS),
    "privacy:export_json": OnPerson(RIGHTS),
    "privacy:rectifications": OnPerson(RIGHTS),
    "privacy:notice": OnPerson(RIGHTS),
}
# URLs tested by their own modules rather than here, with the reason.
ELSEWHERE = {
    "access:revoke": "about a grant: tests/access/test_access_on_request.py",
    "accounts:edit": "about an account: tests/accounts/test_account_admin.py",
    "accounts:toggle": "about an account: tests/accounts/test_account_admin.py",
    "places:structure": "about a structure: tests/places/test_views.py",
    "places:declare_availability": "about a structure: tests/places/test_views.py",
    "places:edit": "about a structure: tests/places/test_views.py",
    **{
        f"orientations:{name}": "about an orientation: tests/orientations/test_views.py"
        for name in ["detail", "admit", "refuse", "start_stay", "end_stay", "confirm", "cancel"]
    },
    **{
        f"identity:{name}": "about a pair or a merge: tests/identity/test_merge.py"
        for name in ["pair", "pair_decide", "merge", "merge_undo"]
    },
}


def _url_names(resolver=None, namespace: str = "") -> list[str]:
    resolver = resolver or get_resolver()
    names = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # Django's own admin: staff only, checked in test_admin_is_staff_only
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.append(f"{namespace}{pattern.name}")
    return names


def test_every_view_is_in_the_matrix():
    unlisted = sorted(set(_url_names()) - set(MATRIX) - PUBLIC - set(ELSEWHERE))
    assert not unlisted, f"Views missing from the permission matrix: {unlisted}"


ROLE_FIXTURES = {
    "siao_operator": "siao_operator",
    "emergency_line": "emergency_line_user",
    "social_worker": "social_worker",
    "structure_manager": "structure_manager",
    "cpip": "cpip",
    "siae_coach": "siae_coach",
    "state_service": "state_service_user",
    "territory_admin": "territory_admin",
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
    """Orient the request to the structure (the orientation workflow's own entry point)."""
    from relais.orientations.models import Orientation

    Orientation.attribute(request=req, capacity=structure.capacities.first(), by=by)


def _outcome(response) -> str:
    if response.status_code in (403, 404):
        return "denied"
    if response.status_code == 302 and response["Location"].startswith(reverse("login")):
        return "login"
    if response.status_code in (200, 302):
        return "ok"
    return f"HTTP {response.status_code}"


def _call(client, name: str, entry, kwargs: dict | None = None):
    url = reverse(name, kwargs=kwargs)
    data = dict(getattr(entry, "data", ()))
    return client.post(url, data) if entry.method == "post" else client.get(url, data)


PAGE_CASES = [
    (name, role) for name, entry in MATRIX.items() if isinstance(entry, Page) for role in ROLES
]
REQUEST_CASES = [
    (name, role, case)
    for name, entry in MATRIX.items()
    if isinstance(entry, OnRequest)
    for role in ROLES
    for case in CASES
]


@pytest.mark.parametrize(("name", "role"), PAGE_CASES)
def test_page_permissions(client, request, record_property, name, role):
    entry = MATRIX[name]
    client.force_login(request.getfixturevalue(ROLE_FIXTURES[role]))
    expected = "ok" if role in entry.allowed else "denied"
    assert _outcome(_call(client, name, entry)) == expected
    if expected == "denied":
        record_property("denials", 1)


@pytest.mark.parametrize(("name", "role", "case"), REQUEST_CASES)
def test_request_permissions(
    client, request, record_property, outsider, remote_worker, siao_operator, name, role, case
):
    entry = MATRIX[name]
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    req = _request_in_case(
        role,
        user,
        case,
        outsider=outsider,
        remote_worker=remote_worker,
        siao_operator=siao_operator,
    )
    client.force_login(user)
    expected = "ok" if case in entry.cases.get(role, set()) else "denied"
    target = req.person_id if isinstance(entry, OnPerson) else req.pk
    assert _outcome(_call(client, name, entry, {entry.kwarg: target})) == expected
    if expected == "denied":
        record_property("denials", 1)


@pytest.mark.parametrize("name", sorted(set(MATRIX) - PUBLIC))
def test_anonymous_visitors_are_sent_to_login(client, social_worker, record_property, name):
    entry = MATRIX[name]
    kwargs = None
    if isinstance(entry, OnRequest):
        req = make_request(referrer=social_worker, channel=Channel.INSERTION)
        kwargs = {entry.kwarg: req.person_id if isinstance(entry, OnPerson) else req.pk}
    assert _outcome(_call(client, name, entry, kwargs)) == "login"
    record_property("denials", 1)


@pytest.mark.parametrize("role", ROLES)
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

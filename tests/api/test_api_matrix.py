"""OPS-02: the permission matrix of the API — every endpoint × role × case.

One permission system for pages and API: each endpoint names the page it stands for, and
the API must give every role, in every case, exactly the outcome the page matrix
(tests/permissions/test_permission_matrix.py) expects of that page — read through
`visible_to`, written through the same transitions. A list answers 200 to everyone, and holds
the object exactly when the page's rule lets the role read it. An action must do its work
when allowed and leave the object as it was when refused.

Roles: a token acts as a service account of one organisation, with one role. There is no
token of a superuser, nor of a territory administrator (the creation form refuses both).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from relais.api.v1 import feed
from relais.justice.models import Detention
from relais.orientations.enums import RefusalReason
from relais.requests.enums import RequestStatus
from relais.requests.models import Request, SocialEvaluation
from tests.api.conftest import ApiClient, issue_token
from tests.factories import OrganisationFactory
from tests.permissions.test_permission_matrix import (
    CASES,
    MATRIX,
    READ,
    ROLE_FIXTURES,
    OnObject,
    _end_of_stay,
    _request_for,
)

pytestmark = pytest.mark.django_db

ROLES = [role for role in ROLE_FIXTURES if role not in ("superuser", "territory_admin")]
PUBLIC = {"api:schema", "api:docs", "api:not-found"}


@dataclass(frozen=True)
class Endpoint:
    """An API URL standing for `page` (a MATRIX entry): `kind` is "list" (the object is in
    the list), "detail" (200 or 404) or "action" (a write: done or untouched)."""

    page: str
    kind: str
    method: str = "get"
    data: Callable | dict | None = None
    kwargs: Callable = lambda obj: {"pk": obj.pk}
    done: Callable | None = None


def _ids(response) -> set[int]:
    return {row["id"] for row in response.json()["results"]}


API = {
    "api:request-list": Endpoint("requests:detail", "list"),
    "api:request-detail": Endpoint("requests:detail", "detail"),
    "api:request-detail PATCH": Endpoint(
        "requests:edit",
        "action",
        method="patch",
        data={"notes": "Mise à jour par le logiciel"},
        done=lambda req: Request.objects.get(pk=req.pk).notes == "Mise à jour par le logiciel",
    ),
    "api:request-close": Endpoint(
        "requests:close",
        "action",
        method="post",
        data={"reason": "no_news"},
        done=lambda req: Request.objects.get(pk=req.pk).status == RequestStatus.CLOSED,
    ),
    "api:request-members": Endpoint(
        "requests:household_add",
        "action",
        method="post",
        data={"members": [{"birth_name": "Ajout", "first_names": "Lou", "relationship": "child"}]},
        done=lambda req: req.household.members.filter(person__birth_name="Ajout").exists(),
    ),
    "api:request-evaluation": Endpoint("requests:evaluation_print", "detail"),
    "api:request-evaluation PATCH": Endpoint(
        "requests:evaluation",
        "action",
        method="patch",
        data={"fields": {"interviewers": "Équipe du logiciel"}},
        done=lambda req: SocialEvaluation.objects.filter(
            request=req.evaluation_request, interviewers="Équipe du logiciel"
        ).exists(),
    ),
    "api:request-evaluate": Endpoint("requests:evaluate", "action", method="post", data={}),
    "api:detention-list": Endpoint("justice:detail", "list"),
    "api:detention-detail": Endpoint("justice:detail", "detail"),
    "api:detention-end-date": Endpoint(
        "justice:move_end_date", "action", method="post", data=MATRIX["justice:move_end_date"].data
    ),
    "api:orientation-list": Endpoint("orientations:detail", "list"),
    "api:orientation-detail": Endpoint("orientations:detail", "detail"),
    "api:orientation-admit": Endpoint("orientations:admit", "action", method="post", data={}),
    "api:orientation-refuse": Endpoint(
        "orientations:refuse",
        "action",
        method="post",
        data={"reason": RefusalReason.PUBLIC_NOT_SERVED, "comment": ""},
    ),
    "api:orientation-arrival": Endpoint(
        "orientations:start_stay", "action", method="post", data={}
    ),
    "api:orientation-end-stay": Endpoint(
        "orientations:end_stay", "action", method="post", data=_end_of_stay
    ),
    "api:structure-list": Endpoint("places:structure", "list"),
    "api:structure-detail": Endpoint("places:structure", "detail"),
    "api:capacity-list": Endpoint(
        "places:structure", "list", kwargs=lambda s: {"pk": s.capacities.get().pk}
    ),
    "api:capacity-detail": Endpoint(
        "places:structure", "detail", kwargs=lambda s: {"pk": s.capacities.get().pk}
    ),
    "api:capacity-availability": Endpoint(
        "places:declare_availability",
        "action",
        method="post",
        data={"action": "unavailable", "count": 1, "note": "Travaux"},
        kwargs=lambda s: {"pk": s.capacities.get().pk},
    ),
}
# Endpoints about no object: the roles that may call them (the page's).
PAGES = {"api:indicator-list": "indicators:dashboard", "api:event-list": None}


def _route_names() -> set[str]:
    names = set()

    def walk(resolver, namespace=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern, inner)
            elif isinstance(pattern, URLPattern) and pattern.name and namespace == "api:":
                names.add(f"api:{pattern.name}")

    walk(get_resolver())
    return names


def test_ops_02_every_endpoint_is_in_the_api_matrix():
    covered = {name.split()[0] for name in API} | set(PAGES) | set(CREATIONS) | PUBLIC
    assert _route_names() - covered == set()


def _make(world, page: str, role: str, user, case: str):
    entry = MATRIX[page]
    if isinstance(entry, OnObject):
        return entry.make(world, role, user, case)
    return _request_for(world, role, user, case)


def _cases(page: str) -> dict:
    return MATRIX[page].cases


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(API))
def test_ops_02_api_permission_matrix(request, world, name, role, case):
    endpoint = API[name]
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    obj = _make(world, endpoint.page, role, user, case)
    allowed = case in _cases(endpoint.page).get(role, set())
    _, key = issue_token(user)
    client = ApiClient(key)
    url_name = name.split()[0]
    if endpoint.kind == "list":
        target = endpoint.kwargs(obj)["pk"]
        response = client.get(reverse(url_name), {"page_size": 200})
        assert response.status_code == 200
        assert (target in _ids(response)) == allowed
        return
    url = reverse(url_name, kwargs=endpoint.kwargs(obj))
    if endpoint.kind == "detail":
        response = client.get(url)
        assert response.status_code == (200 if allowed else 404)
        return
    page_entry = MATRIX[endpoint.page]
    done = endpoint.done or page_entry.done
    data = endpoint.data(obj) if callable(endpoint.data) else endpoint.data
    before = done(obj)
    send = client.patch if endpoint.method == "patch" else client.post
    response = send(url, data, content_type="application/json")
    if allowed:
        assert response.status_code == 200, response.content
        assert (before, done(obj)) == (False, True), "allowed, but nothing was done"
    else:
        assert response.status_code in (403, 404), response.content
        assert done(obj) == before, "refused, but the object changed"


@pytest.mark.parametrize("role", ROLES)
def test_ops_02_indicators_only_for_who_reads_them_on_the_pages(request, role):
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    _, key = issue_token(user)
    response = ApiClient(key).get(reverse("api:indicator-list"))
    allowed = role in MATRIX["indicators:dashboard"].allowed
    assert response.status_code == (200 if allowed else 403)
    if allowed:
        assert response.json()["rows"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("role", ROLES)
def test_ops_02_change_feed_holds_only_what_the_role_reads(request, world, role, case):
    """The feed lists a request's events exactly when the role reads the request."""
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    req = _request_for(world, role, user, case)
    token, _ = issue_token(user)
    later = req.events.order_by("-recorded_at").first().recorded_at + feed.SETTLE * 2
    page = feed.read(user=token.account, token=token, now=later, limit=500)
    seen = {e["object_id"] for e in page["events"] if e["source"] == "request"}
    assert (req.pk in seen) == (case in READ.get(role, set()))


def _new_request(world) -> dict:
    return {
        "channel": "insertion",
        "person": {"birth_name": "Zielinski", "first_names": "Marta", "sex": "F"},
    }


def _new_detention(world) -> dict:
    prison = OrganisationFactory(prison=True, territory=world.territory)
    spip = OrganisationFactory(spip=True, territory=world.territory)
    today = timezone.localdate()
    return {
        "establishment": prison.pk,
        "prison_number": "B777",
        "spip": spip.pk,
        "legal_status": "convicted",
        "incarcerated_on": (today - dt.timedelta(days=100)).isoformat(),
        "sentence_years": 1,
        "end_date": (today + dt.timedelta(days=300)).isoformat(),
        "person": {"birth_name": "Zielinski", "first_names": "Marta", "sex": "F"},
    }


def _new_call(world) -> dict:
    return {"birth_name": "Zielinski", "first_names": "Marta", "current_location": "Gare"}


CREATIONS = {
    "api:request-list": ("requests:create", _new_request, Request),
    "api:request-emergency": ("requests:create_emergency", _new_call, Request),
    "api:detention-list": ("justice:create", _new_detention, Detention),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(CREATIONS))
def test_ops_02_who_creates_is_who_may_on_the_page(request, world, name, role):
    page, body, model = CREATIONS[name]
    user = request.getfixturevalue(ROLE_FIXTURES[role])
    data = body(world)
    if name == "api:detention-list" and role == "cpip":
        data["spip"] = user.organisation_id
    _, key = issue_token(user)
    before = model.objects.count()
    response = ApiClient(key).post(reverse(name), data, content_type="application/json")
    if role in MATRIX[page].allowed:
        assert response.status_code == 201, response.content
        assert model.objects.count() == before + 1
    else:
        assert response.status_code in (400, 403), response.content
        assert model.objects.count() == before


@pytest.mark.parametrize("name", sorted({n.split()[0] for n in API} | set(PAGES) | set(CREATIONS)))
def test_ops_02_without_a_token_every_endpoint_answers_401(client, name):
    try:
        url = reverse(name)
    except NoReverseMatch:
        url = reverse(name, kwargs={"pk": 1})
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code in (401, 405)
        if response.status_code == 401:
            assert "jeton" in response.json()["detail"]
            assert response["WWW-Authenticate"].startswith("Bearer")

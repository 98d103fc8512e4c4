"""The number of SQL queries a page makes does not grow with the data it lists (no N+1).

Each page is counted with 3 of everything it lists (requests, orientations, structures,
accounts…), then again after 27 more were added: the two counts must be equal. A page that
loads a relation per row fails here; fix it with select_related/prefetch_related.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from relais.orientations.models import Orientation
from relais.persons.enums import Relationship
from relais.persons.models import HouseholdMember
from relais.places.enums import StructureType
from relais.requests.enums import Channel
from tests.factories import (
    PersonFactory,
    StructureFactory,
    UserFactory,
    make_evaluation,
    make_request,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def grow(social_worker, siao_operator, structure_manager, emergency_line_user, territory_admin):
    """Add `n` of everything: structures, and requests attributed, admitted, in stay, or new,
    referred by the social worker; and accounts of the territory."""
    counter = iter(range(10_000))

    def add(n: int) -> None:
        for _ in range(n):
            i = next(counter)
            shelter = StructureFactory(
                manager=structure_manager.organisation,
                name=f"CHU {i:03d}",
                structure_type=StructureType.CHU,
                places=5,
            )
            req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
            make_evaluation(req)
            orientation = Orientation.attribute(
                request=req, capacity=shelter.capacities.get(), by=siao_operator
            )
            if i % 3:
                orientation.admit(by=structure_manager)
            if i % 3 == 2:
                orientation.start_stay(by=structure_manager)
            make_request(referrer=social_worker, channel=Channel.INSERTION)
            make_request(referrer=emergency_line_user, channel=Channel.EMERGENCY)
            UserFactory(
                social_worker=True, organisation__territory=social_worker.organisation.territory
            )

    return add


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def assert_constant(client, grow, url, *, fewer: int = 3, more: int = 27) -> None:
    grow(fewer)
    client.get(url)  # the very first audit row reads the chain's anchor: a one-off query
    small = count_queries(client, url)
    grow(more)
    large = count_queries(client, url)
    assert large == small, f"{url}: {small} queries for {fewer}, {large} for {fewer + more}"


PAGES = [
    ("requests:list", "siao_operator"),
    ("requests:list", "social_worker"),
    ("places:vacancies", "siao_operator"),
    ("places:hosted", "siao_operator"),
    ("places:hosted", "structure_manager"),
    ("places:list", "siao_operator"),
    ("orientations:list", "siao_operator"),
    ("orientations:list", "structure_manager"),
    ("home", "siao_operator"),
    ("home", "social_worker"),
    ("home", "emergency_line_user"),
    ("home", "structure_manager"),
    ("home", "state_service_user"),
    ("home", "territory_admin"),
]


@pytest.mark.parametrize(("name", "role"), PAGES)
def test_list_pages_make_as_many_queries_for_30_rows_as_for_3(client, request, grow, name, role):
    client.force_login(request.getfixturevalue(role))
    assert_constant(client, grow, reverse(name))


def test_suggestions_make_as_many_queries_for_30_places_as_for_3(
    client, siao_operator, social_worker, grow
):
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    client.force_login(siao_operator)
    url = reverse("orientations:suggestions", args=[req.pk])
    assert_constant(client, grow, url)
    # With the full places too (pre-positioning).
    assert_constant(client, grow, url + "?include_full=on", fewer=0, more=5)


def test_request_detail_makes_as_many_queries_for_a_long_history(
    client, siao_operator, social_worker, structure_manager
):
    """A request with 3, then 30, past orientations and members in its household."""
    req = make_request(referrer=social_worker, channel=Channel.EMERGENCY)
    make_evaluation(req)
    shelter = StructureFactory(
        manager=structure_manager.organisation, structure_type=StructureType.CHU, places=50
    )
    capacity = shelter.capacities.get()

    def lengthen(n: int) -> None:
        for _ in range(n):
            HouseholdMember.objects.create(
                household=req.household,
                person=PersonFactory(birth_year=timezone.localdate().year - 30),
                relationship=Relationship.RELATIVE,
            )
            orientation = Orientation.attribute(request=req, capacity=capacity, by=siao_operator)
            orientation.cancel(by=siao_operator, reason="La personne a trouvé une solution")

    client.force_login(siao_operator)
    assert_constant(client, lengthen, reverse("requests:detail", args=[req.pk]))

import pytest

from relais.places.enums import PlaceType
from tests.factories import PlaceCapacityFactory, make_evaluation, make_request


@pytest.fixture
def capacity(structure):
    """The 20 insertion places of `structure` (CHRS Les Tilleuls)."""
    return structure.capacities.get()


@pytest.fixture
def small_capacity(structure):
    """Two individual urgence rooms in the same CHRS."""
    return PlaceCapacityFactory(structure=structure, place_type=PlaceType.EMERGENCY, places=2)


@pytest.fixture
def evaluated_request(social_worker):
    req = make_request(referrer=social_worker)
    make_evaluation(req)
    req.evaluate(by=social_worker)
    return req

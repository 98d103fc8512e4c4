"""JUS-06 / JUS-07: one reading of where each detention's housing solution stands."""

import pytest

from relais.releases.housing import Solution, housing_for, housing_of
from tests.factories import make_detention, make_evaluation, make_request, orient

pytestmark = pytest.mark.django_db


def test_jus_06_housing_solution_from_no_request_to_admitted():
    detention = make_detention()
    assert housing_for(detention).solution == Solution.NO_REQUEST
    request = make_request(detention.person, referrer=detention.cpip, detention=detention)
    assert housing_for(detention).solution == Solution.TO_EVALUATE
    make_evaluation(request)
    request.evaluate(by=detention.cpip)
    assert housing_for(detention).solution == Solution.EVALUATED
    orientation = orient(request, by=detention.cpip)
    assert housing_for(detention).solution == Solution.ORIENTED
    assert not housing_for(detention).secured
    orientation.admit(by=detention.cpip)
    housing = housing_for(detention)
    assert housing.solution == Solution.ADMITTED and housing.secured_by(detention.end_date)


def test_jus_06_housing_of_many_detentions_costs_a_fixed_number_of_queries(
    django_assert_max_num_queries,
):
    detentions = [make_detention() for _ in range(4)]
    for d in detentions[:2]:
        make_request(d.person, referrer=d.cpip, detention=d)
    with django_assert_max_num_queries(2):
        result = housing_of(d.pk for d in detentions)
    assert [result[d.pk].solution for d in detentions] == [Solution.TO_EVALUATE] * 2 + [
        Solution.NO_REQUEST
    ] * 2

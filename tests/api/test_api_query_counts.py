"""OPS-02: the API's lists make as many queries for 30 rows as for 3 (no N+1), as the pages
do (tests/test_query_counts.py, whose `grow` fixture builds the rows)."""

import pytest
from django.urls import reverse

from tests.api.conftest import ApiClient, issue_token
from tests.test_query_counts import assert_constant, grow  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db

LISTS = [
    ("api:request-list", "siao_operator"),
    ("api:request-list", "structure_manager"),
    ("api:orientation-list", "siao_operator"),
    ("api:orientation-list", "structure_manager"),
    ("api:structure-list", "siao_operator"),
    ("api:capacity-list", "structure_manager"),
    ("api:event-list", "siao_operator"),
]


@pytest.mark.parametrize(("name", "role"), LISTS)
def test_ops_02_api_lists_make_as_many_queries_for_30_rows_as_for_3(request, grow, name, role):  # noqa: F811
    _, key = issue_token(request.getfixturevalue(role))
    # A page of 50 (the default): more rows are more pages, never more queries per page.
    assert_constant(ApiClient(key), grow, reverse(name))

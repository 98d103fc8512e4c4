"""OPS-02: no 500, checked by a fuzzer. Schemathesis generates requests from the OpenAPI
schema — valid ones and invalid ones — for every operation, sent with a token of each
role; the API must never answer a server error, nor an answer its schema contradicts."""

import json

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import issue_token
from tests.factories import make_evaluation, make_request, orient

ROLES = ["siao_operator", "structure_manager", "social_worker", "state_service_user"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 15


@pytest.fixture
def wsgi_app():
    """Relais as a WSGI application inside the test's transaction: Django closes the
    connection after each request, which would close the test's (the test client does
    this same disconnection)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _schema() -> dict:
    """The schema as Relais serves it (/api/v1/schema/), built without a database."""
    return SchemaGenerator(patterns=None).get_schema(request=None, public=True)


# Loaded when the module is collected; the lazy loader (`from_fixture`) does not run on
# pytest 9, and the schema needs no database.
schema = schemathesis.openapi.from_dict(json.loads(json.dumps(_schema(), cls=DjangoJSONEncoder)))
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=EXAMPLES,
    deterministic=True,
)


@pytest.fixture
def tokens(db, siao_operator, social_worker, structure, request) -> list[str]:
    """A token per role, and something for every path to find: a request oriented to the
    structure, with its events."""
    req = make_request(referrer=social_worker)
    make_evaluation(req)
    req.evaluate(by=social_worker)
    orient(req, by=siao_operator, structure=structure)
    return [issue_token(request.getfixturevalue(role))[1] for role in ROLES]


@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_ops_02_fuzzed_api_never_errs_nor_contradicts_its_schema(case, tokens, wsgi_app):
    for key in tokens:
        response = case.call(app=wsgi_app, headers={"Authorization": f"Bearer {key}"})
        case.validate_response(response, checks=CHECKS)

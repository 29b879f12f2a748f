"""Schemathesis fuzzes /api/v1/ from its served OpenAPI schema: every answer must be
documented, match its schema, and never be a server error. On both backends, with a few
listings published so the responses carry hits and facets."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Schemathesis calls the WSGI app itself, whose request signals close the database
    connection after each request, and with it the test's transaction (on PostgreSQL the
    next request then finds it closed). Django's test client leaves them out for the same
    reason."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


# The schema as the app serves it. (schemathesis.pytest.from_fixture, which would load it per
# test, needs pytest's private Function._nodeid, gone in pytest 9.)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@schema.parametrize()
@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case, catalogue, backend):
    case.call_and_validate(checks=CHECKS)


def test_the_fuzzer_sees_published_listings(catalogue, backend):
    """The fuzzed API answers with real hits, so their fields are checked too."""
    operation = schema["/api/v1/search"]["GET"]
    case = operation.Case(query={"q": "电池"})
    response = case.call()
    assert response.status_code == 200
    assert response.json()["total"] >= 1
    case.validate_response(response, checks=CHECKS)

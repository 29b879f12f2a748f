"""/healthz: a static response through every middleware, without the database."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_a_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    # It went through the middleware stack: the security middleware's headers are on it.
    assert response["X-Content-Type-Options"] == "nosniff"


def test_healthz_refuses_a_post(client):
    response = client.post("/healthz")
    assert response.status_code == 405

"""The JSON API keeps its own schema's promises, and its docs page works offline."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_api_published_at_is_rfc3339_with_offset(client, catalogue, backend):
    response = client.get("/api/v1/search", {"q": "", "sort": "newest"})
    assert response.status_code == 200
    hits = response.json()["hits"]
    assert len(hits) == 3
    for hit in hits:
        stamp = hit["published_at"]
        # RFC 3339: a date-time always carries its offset ("Z" or "+08:00")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", stamp)
        parsed = datetime.fromisoformat(stamp)
        assert parsed.tzinfo is not None
    battery = next(h for h in hits if h["id"] == catalogue["battery"].pk)
    shown = datetime.fromisoformat(battery["published_at"])
    assert abs(shown - catalogue["battery"].published_at) < timedelta(milliseconds=1)
    assert battery["published_at"].endswith("+08:00")  # the market's own time zone


def test_search_page_dates_are_in_the_markets_time_zone(client, catalogue, backend):
    from django.utils import timezone

    battery = catalogue["battery"]
    html = client.get("/search/", {"q": "锂离子电池"}).content.decode()
    assert timezone.localtime(battery.published_at).strftime("%Y-%m-%d") in html


def test_api_docs_use_only_local_static_files(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="swagger-ui"' in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    assert any(a.endswith("swagger-ui.css") for a in assets)
    assert "cdn." not in html
    for asset in assets:
        assert asset.startswith("/static/"), asset
        found = finders.find(asset.removeprefix("/static/"))
        assert found, f"{asset} is not among the project's static files"
    # the page points Swagger UI at the API's own schema
    assert "/api/v1/openapi.json" in html


def test_api_docs_bundle_is_swagger_ui(client, db):
    html = client.get("/api/v1/docs").content.decode()
    bundle = re.search(r'src="/static/([^"]+swagger-ui-bundle\.js)"', html).group(1)
    with open(finders.find(bundle), "rb") as f:
        assert b"SwaggerUIBundle" in f.read()

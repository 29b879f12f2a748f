"""A search too long to answer gets a 414 that says so, never a dropped connection.

The first tests go through the Django test client. The others start the real server
(`python -m market.server`, what `make serve` runs) once for the module, on a free port and a
SQLite file of its own, and talk to it over a socket, as a browser would.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings

from search.contract import MAX_QUERY_STRING_BYTES
from search.text import MAX_QUERY_CHARS

LONG_Q = "锂离子电池正极材料" * 223  # 2,007 characters: 18 KB percent-encoded
TOO_LONG_TEXT = f"请缩短到{MAX_QUERY_CHARS}个字以内"


# Through the test client.


@pytest.fixture
def embedded(settings, db):
    settings.ELASTICSEARCH_URL = ""


def test_search_page_refuses_an_overlong_query_with_a_414_page(client, embedded):
    response = client.get("/search/", {"q": LONG_Q})
    assert response.status_code == 414
    html = response.content.decode()
    assert "检索词太长" in html
    assert TOO_LONG_TEXT in html
    assert 'class="site-header"' in html  # the site's own frame, from base.html
    # the box to try again takes no more than the search will use, prefilled with that much
    assert f'maxlength="{MAX_QUERY_CHARS}"' in html
    assert f'value="{LONG_Q[:MAX_QUERY_CHARS]}"' in html


def test_search_page_refusal_in_english(client, embedded):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/search/", {"q": LONG_Q})
    assert response.status_code == 414
    html = response.content.decode()
    assert f"Please shorten them to {MAX_QUERY_CHARS} characters or fewer" in html


def test_api_refuses_an_overlong_query_with_json_414(client, embedded):
    response = client.get("/api/v1/search", {"q": LONG_Q})
    assert response.status_code == 414
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    assert TOO_LONG_TEXT in data["detail"]
    assert data["max_query_chars"] == MAX_QUERY_CHARS


def test_suggest_refuses_an_overlong_query(client, embedded):
    response = client.get("/search/suggest", {"q": LONG_Q})
    assert response.status_code == 414
    assert response.json()["suggestions"] == []


def test_query_just_within_the_limit_is_cut_with_a_notice(client, embedded):
    q = "电池" * 150  # 300 characters: 2.7 KB encoded, over the box but within the limit
    assert len(urlencode({"q": q})) <= MAX_QUERY_STRING_BYTES
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    assert f"只使用了前{MAX_QUERY_CHARS}个字" in response.content.decode()
    api = client.get("/api/v1/search", {"q": q})
    assert api.status_code == 200
    assert len(api.json()["q"]) == MAX_QUERY_CHARS


def test_search_box_is_capped(client, embedded):
    html = client.get("/search/").content.decode()
    box = re.search(r'<input id="search-q"[^>]*>', html).group(0)
    assert f'maxlength="{MAX_QUERY_CHARS}"' in box


def test_the_schema_documents_the_414(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/search"]["get"]["responses"]
    assert {"200", "414"} <= set(responses)


# Over a socket, against the real server.


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(host, port) of `python -m market.server` serving the site on a migrated SQLite file."""
    base = Path(settings.BASE_DIR)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "ELASTICSEARCH_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.search.server_settings",
        MARKET_SERVER_TEST_DB=str(tmp_path_factory.mktemp("served") / "db.sqlite3"),
        PYTHONPATH=str(base),
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"],
        cwd=base,
        env=env,
        check=True,
        timeout=600,
    )
    port = _free_port()
    log = tmp_path_factory.mktemp("served-log") / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "market.server", "-b", "127.0.0.1", "-p", str(port)]
            + ["market.asgi:application"],
            cwd=base,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield "127.0.0.1", port
    finally:
        server.terminate()
        server.wait(timeout=20)


def _get(served, target: str) -> http.client.HTTPResponse:
    """GET `target` on a fresh connection; the response is read in full."""
    conn = http.client.HTTPConnection(*served, timeout=30)
    try:
        conn.request("GET", target, headers={"Accept-Language": "zh-hans"})
        response = conn.getresponse()
        response.body = response.read()
        return response
    finally:
        conn.close()


def test_served_short_search_is_answered(served):
    response = _get(served, "/search/?q=" + quote("锂电池"))
    assert response.status == 200
    assert "检索科技成果与技术需求" in response.body.decode()
    api = _get(served, "/api/v1/search?q=" + quote("锂电池"))
    assert api.status == 200
    assert api.body.startswith(b"{")


def test_served_long_search_page_gets_a_414_page(served):
    target = "/search/?q=" + quote(LONG_Q)
    assert len(target) > 16_384  # past Twisted's default line limit, where daphne hung up
    response = _get(served, target)
    assert response.status == 414
    assert response.getheader("Content-Type").startswith("text/html")
    html = response.body.decode()
    assert TOO_LONG_TEXT in html


def test_served_long_api_search_gets_a_json_414(served):
    response = _get(served, "/api/v1/search?q=" + quote(LONG_Q))
    assert response.status == 414
    assert response.getheader("Content-Type").startswith("application/json")
    data = json.loads(response.body)
    assert TOO_LONG_TEXT in data["detail"]
    assert data["max_query_chars"] == MAX_QUERY_CHARS


def test_served_request_past_the_server_limit_gets_the_servers_414(served):
    from market.server import MAX_REQUEST_LINE

    response = _get(served, "/search/?q=" + "x" * (MAX_REQUEST_LINE + 10))
    assert response.status == 414
    body = response.body.decode()
    assert "请求的地址太长" in body
    assert "The requested address is too long" in body
    assert response.getheader("Connection") == "close"


def test_served_headers_past_the_server_limit_get_a_431(served):
    from market.server import MAX_HEADERS, MAX_REQUEST_LINE

    conn = http.client.HTTPConnection(*served, timeout=30)
    try:
        conn.putrequest("GET", "/search/")
        for n in range((MAX_REQUEST_LINE + MAX_HEADERS) // 8000 + 1):
            conn.putheader(f"X-Filler-{n}", "x" * 8000)
        conn.endheaders()
        response = conn.getresponse()
        assert response.status == 431
        assert "请求头太大" in response.read().decode()
    finally:
        conn.close()


def test_served_still_answers_after_refusals(served):
    _get(served, "/search/?q=" + "x" * 70_000)
    assert _get(served, "/api/v1/search").status == 200

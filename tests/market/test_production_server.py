"""scripts/serve-production.sh: the site under production settings in several processes.

The script runs for real here (gunicorn with two uvicorn workers, on PostgreSQL and Redis),
and the test talks to it over sockets: a page, a search too long for the request line's
ordinary limits, the hashed and compressed static files, and notification websockets that a
notification sent from this process reaches through the Redis channel layer.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.test import override_settings

from market.services import notify
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
    pytest.mark.redis,
]

SCRIPT = Path(settings.BASE_DIR) / "scripts" / "serve-production.sh"
SECRET = "throwaway-serve-production-test-key-Vt7Qw2Zr9Lx4Nb6Hm1Kc8Jp3Fy5Sd0Ga"
PROXY = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy in front would say


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    return (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    )


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory):
    """One server for the module: it starts in about half a minute (check, collectstatic)."""
    port = _free_port()
    log = tmp_path_factory.mktemp("serve-production") / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.REDIS_URL,
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_CONCURRENCY="2",
        TASK_WORKERS="0",
        VENV=sys.prefix,
    )
    with log.open("w") as out:
        process = subprocess.Popen(
            ["bash", str(SCRIPT)], env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    try:
        # check --deploy and collectstatic first: slow on a busy machine.
        deadline = time.monotonic() + 300
        while True:
            try:
                status, _headers, _body = _get(port, "/api/v1/openapi.json")
                if status == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve-production.sh did not start:\n{log.read_text()}")
            time.sleep(0.5)
        yield port, log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _get(port: int, path: str, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={**PROXY, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _session_cookie(user) -> str:
    """A signed-in session as the server would store it: signed with the server's key."""
    with override_settings(SECRET_KEY=SECRET):
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def test_several_processes_serve_pages_long_searches_and_static_files(server):
    port, log = server
    assert len(re.findall(r"Booting worker with pid: \d+", log.read_text())) == 2

    status, _headers, body = _get(port, "/accounts/login/")
    assert status == 200
    html = body.decode()
    assert 'lang="zh-hans"' in html
    # 1,800 Chinese characters: 16 KB once percent-encoded, the search's own 414 answers.
    status, _headers, body = _get(port, "/search/?q=" + quote("锂电池" * 600))
    assert status == 414
    assert "检索词" in body.decode()

    # The stylesheet by its hashed name, compressed, cached for a year.
    css = re.search(r'href="(/static/css/market\.[0-9a-f]{12}\.css)"', html)
    assert css, html
    status, headers, _body = _get(port, css.group(1), {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["content-encoding"] == "gzip"
    assert "immutable" in headers["cache-control"]
    assert "max-age=315360000" in headers["cache-control"]


def test_a_notification_reaches_websockets_held_by_every_worker(server):
    from websockets.sync.client import connect

    port, _log = server
    user = UserFactory(username="prod-ws")
    cookie = _session_cookie(user)
    sockets = [
        connect(
            f"ws://127.0.0.1:{port}/ws/notifications/",
            additional_headers={"Cookie": cookie, "Origin": "https://127.0.0.1"},
            open_timeout=15,
        )
        for _ in range(6)
    ]
    try:
        time.sleep(0.5)  # each consumer joins its group after the handshake
        notify(recipient=user, verb="match.new", title="新匹配：“固态电解质”")
        for ws in sockets:
            message = json.loads(ws.recv(timeout=10))
            assert message["type"] == "notification"
            assert message["notification"]["title"] == "新匹配：“固态电解质”"
    finally:
        for ws in sockets:
            ws.close()


def test_an_idle_websocket_outlives_the_redis_socket_timeout(server):
    """redis-py 8 reads with a 5 s socket timeout by default; the channel layer waits on
    Redis for 5 s at a time, so without socket_timeout=None an idle socket was torn down."""
    from websockets.sync.client import connect

    port, log = server
    user = UserFactory(username="prod-ws-idle")
    with connect(
        f"ws://127.0.0.1:{port}/ws/notifications/",
        additional_headers={"Cookie": _session_cookie(user), "Origin": "https://127.0.0.1"},
        open_timeout=15,
    ) as ws:
        time.sleep(12)
        notify(recipient=user, verb="match.new", title="闲置十二秒后的通知")
        message = json.loads(ws.recv(timeout=10))
    assert message["notification"]["title"] == "闲置十二秒后的通知"
    assert "TimeoutError" not in log.read_text()

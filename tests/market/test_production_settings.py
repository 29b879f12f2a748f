"""market.settings.production: what a server started without configuration runs.

The production module reads the environment when imported, so each test runs Python in a
subprocess with exactly the environment it names (no DJANGO_SETTINGS_MODULE inherited).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

SECRET = "throwaway-production-test-key-Qm4Xz8Rt2Lp6Vn0Bw5Hc9Jd3Ky7Fs1Ge"
HOST = "market.example.cn"


def _run(code: str, **env: str) -> subprocess.CompletedProcess:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in {"DATABASE_URL", "REDIS_URL"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(autouse=True)
def _no_secret_in_dotenv():
    dotenv = settings.BASE_DIR / ".env"
    if dotenv.exists() and "DJANGO_SECRET_KEY" in dotenv.read_text():
        pytest.skip(".env sets DJANGO_SECRET_KEY, so the environment cannot leave it out")


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({"DJANGO_ALLOWED_HOSTS": HOST}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": SECRET}, "DJANGO_ALLOWED_HOSTS"),
    ],
)
def test_production_without_a_required_variable_refuses_to_start(given, missing):
    result = _run(
        "import django; django.setup()",
        DJANGO_SETTINGS_MODULE="market.settings.production",
        **given,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{missing} is not set" in result.stderr


def test_asgi_without_settings_module_runs_production():
    result = _run(
        "import market.asgi, json\n"
        "from django.conf import settings as s\n"
        "print(json.dumps({'module': s.SETTINGS_MODULE, 'debug': s.DEBUG,"
        " 'session': s.SESSION_COOKIE_SECURE, 'csrf': s.CSRF_COOKIE_SECURE,"
        " 'hsts': s.SECURE_HSTS_SECONDS, 'subdomains': s.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " 'preload': s.SECURE_HSTS_PRELOAD, 'redirect': s.SECURE_SSL_REDIRECT,"
        " 'proxy': s.SECURE_PROXY_SSL_HEADER, 'hosts': s.ALLOWED_HOSTS,"
        " 'key': s.SECRET_KEY}))",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS=HOST,
    )
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got == {
        "module": "market.settings.production",
        "debug": False,
        "session": True,
        "csrf": True,
        "hsts": 31536000,
        "subdomains": True,
        "preload": False,
        "redirect": True,
        "proxy": ["HTTP_X_FORWARDED_PROTO", "https"],
        "hosts": [HOST],
        "key": SECRET,
    }


def test_wsgi_without_settings_module_runs_production():
    result = _run(
        "import market.wsgi\nfrom django.conf import settings as s\n"
        "print(s.SETTINGS_MODULE, s.DEBUG)",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS=HOST,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["market.settings.production", "False"]


# A request that needs no database: switching the language answers with a redirect.
RESPONSE = """
import json
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="market.example.cn")
plain = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
secure = client.post(
    "/i18n/setlang/", {"language": "en", "next": "/"}, HTTP_X_FORWARDED_PROTO="https"
)
admin = client.get("/admin/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "admin": [admin.status_code, admin.headers.get("Content-Security-Policy")],
    "plain": [plain.status_code, plain.headers.get("Location")],
    "status": secure.status_code,
    "csp": secure.headers.get("Content-Security-Policy"),
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "nosniff": secure.headers.get("X-Content-Type-Options"),
}))
"""


def test_production_responses_carry_csp_and_hsts_and_redirect_to_https():
    result = _run(
        RESPONSE,
        DJANGO_SETTINGS_MODULE="market.settings.production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS=HOST,
    )
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert got["plain"] == [301, "https://market.example.cn/i18n/setlang/"]
    assert got["status"] == 302
    assert got["hsts"] == "max-age=31536000; includeSubDomains"
    assert got["nosniff"] == "nosniff"
    policy = {part.split()[0]: part.split()[1:] for part in got["csp"].split("; ")}
    assert policy["default-src"] == ["'self'"]
    assert "'self'" in policy["script-src"]
    assert "'self'" in policy["style-src"]
    assert policy["img-src"][:2] == ["'self'", "data:"]
    assert policy["connect-src"] == ["'self'", "wss://market.example.cn"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-eval'" not in policy["script-src"]

    status, admin_csp = got["admin"]
    assert status == 302
    admin_policy = {part.split()[0]: part.split()[1:] for part in admin_csp.split("; ")}
    assert admin_policy["script-src"] == ["'self'", "'unsafe-inline'", "'unsafe-eval'"]
    assert admin_policy["default-src"] == ["'self'"]


def test_dev_and_test_keep_their_own_keys_and_production_check_deploy_is_clean():
    check = _run(
        "import sys\nfrom django.core.management import execute_from_command_line\n"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DJANGO_SETTINGS_MODULE="market.settings.production",
        DJANGO_SECRET_KEY=SECRET,
        DJANGO_ALLOWED_HOSTS=HOST,
    )
    assert check.returncode == 0, check.stderr
    dev = _run(
        "import django; django.setup()\nfrom django.conf import settings as s\n"
        "print(s.DEBUG, bool(s.SECRET_KEY))",
        DJANGO_SETTINGS_MODULE="market.settings.dev",
    )
    assert dev.returncode == 0, dev.stderr
    assert dev.stdout.split() == ["True", "True"]

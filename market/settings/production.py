"""Settings for a deployed market, behind an HTTPS reverse proxy.

market/asgi.py and market/wsgi.py fall back to this module. It refuses to start without
DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS, never shows Django's debug pages, sends cookies
only over HTTPS, and sends HSTS and a Content-Security-Policy. `manage.py check --deploy`
is clean with it (the Makefile's `check` target runs that).
"""

import os

from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import MIDDLEWARE, env


def _required(name, hint):
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} is not set: market.settings.production needs it ({hint}). "
            "For a developer's machine use DJANGO_SETTINGS_MODULE=market.settings.dev."
        )
    return value


def _websocket_sources(hosts):
    """wss:// sources for the allowed hosts (".example.cn" means the domain and subdomains)."""
    sources = []
    for host in hosts:
        if host == "*":
            sources.append("wss:")
        elif host.startswith("."):
            sources += [f"wss://{host[1:]}", f"wss://*{host}"]
        else:
            sources.append(f"wss://{host}")
    return sources


DEBUG = False
SECRET_KEY = _required(
    "DJANGO_SECRET_KEY",
    "a long random string, e.g. from "
    "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`",
)
_required("DJANGO_ALLOWED_HOSTS", "the comma-separated host names the market is served on")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS: the reverse proxy terminates TLS and says so in X-Forwarded-Proto (it must set that
# header itself, never pass the client's on).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
PAYMENT_USES_SSL = env.bool("PAYMENT_USES_SSL", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
if not SECURE_HSTS_PRELOAD:
    # Off until the operator decides: the browsers' preload list is hard to leave again.
    SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Content-Security-Policy (django-csp 4). Scripts and styles only from this site; inline ones
# are allowed because the Wagtail admin and the search page's autocomplete use inline script
# and the templates use style attributes. Images may be data: and blob: URLs (the admin's
# previews); connect-src covers fetch/htmx and the notifications websocket on the market's own
# hosts (wss:// is spelled out, as older browsers do not count it as 'self').
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF, *_websocket_sources(ALLOWED_HOSTS)],
        "frame-src": [SELF],
        "frame-ancestors": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
MIDDLEWARE = [
    MIDDLEWARE[0],  # SecurityMiddleware
    "csp.middleware.CSPMiddleware",
    "market.middleware.AdminCSPMiddleware",  # adds 'unsafe-eval' under /admin/ only
    *MIDDLEWARE[1:],
]
# The admin's avatars come from this site, not gravatar.com (blocked by img-src, and often
# unreachable from the province's networks).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# The admin's dashboard would fetch releases.wagtail.org, which connect-src blocks; upgrades
# are the maintainers' business (requirements.lock).
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Static files with content hashes in their names, gzip-compressed by
# collectstatic, and served by whitenoise with a year's Cache-Control (immutable), since a
# changed file gets a new name. scripts/serve-production.sh runs collectstatic first.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

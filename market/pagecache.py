"""Whole-page cache of the public pages for anonymous readers, invalidated by what changed.

Why not wagtail-cache: its latest release (3.0.0) requires Wagtail < 8, and this site runs
Wagtail 8. This is Django's cache framework (Redis when REDIS_URL is set, locmem otherwise)
with versioned tags:

- A view opts its page in with `depends_on(request, *tags)`, naming what the page shows:
  `listing:<kind>:<pk>` (one listing), `kind:<kind>` (any listing of a kind: the lists, the
  home page, the sub-market pages, search), `matches`, `search`, `figures`; every page also
  depends on `site` (the CMS pages in the navigation). Pages that do not opt in are never
  cached.
- Each tag has a version (the time it last changed, in ns) in the cache. A cached page
  keeps the versions its tags had *before* it was rendered; it is served only while every
  one of them is unchanged. `invalidate(*tags)` bumps the versions, so everything showing
  them is stale at once, on every process, without knowing their URLs. A version evicted
  from the cache counts as a change.
- The entry's key is the path with its query string, the language and whether the request
  came from htmx (a list answers htmx with only its results).

Never cached: a signed-in reader's page (and a signed-in reader is never served a cached
one: their header has their name and notifications), anything but a GET with status 200, a
response that sets a cookie or says private/no-store, a page with messages, a page behind a
Wagtail view restriction (`exclude_from_cache`).

CSRF: every page's header has the language switch, a POST form with a CSRF token, and a
token must never be shared (it carries the first reader's secret). The stored HTML has each
`csrfmiddlewaretoken` value replaced by a placeholder, and a page served from the cache
gets the reader's own token (`get_token`, which also makes CsrfViewMiddleware set the
reader's cookie), so the switch keeps working with CSRF protection intact. If a page used
the token anywhere but in `{% csrf_token %}`'s hidden input, it is not cached.

The middleware sits inside CsrfViewMiddleware, AuthenticationMiddleware, MessageMiddleware
and HtmxMiddleware, and outside the views. A hit carries `X-Page-Cache: hit`, a stored miss
`X-Page-Cache: miss`.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date

SITE = "site"
HEADER = "X-Page-Cache"
_TAG_KEY = "pagecache:tag:{}"
_PAGE_KEY = "pagecache:page:{}:{}:{}"
_CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")([^"]*)(")')
_CSRF_PLACEHOLDER = b"\x00pagecache-csrf\x00"
# Headers a view sets that belong to the page, kept with it; the middlewares outside this
# one (sessions, CSRF, locale, clickjacking) add theirs to each response again.
_KEPT_HEADERS = ("Content-Type", "Content-Language", "ETag", "Last-Modified", "Cache-Control")


def _seconds() -> int:
    return getattr(settings, "PAGE_CACHE_SECONDS", 600)


def tag_versions(tags: Iterable[str]) -> dict[str, int]:
    """The current version of each tag; a tag never seen (or evicted) starts now."""
    tags = sorted(set(tags))
    keys = {tag: _TAG_KEY.format(tag) for tag in tags}
    found = cache.get_many(keys.values())
    missing = [tag for tag in tags if keys[tag] not in found]
    if missing:
        now = time.time_ns()
        for tag in missing:
            cache.add(keys[tag], now, None)
        found.update(cache.get_many([keys[tag] for tag in missing]))
    return {tag: found.get(keys[tag], 0) for tag in tags}


def listing_tag(kind: str, pk: int) -> str:
    """The tag of one listing's own page."""
    return f"listing:{kind}:{pk}"


def kind_tag(kind: str) -> str:
    """The tag of every page listing listings of a kind."""
    return f"kind:{kind}"


def invalidate(*tags: str) -> None:
    """Everything showing one of `tags` is stale from now on, in every process."""
    now = time.time_ns()
    cache.set_many({_TAG_KEY.format(tag): now for tag in tags}, None)


def depends_on(request, *tags: str) -> dict[str, int]:
    """Opt this request's page into the cache, showing `tags` (and `site`). Returns the
    versions of all the tags the page depends on so far, read before it is rendered."""
    versions = tag_versions({SITE, *tags} - set(getattr(request, "_page_cache_versions", {})))
    merged = {**getattr(request, "_page_cache_versions", {}), **versions}
    request._page_cache_versions = merged
    return merged


def exclude_from_cache(request) -> None:
    """This page must not be cached, whatever else it depends on."""
    request._page_cache_never = True


def last_changed(versions: dict[str, int]) -> float:
    """The time (seconds since the epoch) the newest of these tags last changed."""
    return max(versions.values(), default=0) / 1e9


def conditional_response(request, *, etag: str, last_modified: float):
    """A 304 when the reader's copy is still current (If-None-Match / If-Modified-Since),
    else None. `etag` is the quoted entity tag of the page the view would render."""
    response = get_conditional_response(request, etag=etag, last_modified=int(last_modified))
    if response is not None:
        set_validators(response, etag=etag, last_modified=last_modified)
    return response


def set_validators(response, *, etag: str, last_modified: float) -> None:
    """ETag and Last-Modified on a response, and Cache-Control: no-cache, so a browser asks
    again each time (and gets a 304 while nothing changed)."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(int(last_modified))
    response["Cache-Control"] = "no-cache"


def etag_for(*parts) -> str:
    """A strong entity tag from what the page's content depends on."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f'"{digest}"'


def _page_key(request) -> str:
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    htmx = "htmx" if request.headers.get("HX-Request") == "true" else "page"
    return _PAGE_KEY.format(translation.get_language(), htmx, path)


def _has_messages(request) -> bool:
    # len() loads the messages without marking them shown.
    return bool(len(messages.get_messages(request)))


class AnonymousPageCacheMiddleware:
    """Serves and stores the anonymous copies of the pages that opted in (see above)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            _seconds() <= 0  # PAGE_CACHE_SECONDS = 0 turns the page cache off
            or request.method not in ("GET", "HEAD")
            or request.user.is_authenticated
            or _has_messages(request)
        ):
            return self.get_response(request)
        key = _page_key(request)
        hit = self._from_cache(request, key)
        if hit is not None:
            return hit
        response = self.get_response(request)
        if request.method == "GET" and self._storable(request, response):
            self._store(request, key, response)
        return response

    def _from_cache(self, request, key):
        entry = cache.get(key)
        if entry is None or tag_versions(entry["versions"]) != entry["versions"]:
            return None
        headers = dict(entry["headers"])
        if "ETag" in headers or entry["last_modified"]:
            not_modified = get_conditional_response(
                request, etag=headers.get("ETag"), last_modified=entry["last_modified"]
            )
            if not_modified is not None:
                for name, value in entry["headers"]:
                    if name in ("ETag", "Last-Modified", "Cache-Control"):
                        not_modified[name] = value
                not_modified[HEADER] = "hit"
                return not_modified
        content = entry["content"]
        if entry["csrf"]:
            content = content.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
        response = HttpResponse(content, status=entry["status"])
        for name, value in entry["headers"]:
            response[name] = value
        response[HEADER] = "hit"
        return response

    def _storable(self, request, response) -> bool:
        cache_control = response.get("Cache-Control", "")
        return (
            hasattr(request, "_page_cache_versions")
            and not getattr(request, "_page_cache_never", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in cache_control
            and "no-store" not in cache_control
            and not request.user.is_authenticated
            and not _has_messages(request)
        )

    def _store(self, request, key, response) -> None:
        content = response.content
        csrf_used = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        if csrf_used:
            content, replaced = _CSRF_INPUT.subn(rb"\1" + _CSRF_PLACEHOLDER + rb"\3", content)
            if not replaced:
                return  # the token went somewhere this module cannot see: not shareable
        last_modified = response.get("Last-Modified")
        entry = {
            "content": content,
            "status": response.status_code,
            "headers": [(name, response[name]) for name in _KEPT_HEADERS if name in response],
            "versions": request._page_cache_versions,
            "csrf": csrf_used,
            "last_modified": parse_http_date(last_modified) if last_modified else None,
        }
        cache.set(key, entry, _seconds())
        response[HEADER] = "miss"

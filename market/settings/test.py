from .base import *  # noqa: F403

SECRET_KEY = "test-only-insecure-key-never-deployed"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "private": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Every task runs as soon as it is queued (listeners: after commit), so tests see results.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    "matching": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["matching"],
    },
}

# Elasticsearch, when a node is configured: this run's own indexes (deleted when the run
# ends, tests/conftest.py), refreshed on every write so a test reads what it just indexed.
SEARCH_INDEX_PREFIX = f"test-{__import__('uuid').uuid4().hex[:10]}"
SEARCH_ES_REFRESH = True

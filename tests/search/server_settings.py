"""Settings for the real server tests/search/test_long_queries.py starts: the test settings
with DEBUG off, a SQLite file of its own, and no outside service."""

import os

from market.settings.test import *  # noqa: F403

DEBUG = False
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ["MARKET_SERVER_TEST_DB"],
    }
}
ELASTICSEARCH_URL = ""

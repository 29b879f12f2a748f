"""Settings shared by every environment.

Every URL, secret and host comes from the environment with a safe local default:
SQLite, the in-memory channel layer and the embedded search backend. The secret key has no
default here: dev.py and test.py set their own, production.py requires DJANGO_SECRET_KEY.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", default=["http://127.0.0.1:8000", "http://localhost:8000"]
)

INSTALLED_APPS = [
    "daphne",
    "market",
    "listings",
    "brokers",
    "matching",
    "windows",
    "cms",
    "targets",
    "search",
    "demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.embeds",
    "wagtail.sites",
    "market.users_apps.MarketUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_htmx",
    # Installed so /api/v1/docs serves Swagger UI from ninja's own static files, not a CDN.
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "channels",
    "payments",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Lets the site's form renderer (TemplatesSetting) find Django's own widget templates.
    "django.forms",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "market.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Inside CSRF, auth, messages and htmx: anonymous public pages, cached whole.
    "market.pagecache.AnonymousPageCacheMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the locked-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "market.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Every form renders through templates/forms/: required marks and an error summary.
FORM_RENDERER = "market.renderers.SiteFormRenderer"

WSGI_APPLICATION = "market.wsgi.application"
ASGI_APPLICATION = "market.asgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the ASGI server read while a long import writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    )
    DATABASES["default"]["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "market.User"

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # socket_timeout None, as before redis-py 8: its new 5 s default cuts the layer's
            # blocking 5 s BZPOPMIN short, and every idle websocket died with a TimeoutError.
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": None}]},
        }
    }
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # A cache every process on this machine shares, not locmem: the task workers (a
    # listing's search sync, expiry) invalidate cached pages and search answers that the
    # web process serves (market.pagecache, market.fragments). Tests use locmem.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": env.path("CACHE_DIR", default=BASE_DIR / "var" / "cache"),
        }
    }

# How long a cached anonymous page is kept at most; what it shows changing removes it sooner
# (market.pagecache).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=600)

ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", default="")
# Search: index names start with the prefix; a node that fails is not asked again for
# SEARCH_ES_RETRY_SECONDS (search falls back to the embedded index, writes are queued).
SEARCH_INDEX_PREFIX = env("SEARCH_INDEX_PREFIX", default="techmarket")
SEARCH_ES_TIMEOUT = env.float("SEARCH_ES_TIMEOUT", default=2.0)
SEARCH_ES_RETRY_SECONDS = env.int("SEARCH_ES_RETRY_SECONDS", default=30)
SEARCH_ES_REFRESH = env.bool("SEARCH_ES_REFRESH", default=False)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username
# from one IP address, that pair is locked out for AXES_COOLOFF_MINUTES, even with the right
# password; the wait starts again from the last failure. A success clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "listings:mine"
LOGOUT_REDIRECT_URL = "/"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# The public pages exist in both languages: Wagtail's i18n keeps an English translation of
# each page, and routing serves the tree of the language the reader chose with the switcher
# (the URLs stay the same, see ChineseFirstLocaleMiddleware).
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
# Listing attachments: outside MEDIA_ROOT, so no static or media route can serve them; they
# are read only through listings:attachment, which checks who may see the listing.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "var" / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT)},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Uploads: the largest attachment and spreadsheet a person may send.
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LISTING_ATTACHMENT_MAX_BYTES = env.int("LISTING_ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
LISTING_IMPORT_MAX_BYTES = env.int("LISTING_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
LISTING_IMPORT_MAX_ROWS = env.int("LISTING_IMPORT_MAX_ROWS", default=50_000)

# A published listing lives this long unless renewed; owners hear about it beforehand.
LISTING_LIFETIME_DAYS = env.int("LISTING_LIFETIME_DAYS", default=180)
LISTING_EXPIRY_REMINDER_DAYS = env.int("LISTING_EXPIRY_REMINDER_DAYS", default=14)

EMAIL_BACKEND = env(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="技术市场 <noreply@techmarket.local>")

WAGTAIL_SITE_NAME = "省技术市场"
# The admin shows initials instead of Gravatar images: gravatar.com is not reachable from here.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default="http://127.0.0.1:8000")
# django-payments: deposits and service fees, through its dummy provider (no Stripe). The
# provider calls back on /payments/process/<token>/ at PAYMENT_HOST.
PAYMENT_MODEL = "brokers.Payment"
PAYMENT_HOST = env("PAYMENT_HOST", default="127.0.0.1:8000")
PAYMENT_USES_SSL = env.bool("PAYMENT_USES_SSL", default=False)
PAYMENT_VARIANTS = {"dummy": ("payments.dummy.DummyProvider", {})}
PAYMENT_CURRENCY = "CNY"

WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "zip"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}
FORMS_URLFIELD_ASSUME_HTTPS = True

# The province's yearly "十百千" commitments. Progress against them is computed from data.
MARKET_TARGETS = {
    "institutions": env.int("TARGET_INSTITUTIONS", default=10),
    "brokers": env.int("TARGET_BROKERS", default=100),
    "listings": env.int("TARGET_LISTINGS", default=1000),
}
FORMAT_MODULE_PATH = ["market.formats"]

# The 48-hour rule: every published demand gets a broker and a first reply within this time.
DEMAND_RESPONSE_HOURS = env.int("DEMAND_RESPONSE_HOURS", default=48)
DEMAND_RESPONSE_WARNING_HOURS = env.int("DEMAND_RESPONSE_WARNING_HOURS", default=12)

# Background work (django-tasks), never in the request: what a listing change sets off
# (search sync and saved-search notices, broker assignment) and Wagtail's own tasks go to the
# "default" database queue, worked through by `manage.py db_worker`; rematching has its own
# queue and worker, `manage.py db_worker --backend matching --queue-name matching`, as that
# worker keeps the matching index in memory. `make run` starts both workers.
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    },
    "matching": {
        "BACKEND": env("MATCHING_TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["matching"],
    },
}
# Matching: how many achievements a demand's list holds, and how many text candidates the
# criteria re-rank for each query.
MATCHING_LIST_SIZE = env.int("MATCHING_LIST_SIZE", default=20)
MATCHING_CANDIDATES = env.int("MATCHING_CANDIDATES", default=200)
# "elasticsearch": a changed demand's candidates come from Elasticsearch (more_like_this)
# when it is configured and up; the engine ranks them either way.
MATCHING_RETRIEVAL = env("MATCHING_RETRIEVAL", default="engine")

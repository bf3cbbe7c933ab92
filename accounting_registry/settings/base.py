"""Settings shared by every environment; dev/test/production override a few values."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from core.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_str,
)
from core.storage import private_storage_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "accounting_registry",
    "practitioners",
    "collection",
    "confirmation",
    "reporting",
    "business",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # A view's database or object-store outage: a 503 page that keeps the form (core.outages).
    "core.outages.OutageMiddleware",
    "core.clients.ClientAddressMiddleware",
    "core.throttle.DeviceCookieMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads a body (the CSRF check): a body larger than its page takes is 413.
    "core.requestsize.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "practitioners.idle.StaffIdleTimeoutMiddleware",
    "practitioners.twofactor.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "accounting_registry.urls"
WSGI_APPLICATION = "accounting_registry.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "accounting_registry.navigation.menu",
                "accounting_registry.care.care_mode",
                "practitioners.idle.idle_context",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(env_str("DATABASE_URL", "sqlite:///db.sqlite3"), base_dir=BASE_DIR)
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "practitioners.User"
AUTHENTICATION_BACKENDS = ["practitioners.backends.RegistryBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Argon2id first: a login costs ~50 ms of CPU instead of PBKDF2's ~0.8 s. Older hashes
# (PBKDF2) still check, and are re-hashed with Argon2id at the next login.
PASSWORD_HASHERS = [
    "core.hashers.RegistryArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
# Uploaded files (photos, imports) are never served from a public URL: views check
# permissions and stream them. MEDIA_ROOT is a private directory.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# The PDFs' font, cut down to the characters of GB 2312, made on first use (core.pdf): any
# writable folder the server and the worker share; nothing in it needs a backup.
PDF_FONT_DIR = Path(env_str("PDF_FONT_DIR", str(BASE_DIR / ".cache" / "pdf-fonts")))

# An uploaded file up to this size is held in memory, a larger one in a temporary file.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# A form's fields other than files, together (an urlencoded body whole): beyond it, 400.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Largest register file a bureau admin may upload through the web UI.
REGISTRY_IMPORT_MAX_BYTES = env_int("REGISTRY_IMPORT_MAX_BYTES", 30 * 1024 * 1024)
# The largest request body a page takes (core.requestsize: refused with 413 before it is read,
# files included, which DATA_UPLOAD_MAX_MEMORY_SIZE does not count): a photo (5 MB) with room
# for its form; the pages that take a larger file, by URL name, the same room above their file
# limit (the register import's, and a work plan's 20 MB: reporting.constants.PLAN_MAX_BYTES).
# The reverse proxy's own cap must admit the largest (README, Deployment).
REQUEST_BODY_ROOM = 1024 * 1024
REGISTRY_REQUEST_MAX_BYTES = 5 * 1024 * 1024 + REQUEST_BODY_ROOM
REGISTRY_REQUEST_MAX_BYTES_BY_ROUTE = {
    "business:register_import": REGISTRY_IMPORT_MAX_BYTES + REQUEST_BODY_ROOM,
    "reporting:plan": 20 * 1024 * 1024 + REQUEST_BODY_ROOM,
}
# The most data rows one register file may hold (web and command): bounds an import's memory
# and time. Larger registers are imported in several files.
REGISTRY_IMPORT_MAX_ROWS = env_int("REGISTRY_IMPORT_MAX_ROWS", 50_000)

# Private files on S3-compatible object storage instead of MEDIA_ROOT (core.storage):
# the bucket, and for a store other than AWS its endpoint. Credentials as boto3 finds them
# (environment, instance role) unless given here.
REGISTRY_S3_BUCKET = env_str("REGISTRY_S3_BUCKET", "")
REGISTRY_S3_ENDPOINT_URL = env_str("REGISTRY_S3_ENDPOINT_URL", "")
REGISTRY_S3_REGION = env_str("REGISTRY_S3_REGION", "")
REGISTRY_S3_ACCESS_KEY = env_str("REGISTRY_S3_ACCESS_KEY", "")
REGISTRY_S3_SECRET_KEY = env_str("REGISTRY_S3_SECRET_KEY", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "private": private_storage_settings(
        REGISTRY_S3_BUCKET,
        endpoint_url=REGISTRY_S3_ENDPOINT_URL,
        region=REGISTRY_S3_REGION,
        access_key=REGISTRY_S3_ACCESS_KEY,
        secret_key=REGISTRY_S3_SECRET_KEY,
    ),
}

FORM_RENDERER = "core.forms.FormRenderer"

# Background work (printed forms and notice mails, collection.tasks; core.tasks).
# TASKS_BACKEND=database: the queue is a table, run by `manage.py worker` (django-tasks-db), on
# any machine that shares the database; `make run` and production use it. immediate (the
# default here, and the tests'): each task runs in the request that queued it, after commit.
_TASK_BACKENDS = {
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = env_str("TASKS_BACKEND", "immediate")
if TASKS_BACKEND not in _TASK_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(_TASK_BACKENDS)}")
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[TASKS_BACKEND]}}

# The cache holds the login and lookup counters (core.throttle) and the
# bulletins' pages. With REDIS_URL set it is Redis, shared by every worker and server, and the
# sessions are kept in the database with Redis in front (cached_db: a Redis restart logs nobody
# out). While Redis cannot be reached the database cache stands in for it (core.cache; the table
# `createcachetable` makes). Without it: one process's memory here; production uses the
# database (production.py). Sessions are in the database in every case, so every server sees
# every login.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"FALLBACK_TABLE": "registry_cache"},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Where the client's address comes from (login limits, the audit trail). Behind a reverse
# proxy, set REGISTRY_PROXY_COUNT to the number of proxies that append to the header named
# by REGISTRY_CLIENT_IP_HEADER; with 0 (the default) the header is ignored, since a client
# can send it with any value, and the connection's address is used.
REGISTRY_PROXY_COUNT = env_int("REGISTRY_PROXY_COUNT", 0)
REGISTRY_CLIENT_IP_HEADER = env_str("REGISTRY_CLIENT_IP_HEADER", "X-Forwarded-For")

# The audit trail (practitioners.auditchain): the key of its SM3 seals, kept out of the database
# and its backups (derived from SECRET_KEY when unset: then set it to `manage.py verify_audit
# --show-key`'s value before changing SECRET_KEY), and how long events are kept, at least 180
# days (GB/T 22239-2019 level 3). Nothing deletes an event today; this is the floor an archive
# must respect.
REGISTRY_AUDIT_KEY = env_str("REGISTRY_AUDIT_KEY", "")
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)
if AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 180 (days).")

# A second factor (TOTP) for staff accounts (practitioners.twofactor): any staff member may turn
# it on; staff of the roles below and every account that can open the admin (is_staff,
# is_superuser) must, after typing an enrolment code a city administrator issued (unless this
# is switched off, as the tests do for their many logins and `make run` for the demo).
REGISTRY_CITY_STAFF_NEED_OTP = env_bool("REGISTRY_CITY_STAFF_NEED_OTP", True)
# Which staff roles must have one (with the switch above on): every staff role unless the
# bureau chooses fewer (city_staff, bureau_admin, clerk).
REGISTRY_SECOND_FACTOR_ROLES = env_list(
    "REGISTRY_SECOND_FACTOR_ROLES", ["city_staff", "bureau_admin", "clerk"]
)
OTP_TOTP_ISSUER = "Registry"

# Staff sessions end after this many seconds without activity, with a warning a minute before
# (practitioners.idle); 0: never. Practitioners' sessions last SESSION_COOKIE_AGE.
REGISTRY_STAFF_IDLE_SECONDS = env_int("REGISTRY_STAFF_IDLE_SECONDS", 15 * 60)
# A change request (the person's request to correct their record) is answered, confirmed or
# returned, within this many days of its submission: the counter's queue shows the day and
# counts those past it, and the person sees it.
REGISTRY_CHANGE_ANSWER_DAYS = env_int("REGISTRY_CHANGE_ANSWER_DAYS", 15)
# How long files are kept once they have served (collection.retention, `apply_retention`):
# photos no application refers to any more, import problem reports, the stored forms of
# applications confirmed that long ago (drawn again if asked for). Days; each from the
# environment (REGISTRY_RETAIN_PHOTOS_DAYS, ...).
REGISTRY_RETENTION_DAYS = {
    "photos": env_int("REGISTRY_RETAIN_PHOTOS_DAYS", 90),
    "import_reports": env_int("REGISTRY_RETAIN_IMPORT_REPORTS_DAYS", 1),
    "printed_forms": env_int("REGISTRY_RETAIN_PRINTED_FORMS_DAYS", 365),
}
# Staff accounts not used for this many days are disabled by `manage.py disable_unused_staff`
# (cron, daily), and the city's administrators told.
REGISTRY_STAFF_UNUSED_DAYS = env_int("REGISTRY_STAFF_UNUSED_DAYS", 90)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
X_FRAME_OPTIONS = "DENY"

from django.utils.csp import CSP  # noqa: E402

# Every asset is served from this site, nothing from a CDN. Scripts and style sheets also carry
# the response's nonce ({{ csp_nonce }} in the templates), so that an injected <script> or
# <style> is refused even if it points at this site.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:", "blob:"],  # blob: the photo framing preview
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Email: SMTP configured from the environment (production); dev and test override the backend.
_email_backend = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
MAILERS = {
    "default": {
        "BACKEND": _email_backend,
        "OPTIONS": {
            "host": env_str("EMAIL_HOST", "localhost"),
            "port": env_int("EMAIL_PORT", 25),
            "username": env_str("EMAIL_HOST_USER", ""),
            "password": env_str("EMAIL_HOST_PASSWORD", ""),
            "use_tls": env_bool("EMAIL_USE_TLS", False),
            "use_ssl": env_bool("EMAIL_USE_SSL", False),
        }
        if _email_backend.endswith("smtp.EmailBackend")
        else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "registry@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler would print every record of "django" a second time
        # (they also reach the root handler).
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # A 4xx is the client's mistake, not the server's: the access log (runserver's
        # django.server, gunicorn's) has it already. 5xx stay errors.
        "django.request": {"level": "ERROR"},
    },
}

"""Django settings for the PRM portal.

Everything that differs between machines comes from the environment (see `.env.example`).
The defaults give a working development set-up: SQLite, Celery in eager mode, console email.
Production sets DEBUG=0, SECRET_KEY, DATABASE_URL, REDIS_URL and PRM_BASE_DOMAIN; then
`python manage.py check --deploy` is clean.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from prm.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# The fallback key only exists so a development checkout starts; `check --deploy` flags it
# (security.W009) and production must set SECRET_KEY.
SECRET_KEY = env_str("SECRET_KEY") or "django-insecure-development-only-key-do-not-use-in-production"

# Tenants live on sub-domains of the base domain: acme.<PRM_BASE_DOMAIN>.
PRM_BASE_DOMAIN = env_str("PRM_BASE_DOMAIN", "localhost").lower()
PRM_SCHEME = env_str("PRM_SCHEME", "http" if DEBUG else "https")
# Custom tenant domains are dynamic, so host validation happens in TenantMiddleware, which
# answers 404 to any host that is neither the base domain, a tenant sub-domain nor a known
# custom domain. ALLOWED_HOSTS only lists what Django must accept before that middleware.
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["*"])
# No trusted cross-origin POSTs by default, in development too: every form posts to its own host,
# which Django's CSRF check accepts without this list. A wildcard (*.base-domain) would let one
# tenant's page post to another tenant's host. Operators behind an unusual proxy list exact origins.
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "prm.admin_config.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_countries",  # its German country names (the catalogue of an installed app)
    "django_htmx",
    "template_partials",
    "guardian",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Core
    "prm.tenancy",
    "prm.accounts",
    "prm.events",
    "prm.notifications",
    "prm.audit",
    # Features
    "partners",
    "content",
    "deals",
    # leads before incentives: the demo seeds apps in this order, and a deal won from a demo lead must
    # exist when the incentives demo evaluates its SPIF programs (or a second seed would accrue more).
    "leads",
    "incentives",
    "analytics",
]

# Under pytest, django-zeal watches every request for N+1 queries (see conftest.py).
TESTING = "pytest" in sys.modules
if TESTING:
    INSTALLED_APPS.append("zeal")

MIDDLEWARE = [
    "prm.tenancy.middleware.TenantMiddleware",
    "prm.tenancy.middleware.PrivateResponseMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "prm.tenancy.locale.TenantLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "prm.tenancy.middleware.SessionHostMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "prm.tenancy.middleware.MembershipMiddleware",
]

ROOT_URLCONF = "prm.urls"
WSGI_APPLICATION = "prm.wsgi.application"
ASGI_APPLICATION = "prm.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.static",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "prm.tenancy.context_processors.portal",
            ],
        },
    }
]

# Django's renderer, with <select> built without the template engine (prm/forms_renderer.py).
FORM_RENDERER = "prm.forms_renderer.FormRenderer"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite: wait for the writer lock instead of failing at once (demo server + eager tasks).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
    if env_str("CELERY_BROKER_URL", "").startswith("filesystem://"):
        # The demo (`make run`): its web server and worker write the one file at once: readers never
        # wait for the writer (WAL), and a write transaction takes the lock when it starts, not
        # half-way (no upgrade deadlock).
        DATABASES["default"]["OPTIONS"].update({"init_command": "PRAGMA journal_mode=WAL;",
                                                "transaction_mode": "IMMEDIATE"})
elif "postgresql" in DATABASES["default"]["ENGINE"]:
    # No JIT compilation: page queries on large tenants (counts over a million deals, the conflict
    # probe) pass its cost threshold and spent 20-100 ms compiling to save a few. Sent as a startup
    # option; behind a pooler that rejects startup options, set DB_PG_OPTIONS="" and jit=off on the server.
    pg_options = env_str("DB_PG_OPTIONS", "-c jit=off")
    if pg_options:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = pg_options
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "prm.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "prm",
        }
    }
elif env_str("CELERY_BROKER_URL", "").startswith("filesystem://"):
    # The demo's web server and worker are separate processes: progress, rate limits and the portal
    # hop must see one cache, so it is files too.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                          "LOCATION": str(BASE_DIR / "var" / "cache")}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
PRM_PARTNER_MODEL = "partners.Partner"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal_home"
LOGOUT_REDIRECT_URL = "portal_home"

# django-allauth: email is the identifier; nobody signs up without an invitation.
ACCOUNT_ADAPTER = "prm.accounts.adapters.AccountAdapter"
ACCOUNT_FORMS = {"login": "prm.accounts.forms.PortalLoginForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[PRM] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = PRM_SCHEME
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, tightened for failed logins and password resets.
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "confirm_email": "1/3m/key",
    # Our own public endpoints use the same machinery (allauth.core.ratelimit.consume).
    "accept_invitation": "10/m/ip",
    "portal_hop": "30/m/ip",
    "partner_application": "5/h/ip",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PRM Portal"

GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row

LANGUAGE_CODE = "en"
# Only languages the whole interface is translated into are offered (prm/tests/test_languages.py).
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
# Private uploads (assets, MDF proof, logos): never served from a public URL; views stream them.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Nothing routes this prefix: private files are streamed by views that check access.
MEDIA_URL = "/private-media-is-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Set to the internal location prefix (e.g. "/protected/") to hand file delivery to nginx.
PRM_X_ACCEL_REDIRECT_PREFIX = env_str("PRM_X_ACCEL_REDIRECT_PREFIX")
PRM_MAX_UPLOAD_MB = env_int("PRM_MAX_UPLOAD_MB", 25)
# Rows an import writes per transaction (and per progress-bar step).
PRM_IMPORT_BATCH_SIZE = env_int("PRM_IMPORT_BATCH_SIZE", 1000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Email
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "PRM Portal <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))  # filebased backend only

# Security. Production (DEBUG=0) gets secure cookies, HSTS and HTTPS redirects.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Only behind a proxy that sets X-Forwarded-For itself (docker-compose/nginx).
PRM_TRUST_X_FORWARDED_FOR = env_bool("PRM_TRUST_X_FORWARDED_FOR", False)
# HTTPS follows PRM_SCHEME (https unless DEBUG): the local demo runs with DEBUG off, like
# production, but over plain http on localhost (PRM_SCHEME=http).
_HTTPS = PRM_SCHEME == "https"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Celery: Redis broker when REDIS_URL is set. The demo (`make run`) uses kombu's filesystem
# transport (CELERY_BROKER_URL=filesystem://): a real worker and beat with no service to install,
# messages are files under var/celery. Without either, tasks run eagerly (`make dev`, unit tests).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL == "memory://")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a killed worker's task is redelivered, so tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_folder = Path(env_str("PRM_CELERY_FOLDER", str(BASE_DIR / "var" / "celery")))
    for _sub in ("queue", "processed", "control"):
        (_celery_folder / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_celery_folder / "queue"), "data_folder_out": str(_celery_folder / "queue"),
        "processed_folder": str(_celery_folder / "processed"), "store_processed": False,
        "control_folder": str(_celery_folder / "control"),
    }
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False  # no broadcast on files: inspect/control are not needed
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Apps add their periodic jobs here (see each app's tasks.py for the task itself).
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-outbox-sweep": {
        "task": "prm.notifications.tasks.outbox_sweep",
        "schedule": float(env_int("PRM_OUTBOX_SWEEP_SECONDS", 60)),
    },
    "partners-tier-downgrades": {
        "task": "partners.tasks.tier_downgrades_sweep",
        "schedule": 3600.0,
    },
    "deals-protection-nightly": {
        "task": "deals.tasks.protection_nightly",
        # Nightly at 02:15 (celery.schedules.crontab, imported inline to keep this edit additive).
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=2, minute=15),
    },
    "deals-sla-sweep": {
        "task": "deals.tasks.sla_sweep",
        "schedule": 900.0,
    },
    "leads-accept-sweep": {
        # Lead offers past their accept window move on; reminders go out 4 h before it closes.
        "task": "leads.tasks.sweep",
        "schedule": 300.0,
    },
    "content-certifications-daily": {
        "task": "content.tasks.certifications_daily",
        # Daily at 06:30 UTC: expiry reminders arrive in the morning (expired ones are marked too).
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=6, minute=30),
    },
    "incentives-spif-reevaluate": {
        "task": "incentives.tasks.spif_reevaluate",
        # Nightly at 03:10 UTC, after the deals job: catch-up accruals and reversals (a re-run is a no-op).
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=3, minute=10),
    },
    "incentives-mdf-deadlines": {
        "task": "incentives.tasks.mdf_deadlines",
        # Daily at 07:00 UTC: claim reminders a week ahead, expiry of missed deadlines.
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=7, minute=0),
    },
    "analytics-health-nightly": {
        "task": "analytics.tasks.health_nightly",
        # Nightly at 01:30 UTC: one task per tenant scores yesterday (run exactly one beat process).
        "schedule": __import__("celery.schedules", fromlist=["crontab"]).crontab(hour=1, minute=30),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Program defaults a tenant can override in its settings (deals.models.DealSettings, …).
PRM_DEFAULT_PROTECTION_DAYS = 90
PRM_INVITATION_DAYS = 14
# Tests set this so a failing event handler fails the test instead of only being logged.
PRM_EVENT_HANDLERS_RAISE = env_bool("PRM_EVENT_HANDLERS_RAISE", False)

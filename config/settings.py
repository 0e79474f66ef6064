"""Linli settings. Everything that differs between machines comes from the environment.

Defaults are the embedded ones `make run` needs on a fresh machine: a SQLite file under
`var/` and a file-system Celery broker, so no server has to be running.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("LINLI_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# The development key is only ever used with DEBUG on; production settings refuse to start without one.
SECRET_KEY = os.environ.get("SECRET_KEY", "linli-development-only-key-not-for-production-use-0123456789")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Apps in dependency order (STYLE.md): core <- communities <- domain apps <- ratings.
LINLI_APPS = [
    "core",
    "communities",
    "complaints",
    "committees",
    "inspections",
    "mediation",
    "ratings",
    "summons",
    "bulletins",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "rest_framework",
    "rest_framework_simplejwt",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "csp",
    *LINLI_APPS,
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Drops the user's cached to-do count after each of their writes (core.desk).
    "core.desk.DeskCountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it sees the login failures of the views and turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "communities.context_processors.portal",
                "core.context_processors.topbar",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
_default_db = f"sqlite:///{VAR_DIR / 'linli.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _default_db),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The to-do count's covering index (INCLUDE) is a PostgreSQL feature; SQLite builds it without the extra columns.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    # WAL lets the web process and the Celery worker read while the other writes; IMMEDIATE
    # transactions take the write lock up front instead of failing half-way with "database is locked".
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool("DB_PREPARED_STATEMENTS", True):
    # Lets core.sql.fetch_all prepare the hot reads (filing a complaint, the JWT user) once per
    # connection; Django's own cursors never prepare. Off (0) behind a transaction-mode pooler.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Cache (Redis when REDIS_URL is set) ----------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # django-redis with IGNORE_EXCEPTIONS: while Redis is down the cache misses instead of raising, so
    # throttles fail open and requests keep working (SPEC §8: filing works while Redis is down).
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
# The default broker is a folder on disk shared by web, worker and beat: no server needed.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    (_broker_dir / "out").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Task modules outside `<app>/tasks.py` (autodiscovery finds only those).
CELERY_IMPORTS = ["complaints.hotline.tasks"]

# --- Mail -----------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "linli@localhost")

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "communities.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Throttles key anonymous clients by REMOTE_ADDR unless PROXY_COUNT trusted proxies sit in front.
    "NUM_PROXIES": int(os.environ.get("PROXY_COUNT", "0")),
    "DEFAULT_THROTTLE_CLASSES": ["core.throttling.AnonRateThrottle", "core.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("THROTTLE_ANON", "60/min"),
        "user": os.environ.get("THROTTLE_USER", "600/min"),
        "complaint_create": "30/min",
    },
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(hours=2),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=14),
    "AUTH_HEADER_TYPES": ("Bearer",),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Linli API",
    "DESCRIPTION": "Residential property-management governance portal (邻里).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
}
# Several models have a `status`; name their enums so the schema stays stable.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "InspectionStatusEnum": "inspections.models.Inspection.Status",
        "RectificationListStatusEnum": "inspections.models.RectificationList.Status",
        "FindingSeverityEnum": "inspections.models.Finding.Severity",
    }
)
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "CommitteeStatusEnum": "committees.models.Committee.Status",
        "CommitteeMemberRoleEnum": "committees.models.CommitteeMember.Role",
        "VoteStatusEnum": "committees.models.Vote.Status",
        "VoteMatterEnum": "committees.models.Matter",
        "BallotStatusEnum": "committees.models.Ballot.Status",
        "BallotChannelEnum": "committees.models.Ballot.Channel",
        "BallotChoiceEnum": "committees.models.Choice",
        "CandidateSourceEnum": "committees.models.Candidate.Source",
        "CandidateVettingEnum": "committees.models.Candidate.Vetting",
    }
)
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "ComplaintStatusEnum": "complaints.models.Complaint.Status",
        "ComplaintChannelEnum": "complaints.models.Complaint.Channel",
    }
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each layout step of a bulletin PDF at INFO.
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}

# --- Security (core/README: production deployment) --------------------------------------------
# Login lockout (django-axes): 5 failures for one username from one address lock that pair out for
# 15 minutes, on the portal login and on the JWT token endpoint alike. Attempts are kept in the
# database, so the lockout holds across web processes and does not depend on Redis being up.
AUTHENTICATION_BACKENDS = ["core.auth.LockoutBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "core/locked_out.html"
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"

# Content security policy (django-csp 4): only our own origin, no inline script or style. Our
# templates carry no inline code; the few third-party pages that need more say so per view.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Enum component names for choice sets of the mediation app whose field names (kind, status) recur elsewhere.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "VenueKindEnum": "mediation.models.Venue.Kind",
        "MeetingKindEnum": "mediation.models.Meeting.Kind",
        "MeetingStatusEnum": "mediation.models.Meeting.Status",
        "TopicStatusEnum": "mediation.models.Topic.Status",
        "ActionItemStatusEnum": "mediation.models.ActionItem.Status",
        "LiaisonKindEnum": "mediation.models.LegalLiaison.Kind",
        "CaseMediatorKindEnum": "mediation.models.CaseMediator.Kind",
        "DisputeStatusEnum": "mediation.models.DisputeCase.Status",
        "HazardStatusEnum": "mediation.models.Hazard.Status",
        "HazardSeverityEnum": "mediation.models.Hazard.Severity",
        "DisputeSourceEnum": "mediation.models.DisputeCase.Source",
        "DisputeOutcomeEnum": "mediation.models.DisputeCase.Outcome",
        "HotlineRowOutcomeEnum": "complaints.models.HotlineImportRow.Outcome",
    }
)

# The roster import report's `outcome` (communities) meets other apps' outcomes in the schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update({"RosterRowOutcomeEnum": "communities.services.RowOutcome"})
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "core.api.schema_times_without_offset",  # times of day are local, without offset
]

# --- Exports (core.exports) ------------------------------------------------------------------
# Finished export files: a private folder, not under MEDIA_ROOT (only the requester downloads them,
# through the portal). With several web/worker nodes this must be a shared volume.
LINLI_EXPORT_ROOT = Path(os.environ.get("LINLI_EXPORT_ROOT", VAR_DIR / "exports"))
LINLI_EXPORT_SYNC_MAX_ROWS = int(os.environ.get("LINLI_EXPORT_SYNC_MAX_ROWS", "5000"))
LINLI_EXPORT_KEEP_HOURS = int(os.environ.get("LINLI_EXPORT_KEEP_HOURS", "24"))

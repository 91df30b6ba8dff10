"""Meridian settings. Every value can be set from the environment; see the README's settings table."""

import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from meridian.core.observability.logs import logging_config
from meridian.env import env_bool, env_int, env_list, env_str, persistent_secret, private_dir, private_file

BASE_DIR = Path(__file__).resolve().parent.parent
PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("MERIDIAN_DATA_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = persistent_secret("SECRET_KEY", DATA_DIR)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "knox",  # hashed API tokens; the model is accounts.ApiToken (KNOX_TOKEN_MODEL)
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    "django_htmx",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "django_cas_ng",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "meridian.core",
    "meridian.accounts",
    "meridian.twofactor",
    "meridian.reference",
    "meridian.people",
    "meridian.sso",
    "meridian.partners",
    "meridian.jobs",
    "meridian.documents",
    "meridian.clocks",
    "meridian.workflow",
    "meridian.agreements",
    "meridian.travel",
    "meridian.visitors",
    "meridian.mobility",
    "meridian.imports",
    "meridian.dashboard",
    "meridian.demo",
    "meridian.portal",
    "meridian.directory",
    "meridian.search",
    "meridian.reports",
]

MIDDLEWARE = [
    # Outermost: the request id, the access log line and the request metrics cover everything below.
    "meridian.core.observability.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "meridian.twofactor.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # A document store that cannot be used answers 503 with a message (not a bare 500).
    "meridian.core.storage_errors.StorageErrorMiddleware",
]

ROOT_URLCONF = "meridian.urls"
WSGI_APPLICATION = "meridian.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "meridian.core.context_processors.meridian",
            ],
        },
    },
]

# Database: SQLite file under the data folder unless DATABASE_URL names another engine.
DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'meridian.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Each worker thread keeps its SQLite connection (opening one costs the WAL pragmas every request); a
    # connection is checked before reuse. Stop the server before replacing the database file (a restore).
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("SQLITE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # A new database file is created readable by the service user only (SQLite gives its -wal and -shm
    # files the database file's permissions); an unwritable folder is reported when the database is opened.
    if DATABASES["default"]["NAME"] and DATABASES["default"]["NAME"] != ":memory:":
        with contextlib.suppress(OSError):
            private_file(Path(DATABASES["default"]["NAME"]))
    # Every transaction takes the write lock when it begins (IMMEDIATE), so a writer waits for the lock
    # instead of failing half-way; a writer waits up to SQLITE_BUSY_TIMEOUT seconds for another's commit.
    # Long work runs outside write transactions (an import plans first, then writes in one short one).
    _BUSY_TIMEOUT = env_int("SQLITE_BUSY_TIMEOUT", 60)
    DATABASES["default"]["OPTIONS"] = {
        "timeout": _BUSY_TIMEOUT,
        "transaction_mode": "IMMEDIATE",
        "init_command": (
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={_BUSY_TIMEOUT * 1000};"
        ),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache is shared by every worker process of a server (files under the data folder), or by every server
# when REDIS_URL names a Redis instance; cached pages and figures are keyed by data versions, never stale.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(DATA_DIR / "cache"),
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
}
if env_str("REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("REDIS_URL"),
    }

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Campus single sign-on; each answers only while its provider is configured.
    "meridian.sso.backends.CasBackend",
    "meridian.sso.backends.OidcBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workflow:landing"  # dispatches by role: dashboard or inbox
LOGOUT_REDIRECT_URL = "accounts:login"

# Throttling of failed logins (django-axes): lock a username+address after repeated failures.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Its log lines name a client by a keyed digest, not by username and address (no personal data in logs).
AXES_CLIENT_STR_CALLABLE = "meridian.core.observability.redact.axes_client_str"

# Campus single sign-on (meridian.sso, see README "Single sign-on"): CAS when CAS_SERVER_URL is set, OpenID
# Connect when OIDC_RP_CLIENT_ID is set; both off by default. Names match django-cas-ng / mozilla-django-oidc.
CAS_SERVER_URL = env_str("CAS_SERVER_URL")
CAS_VERSION = env_str("CAS_VERSION", "3")
CAS_NAME = env_str("CAS_NAME", "Unified Identity Authentication")
CAS_NAME_ZH = env_str("CAS_NAME_ZH", "统一身份认证")
CAS_LOGOUT_COMPLETELY = env_bool("CAS_LOGOUT_COMPLETELY", True)
CAS_CREATE_USER = False  # meridian.sso's backend creates and links users itself
CAS_STORE_NEXT = True
CAS_REDIRECT_URL = LOGIN_REDIRECT_URL
CAS_IGNORE_REFERER = True  # after sign-in go to ?next= (checked to be local) or the landing page
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_RP_CLIENT_SECRET")
OIDC_OP_ISSUER = env_str("OIDC_OP_ISSUER").rstrip("/")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str("OIDC_OP_AUTHORIZATION_ENDPOINT")
OIDC_OP_TOKEN_ENDPOINT = env_str("OIDC_OP_TOKEN_ENDPOINT")
OIDC_OP_USER_ENDPOINT = env_str("OIDC_OP_USER_ENDPOINT")
OIDC_OP_JWKS_ENDPOINT = env_str("OIDC_OP_JWKS_ENDPOINT")
OIDC_OP_LOGOUT_ENDPOINT = env_str("OIDC_OP_LOGOUT_ENDPOINT")
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES", "openid profile email")
OIDC_NAME = env_str("OIDC_NAME", "Campus account")
OIDC_NAME_ZH = env_str("OIDC_NAME_ZH", "校园统一账号")
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)  # seconds per request to the provider
OIDC_AUTHENTICATION_CALLBACK_URL = "sso:oidc_callback"
# Attribute (CAS) and claim (OIDC) names mapped onto the account and the person record; empty = not used.
SSO_ATTRIBUTES = {
    provider: {
        field: env_str(f"{prefix}_{field.upper()}", default)
        for field, default in {
            "username": "" if provider == "cas" else "preferred_username",
            "name": "cn" if provider == "cas" else "name",
            "family_name": "" if provider == "cas" else "family_name",
            "given_name": "" if provider == "cas" else "given_name",
            "email": "mail" if provider == "cas" else "email",
            "unit": "unitCode" if provider == "cas" else "unit_code",
            "staff_number": "",
            "student_number": "",
            "affiliation": "eduPersonAffiliation" if provider == "cas" else "affiliation",
        }.items()
    }
    for provider, prefix in (("cas", "CAS_ATTR"), ("oidc", "OIDC_CLAIM"))
}
SSO_STUDENT_AFFILIATIONS = env_list(
    "SSO_STUDENT_AFFILIATIONS", "student,undergraduate,postgraduate,学生,本科生,研究生"
)
SSO_STAFF_AFFILIATIONS = env_list("SSO_STAFF_AFFILIATIONS", "staff,faculty,employee,教职工,教师")
SSO_DEFAULT_KIND = env_str("SSO_DEFAULT_KIND")  # "staff", "student" or "" (undecided: no role)
SSO_STAFF_ROLE = env_str("SSO_STAFF_ROLE", "staff")
SSO_STUDENT_ROLE = env_str("SSO_STUDENT_ROLE", "student")

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES: dict[str, dict[str, Any]] = {
    # Media (portal images, served by the app) and private documents (served only by permission-checked
    # views): folders by default, S3-compatible object storage with MERIDIAN_STORAGE=s3 (below).
    "default": {"BACKEND": "meridian.core.storage.MediaFileSystemStorage"},
    "private": {"BACKEND": "meridian.core.storage.PrivateFileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
# Agreement documents never live under MEDIA_ROOT: they are served only through permission-checked views.
PRIVATE_STORAGE_ROOT = Path(env_str("PRIVATE_STORAGE_ROOT", str(DATA_DIR / "private")))
# Private documents are readable by the service user only: the folder is created 0700, and files and folders
# saved through Django's file storage are 0600 and 0700. Public media keep the usual 0644/0755 (so that a
# web server running as another user may still serve them). An unwritable folder is reported where used.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
STORAGES["default"]["OPTIONS"] = {"file_permissions_mode": 0o644, "directory_permissions_mode": 0o755}
# Several servers: documents and media in an S3-compatible bucket (AWS S3, MinIO, Ceph) instead of folders.
# Objects get no ACL (the bucket must not be public); the app streams them to the readers it has checked.
MERIDIAN_STORAGE = env_str("MERIDIAN_STORAGE", "local").strip().lower()
if MERIDIAN_STORAGE not in {"local", "s3"}:
    raise ImproperlyConfigured(f"MERIDIAN_STORAGE must be 'local' or 's3', got {MERIDIAN_STORAGE!r}")
S3_BUCKET = env_str("S3_BUCKET")
if MERIDIAN_STORAGE == "s3":
    if not S3_BUCKET:
        raise ImproperlyConfigured("MERIDIAN_STORAGE=s3 needs S3_BUCKET (the bucket for media and documents)")
    _S3_OPTIONS = {
        "endpoint_url": env_str("S3_ENDPOINT_URL") or None,  # empty: AWS
        "region_name": env_str("S3_REGION") or None,
        "access_key": env_str("S3_ACCESS_KEY_ID") or None,  # empty: boto3's own chain (env, instance role)
        "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
        "addressing_style": env_str("S3_ADDRESSING_STYLE") or None,  # "path" for most MinIO set-ups
        "verify": env_str("S3_CA_BUNDLE") or None,  # a CA file for a campus certificate; empty: system CAs
        "querystring_expire": env_int("S3_SIGNED_URL_SECONDS", 60),
    }
    STORAGES["default"] = {
        "BACKEND": "meridian.core.storage_s3.MediaS3Storage",
        "OPTIONS": {**_S3_OPTIONS, "bucket_name": S3_BUCKET, "location": env_str("S3_MEDIA_PREFIX", "media")},
    }
    STORAGES["private"] = {
        "BACKEND": "meridian.core.storage_s3.PrivateS3Storage",
        "OPTIONS": {
            **_S3_OPTIONS,
            "bucket_name": env_str("S3_PRIVATE_BUCKET", S3_BUCKET),
            "location": env_str("S3_PRIVATE_PREFIX", "private"),
        },
    }
with contextlib.suppress(OSError):
    private_dir(PRIVATE_STORAGE_ROOT)
MAX_UPLOAD_MB = env_int("MAX_UPLOAD_MB", 20)
# Uploaded XLSX/DOCX (ZIP) files: limits checked before any part is unpacked (meridian.core.archives).
UPLOAD_ZIP_MAX_MEMBER_MB = env_int("UPLOAD_ZIP_MAX_MEMBER_MB", 256)
UPLOAD_ZIP_MAX_TOTAL_MB = env_int("UPLOAD_ZIP_MAX_TOTAL_MB", 512)
UPLOAD_ZIP_MAX_RATIO = env_int("UPLOAD_ZIP_MAX_RATIO", 100)
UPLOAD_ZIP_MAX_MEMBERS = env_int("UPLOAD_ZIP_MAX_MEMBERS", 10_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Meridian <international@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Front-end packages installed from the npm registry by `make install` (package-lock.json pins them).
NODE_MODULES_DIR = Path(env_str("NODE_MODULES_DIR", str(BASE_DIR / "node_modules")))
# Natural Earth country shapes (TopoJSON) from the pinned world-atlas package, for the offline world map.
WORLD_ATLAS_FILE = NODE_MODULES_DIR / "world-atlas" / "countries-50m.json"

# Licence of the open data feeds of the public partner directory.
OPEN_DATA_LICENCE = env_str("OPEN_DATA_LICENCE", "CC BY 4.0")
OPEN_DATA_LICENCE_URL = env_str("OPEN_DATA_LICENCE_URL", "https://creativecommons.org/licenses/by/4.0/")

# Domain settings.
EXPIRING_SOON_DAYS = env_int("EXPIRING_SOON_DAYS", 180)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 200_000)
IMPORT_KEEP_DAYS = env_int("IMPORT_KEEP_DAYS", 14)  # days a checked or refused upload is kept
# Rows without identifiers per file looked up in the institution registry (about 40 ms each).
IMPORT_REGISTRY_MATCH_ROWS = env_int("IMPORT_REGISTRY_MATCH_ROWS", 2000)
REMINDER_DAYS = [int(d) for d in env_list("REMINDER_DAYS", "180,90,30")]
UNIVERSITY_NAME = env_str("UNIVERSITY_NAME", "Meridian University")
# Shown on Chinese pages; the default is the demo university's Chinese name.
UNIVERSITY_NAME_ZH = env_str("UNIVERSITY_NAME_ZH", "子午线大学")
# Public address of the app, used for links in e-mails sent outside a request (reminders).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Two-factor sign-in (meridian.twofactor, django-otp): roles that must use a second factor; empty = optional.
TWO_FACTOR_REQUIRED_ROLES = env_list("TWO_FACTOR_REQUIRED_ROLES", "")
OTP_TOTP_ISSUER = env_str("TWO_FACTOR_ISSUER", "Meridian")
# Passkeys (django-otp-webauthn) are bound to a domain (the relying party), taken from SITE_URL by default.
# Browsers refuse IP addresses there, so a local 127.0.0.1 address becomes "localhost".
_site = urlsplit(SITE_URL)
_site_host = "localhost" if _site.hostname in {None, "127.0.0.1", "::1"} else _site.hostname
_site_origin = f"{_site.scheme}://{_site_host}" + (f":{_site.port}" if _site.port else "")
OTP_WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID", _site_host)
OTP_WEBAUTHN_RP_NAME = env_str("WEBAUTHN_RP_NAME", "Meridian")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list("WEBAUTHN_ALLOWED_ORIGINS", _site_origin)
# A passkey is a second factor after the password, never a way round it (and round django-axes).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# API tokens (django-rest-knox, model accounts.ApiToken): stored as SHA-512 digests, sent as "Token <secret>".
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)  # longest lifetime a new token may be given
KNOX_TOKEN_MODEL = "accounts.ApiToken"
REST_KNOX = {"TOKEN_MODEL": KNOX_TOKEN_MODEL, "AUTH_HEADER_PREFIX": "Token"}
# knox's own migrations create its default model, which KNOX_TOKEN_MODEL replaces: they are not run.
MIGRATION_MODULES = {"knox": None}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "meridian.accounts.tokens.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "meridian.core.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "meridian.core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Meridian API",
    "DESCRIPTION": "Partners, agreements, reference data and the institution registry.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The mixins' docstrings say how to use them; they do not describe the endpoints.
    "GET_LIB_DOC_EXCLUDES": "meridian.api_docs.doc_excludes",
    # Every operation lists the errors it may answer, in the shared error shape (meridian.core.api).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "meridian.core.api.document_errors",
    ],
    "ENUM_NAME_OVERRIDES": {
        "PartnerTypeEnum": "meridian.partners.choices.PartnerType",
        "AgreementTypeEnum": "meridian.agreements.choices.AgreementType",
        "AgreementStateEnum": "meridian.agreements.choices.AgreementState",
        "RelationshipStatusEnum": "meridian.partners.choices.RelationshipStatus",
        "ChannelEnum": "meridian.agreements.choices.Channel",
        "DocumentKindEnum": "meridian.agreements.choices.DocumentKind",
        "TripBudgetKindEnum": "meridian.travel.choices.BudgetKind",
        "TripDelegationKindEnum": "meridian.travel.choices.DelegationKind",
        "TripPlanKindEnum": "meridian.travel.choices.PlanKind",
        "TripPlanStateEnum": "meridian.travel.choices.PlanState",
        "CustodyStateEnum": "meridian.travel.choices.CustodyState",
        "CustodyActionEnum": "meridian.travel.choices.CustodyAction",
        "VisitCategoryEnum": "meridian.visitors.choices.VisitCategory",
        "VisitProgrammeKindEnum": "meridian.visitors.choices.ProgrammeKind",
        "VisitBudgetKindEnum": "meridian.visitors.choices.BudgetKind",
        "ExpertKindEnum": "meridian.visitors.choices.ExpertKind",
        "ExpertStateEnum": "meridian.visitors.choices.ExpertState",
        "LectureStateEnum": "meridian.visitors.choices.LectureState",
        "RegistrationStateEnum": "meridian.visitors.choices.RegistrationState",
    },
}

SIMPLE_HISTORY_REVERT_DISABLED = True

# HTTPS: every switch comes from the environment; the README lists the production values, with which
# `meridian check --deploy` reports nothing.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# The load balancer's health probe may speak plain HTTP to the app.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None

# Content-Security-Policy (django-csp) on every response: scripts only from the app's own static files (no
# inline scripts, no eval; core/_htmx.html configures htmx not to need them), inline style attributes allowed.
# frame-ancestors 'none' matches X_FRAME_OPTIONS = "DENY"; the embeddable directory widget allows any framer,
# and the API documentation pages add what their viewers need (per-view decorators).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Logs go to standard error, every record stamped with its request id / task id (meridian.core.observability):
# LOG_FORMAT "text" (default, for a terminal) or "json" (one JSON object per line, for production).
try:
    LOGGING = logging_config(
        log_format=env_str("LOG_FORMAT", "text").lower(), level=env_str("LOG_LEVEL", "INFO")
    )
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
# Prometheus metrics at /metrics for `Authorization: Bearer <METRICS_TOKEN>`; off (404) while empty.
METRICS_TOKEN = env_str("METRICS_TOKEN")

if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must not be empty when DEBUG is off.")
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY is too short for production; give at least 32 characters.")

# Jobs: background jobs, the task backend and the scheduler (see README, "Background jobs").
# TASKS_BACKEND picks the task backend class (the database backend by default; for example
# "django_tasks_rq.RQBackend" once django-tasks-rq is installed and its queues are configured).
TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}
IMPORT_JOB_THRESHOLD = env_int("IMPORT_JOB_THRESHOLD", 1000)  # rows; larger imports run as jobs
EXPORT_JOB_THRESHOLD = env_int("EXPORT_JOB_THRESHOLD", 5000)  # rows; larger list exports run as jobs
JOB_RESULT_DAYS = env_int("JOB_RESULT_DAYS", 30)  # finished jobs and their files are kept this long
JOB_TIMEOUT_HOURS = env_int("JOB_TIMEOUT_HOURS", 6)  # a job running longer is taken as dead and failed

# People: protected personal data (identity documents). PERSONAL_DATA_KEYS lists encryption secrets, newest
# first (comma-separated, or in PERSONAL_DATA_KEYS_FILE); without it one is generated and kept in the data
# folder, which must then be backed up with the database: data encrypted under a lost key cannot be read.
try:
    PERSONAL_DATA_KEYS = env_list("PERSONAL_DATA_KEYS") or [persistent_secret("PERSONAL_DATA_KEY", DATA_DIR)]
except OSError as exc:
    raise ImproperlyConfigured(
        f"PERSONAL_DATA_KEYS is not set and no key can be kept in {DATA_DIR}: {exc}"
    ) from exc
if not DEBUG and any(len(key) < 32 for key in PERSONAL_DATA_KEYS):
    raise ImproperlyConfigured("Every key in PERSONAL_DATA_KEYS needs at least 32 characters in production.")
PERSONAL_SCAN_MAX_MB = env_int("PERSONAL_SCAN_MAX_MB", 10)  # largest scan of an identity document
# A guest's self-service link expires after this many days.
SELF_SERVICE_LINK_DAYS = env_int("SELF_SERVICE_LINK_DAYS", 14)
# Visitors: how long a guest's self-service link stays valid (days), and the hours within which a foreign
# guest's accommodation must be registered with the police (24 in cities; 72 in rural areas).
VISITORS_GUEST_LINK_DAYS = env_int("VISITORS_GUEST_LINK_DAYS", 30)
VISITORS_REGISTRATION_HOURS = env_int("VISITORS_REGISTRATION_HOURS", 24)
# Student exchange: days a student has to accept or decline an offered place; working days of the internal
# publicity (公示) of allocation results; days an incoming student's invitation link stays valid; the
# exchange-balance alert (a partner or agreement whose outgoing and incoming persons in one academic year
# differ by at least MOBILITY_BALANCE_GAP persons and by a ratio of at least MOBILITY_BALANCE_RATIO).
MOBILITY_OFFER_DAYS = env_int("MOBILITY_OFFER_DAYS", 7)
MOBILITY_PUBLICITY_WORKING_DAYS = env_int("MOBILITY_PUBLICITY_WORKING_DAYS", 5)
MOBILITY_INVITATION_DAYS = env_int("MOBILITY_INVITATION_DAYS", 30)
MOBILITY_BALANCE_GAP = env_int("MOBILITY_BALANCE_GAP", 3)
MOBILITY_BALANCE_RATIO = float(env_str("MOBILITY_BALANCE_RATIO", "2.0"))
# Our university's SCHAC code in Erasmus Without Paper (e.g. "gdut.edu.cn"); empty until the site joins EWP.
EWP_HEI_ID = env_str("EWP_HEI_ID", "")
DOCUMENT_EXPIRY_NOTICE_DAYS = env_int("DOCUMENT_EXPIRY_NOTICE_DAYS", 180)  # expiry clocks open this early

# Clocks: years whose public holidays and adjusted working days the site enters itself in the site calendar
# (when the installed chinesecalendar does not know them yet); silences the calendar-range check for them.
CLOCKS_SITE_CALENDAR_YEARS = [int(y) for y in env_list("CLOCKS_SITE_CALENDAR_YEARS", "")]

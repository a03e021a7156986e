"""Settings shared by every environment, read from environment variables (12-factor).

Every value that differs between machines comes from one reader, ``env``, which fails loudly on a
malformed value. Nothing here is hidden only in production: ``production.py`` tightens, never adds.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "ess_portal.apps.ConfigurationAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "core",
    "accounts",
    "maintenance",
    "reviews",
    "cases",
    "intake",
    "knox",
    "phonenumber_field",
    "integrations",
    "audit",
    "value_reports",
    "ess_portal",
]

MIDDLEWARE = [
    "ess_portal.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "ess_portal.security.ContentSecurityPolicyMiddleware",
    "ess_portal.security.NoStoreMiddleware",
    "ess_portal.security.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ess_portal.request_limits.RequestSizeLimitMiddleware",
    "audit.actors.AuditActorMiddleware",
    "core.authentication.RecentAuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.UserTimezoneMiddleware",
    "accounts.middleware.StaffMfaRequiredMiddleware",
]

ROOT_URLCONF = "ess_portal.urls"
WSGI_APPLICATION = "ess_portal.wsgi.application"
ASGI_APPLICATION = "ess_portal.asgi.application"

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
                "ess_portal.navigation.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------
# Default: a SQLite file in the project. Set DATABASE_URL for PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the embedded worker share the file: wait for locks instead of failing,
    # and take the write lock at BEGIN so two writers never deadlock on an upgrade.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache, or embedded mode without it -------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
VAR_DIR = Path(env.str("ESS_VAR_DIR", default=str(BASE_DIR / "var")))

if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "ess_portal.cache.TolerantRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="ess"),
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # Redis hands a task whose worker died unacknowledged to another worker after this many seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
else:
    # Embedded mode: no server at all. Cache in the database, broker on the local file system;
    # `make run` starts one worker with an embedded beat beside the web server (see README).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "ess_cache",
        }
    }
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = None
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(VAR_DIR / "broker" / "queue"),
        "data_folder_out": str(VAR_DIR / "broker" / "queue"),
        "processed_folder": str(VAR_DIR / "broker" / "processed"),
        "control_folder": str(VAR_DIR / "broker" / "control"),  # the default is ./control in any working folder
        "store_processed": False,
    }

CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 3600
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Auth and sign-in ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapters.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# An address counts (sign-in, password reset, notifications) once its owner has followed the link sent to it.
# Invited people prove theirs by choosing a password from the invitation. A change of address is a new address
# that replaces the old one when verified; the old one is told (notifications), and adding one needs the password.
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ESS Portal] "
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
# Sign-in by a code e-mailed to the verified address: the way in while password sign-in for the address is held.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# Login rate limiting (allauth, backed by the cache). Failed sign-ins are counted per IP address, and per IP and
# e-mail address together: guessing from one place holds that place only, so the owner still signs in from
# another. Across all IPs an address has a wider limit; past it, password sign-in for that address waits and the
# owner signs in with an e-mailed code. The owner is told once per hold (accounts/sign_in_limits.py).
ACCOUNT_RATE_LIMITS = {
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "login_failed_address": env.str("LOGIN_FAILED_ADDRESS_RATE_LIMIT", default="20/h/key"),
    "reset_password": "20/m/ip,5/m/key",
    "request_login_code": env.str("LOGIN_CODE_RATE_LIMIT", default="20/m/ip,3/m/key"),
}
# Behind a reverse proxy the client's IP is in X-Forwarded-For: count the proxies in front of the portal.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ESS Portal"
# When on, staff roles (TAM, TAM-level resource, support staff, admin) must enrol TOTP before using
# the portal. Off for local development, on in production settings.
ESS_REQUIRE_STAFF_MFA = env.bool("ESS_REQUIRE_STAFF_MFA", default=False)

# Sensitive configuration changes (every change in /config/: roles, tiers, calendars, SLA policies...) need a
# password entered within this many seconds; otherwise the portal asks for it again and then carries on.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env.int("REAUTHENTICATION_SECONDS", default=15 * 60)

# Idle timeout: a session ends after this long without a request (each request renews it).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=2 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# Each person sees their signed-in sessions (allauth.usersessions, from the profile page) and can end the others.
USERSESSIONS_TRACK_ACTIVITY = False  # recorded at sign-in; tracking every request would cost a write each

# --- Audit trail: database triggers record who changed what on these tables (audit/triggers.py) ---------
ESS_AUDITED_MODELS = [
    "accounts.Tier",
    "accounts.BusinessCalendar",
    "accounts.OpenInterval",
    "accounts.Holiday",
    "accounts.Account",
    "accounts.Contract",
    "accounts.TamAssignment",
    "accounts.TamAbsence",
    "accounts.User",
    "accounts.User_groups",  # roles
    "cases.SlaPolicy",
    "cases.SlaTarget",
    "cases.Case",
    "cases.Milestone",
    "cases.Escalation",
    "maintenance.MaintenanceEvent",
    "core.Limits",  # notice periods and limits
]
# Never copied into the trail: secrets, the sign-in time that changes at every sign-in, and what the database derives
# from other audited rows (a case's queue key, from its milestones).
ESS_AUDIT_EXCLUDED_COLUMNS = {
    "accounts.User": ["password", "last_login"],
    "cases.Case": ["due_next", "due_next_customer"],
}

# --- E-mail: console by default, SMTP (or any backend) by URL --------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ESS Portal <ess-portal@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- E-mail in (intake/): the support address, its mailbox, and the largest message taken in ---------------
# Each TAM's direct address is the support address plus-addressed (help+tam-7@...); replies to the portal's
# mail come back to the support address. Empty: no mail comes in, and outgoing mail names no Reply-To.
INBOUND_EMAIL_ADDRESS = env.str("INBOUND_EMAIL_ADDRESS", default="")
INBOUND_EMAIL_URL = env.str("INBOUND_EMAIL_URL", default="")  # imaps://user:password@host/INBOX, polled
INBOUND_EMAIL_PROCESSED_FOLDER = env.str("INBOUND_EMAIL_PROCESSED_FOLDER", default="Processed")
INBOUND_EMAIL_MAX_BYTES = env.int("INBOUND_EMAIL_MAX_BYTES", default=10 * 1024 * 1024)

# --- Internationalisation and time -----------------------------------------------------------------
LANGUAGE_CODE = "en-us"
USE_I18N = True
USE_TZ = True
# Stored in UTC; shown in each user's own zone (accounts.middleware). This is the zone for visitors.
TIME_ZONE = "UTC"
# The vendor's zone: quarter boundaries and default support hours are reckoned here.
ESS_VENDOR_TIME_ZONE = env.str("ESS_VENDOR_TIME_ZONE", default="America/Denver")

# --- Static files ----------------------------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Request size: refused with a 413 before the body is kept (ess_portal/request_limits.py). The reverse proxy
# (client_max_body_size, docs/operations.md) and gunicorn (gunicorn.conf.py: request line and headers) hold theirs.
ESS_MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=50 * 1024 * 1024)  # a whole request, files included
ESS_MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)  # each file
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("MAX_FORM_BYTES", default=5 * 1024 * 1024)  # a body besides its files
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("MAX_FILES_PER_REQUEST", default=20)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("MAX_FIELDS_PER_REQUEST", default=1000)
FILE_UPLOAD_HANDLERS = [
    "ess_portal.request_limits.LimitedUploadHandler",  # first: counts each file before the others keep it
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- REST API --------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # The browser's session, or an API token (``Authorization: Bearer <token>``). A request with neither is refused
    # 403; a token that is refused, 401 with the scheme (core.api.exception_handler).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "integrations.authentication.BearerTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "core.permissions.TokenScopes"],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.authentication.PerTokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
# --- Integrations (integrations/): API tokens and outbound webhooks -----------------------------------------
# Tokens are django-rest-knox's, stored hashed; "ess_" starts each one so secret scanners can spot a leaked token.
KNOX_TOKEN_MODEL = "integrations.ApiToken"
MIGRATION_MODULES = {"knox": None}  # its own token table is replaced by integrations.ApiToken: none is made
REST_KNOX = {"TOKEN_PREFIX": "ess_", "AUTH_HEADER_PREFIX": "Bearer", "AUTO_REFRESH": False}
API_TOKEN_DEFAULT_DAYS = 90
API_TOKEN_MAX_DAYS = 365
API_TOKEN_RATE_LIMIT = env.str("API_TOKEN_RATE_LIMIT", default="600/min")  # requests per token
# Webhooks never go to private, loopback, link-local or metadata addresses (checked after DNS resolution, at
# registration and at every send). Development and tests may allow loopback (a receiver on this machine).
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=False)
WEBHOOK_TIMEOUT_SECONDS = env.int("WEBHOOK_TIMEOUT_SECONDS", default=10)
# Phone numbers (contacts, callers) without a country code are read as numbers of this region.
PHONENUMBER_DEFAULT_REGION = env.str("PHONENUMBER_DEFAULT_REGION", default="US")

SPECTACULAR_SETTINGS = {
    "TITLE": "ESS Portal API",
    "DESCRIPTION": "Enterprise Support Services: accounts, maintenance events, cases and reviews.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No deep links: Swagger UI puts them as links inside each operation's button (nested controls, WCAG 4.1.2).
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"TokenKindEnum": "integrations.models.TokenKind"},
}

# --- Logging: one line per event on stdout, each with the request id ---------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ess_portal.request_id.RequestIdFilter"}},
    "formatters": {
        "line": {
            "format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s",
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["request_id"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": LOG_LEVEL},
    },
}

# Absolute links in e-mails (invitations, notifications) start with this.
ESS_BASE_URL = env.str("ESS_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Contract renewal reminders go out this many days before a contract's end (each once per contract and offset).
ESS_RENEWAL_REMINDER_DAYS = env.list("RENEWAL_REMINDER_DAYS", cast=int, default=[90, 60, 30, 7])

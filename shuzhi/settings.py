"""Every setting of Shuzhi, in one module.

Each operator-facing option is declared once with :func:`option`: its environment variable,
type, default and a one-line description. ``docs/configuration.md`` documents the same list,
and a test keeps the two in step. Values come from the environment only (12-factor).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

django_stubs_ext.monkeypatch()  # lets admin.ModelAdmin[Model] and friends be subscripted

BASE_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Option:
    """One environment option: name, parser, default and description."""

    name: str
    kind: str
    default: Any
    doc: str


OPTIONS: list[Option] = []


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"not a boolean: {raw!r}")


def _parse_list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


_PARSERS: dict[str, Callable[[str], Any]] = {
    "str": str,
    "int": int,
    "bool": _parse_bool,
    "list": _parse_list,
    "path": Path,
}


def option(name: str, kind: str, default: Any, doc: str) -> Any:
    """Declare an option and return its value from the environment (or the default)."""
    OPTIONS.append(Option(name=name, kind=kind, default=default, doc=doc))
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return _PARSERS[kind](raw)
    except ValueError as exc:
        raise ValueError(f"environment variable {name}: {exc}") from exc


# --- Options ----------------------------------------------------------------------------------

DEBUG = option("SHUZHI_DEBUG", "bool", False, "Django debug mode; never on in production.")
SECRET_KEY = option(
    "SHUZHI_SECRET_KEY",
    "str",
    "dev-insecure-secret-key-change-me-0123456789abcdef",
    "Django secret key (sessions, CSRF). Set a long random value in production.",
)
ALLOWED_HOSTS = option(
    "SHUZHI_ALLOWED_HOSTS",
    "list",
    ["127.0.0.1", "localhost", "testserver"],
    "Comma-separated host names the site answers to.",
)
TRUSTED_PROXIES = option(
    "SHUZHI_TRUSTED_PROXIES",
    "list",
    [],
    "Comma-separated addresses or networks (e.g. 10.0.0.0/24) of the reverse proxies in front "
    "of the site. Only requests from these are believed about the client's address "
    "(X-Forwarded-For), which audit entries record and anonymous request budgets count by; "
    "empty: the connecting address is the client.",
)
DATA_DIR = option(
    "SHUZHI_DATA_DIR",
    "path",
    BASE_DIR / "var",
    "Folder for the embedded database, the warehouse and uploaded files.",
)
_DATABASE_URL = option(
    "DATABASE_URL",
    "str",
    "",
    "Database URL; empty means the embedded SQLite file in SHUZHI_DATA_DIR. "
    "Example: postgres://user:pass@127.0.0.1:5432/shuzhi",
)
CITY_NAME = option("SHUZHI_CITY_NAME", "str", "衢州市", "City name shown in the top bar.")
TIME_ZONE = option("SHUZHI_TIME_ZONE", "str", "Asia/Shanghai", "Time zone of the city.")
SESSION_IDLE_MINUTES = option(
    "SHUZHI_SESSION_IDLE_MINUTES",
    "int",
    30,
    "A session with no request for this many minutes ends (等保 idle timeout).",
)
LOGIN_FAILURE_LIMIT = option(
    "SHUZHI_LOGIN_FAILURE_LIMIT", "int", 5, "Failed logins in a row that lock an account."
)
LOGIN_LOCKOUT_MINUTES = option(
    "SHUZHI_LOGIN_LOCKOUT_MINUTES", "int", 15, "How long a locked account stays locked."
)
PASSWORD_MIN_LENGTH = option("SHUZHI_PASSWORD_MIN_LENGTH", "int", 10, "Minimum password length.")
SM4_KEYS = option(
    "SHUZHI_SM4_KEYS",
    "list",
    ["k1:00112233445566778899aabbccddeeff"],
    "Field-encryption keys as id:32-hex-digit pairs, comma-separated. Keep retired keys "
    "until `shuzhi security rotate-keys` has re-encrypted every value.",
)
SM4_ACTIVE_KEY = option(
    "SHUZHI_SM4_ACTIVE_KEY", "str", "k1", "Id of the key that encrypts new values."
)
TOKEN_KEY = option(
    "SHUZHI_TOKEN_KEY",
    "str",
    "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "Hex key for the deterministic SM3 tokens stored beside encrypted values (joins).",
)
AUDIT_KEY = option(
    "SHUZHI_AUDIT_KEY",
    "str",
    "a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5",
    "Hex key that seals the audit chain's head, so a truncated tail is detected.",
)
WAREHOUSE_PATH = option(
    "SHUZHI_WAREHOUSE_PATH",
    "path",
    DATA_DIR / "warehouse.duckdb",
    "The DuckDB file of the data warehouse (数据仓).",
)
INGEST_MAX_UPLOAD_MB = option(
    "SHUZHI_INGEST_MAX_UPLOAD_MB",
    "int",
    512,
    "Largest file accepted by the upload page and the ingest API, in MB (the CLI has no limit).",
)
AUDIT_ANCHOR_FILE = option(
    "SHUZHI_AUDIT_ANCHOR_FILE",
    "path",
    DATA_DIR / "audit-anchors.log",
    "File that `shuzhi audit verify` appends sealed chain heads to; keep a copy off the "
    "machine. It shows a truncated audit log even when an old head is put back.",
)
API_KEY_DAYS = option("SHUZHI_API_KEY_DAYS", "int", 90, "Default lifetime of a new API key.")
API_MAX_BODY_BYTES = option(
    "SHUZHI_API_MAX_BODY_BYTES", "int", 1_048_576, "Largest request body accepted, in bytes."
)
SHARING_APPROVAL_DAYS = option(
    "SHUZHI_SHARING_APPROVAL_DAYS",
    "int",
    5,
    "Working days an owner department has to decide a conditional sharing request (有条件共享).",
)
SHARING_GRANT_DAYS = option(
    "SHUZHI_SHARING_GRANT_DAYS",
    "int",
    365,
    "Longest period a sharing grant may run, in days; requests ask for a period within it.",
)
OPENDATA_ANONYMOUS_RATE = option(
    "SHUZHI_OPENDATA_ANONYMOUS_RATE",
    "int",
    120,
    "Requests per minute one address may make to the open-data portal and CKAN API without "
    "signing in; more get HTTP 429.",
)
TASKS_BACKEND = option(
    "SHUZHI_TASKS_BACKEND",
    "str",
    "django_tasks_db.DatabaseBackend",
    "Where background work (reminders, escalation, indicator runs) is queued: the database "
    "(run `shuzhi worker`), or django_tasks.backends.immediate.ImmediateBackend to run it at once.",
)
TASKS = {"default": {"BACKEND": TASKS_BACKEND, "QUEUES": ["default"]}}
LOOP_ESCALATE_AFTER_HOURS = option(
    "SHUZHI_LOOP_ESCALATE_AFTER_HOURS",
    "int",
    24,
    "Hours a task may stay overdue before it is escalated (督办) to the supervisors.",
)
LOOP_REMIND_BEFORE_HOURS = option(
    "SHUZHI_LOOP_REMIND_BEFORE_HOURS",
    "int",
    24,
    "Hours before a task's deadline when its handlers get a reminder.",
)
SMS_LOG_FILE = option(
    "SHUZHI_SMS_LOG_FILE",
    "path",
    DATA_DIR / "sms.log",
    "File the local SMS adapter appends messages to (no gateway is called).",
)
BUREAU_DEPARTMENT = option(
    "SHUZHI_BUREAU_DEPARTMENT",
    "str",
    "330800-BDB",
    "Code of the big-data bureau (大数据局): its staff vet operators and review their results.",
)
OPERATION_MIN_GROUP = option(
    "SHUZHI_OPERATION_MIN_GROUP",
    "int",
    10,
    "Smallest group (k) an authorised-operation result may show; smaller groups are suppressed.",
)
CARBON_DEPARTMENT = option(
    "SHUZHI_CARBON_DEPARTMENT",
    "str",
    "330800-DRC",
    "Code of the department that keeps the emission factors and owns the carbon datasets (发改委).",
)
CARBON_TASK_DEPARTMENT = option(
    "SHUZHI_CARBON_TASK_DEPARTMENT",
    "str",
    "330800-EIB",
    "Code of the department that red grades and rising county intensity are sent to as tasks "
    "(经信局).",
)
CARBON_WEIGHTS = option(
    "SHUZHI_CARBON_WEIGHTS",
    "list",
    ["1", "1", "1"],
    "Weights of industry advancement, regional contribution and historical decline in the "
    "composite carbon score.",
)
CARBON_COLOUR_CUTS = option(
    "SHUZHI_CARBON_COLOUR_CUTS",
    "list",
    ["0.25", "0.5", "0.75"],
    "Quantiles of the composite score within the industry that separate red, yellow, light "
    "green and dark green.",
)
CARBON_PDF_FONT = option(
    "SHUZHI_CARBON_PDF_FONT",
    "path",
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    "CJK font printable PDFs are set in: carbon credit reports, e-licences (Debian package "
    "fonts-noto-cjk).",
)
POLICY_SEARCH_ENGINE = option(
    "SHUZHI_POLICY_SEARCH_ENGINE",
    "str",
    "tantivy",
    "Search engine of the policy library: `tantivy` (embedded, an index folder) or `opensearch` "
    "(a cluster at SHUZHI_POLICY_OPENSEARCH_URL).",
)
POLICY_INDEX_DIR = option(
    "SHUZHI_POLICY_INDEX_DIR",
    "path",
    DATA_DIR / "policy-index",
    "Folder of the embedded (tantivy) search index of the policy library; `shuzhi policy "
    "reindex` rebuilds it from the database.",
)
POLICY_OPENSEARCH_URL = option(
    "SHUZHI_POLICY_OPENSEARCH_URL",
    "str",
    "",
    "OpenSearch server of the policy library when SHUZHI_POLICY_SEARCH_ENGINE is `opensearch` "
    "(e.g. http://127.0.0.1:9200); also where its tests run when set.",
)
POLICY_OPENSEARCH_INDEX = option(
    "SHUZHI_POLICY_OPENSEARCH_INDEX",
    "str",
    "shuzhi-policy",
    "Name of the OpenSearch index of the policy library.",
)
POLICY_SEARCH_ANONYMOUS_RATE = option(
    "SHUZHI_POLICY_SEARCH_ANONYMOUS_RATE",
    "int",
    120,
    "Searches per minute one address may make in the policy library (the search page and "
    "/api/v1/policy/documents) without signing in; more get HTTP 429.",
)
POLICY_SEED_FILE = option(
    "SHUZHI_POLICY_SEED_FILE",
    "path",
    BASE_DIR.parent / "shared" / "seed" / "000_9d32cc7170deaf74.txt",
    "A real policy document (政策文件) `shuzhi demo` imports first into the policy library; "
    "skipped with a message when the file is absent.",
)
MARKET_DEPARTMENT = option(
    "SHUZHI_MARKET_DEPARTMENT",
    "str",
    "330800-AMR",
    "Code of the market-supervision department (市场监管局): its data stewards run the credit-risk "
    "classification and own its dataset.",
)
MARKET_CREDIT_WEIGHTS = option(
    "SHUZHI_MARKET_CREDIT_WEIGHTS",
    "list",
    [],
    "Credit-risk indicator weights as indicator=weight (points deducted per indicator point); "
    "indicators not named keep their defaults (shuzhi/domains/market/credit.py).",
)
MARKET_CREDIT_CUTS = option(
    "SHUZHI_MARKET_CREDIT_CUTS",
    "list",
    ["90", "75", "60"],
    "Lowest credit scores of classes A, B and C; lower scores are class D.",
)
MARKET_INSPECTION_RATIOS = option(
    "SHUZHI_MARKET_INSPECTION_RATIOS",
    "list",
    ["A=5", "B=15", "C=30", "D=50"],
    "Default random-inspection (双随机) draw ratios in percent per credit-risk class, as "
    "class=percent; a plan may set its own.",
)
MARKET_CODE_COLOURS = option(
    "SHUZHI_MARKET_CODE_COLOURS",
    "list",
    ["A=#198754", "B=#0d6efd", "C=#fd7e14", "D=#dc3545"],
    "Colours of the enterprise code (一码四色) per credit-risk class, as class=#rrggbb.",
)
MARKET_DEREGISTRATION_NOTICE_DAYS = option(
    "SHUZHI_MARKET_DEREGISTRATION_NOTICE_DAYS",
    "int",
    20,
    "Days a simplified deregistration (简易注销) stays on public notice, taking objections.",
)
ENVIRONMENT_DEPARTMENT = option(
    "SHUZHI_ENVIRONMENT_DEPARTMENT",
    "str",
    "330800-EEB",
    "Code of the city ecology and environment bureau (生态环境局); environment warnings go to the "
    "county bureau with the same suffix (e.g. 330802-EEB), or here when the county has none; its "
    "data stewards publish the results as datasets (environment_daily_aqi, section_monthly_class).",
)
ENVIRONMENT_SILENT_HOURS = option(
    "SHUZHI_ENVIRONMENT_SILENT_HOURS",
    "int",
    6,
    "Hours without a reading after which an air-quality station is warned as silent (站点离线).",
)
ENVIRONMENT_JUMP_FACTOR = option(
    "SHUZHI_ENVIRONMENT_JUMP_FACTOR",
    "int",
    3,
    "A sudden jump (突变): an hourly value at least this many times the mean of the 24 hours "
    "before it, and above the pollutant's floor (shuzhi/domains/environment/services/results.py).",
)
DEMO_MODE = option(
    "SHUZHI_DEMO_MODE",
    "bool",
    False,
    "Demo conveniences (e.g. `shuzhi demo_otp` prints a demo TOTP code). Never in production.",
)
LOG_LEVEL = option("SHUZHI_LOG_LEVEL", "str", "INFO", "Log level of the shuzhi loggers.")
PRODUCTION = option(
    "SHUZHI_PRODUCTION",
    "bool",
    False,
    "Serve real data: secure cookies and HSTS (behind HTTPS), and refuse to start with a "
    "development key, debug or demo mode.",
)

# --- Derived Django settings ------------------------------------------------------------------

if PRODUCTION:
    _development = [
        o.name
        for o in OPTIONS
        if o.name
        in {"SHUZHI_SECRET_KEY", "SHUZHI_SM4_KEYS", "SHUZHI_TOKEN_KEY", "SHUZHI_AUDIT_KEY"}
        and os.environ.get(o.name) is None
    ]
    if DEBUG or DEMO_MODE or _development:
        raise ImproperlyConfigured(
            "SHUZHI_PRODUCTION is on, so set these from a secret store and turn these off: "
            + ", ".join(_development + ["SHUZHI_DEBUG"] * DEBUG + ["SHUZHI_DEMO_MODE"] * DEMO_MODE)
        )
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

DATA_DIR.mkdir(parents=True, exist_ok=True)
(DATA_DIR / "static").mkdir(exist_ok=True)  # whitenoise's root; files come from finders

INSTALLED_APPS = [
    "shuzhi.platform.accounts.apps.ShuzhiAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",
    "shuzhi.platform.accounts",
    "shuzhi.platform.security",
    "shuzhi.platform.audit",
    "shuzhi.platform.catalog",
    "shuzhi.platform.warehouse",
    "shuzhi.platform.sharing",
    "shuzhi.platform.opendata",
    "shuzhi.platform.operation",
    "shuzhi.platform.workdays",
    "shuzhi.platform.notify",
    "shuzhi.platform.loop",
    "shuzhi.platform.brain",
    "django_tasks",
    "django_tasks_db",
    "django_fsm",
    "shuzhi.domains.market",
    "shuzhi.domains.services",
    "shuzhi.domains.carbon",
    "shuzhi.domains.policy",
    "shuzhi.domains.environment",
    "shuzhi.web",
    "shuzhi.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "shuzhi.platform.errors.ApiEnvelopeMiddleware",
    "shuzhi.platform.errors.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "shuzhi.platform.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "shuzhi.urls"
WSGI_APPLICATION = "shuzhi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shuzhi.web.context.shell",
                "shuzhi.platform.notify.context_processors.inbox_bell",
            ],
        },
    }
]

if _DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(_DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "shuzhi.sqlite3",
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE makes each write
                # transaction take the lock at BEGIN, so the audit chain head never races.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": PASSWORD_MIN_LENGTH},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shuzhi.platform.accounts.passwords.ComplexityValidator"},
]

SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # the age counts from the last request: an idle timeout
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "shuzhi.web.errors.csrf_failure"
LOGIN_LOCKOUT = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES  # bodies other than file uploads
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # larger uploads stream to a temporary file

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "shuzhi" / "locale"]
FORMAT_MODULE_PATH = ["shuzhi.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [
    ("vendor/echarts", BASE_DIR / "node_modules" / "echarts" / "dist"),
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # serve straight from node_modules and app folders, no build step
MEDIA_ROOT = DATA_DIR / "media"

OTP_TOTP_ISSUER = "Shuzhi"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # no administrator can read another's TOTP key

from django.contrib.messages import constants as _message_levels  # noqa: E402

MESSAGE_TAGS = {_message_levels.ERROR: "danger"}  # Bootstrap's name for the error colour

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "shuzhi": {"handlers": ["console"], "level": LOG_LEVEL},
        # a server error's traceback reaches the log in production too (not only with DEBUG)
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}

"""Parley settings: one file, driven by the environment through typed helpers (parley.env)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import dj_database_url

from parley.env import ImproperEnvironment, derived_key, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperEnvironment("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "parley-development-only-secret-key-not-for-production"  # noqa: S105 (DEBUG only)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "parley.accounts.admin_config.StaffAdminConfig",  # django.contrib.admin; its site needs the second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",  # Django's widget templates
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "parley.accounts",
    "parley.policies",
    "parley.cases",
    "parley.mediation",
    "parley.audit",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "parley.middleware.NoStoreMiddleware",  # no page kept in a browser's cache (static files are, above)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "parley.accounts.middleware.IdleSessionMiddleware",  # each request extends the session (idle expiry)
    # Every staff request, with its outcome, to the audit trail. Above the middlewares that can still
    # change the response (CommonMiddleware turns a 404 into a redirect to the address with a slash), so
    # that the status recorded is the one the browser got; request.user is set below, before it is read.
    "parley.audit.middleware.AuditMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has the second factor been given? (django-otp's OTPMiddleware)
    "parley.accounts.middleware.SignedInDeviceMiddleware",
    "parley.accounts.middleware.SecondFactorRequiredMiddleware",
    "parley.accounts.middleware.SignedOutNoteMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into the lockout page
]

# Form widgets render through Django's own Jinja2 widget templates where there are such (parley/jinja.py).
FORM_RENDERER = "parley.jinja.FormRenderer"

ROOT_URLCONF = "parley.urls"
WSGI_APPLICATION = "parley.wsgi.application"

# Pages are Jinja2 templates, in each app's templates/<app>/ and in parley/templates/ (parley/jinja.py says
# why, and what they have besides Jinja2's own). The Jinja2 engine reads only these folders, and comes
# first: its pages are the ones found where django.contrib.admin has pages of the same name
# (registration/...). Django's template language is left for the admin's own pages and form widgets,
# which the second engine finds in the installed apps.
_CONTEXT_PROCESSORS = [
    "django.template.context_processors.request",
    "django.contrib.auth.context_processors.auth",
    "django.contrib.messages.context_processors.messages",
    "django.template.context_processors.i18n",
    "parley.accounts.context_processors.permissions",
    "parley.accounts.context_processors.idle_limit",
]
TEMPLATES = [
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "parley" / "templates", *sorted((BASE_DIR / "parley").glob("*/templates"))],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "parley.jinja.environment", "context_processors": _CONTEXT_PROCESSORS},
    },
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": _CONTEXT_PROCESSORS},
    },
]

# The embedded default is an SQLite file beside the code, so that `make run` works on a bare
# machine; DATABASE_URL (postgres://...) selects PostgreSQL, which production and CI use.
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# Connections are kept between requests (a new PostgreSQL connection costs several milliseconds, more
# than a whole simple page), checked before reuse, and closed after DB_CONN_MAX_AGE seconds.
try:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
except ValueError as exc:
    raise ImproperEnvironment(f"DATABASE_URL cannot be used: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: Parley's queries are short, and PostgreSQL compiles any whose estimated cost
    # is high (a UNION of the queue's per-step queries, say), which took 1.2 s of a 1.4 s queue at
    # 100,000 complaints. `?options=-c jit=on` in DATABASE_URL turns it back on.
    # No parallel workers either: for the pages' short, index-driven queries PostgreSQL sometimes starts
    # two, which cost more to start than they save (the search for "Maria Garcia" 101 ms with them, 41
    # ms without, at 1,000,000 complaints), and under many users' requests they only compete for the
    # same cores. `?options=-c max_parallel_workers_per_gather=2` in DATABASE_URL turns them back on.
    # The options set here take the place of PGOPTIONS and come before ALTER ROLE/DATABASE ... SET, so
    # DATABASE_URL is where to change them. PostgreSQL's setting names are not case-sensitive.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    for name, value in (("jit", "off"), ("max_parallel_workers_per_gather", "0")):
        if not re.search(rf"(?i)(?:-c\s*|--){name}\s*=", options.get("options", "")):
            options["options"] = f"{options.get('options', '')} -c {name}={value}".strip()
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once, and keep readers off the writer's back.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# The reads whose SQL is fixed (the complaint page's; the session, user and device of every signed-in
# request, accounts/identity.py; the list's categories) are prepared once on each PostgreSQL connection
# and then run by name: planning them took longer than running them (parley/reads.py). Turn off
# (DB_PREPARED_READS=0) behind a connection pooler that hands one client several server connections
# (PgBouncer in transaction mode), where a statement prepared on one is unknown to the next.
PREPARED_READS = env_bool("DB_PREPARED_READS", True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out username before the password is checked
    # Django's ModelBackend, reading the signed-in user of each request by fixed SQL. A session signed in
    # through Django's own (before Parley 2026-12) names that one and ends: its person signs in again.
    "parley.accounts.backends.StaffBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"  # "my queue"
LOGOUT_REDIRECT_URL = None  # LogoutView renders registration/logged_out.html
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 3, minimum=300)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "parley" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/Chicago")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "parley" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "parley@localhost")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_SECONDS", 30 * 60, minimum=60)
# The age above is an idle timeout, not a fixed lifetime: IdleSessionMiddleware pushes the end of a
# session further at most once a minute (saving it on every request cost a write and a commit per page).
SESSION_TOUCH_SECONDS = min(60, SESSION_COOKIE_AGE // 10)  # a short idle limit is kept to within a tenth
# Django's database sessions, with the signed-in user on each row, so that deactivating a user can
# end all of their sessions at once (parley.accounts.sessions).
SESSION_ENGINE = "parley.accounts.sessions"

# Two-factor sign-in (django-otp, TOTP): every staff member enters a code from an authenticator app
# after the password. The issuer is the name the app shows beside the code.
OTP_TOTP_ISSUER = env_str("TOTP_ISSUER", "Parley")
OTP_TOTP_SYNC = False  # a code one step early or late is accepted, but the device's clock offset is not learnt
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # the admin never shows a device's secret

# Lockout (django-axes): after SIGN_IN_FAILURE_LIMIT failed attempts, wrong passwords and wrong codes
# together, the username is locked for SIGN_IN_LOCKOUT_MINUTES. The account is locked rather than the
# address, because staff often share one office address. A full sign-in clears the count.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("SIGN_IN_LOCKOUT_MINUTES", 30, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_CLIENT_IP_CALLABLE = "parley.audit.services.client_ip"  # the address the audit trail records
# ... and one address (an IPv6 network of 64 bits) is paused after SIGN_IN_ADDRESS_FAILURE_LIMIT failed
# attempts on any accounts in that time, so that it cannot try a few passwords on every account and
# pause them all (parley.accounts.lockout). Only where Parley knows the client's address: behind a
# proxy, with TRUSTED_PROXY_COUNT.
SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("SIGN_IN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
AXES_HANDLER = "parley.accounts.lockout.AccountAndAddressHandler"
# axes.W006 warns when the address is not a lockout parameter, because a lock keyed on the user agent
# or a cookie can be dodged by changing them. A lock keyed on the username alone counts every failure
# for that username, whatever the address, browser or cookie, so the warning does not apply.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = False  # the password alone must not clear failed codes (parley.accounts.views.verify does)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # the lockout page can then say when it ends
AXES_LOCKOUT_CALLABLE = "parley.accounts.views.locked_out"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
AXES_DISABLE_ACCESS_LOG = True  # sign-ins are in the audit trail; axes keeps only the failure counts
AXES_VERBOSE = False

# Encryption of personal contact data (parley.crypto): Fernet keys, newest first; an HMAC key for the
# exact-match lookup indexes. Without them (development, tests) keys are derived from SECRET_KEY, and
# `check --deploy` warns.
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
FIELD_INDEX_KEY = env_str("FIELD_INDEX_KEY", "")
FIELD_KEYS_DERIVED = not (FIELD_ENCRYPTION_KEYS and FIELD_INDEX_KEY)
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [derived_key(SECRET_KEY, "fields")]
FIELD_INDEX_KEY = FIELD_INDEX_KEY or derived_key(SECRET_KEY, "index")

# Hardening for production (all on when DEBUG is off; `manage.py check --deploy` is clean then, and CI
# checks it). Behind a TLS-terminating proxy set TRUST_X_FORWARDED_PROTO=1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TRUST_X_FORWARDED_PROTO", False) else None
# How many reverse proxies stand in front of Parley, each adding to X-Forwarded-For the address it was
# reached from: the client's address is read that many entries from the header's end
# (parley.audit.services.client_ip), for the audit trail and the sign-in lockout. 0: REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "parley.views.csrf_failure"  # a refused form says what to do, in the pages' words

# Content-Security-Policy (django-csp): only our own scripts, styles, fonts and images; no inline
# script, no framing, forms post only to us. Pages carry no inline scripts or style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},  # failures and lockouts; not every successful sign-in
}

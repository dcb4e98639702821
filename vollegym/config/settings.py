"""Settings for every environment, read from the environment.

Development and the demo set DEBUG=1; production leaves it off and gets the secure defaults.
"""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent  # the vollegym package
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("VOLLEGYM_VAR_DIR", PROJECT_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not env_bool("VOLLEGYM_TESTING"):
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# The public base URL of the site, for canonical links, the sitemap and mails; from the request when empty.
SITE_URL = env_str("SITE_URL").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks",
    "django_tasks_db",
    "vollegym.core",
    "vollegym.studios",
    "vollegym.website",
    "vollegym.people",
    "vollegym.messaging",
    "vollegym.leads",
    "vollegym.intake",
    "vollegym.programs",
    "vollegym.payments",
    "vollegym.schedule",
    "vollegym.referrals",
    "vollegym.progress",
    "vollegym.retention",
    "vollegym.today",
    "vollegym.inbox",
    "vollegym.analytics",
    "vollegym.api",
    "vollegym.outbound",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "vollegym.core.language.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "vollegym.studios.signin.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into our sign-in page
]

ROOT_URLCONF = "vollegym.config.urls"
WSGI_APPLICATION = "vollegym.config.wsgi.application"

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
                "vollegym.studios.context_processors.backoffice",
                "vollegym.messaging.context_processors.unread",
                "vollegym.inbox.context_processors.unread",
            ],
            # `|euro` everywhere: money is shown one way.
            "builtins": ["vollegym.core.templatetags.money"],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'vollegym.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        # A fresh clone has no ./var/ yet; SQLite can create the file but not its folder.
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server and the worker read while the other writes; IMMEDIATE avoids
    # deadlocks when two processes upgrade a read to a write lock at the same moment.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "studios.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "backoffice:login"
LOGIN_REDIRECT_URL = "backoffice:home"
LOGOUT_REDIRECT_URL = "backoffice:login"

# Sign-in safety. django-axes counts failed sign-ins in the database, so every web process behind the load
# balancer sees the same count; ModelBackend checks the password only when axes lets the attempt through.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("SIGNIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("SIGNIN_LOCKOUT_MINUTES", 15) / 60  # axes reads a float as hours
# An e-mail address from one client address: a guesser is stopped, the owner signing in elsewhere is not.
# Without a trusted proxy the client address is the proxy's, and the lock is then per e-mail address.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "vollegym.studios.signin.signin_username"
AXES_RESET_ON_SUCCESS = True
# A refused try while locked out does not restart the wait, so the sign-in page can say how long it still is.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "vollegym.studios.signin.lockout_response"
# The client behind a trusted proxy, as the intake limit and the audit log see it.
AXES_CLIENT_IP_CALLABLE = "vollegym.core.clientip.client_ip"
AXES_VERBOSE = False  # no banner line in the output of every command
# Two-factor sign-in (django-otp, TOTP with static backup codes). An owner requires it for a studio's team on
# the team page; REQUIRE_TWO_FACTOR requires it of everyone, set by whoever runs the installation, so no
# session that was taken over can switch it off.
REQUIRE_TWO_FACTOR = env_bool("REQUIRE_TWO_FACTOR", False)
OTP_TOTP_ISSUER = "Volle Gym"

# Sessions live in the database so any number of web processes can serve a user.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache"
        if env_str("CACHE_URL") == ""
        else "django.core.cache.backends.redis.RedisCache",
        "LOCATION": env_str("CACHE_URL") or "vollegym_cache",
    }
}

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or env_bool("VOLLEGYM_TESTING")
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_MAX_AGE = 31536000 if not DEBUG else 0
# Uploads (a studio's photos) go to the default storage: this folder unless another storage is configured. With
# more than one web server it must be shared (a volume); the application serves the files itself.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")

TASKS = {"default": {"BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}}

# E-mail: SMTP by default; any anymail provider by EMAIL_BACKEND plus ANYMAIL settings.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
# Where the file backend (django.core.mail.backends.filebased, the demo's) writes its mails, one file per mail.
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(VAR_DIR / "demo-mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Volle Gym <noreply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ANYMAIL = {
    "API_KEY" if k == "ANYMAIL_API_KEY" else k.removeprefix("ANYMAIL_"): v
    for k, v in os.environ.items()
    if k.startswith("ANYMAIL_")
}

# The content folder of the website; the bundled demo content when empty.
VOLLEGYM_CONTENT_DIR = Path(env_str("VOLLEGYM_CONTENT_DIR") or BASE_DIR / "website" / "content")
# Meta Lead Ads: the webhook's verify token and app secret, and the Graph API base the answers come from.
META_VERIFY_TOKEN = env_str("META_VERIFY_TOKEN")
META_APP_SECRET = env_str("META_APP_SECRET")
META_GRAPH_URL = env_str("META_GRAPH_URL", "https://graph.facebook.com/v25.0").rstrip("/")
HTTP_TIMEOUT_SECONDS = env_int("HTTP_TIMEOUT_SECONDS", 10)
# WhatsApp Cloud API base; the phone number id and token are per studio (back office / admin).
WHATSAPP_GRAPH_URL = env_str("WHATSAPP_GRAPH_URL", "https://graph.facebook.com/v25.0").rstrip("/")
# WhatsApp's inbound webhook (/hooks/whatsapp/): the verify token of the handshake and the Meta app's secret that
# signs every delivery (X-Hub-Signature-256). Without a secret the webhook refuses everything.
WHATSAPP_VERIFY_TOKEN = env_str("WHATSAPP_VERIFY_TOKEN")
WHATSAPP_APP_SECRET = env_str("WHATSAPP_APP_SECRET")
# Mollie: the API base (the stand-in's address in the demo and tests), and the key that encrypts each studio's Mollie
# API key in the database (a Fernet key: `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).
# Development and tests use a fixed, public key; production must set its own (`check --deploy` says so, and storing a
# studio's key is refused without it).
MOLLIE_API_URL = env_str("MOLLIE_API_URL", "https://api.mollie.com").rstrip("/")
DEVELOPMENT_PAYMENTS_KEY = "dm9sbGVneW0tZGV2ZWxvcG1lbnQta2V5LXB1YmxpYyE="  # public: DEBUG, tests, demo
PAYMENTS_KEY = env_str("PAYMENTS_KEY") or (
    DEVELOPMENT_PAYMENTS_KEY if DEBUG or env_bool("VOLLEGYM_TESTING") else ""
)
# Requests a minute per API token, counted in the cache (shared by every web process: the database or Redis).
API_RATE_PER_MINUTE = env_int("API_RATE_PER_MINUTE", 120)
# Outbound webhooks may go to loopback, private and link-local addresses (and over plain http): for tests and the
# local demo only; in production a subscription could otherwise reach the machine's own network (SSRF).
OUTBOUND_WEBHOOKS_ALLOW_PRIVATE = env_bool("OUTBOUND_WEBHOOKS_ALLOW_PRIVATE", False)
# A bare view with the same bytes as a page, for `make bench` only.
VOLLEGYM_BENCH = env_bool("VOLLEGYM_BENCH", False)


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or networks; a typo stops the start, it does not silently distrust a proxy."""
    values = env_list(name)
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must list IP addresses or networks (10.0.0.7, 10.0.0.0/8), not {value!r}"
            ) from None
    return values


def proxy_ssl_header(trusted_proxies: list[str]) -> tuple[str, str] | None:
    """X-Forwarded-Proto is believed only behind a named proxy (on there unless SECURE_PROXY_SSL_HEADER=0)."""
    if not trusted_proxies:
        if env_bool("SECURE_PROXY_SSL_HEADER", False):
            raise ImproperlyConfigured(
                "SECURE_PROXY_SSL_HEADER needs TRUSTED_PROXIES: name the proxy that sets it"
            )
        return None
    return ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("SECURE_PROXY_SSL_HEADER", True) else None


# The proxies in front of the web processes (the load balancer). X-Forwarded-For is read only on requests from them
# (vollegym/core/clientip.py); X-Forwarded-Proto only once one is named, and then Django reads it on every request,
# so the web processes must be reachable through the proxy alone. Anyone can write either header.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(TRUSTED_PROXIES)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp) on every response: scripts and styles from our own files only, never
# inline, so markup that slips into a page (a lead's name, an answer) cannot run or restyle anything.
# Images may come from https (a photo in a page's Markdown); nothing may frame us or post our forms elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "https:", "data:"],  # data: the reports' charts (analytics/charts.py)
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

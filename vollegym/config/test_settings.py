"""Settings for the test suite: the real settings, with the environment a test run needs."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("VOLLEGYM_TESTING", "1")
# Tests talk plain HTTP to the test client; the secure defaults are proven by test_settings_deploy.
for _name in (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_PROXY_SSL_HEADER",
):
    os.environ.setdefault(_name, "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from vollegym.config.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
INSTALLED_APPS = [*INSTALLED_APPS, "vollegym.core.tests.tenancy_app"]  # noqa: F405
# Static files straight from the apps (no collectstatic in tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# Uploaded files of a test run go to a folder of its own, never into var/.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="vollegym-test-media-"))

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: concurrent tests need SQLite's real locking (WAL, busy timeout).
    # One file per test process, so two runs side by side never share a database.
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"vollegym-test-{os.getpid()}.sqlite3")
    }
# pytest captures log records itself; a stream handler bound to a captured stream would outlive it and fail
# when a server thread (aiosmtpd, a stand-in API) logs after its test.
LOGGING = {**LOGGING, "root": {"handlers": [], "level": "INFO"}}  # noqa: F405

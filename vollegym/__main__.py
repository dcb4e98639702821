"""The `vollegym` command: Django's management commands and ours, one entry point."""

import os
import sys

# `vollegym demo` runs on its own on a fresh clone: a local, plain-HTTP production setup.
DEMO_ENVIRONMENT = {
    "SECRET_KEY": "demo-only-this-key-is-public-never-use-it-in-production",
    "ALLOWED_HOSTS": "*",
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_PROXY_SSL_HEADER": "0",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0",
    "EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend",
}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vollegym.config.settings")
    embedded = not os.environ.get("DATABASE_URL") and not os.environ.get("SECRET_KEY")
    if (len(sys.argv) > 1 and sys.argv[1] == "demo") or embedded:
        # The embedded SQLite install (no DATABASE_URL, no SECRET_KEY) is the local demo: every command on it
        # (`vollegym webhook-secret demo`, …) runs with the demo's settings. A deployment sets both.
        for name, value in DEMO_ENVIRONMENT.items():
            os.environ.setdefault(name, value)
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "vollegym"
    if len(argv) > 1 and not argv[1].startswith("-"):
        # Our commands are spelled with hyphens on the command line (`check-content`), with underscores in Python.
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()

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
    # One file per mail in var/demo-mail/ (EMAIL_FILE_PATH): the console stays free for the demo's banner.
    "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    # Encrypts the studios' Mollie keys in the demo database (the demo talks to the Mollie stand-in only).
    "PAYMENTS_KEY": "dm9sbGVneW0tZGV2ZWxvcG1lbnQta2V5LXB1YmxpYyE=",
}


def demo_site_url(host: str, port: str) -> str:
    """The demo's own address, for the links in its mails: the host it serves on (a wildcard reads as 127.0.0.1)."""
    shown = "127.0.0.1" if host in {"", "0.0.0.0", "::"} else host  # noqa: S104
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"  # an IPv6 address in a URL
    return f"http://{shown}:{port}"


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "vollegym.config.settings")
    embedded = not os.environ.get("DATABASE_URL") and not os.environ.get("SECRET_KEY")
    if (len(sys.argv) > 1 and sys.argv[1] == "demo") or embedded:
        # The embedded SQLite install (no DATABASE_URL, no SECRET_KEY) is the local demo: every command on it
        # (`vollegym webhook-secret demo`, …) runs with the demo's settings. A deployment sets both.
        for name, value in DEMO_ENVIRONMENT.items():
            os.environ.setdefault(name, value)
        # Links in the mails of any command on the demo's database point at the demo's web server; `vollegym demo`
        # sets its own from --host and --port.
        if sys.argv[1:2] != ["demo"]:
            os.environ.setdefault(
                "SITE_URL", demo_site_url(os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "8000"))
            )
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    argv[0] = "vollegym"
    if len(argv) > 1 and not argv[1].startswith("-"):
        # Our commands are spelled with hyphens on the command line (`check-content`), with underscores in Python.
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()

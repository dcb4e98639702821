"""System checks of our own settings: what would otherwise fail silently, long after the start.

The mail-links check is a deployment check (tag MAIL_LINKS): `vollegym check --deploy` reports it with the rest of a
production set-up, and the commands whose work ends in a mail (`vollegym worker`, which sends the outbox, and
`vollegym serve`, whose requests write the mails' links) run it when they start (`mail_links_require`). The commands
that never write a link (migrate, person-export, check-content, the test run) need not know the public address, so
it is not one of the checks every command runs.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand

MAIL_LINKS = "vollegym_mail_links"


@checks.register(MAIL_LINKS, deploy=True)
def site_url_check(
    *, app_configs: Sequence[AppConfig] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Links in mails are `SITE_URL` + path: without an absolute SITE_URL they are relative and cannot be clicked."""
    if settings.DEBUG:
        return []  # development: mails go to a file or the console, and a relative link there harms no one
    site_url: str = settings.SITE_URL
    if not site_url:
        return [
            checks.Error(
                "SITE_URL is not set: links in mails would be relative and could not be clicked.",
                hint="Set SITE_URL to the site's public address, e.g. SITE_URL=https://app.vollegym.nl",
                id="vollegym.E001",
            )
        ]
    if not site_url.startswith(("https://", "http://")):
        return [
            checks.Error(
                f"SITE_URL must start with https:// (or http://), not {site_url!r}: links in mails would not "
                "open.",
                hint="Set SITE_URL to the site's public address, e.g. SITE_URL=https://app.vollegym.nl",
                id="vollegym.E002",
            )
        ]
    return []


def mail_links_require(command: BaseCommand, options: dict[str, Any]) -> None:
    """Stops a command that sends mail (or writes mails' links) at its start when SITE_URL is missing."""
    if not options.get("skip_checks"):
        command.check(tags=[MAIL_LINKS], include_deployment_checks=True)

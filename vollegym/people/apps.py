from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "vollegym.people"
    label = "people"
    verbose_name = _("Personen")

    def ready(self) -> None:
        # Django's own sign-in signals (not a signal between our apps): every staff sign-in is in the audit log.
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        user_logged_in.connect(_signed_in, dispatch_uid="people.audit.signed_in")
        user_login_failed.connect(_sign_in_failed, dispatch_uid="people.audit.sign_in_failed")
        # Django's own database signal: SQLite learns the accent fold that searching names needs (people/search.py).
        from django.db.backends.signals import connection_created

        connection_created.connect(_sqlite_fold, dispatch_uid="people.search.sqlite_fold")


def _address(request: Any) -> str:
    from vollegym.core.clientip import client_ip

    return client_ip(request) if request is not None and hasattr(request, "META") else ""


def _signed_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    from vollegym.people.models import AuditEntry
    from vollegym.people.rights import audit_record

    audit_record(action=AuditEntry.Action.SIGNED_IN, user=user, address=_address(request))


def _sign_in_failed(sender: Any, credentials: Any, request: Any = None, **kwargs: Any) -> None:
    from vollegym.people.models import AuditEntry
    from vollegym.people.rights import audit_record

    audit_record(action=AuditEntry.Action.SIGN_IN_FAILED, user=None, address=_address(request))


def _sqlite_fold(sender: Any, connection: Any, **kwargs: Any) -> None:
    from vollegym.people.search import SQLITE_FOLD, sqlite_fold

    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FOLD, 1, sqlite_fold, deterministic=True)

# On PostgreSQL a stored Mollie webhook wakes the waiting workers at once (LISTEN/NOTIFY on the channel every worker
# listens on; the function is messaging's), so a paid checkout shows as paid within moments. SQLite polls.

from typing import Any

from django.db import migrations

CREATE = """
DROP TRIGGER IF EXISTS payments_molliewebhook_notify ON payments_molliewebhook;
CREATE TRIGGER payments_molliewebhook_notify AFTER INSERT ON payments_molliewebhook
    FOR EACH STATEMENT EXECUTE FUNCTION vollegym_notify_work();
"""

DROP = "DROP TRIGGER IF EXISTS payments_molliewebhook_notify ON payments_molliewebhook;"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0001_money_through_mollie"),
        ("messaging", "0006_notify_workers_on_new_work"),
    ]

    operations = [migrations.RunPython(create, drop)]

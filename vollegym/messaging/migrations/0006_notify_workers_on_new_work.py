# On PostgreSQL, a new message or inbound delivery wakes the waiting workers at once (LISTEN/NOTIFY), so they need
# not poll hard. The trigger sends the NOTIFY in the inserting transaction: it arrives when that commits, never for
# work that was rolled back, and costs the inserting code no statement of its own. SQLite has no such thing.

from typing import Any

from django.db import migrations

CHANNEL = "vollegym_work"

CREATE = f"""
CREATE OR REPLACE FUNCTION vollegym_notify_work() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME);
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS messaging_message_notify ON messaging_message;
CREATE TRIGGER messaging_message_notify AFTER INSERT ON messaging_message
    FOR EACH STATEMENT EXECUTE FUNCTION vollegym_notify_work();
DROP TRIGGER IF EXISTS leads_inboundevent_notify ON leads_inboundevent;
CREATE TRIGGER leads_inboundevent_notify AFTER INSERT ON leads_inboundevent
    FOR EACH STATEMENT EXECUTE FUNCTION vollegym_notify_work();
"""

DROP = """
DROP TRIGGER IF EXISTS messaging_message_notify ON messaging_message;
DROP TRIGGER IF EXISTS leads_inboundevent_notify ON leads_inboundevent;
DROP FUNCTION IF EXISTS vollegym_notify_work();
"""


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_person_link"),
        ("leads", "0008_health_clearance"),
    ]

    operations = [migrations.RunPython(create, drop)]

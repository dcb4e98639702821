"""A coach's calendar-feed token is kept only as its hash: the database alone opens no one's calendar."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from vollegym.core.testing import Cast, client_for, make_cast
from vollegym.intake.models import CoachCalendar

FEED = "/s/kracht-utrecht/agenda/{}.ics"
RENEW = "/app/kracht-utrecht/gesprekken/agenda/vernieuwen/"


def make_address(client: Client) -> str:
    html = client.post(RENEW).content.decode()
    found = re.search(r"/s/kracht-utrecht/agenda/([^/\s<]+)\.ics", html)
    assert found is not None, "the new address is shown once"
    return found.group(1)


def database_text() -> str:
    """Every value of every table, and what the sessions hold decoded: where a copy of a secret would sit."""
    values: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our own table names
            values.extend(repr(row) for row in cursor.fetchall())
    values.extend(repr(session.get_decoded()) for session in Session.objects.all())
    return "\n".join(values)


@pytest.mark.django_db
def test_the_token_is_not_in_the_database_only_its_hash(cast: Cast) -> None:
    coach = client_for(cast.coach)
    token = make_address(coach)
    assert coach.get(FEED.format(token)).status_code == 200
    assert token not in database_text()
    feed = CoachCalendar.objects.for_studio(cast.studio).get(coach=cast.coach)
    assert feed.token_hash == hashlib.sha256(token.encode()).hexdigest()


@pytest.mark.django_db
def test_the_feed_answers_its_token_and_404_a_wrong_one_an_old_one_or_the_hash(cast: Cast) -> None:
    coach = client_for(cast.coach)
    old = make_address(coach)
    new = make_address(coach)
    stored = CoachCalendar.objects.for_studio(cast.studio).get(coach=cast.coach).token_hash
    visitor = Client()
    assert visitor.get(FEED.format(new)).status_code == 200
    assert visitor.get(FEED.format(old)).status_code == 404
    assert visitor.get(FEED.format(new[:-1])).status_code == 404
    assert visitor.get(FEED.format(stored)).status_code == 404  # a leaked hash is no address


@pytest.mark.django_db(transaction=True)
def test_addresses_made_before_the_hashing_keep_working() -> None:
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    cast = make_cast()
    try:
        executor.migrate([("intake", "0006_health_flags")])
        executor.loader.build_graph()
        old_apps = executor.loader.project_state([("intake", "0006_health_flags")]).apps
        OldCalendar = old_apps.get_model("intake", "CoachCalendar")
        OldCalendar.objects.create(
            studio_id=cast.studio.pk, coach_id=cast.coach.pk, token="al-in-mijn-agenda"
        )
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

        assert Client().get(FEED.format("al-in-mijn-agenda")).status_code == 200
        assert Client().get(FEED.format("iets-anders")).status_code == 404
        assert "al-in-mijn-agenda" not in database_text()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

import json
import os
import subprocess
import sys

import pytest


@pytest.mark.django_db
def test_healthz_and_readyz_answer_ok(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


def test_readyz_is_503_when_the_database_is_unreachable(tmp_path):
    # A real process whose database is a PostgreSQL port nobody listens on.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client; r = Client().get('/readyz');"
        "print(json.dumps({'status': r.status_code, 'healthz': Client().get('/healthz').status_code}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "vollegym.config.test_settings",
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
    }
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {"status": 503, "healthz": 200}

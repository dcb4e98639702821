import os
import subprocess
import sys

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k8#Qw2!vX9pL3mZr7TnB5yHc1JdF6gS4aE0uWq_oRiVbN2xMtYk",
    "ALLOWED_HOSTS": "vollegym.example.nl",
    "DATABASE_URL": "postgres://vollegym@db.example.nl:5432/vollegym",
    "SITE_URL": "https://vollegym.example.nl",
    "PAYMENTS_KEY": "Zm9yLXRoZS1kZXBsb3ktY2hlY2stb25seS0zMmJ5dGU=",
}


def _run(*args, env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "VOLLEGYM_TESTING"}}
    clean = {k: v for k, v in clean.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    return subprocess.run(
        [sys.executable, "-m", "vollegym", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy():
    result = _run("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_fails_on_debug_settings():
    result = _run("check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION, "DEBUG": "1"})
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = _run("check", env={k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_a_malformed_boolean_setting_is_named():
    result = _run("check", env={**PRODUCTION, "DEBUG": "misschien"})
    assert result.returncode != 0
    assert "DEBUG must be a boolean" in result.stderr

"""A production process that sends mail refuses to start without SITE_URL: its links would be relative."""

import os
import subprocess
import sys

import pytest
from django.core import checks

from vollegym.core.checks import MAIL_LINKS, site_url_check

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "k8#Qw2!vX9pL3mZr7TnB5yHc1JdF6gS4aE0uWq_oRiVbN2xMtYk",
    "ALLOWED_HOSTS": "vollegym.example.nl",
    # Nobody listens here: the check must stop the command before it needs the database.
    "DATABASE_URL": "postgres://nobody@127.0.0.1:9/none",
}


def _ids(messages: list[checks.CheckMessage]) -> list[str | None]:
    return [message.id for message in messages]


def test_no_site_url_in_production_is_an_error(settings):
    settings.DEBUG, settings.SITE_URL = False, ""
    assert _ids(site_url_check()) == ["vollegym.E001"]
    assert "SITE_URL is not set" in site_url_check()[0].msg


def test_a_site_url_passes(settings):
    settings.DEBUG, settings.SITE_URL = False, "https://app.vollegym.example"
    assert site_url_check() == []


def test_a_site_url_without_a_scheme_is_an_error(settings):
    settings.DEBUG, settings.SITE_URL = False, "app.vollegym.example"
    assert _ids(site_url_check()) == ["vollegym.E002"]


def test_development_may_leave_site_url_empty(settings):
    settings.DEBUG, settings.SITE_URL = True, ""
    assert site_url_check() == []


def test_the_check_is_registered_for_check_deploy_and_not_for_every_command(settings):
    settings.DEBUG, settings.SITE_URL = False, ""
    assert "vollegym.E001" in _ids(checks.run_checks(tags=[MAIL_LINKS], include_deployment_checks=True))
    # migrate, person-export, the test run: commands that write no mail's link start without it
    assert "vollegym.E001" not in _ids(checks.run_checks())


def _vollegym(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "VOLLEGYM_TESTING"}}
    clean = {k: v for k, v in clean.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "SITE_URL"))}
    return subprocess.run(
        [sys.executable, "-m", "vollegym", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("command", ["worker", "serve", "check --deploy"])
def test_the_worker_the_web_server_and_check_deploy_refuse_a_production_without_site_url(command):
    result = _vollegym(*command.split(), env=PRODUCTION)
    assert result.returncode != 0
    assert "vollegym.E001" in result.stderr and "SITE_URL is not set" in result.stderr, result.stderr

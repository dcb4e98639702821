"""Behind a load balancer: the client's address comes from a proxy we trust, and only then; so does the scheme."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings

from vollegym.config.settings import proxy_ssl_header
from vollegym.core.clientip import client_ip
from vollegym.core.testing import PASSWORD, client_for
from vollegym.core.tests.test_settings_deploy import PRODUCTION
from vollegym.intake.services import questionnaire_install
from vollegym.leads.models import Lead
from vollegym.people.models import AuditEntry

BALANCER = "10.0.0.5"
BEHIND_THE_BALANCER = override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
CONTACT = {"name": "Eva de Boer", "phone": "", "contact": "on"}


def address(remote: str, forwarded: str | None = None) -> str:
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    if forwarded is not None:
        request.META["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_ip(request)


def via(proxy: str, client: str) -> Client:
    """A browser at `client`, reaching us through the proxy at `proxy` (which appends what it saw)."""
    return Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=client)


# --- the address --------------------------------------------------------------------------------------------


@BEHIND_THE_BALANCER
def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored():
    assert address("203.0.113.9", "198.51.100.7") == "203.0.113.9"
    assert address("203.0.113.9", "10.0.0.6") == "203.0.113.9"  # not even when it names a proxy


@override_settings(TRUSTED_PROXIES=[])
def test_without_trusted_proxies_the_header_is_never_read():
    assert address(BALANCER, "198.51.100.7") == BALANCER


@BEHIND_THE_BALANCER
def test_from_a_trusted_proxy_the_client_it_served_is_the_address():
    assert address(BALANCER, "198.51.100.7") == "198.51.100.7"
    # The client wrote the left part itself; only what our proxy appended counts.
    assert address(BALANCER, "6.6.6.6, 198.51.100.7") == "198.51.100.7"
    # Two of our proxies in a row (CDN edge, then balancer): the first address no proxy of ours wrote.
    assert address(BALANCER, "6.6.6.6, 198.51.100.7, 10.20.30.40") == "198.51.100.7"
    assert address(BALANCER, "198.51.100.7:51234") == "198.51.100.7"
    assert address(BALANCER) == BALANCER  # a health check from the balancer itself
    assert address(BALANCER, "not an address") == BALANCER


@override_settings(TRUSTED_PROXIES=["192.0.2.10", "2001:db8::/32"])
def test_trusted_proxies_are_single_addresses_or_networks_of_either_family():
    assert address("192.0.2.10", "198.51.100.7") == "198.51.100.7"
    assert (
        address("192.0.2.11", "198.51.100.7") == "192.0.2.11"
    )  # the neighbour of a single address is not ours
    assert address("2001:db8::1", "2001:db8:ffff::1, [2a00:1450::5]:443") == "2a00:1450::5"
    assert address("2001:db9::1", "198.51.100.7") == "2001:db9::1"


def test_axes_counts_wrong_passwords_by_the_same_client_address():
    assert settings.AXES_CLIENT_IP_CALLABLE == "vollegym.core.clientip.client_ip"


# --- where the address is used ------------------------------------------------------------------------------


@pytest.mark.django_db
@BEHIND_THE_BALANCER
def test_two_visitors_behind_the_balancer_get_an_intake_limit_each(cast):
    questionnaire_install(studio=cast.studio, kind="pt")
    anna, bram = via(BALANCER, "198.51.100.7"), via(BALANCER, "203.0.113.20")
    for n in range(5):
        assert (
            anna.post("/s/kracht-utrecht/intake/", {**CONTACT, "email": f"a{n}@example.nl"}).status_code
            == 302
        )
    refused = anna.post("/s/kracht-utrecht/intake/", {**CONTACT, "email": "a9@example.nl"})
    assert "Probeer het over tien minuten opnieuw" in refused.content.decode()
    assert bram.post("/s/kracht-utrecht/intake/", {**CONTACT, "email": "b@example.nl"}).status_code == 302
    assert Lead.objects.for_studio(cast.studio).count() == 6


@pytest.mark.django_db
@BEHIND_THE_BALANCER
def test_a_visitor_who_writes_a_new_forwarded_for_each_time_still_meets_the_limit(cast):
    questionnaire_install(studio=cast.studio, kind="pt")
    answers = [
        via("203.0.113.9", f"198.51.100.{n}").post(
            "/s/kracht-utrecht/intake/", {**CONTACT, "email": f"p{n}@example.nl"}
        )
        for n in range(6)
    ]
    assert [a.status_code for a in answers[:5]] == [302] * 5
    assert "Probeer het over tien minuten opnieuw" in answers[5].content.decode()


@pytest.mark.django_db
@BEHIND_THE_BALANCER
def test_wrong_passwords_lock_the_guesser_behind_the_balancer_not_the_owner_behind_it_too(cast):
    guesser, owner = via(BALANCER, "198.51.100.66"), via(BALANCER, "203.0.113.20")
    for n in range(settings.AXES_FAILURE_LIMIT):
        guesser.post("/app/login/", {"username": "sanne@kracht.nl", "password": f"fout-{n}"})
    assert (
        guesser.post("/app/login/", {"username": "sanne@kracht.nl", "password": PASSWORD}).status_code == 429
    )
    assert owner.post("/app/login/", {"username": "sanne@kracht.nl", "password": PASSWORD}).status_code == 302


@pytest.mark.django_db
@BEHIND_THE_BALANCER
def test_the_audit_log_keeps_the_viewers_address_not_the_balancers(cast):
    questionnaire_install(studio=cast.studio, kind="pt")
    via(BALANCER, "198.51.100.7").post("/s/kracht-utrecht/intake/", {**CONTACT, "email": "eva@example.nl"})
    lead = Lead.objects.for_studio(cast.studio).get()
    owner = client_for(cast.owner)
    owner.defaults.update(REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert owner.get(f"/app/kracht-utrecht/leads/{lead.pk}/").status_code == 200
    assert owner.get(f"/app/kracht-utrecht/personen/{lead.person_id}/").status_code == 200
    viewed = AuditEntry.objects.for_studio(cast.studio).filter(action=AuditEntry.Action.VIEWED)
    assert viewed.count() == 2
    seen_from = hashlib.sha256(
        f"{settings.SECRET_KEY}:203.0.113.20".encode()
    ).hexdigest()  # as audit_record keeps it
    assert {entry.ip_hash for entry in viewed} == {seen_from}


# --- the scheme ----------------------------------------------------------------------------------------------


def test_x_forwarded_proto_is_believed_only_when_a_proxy_is_named(monkeypatch):
    monkeypatch.delenv("SECURE_PROXY_SSL_HEADER", raising=False)
    assert proxy_ssl_header([]) is None
    assert proxy_ssl_header(["10.0.0.0/8"]) == ("HTTP_X_FORWARDED_PROTO", "https")
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "0")  # the demo's plain-HTTP setup keeps working
    assert proxy_ssl_header([]) is None
    assert proxy_ssl_header(["10.0.0.0/8"]) is None
    monkeypatch.setenv("SECURE_PROXY_SSL_HEADER", "1")
    with pytest.raises(ImproperlyConfigured, match="TRUSTED_PROXIES"):
        proxy_ssl_header([])


def _settings_in_production(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "VOLLEGYM_TESTING"}}
    clean = {k: v for k, v in clean.items() if not k.startswith(("SECURE_", "TRUSTED_"))}
    code = (
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER, settings.TRUSTED_PROXIES)"
    )
    return subprocess.run(
        [sys.executable, "-m", "vollegym", "shell", "--no-imports", "-c", code],
        env={**clean, **PRODUCTION, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_believes_no_forwarded_header_until_a_proxy_is_named():
    plain = _settings_in_production()
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.strip() == "None []"
    named = _settings_in_production(TRUSTED_PROXIES="10.0.0.0/8, 192.0.2.10")
    assert named.returncode == 0, named.stderr
    assert named.stdout.strip() == "('HTTP_X_FORWARDED_PROTO', 'https') ['10.0.0.0/8', '192.0.2.10']"
    typo = _settings_in_production(TRUSTED_PROXIES="10.0.0.0/33")
    assert typo.returncode != 0 and "TRUSTED_PROXIES must list IP addresses or networks" in typo.stderr

import pytest

from vollegym.outbound import addresses, client
from vollegym.outbound.addresses import AddressRefused, target_for
from vollegym.outbound.services import SubscriptionError, subscription_create


@pytest.fixture
def public_only(settings):
    settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE = False


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://[2002:7f00:1::]/hook",  # 6to4 wrapping 127.0.0.1
        "https://[2002:a9fe:a9fe::]/hook",  # 6to4 wrapping 169.254.169.254
        "https://0.0.0.0/hook",
        "https://224.0.0.1/hook",
        "https://100.64.0.1/hook",
        "http://93.184.215.14/hook",  # public, but not https
        "https://user:pw@93.184.215.14/hook",
    ],
)
def test_private_and_odd_targets_are_refused(public_only, url):
    with pytest.raises(AddressRefused):
        target_for(url)


def test_a_name_resolving_to_a_private_address_is_refused_even_if_another_is_public(public_only, monkeypatch):
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["93.184.215.14", "10.0.0.5"])
    with pytest.raises(AddressRefused, match=r"10\.0\.0\.5"):
        target_for("https://hooks.example.nl/in")


def test_a_public_name_connects_to_the_address_that_was_checked(public_only, monkeypatch):
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["93.184.215.14"])
    target = target_for("https://hooks.example.nl:8443/in?x=1")
    assert (target.address, target.host, target.port, target.path) == (
        "93.184.215.14", "hooks.example.nl", 8443, "/in?x=1",
    )  # fmt: skip


def test_saving_a_private_target_gives_a_dutch_error(public_only, cast, monkeypatch):
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["192.168.0.7"])
    with pytest.raises(SubscriptionError, match="Dit adres kan niet"):
        subscription_create(
            studio=cast.studio, url="https://intern.example.nl/", kinds=["lead.escalated"], by=None
        )


def test_a_delivery_to_a_name_that_now_resolves_privately_is_not_sent(public_only, monkeypatch):
    monkeypatch.setattr(addresses, "resolve", lambda host, port: ["127.0.0.1"])
    outcome = client.post("https://rebind.example.nl/", b"{}", {})
    assert outcome.status is None and outcome.error.startswith("refused:")


def test_the_setting_allows_loopback_over_http(settings):
    settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE = True
    assert target_for("http://127.0.0.1:8765/hook").address == "127.0.0.1"


def test_redirects_are_not_followed(cast):
    from vollegym.core.stubserver import start_json_server

    hits: list[str] = []

    def respond(method, path, headers, body):
        hits.append(path)
        return (302, {}) if path == "/first" else (200, {})

    base, server = start_json_server(respond)
    try:
        outcome = client.post(f"{base}/first", b"{}", {"Content-Type": "application/json"})
    finally:
        server.shutdown()
    assert outcome.status == 302 and not outcome.ok and hits == ["/first"]


def test_a_host_name_beyond_ascii_is_sent_as_punycode_and_never_breaks_the_sender(monkeypatch):
    from vollegym.outbound.tests.kit import receiver

    with receiver() as found:
        port = int(found.url.rsplit(":", 1)[1].split("/")[0])
        monkeypatch.setattr(addresses, "resolve", lambda host, port: ["127.0.0.1"])
        outcome = client.post(
            f"http://bücher.example:{port}/hook", b"{}", {"Content-Type": "application/json"}
        )
    assert outcome.ok, outcome.error
    assert found.arrivals[0].headers["Host"] == f"xn--bcher-kva.example:{port}"


def test_check_deploy_refuses_private_targets_in_production(settings):
    from vollegym.outbound.checks import private_targets_check

    settings.DEBUG, settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE = False, True
    assert [error.id for error in private_targets_check()] == ["vollegym.E020"]
    settings.OUTBOUND_WEBHOOKS_ALLOW_PRIVATE = False
    assert private_targets_check() == []

"""`make demo`: mails link to the demo's own address and land in files; the banner ends with the logins."""

import io
import re

import pytest
from django.core.management import call_command

from vollegym.__main__ import DEMO_ENVIRONMENT
from vollegym.core.management.commands.demo import FILE_MAIL_BACKEND, banner, child_environment, health_url
from vollegym.messaging.models import Message
from vollegym.studios.demo import DEMO_PASSWORD, logins


def test_the_demos_processes_link_mails_to_the_port_it_serves_on():
    env = child_environment(host="127.0.0.1", port="8123", environ={"PATH": "/usr/bin"}, mail_dir="/tmp/mail")
    assert env["SITE_URL"] == "http://127.0.0.1:8123"
    assert env["PATH"] == "/usr/bin"


def test_the_demos_api_takes_a_tool_asking_thousands_of_questions_unless_a_limit_is_given():
    assert (
        child_environment(host="127.0.0.1", port="8", environ={}, mail_dir="m")["API_RATE_PER_MINUTE"]
        == "100000"
    )
    given = {"API_RATE_PER_MINUTE": "30"}
    assert (
        child_environment(host="127.0.0.1", port="8", environ=given, mail_dir="m")["API_RATE_PER_MINUTE"]
        == "30"
    )


def test_a_demo_on_every_interface_links_to_localhost():
    for host in ("0.0.0.0", "::"):  # noqa: S104 - a binding, read back as a link
        env = child_environment(host=host, port="8000", environ={}, mail_dir="/tmp/mail")
        assert env["SITE_URL"] == "http://127.0.0.1:8000"
    assert (
        child_environment(host="::1", port="8000", environ={}, mail_dir="m")["SITE_URL"]
        == "http://[::1]:8000"
    )


def test_a_site_url_given_to_the_demo_is_kept():
    given = {"SITE_URL": "https://demo.tunnel.example"}
    assert child_environment(host="127.0.0.1", port="8000", environ=given, mail_dir="m")["SITE_URL"] == (
        "https://demo.tunnel.example"
    )


def test_the_demos_mails_go_to_one_file_each_not_the_console():
    env = child_environment(host="127.0.0.1", port="8000", environ={}, mail_dir="/tmp/demo-mail")
    assert env["EMAIL_BACKEND"] == FILE_MAIL_BACKEND
    assert env["EMAIL_FILE_PATH"] == "/tmp/demo-mail"
    # every command on the embedded demo database writes its mails the same way
    assert DEMO_ENVIRONMENT["EMAIL_BACKEND"] == FILE_MAIL_BACKEND


def test_the_banner_lists_the_pages_that_matter_and_the_logins_last():
    env = child_environment(host="127.0.0.1", port="8123", environ={}, mail_dir="var/demo-mail")
    lines = banner(env=env, logins=logins(), password=DEMO_PASSWORD)
    text = "\n".join(lines)
    for url in ("/", "/s/demo/intake/", "/intake/", "/app/", "/s/demo/leden/"):
        assert f" http://127.0.0.1:8123{url}\n" in text + "\n", url
    assert "var/demo-mail/" in text
    last = lines[-len(logins()) :]
    assert [line.split()[0] for line in last] == [email for email, _who in logins()]
    assert DEMO_PASSWORD in lines[-len(logins()) - 1]


def test_the_banner_waits_for_the_web_server_on_an_address_that_reaches_it():
    assert health_url("0.0.0.0", "8000") == "http://127.0.0.1:8000/healthz"  # noqa: S104
    assert health_url("::", "8000") == "http://[::1]:8000/healthz"


@pytest.mark.django_db
def test_the_mails_the_demo_data_queues_link_to_the_demos_address(monkeypatch):
    # the demo data books conversations, and their notices are written in the demo's own process, not the worker
    monkeypatch.delenv("SITE_URL", raising=False)
    call_command("demo", "--no-serve", "--port", "8123", "--years", "1", stdout=io.StringIO())
    text = "\n".join(Message.all_studios.filter(channel="email").values_list("body", flat=True))
    links = re.findall(r"\S*/(?:app|s)/\S+/", text)
    assert links
    assert [link for link in links if not link.startswith("http://127.0.0.1:8123/")] == []


def test_the_banner_names_the_whatsapp_standin_when_the_demo_runs_one():
    env = child_environment(
        host="127.0.0.1",
        port="8123",
        environ={"WHATSAPP_GRAPH_URL": "http://127.0.0.1:9999/v25.0"},
        mail_dir="m",
    )
    text = "\n".join(banner(env=env, logins=logins(), password=DEMO_PASSWORD))
    assert "WhatsApp:        a stand-in at http://127.0.0.1:9999/ " in text


@pytest.mark.django_db
def test_the_demo_has_whatsapp_conversations_in_its_inbox():
    from vollegym.inbox.demo import DEMO_PHONE_NUMBER_ID
    from vollegym.inbox.models import Conversation
    from vollegym.messaging.models import WhatsAppSettings

    call_command("demo", "--no-serve", "--port", "8123", "--years", "1", stdout=io.StringIO())
    assert WhatsAppSettings.all_studios.get(studio__slug="demo").phone_number_id == DEMO_PHONE_NUMBER_ID
    conversations = Conversation.all_studios.filter(studio__slug="demo")
    assert conversations.count() >= 3 and conversations.filter(unread__gt=0).exists()

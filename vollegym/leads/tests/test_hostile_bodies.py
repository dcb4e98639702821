"""Hostile bodies at the webhook doors: a clear 4xx with a reason or a cleaned lead, never a 500.

A signed delivery that cannot become a lead is kept (failed, with the body as text) for a person to look at.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from pytest_django.fixtures import Settings

from vollegym.core.testing import Cast, client_for, run_tasks
from vollegym.leads.inbound import sign_generic
from vollegym.leads.models import GoogleLeadForm, InboundEvent, Lead
from vollegym.leads.services import lead_settings_for, meta_page_connect
from vollegym.leads.tests.graph_stub import GraphStub, start_graph_stub

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

URL = "/hooks/leads/kracht-utrecht/"
APP_SECRET = "meta-app-secret"


def lead_json(**fields: Any) -> str:
    data: dict[str, Any] = {
        "external_id": "zap-1",
        "name": "Eva de Boer",
        "email": "eva@example.nl",
        "source": "website",
        "answers": {"doel": "sterker worden"},
    }
    data.update(fields)
    return json.dumps(data)


def post_signed(client: Client, cast: Cast, raw: bytes) -> Response:
    signature = sign_generic(raw, lead_settings_for(cast.studio).webhook_secret)
    return client.post(URL, raw, content_type="application/json", headers={"X-Vollegym-Signature": signature})


def refused(response: Response, status: int = 400) -> str:
    assert response.status_code == status, response.content
    answer = response.json()
    assert answer["status"] == "refused"
    reason: str = answer["reason"]
    return reason


# Raw JSON text: these cannot be written with json.dumps() (it writes neither NaN-as-JSON nor a lone escape).
DEEP = "[" * 5000 + "]" * 5000
HOSTILE_SIGNED = {
    "NaN": (lead_json().replace('"sterker worden"', "NaN"), "NaN is not a number"),
    "Infinity": (lead_json().replace('"sterker worden"', "-Infinity"), "Infinity is not a number"),
    "1e400": (lead_json().replace('"sterker worden"', "1e400"), "out of range"),
    "5,000 digits": (lead_json().replace('"sterker worden"', "9" * 5000), "more than 100 characters"),
    "nested 5,000 deep": (DEEP, "nested deeper than 20 levels"),
    "a lead nested 5,000 deep": (
        lead_json().replace('"sterker worden"', DEEP),
        "nested deeper than 20 levels",
    ),
    "a lead nested 25 deep": (
        lead_json().replace('"sterker worden"', "[" * 25 + "]" * 25),
        "nested deeper than 20 levels",
    ),
    "a raw NUL byte": (lead_json().replace("Eva", "Eva\x00"), "not JSON"),  # json.dumps() would escape it
    "not UTF-8": ('{"external_id": "zap-1", "name": "\udcff"}', "not JSON"),
}


@pytest.mark.parametrize(("text", "reason"), HOSTILE_SIGNED.values(), ids=HOSTILE_SIGNED.keys())
def test_a_signed_unusable_delivery_gets_a_400_and_is_kept_for_a_person(
    cast: Cast, client: Client, text: str, reason: str
) -> None:
    raw = text.encode("utf-8", "surrogateescape")  # "\udcff" stands for the byte 0xff
    response = post_signed(client, cast, raw)
    assert reason in refused(response)
    event = InboundEvent.objects.for_studio(cast.studio).get()
    assert response.json()["event"] == event.pk
    assert (event.provider, event.status, event.lead) == ("generic", "failed", None)
    assert event.error == f"refused on arrival: {response.json()['reason']}"
    assert event.payload["refused"] == response.json()["reason"]
    # The body as it came, as text any database stores: a NUL byte and a byte that is not UTF-8 as escapes.
    assert event.payload["body"] == raw.decode("utf-8", "backslashreplace").replace("\x00", "\\x00")
    assert event.payload["truncated"] is False
    run_tasks()
    assert Lead.objects.for_studio(cast.studio).count() == 0
    assert InboundEvent.objects.for_studio(cast.studio).get().status == "failed"


def test_a_signed_delivery_with_a_nul_keeps_the_lead_without_it(cast: Cast, client: Client) -> None:
    raw = lead_json(
        name="Eva\u0000 de Boer", campaign="na\u0000jaar", answers={"do\u0000el": "ster\u0000ker"}
    )
    assert "\\u0000" in raw
    assert post_signed(client, cast, raw.encode()).status_code == 202
    event = InboundEvent.objects.for_studio(cast.studio).get()
    assert event.payload["name"] == "Eva de Boer" and event.payload["answers"] == {"doel": "sterker"}
    run_tasks()
    lead = Lead.objects.for_studio(cast.studio).get()
    assert (lead.name, lead.campaign, lead.answers) == ("Eva de Boer", "najaar", {"doel": "sterker"})
    assert InboundEvent.objects.for_studio(cast.studio).get().status == "processed"


def test_a_signed_delivery_with_a_lone_surrogate_keeps_the_lead_with_a_replacement_character(
    cast: Cast, client: Client
) -> None:
    raw = lead_json(name="Eva \ud800de Boer", answers={"doel\udfff": "sterker \ud83d\ude00"})
    assert "\\ud800" in raw
    assert post_signed(client, cast, raw.encode()).status_code == 202
    run_tasks()
    lead = Lead.objects.for_studio(cast.studio).get()
    assert lead.name == "Eva \ufffdde Boer"
    assert lead.answers == {"doel\ufffd": "sterker \U0001f600"}  # a proper pair stays the character it is


def test_a_refused_delivery_is_kept_once_and_a_corrected_one_with_the_same_id_still_gets_in(
    cast: Cast, client: Client
) -> None:
    bad = lead_json(answers={"gewicht": float("nan")}).encode()  # json.dumps() writes NaN
    first, again = post_signed(client, cast, bad), post_signed(client, cast, bad)
    assert "NaN" in refused(first) and "NaN" in refused(again)
    assert first.json()["event"] == again.json()["event"]
    assert post_signed(client, cast, lead_json(answers={"gewicht": 80}).encode()).status_code == 202
    run_tasks()
    assert Lead.objects.for_studio(cast.studio).get().answers == {"gewicht": 80}
    statuses = InboundEvent.objects.for_studio(cast.studio).order_by("pk").values_list("status", flat=True)
    assert list(statuses) == ["failed", "processed"]


def test_a_refused_delivery_is_shown_with_its_body_and_cannot_be_retried(cast: Cast, client: Client) -> None:
    response = post_signed(
        client, cast, lead_json(phone="0612345678").replace('"sterker worden"', "1e400").encode()
    )
    refused(response)
    owner = client_for(cast.owner)
    page = owner.get("/app/kracht-utrecht/leads/events/")
    assert "geweigerd bij ontvangst" in page.text and "out of range" in page.text
    assert "0612345678" in page.text  # a person can still call the lead
    assert f"/events/{response.json()['event']}/retry/" not in page.text
    assert (
        owner.post(f"/app/kracht-utrecht/leads/events/{response.json()['event']}/retry/").status_code == 404
    )
    assert InboundEvent.objects.for_studio(cast.studio).get().status == "failed"


def test_a_body_larger_than_django_reads_is_a_413(cast: Cast, client: Client, settings: Settings) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    raw = lead_json(name="E" * 2000).encode()
    assert "larger than 1000 bytes" in refused(post_signed(client, cast, raw), 413)
    google = client.post("/hooks/google/kracht-utrecht/", raw, content_type="application/json")
    assert "larger than" in refused(google, 413)
    assert InboundEvent.all_studios.count() == 0


@pytest.mark.parametrize(
    "header",
    [
        "t=" + "9" * 5000 + ",v1=" + "0" * 64,
        "t=\u00b2,v1=" + "0" * 64,  # "²" passes str.isdigit(), not int()
        f"t={int(time.time())},v1=\u00e9\u00e9",  # hmac.compare_digest() raises on a str outside ASCII
    ],
    ids=["5,000 nines", "a superscript digit", "a v1 outside ASCII"],
)
def test_a_hostile_signature_header_is_a_403_and_stores_nothing(
    cast: Cast, client: Client, header: str
) -> None:
    response = client.post(
        URL, lead_json().encode(), content_type="application/json", headers={"X-Vollegym-Signature": header}
    )
    assert "must look like" in refused(response, 403)
    assert InboundEvent.all_studios.count() == 0


# Google: the key is inside the body, so an unreadable body is nobody's and nothing is kept.


def google_json(value: str = '"Eva de Boer"', key: str = "google-key") -> str:
    return (
        '{"lead_id": "G1", "google_key": "' + key + '", "form_id": "F1", "user_column_data": ['
        '{"column_id": "FULL_NAME", "string_value": ' + value + "},"
        '{"column_id": "EMAIL", "string_value": "eva@example.nl"}]}'
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 100_000, "nested deeper than 20 levels"),
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 20 levels"),
        (google_json("NaN"), "NaN is not a number"),
        (google_json("1e400"), "out of range"),
        (google_json("9" * 5000), "more than 100 characters"),
    ],
    ids=["100,000 open brackets", "100,000 brackets closed", "NaN", "1e400", "5,000 digits"],
)
def test_a_hostile_google_body_is_a_400_and_stores_nothing(
    cast: Cast, client: Client, text: str, reason: str
) -> None:
    GoogleLeadForm.objects.create(studio=cast.studio, form_id="", key="google-key")
    response = client.post("/hooks/google/kracht-utrecht/", text.encode(), content_type="application/json")
    assert reason in refused(response)
    assert InboundEvent.all_studios.count() == 0


def test_a_google_lead_with_a_nul_and_a_lone_surrogate_is_kept_cleaned(cast: Cast, client: Client) -> None:
    GoogleLeadForm.objects.create(studio=cast.studio, form_id="", key="google-key")
    raw = google_json('"Eva\\u0000 de \\ud800Boer"').encode()
    response = client.post("/hooks/google/kracht-utrecht/", raw, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    run_tasks()
    assert Lead.objects.for_studio(cast.studio).get().name == "Eva de \ufffdBoer"


def test_a_google_lead_id_too_long_to_be_a_key_is_a_400(cast: Cast, client: Client) -> None:
    GoogleLeadForm.objects.create(studio=cast.studio, form_id="", key="google-key")
    raw = google_json().replace('"G1"', '"' + "G" * 500 + '"').encode()
    response = client.post("/hooks/google/kracht-utrecht/", raw, content_type="application/json")
    assert "lead_id" in refused(response)
    assert InboundEvent.all_studios.count() == 0


def test_a_google_key_with_a_lone_surrogate_is_a_403(cast: Cast, client: Client) -> None:
    GoogleLeadForm.objects.create(studio=cast.studio, form_id="", key="google-key")
    raw = google_json(key="google-key\\ud800").encode()
    response = client.post("/hooks/google/kracht-utrecht/", raw, content_type="application/json")
    assert "google_key" in refused(response, 403)
    assert InboundEvent.all_studios.count() == 0


# Meta: signed with the app secret; a body that names no page is kept without a studio, for the agency.


@pytest.fixture
def graph(settings: Settings) -> Iterator[GraphStub]:
    stub, server = start_graph_stub()
    settings.META_GRAPH_URL = stub.url
    settings.META_APP_SECRET = APP_SECRET
    yield stub
    server.shutdown()


def post_meta(client: Client, raw: bytes, header: str | None = None) -> Response:
    signature = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return client.post(
        "/hooks/meta/",
        raw,
        content_type="application/json",
        headers={"X-Hub-Signature-256": signature if header is None else header},
    )


def meta_json(leadgen_id: str = '"L1"', page_id: str = '"1001"') -> str:
    return (
        '{"object": "page", "entry": [{"id": ' + page_id + ', "changes": [{"field": "leadgen", "value": '
        '{"leadgen_id": ' + leadgen_id + ', "page_id": ' + page_id + ', "form_id": "777"}}]}]}'
    )


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (meta_json(leadgen_id="NaN"), "NaN is not a number"),
        (meta_json(leadgen_id="1e400"), "out of range"),
        (meta_json(leadgen_id="9" * 5000), "more than 100 characters"),
        (meta_json(leadgen_id=DEEP), "nested deeper than 20 levels"),
        ("[" * 100_000, "nested deeper than 20 levels"),
        (meta_json(leadgen_id='"' + "1" * 500 + '"'), "at most 64 characters"),
    ],
    ids=["NaN", "1e400", "5,000 digits", "nested 5,000 deep", "100,000 brackets", "a 500-character id"],
)
def test_a_signed_unusable_meta_delivery_gets_a_400_and_is_kept_for_the_agency(
    cast: Cast, client: Client, graph: GraphStub, text: str, reason: str
) -> None:
    meta_page_connect(studio=cast.studio, page_id="1001", page_token=graph.token)
    response = post_meta(client, text.encode())
    assert reason in refused(response)
    event = InboundEvent.all_studios.get()
    assert (event.studio, event.provider, event.status) == (None, "meta", "failed")
    assert event.payload["body"] == text[:100_000] and response.json()["event"] == event.pk


def test_a_meta_delivery_with_a_nul_and_a_lone_surrogate_is_stored_cleaned(
    cast: Cast, client: Client, graph: GraphStub
) -> None:
    meta_page_connect(studio=cast.studio, page_id="1001", page_token=graph.token)
    graph.add_lead("L1", full_name="Eva de Boer", email="eva@example.nl")
    response = post_meta(client, meta_json(leadgen_id='"X\\u00009"', page_id='"1001\\ud800"').encode())
    assert response.status_code == 200
    assert response.json()["events"][0]["routed"] is False  # no page "1001\ufffd": kept as unroutable
    assert InboundEvent.all_studios.get(studio=None).dedupe_key == "X9"
    response = post_meta(client, meta_json(leadgen_id='"L\\u00001"').encode())
    assert response.status_code == 200 and response.json()["events"][0]["routed"] is True
    run_tasks()
    assert Lead.objects.for_studio(cast.studio).get().name == "Eva de Boer"
    assert InboundEvent.objects.for_studio(cast.studio).get().dedupe_key == "L1"


@pytest.mark.parametrize(
    "header", ["sha256=\u00e9\u00e9", "sha256=\u00b2"], ids=["an e-acute", "a superscript two"]
)
def test_a_hostile_meta_signature_header_is_a_403_and_stores_nothing(
    cast: Cast, client: Client, graph: GraphStub, header: str
) -> None:
    assert "does not match" in refused(post_meta(client, meta_json().encode(), header=header), 403)
    assert InboundEvent.all_studios.count() == 0

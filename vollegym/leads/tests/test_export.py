import json
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from vollegym.leads.exporting import leads_export_rows
from vollegym.leads.inbound import sign_generic
from vollegym.leads.services import (
    ConsentInput,
    LeadInput,
    lead_capture,
    lead_escalate_if_late,
    lead_log_contact,
    lead_move,
    lead_settings_for,
)

pytestmark = pytest.mark.django_db

TUESDAY_10 = datetime.fromisoformat("2026-11-24T10:00:00+01:00")
CONTACT = "Ja, Kracht Utrecht mag contact met mij opnemen over mijn aanvraag."
MARKETING = "Ik wil nieuws en aanbiedingen ontvangen."


@pytest.fixture
def two_leads(cast):
    """Eva (website, answered in 4 minutes) and Zoë (Meta, invalid number, escalated, then lost)."""
    with time_machine.travel(TUESDAY_10, tick=False):
        eva = lead_capture(
            studio=cast.studio,
            data=LeadInput(
                source="website", name="Eva de Boer", email="eva@example.nl", phone="06 1234 5678",
                campaign="najaar", ad="ad-7", form="proefles", utm={"utm_source": "google", "utm_medium": "cpc"},
                answers={"doel": "sterker worden"},
                consents=[ConsentInput("contact", CONTACT, True, "email"), ConsentInput("marketing", MARKETING, False)],
            ),
        ).lead  # fmt: skip
    with time_machine.travel(TUESDAY_10 + timedelta(minutes=4), tick=False):
        lead_log_contact(lead=eva, kind="call", outcome="reached", by=cast.coach)
    with time_machine.travel(TUESDAY_10 + timedelta(minutes=30), tick=False):
        zoe = lead_capture(
            studio=cast.studio, data=LeadInput(source="meta", name="Zoë Jansen", phone="0612")
        ).lead
        lead_capture(
            studio=cast.studio, data=LeadInput(source="website", email="test@example.nl", is_test=True)
        )
    lead_escalate_if_late(lead_id=zoe.pk, now=TUESDAY_10 + timedelta(minutes=91))
    lead_move(lead=zoe, stage="lost", by=cast.owner, lost_reason="niet bereikbaar")
    lead_capture(studio=cast.other_studio, data=LeadInput(source="website", email="ander@example.nl"))
    return eva, zoe


def expected_rows(cast, eva, zoe):
    return [
        {
            "id": eva.pk,
            "created_at": "2026-11-24T09:00:00Z",
            "name": "Eva de Boer",
            "email": "eva@example.nl",
            "phone": "+31612345678",
            "phone_as_given": "06 1234 5678",
            "phone_invalid": False,
            "source": "website",
            "campaign": "najaar",
            "ad": "ad-7",
            "form": "proefles",
            "utm": {"utm_medium": "cpc", "utm_source": "google"},  # sorted, on every database
            "stage": "contacted",
            "lost_reason": "",
            "assigned_to": "youssef@kracht.nl",
            "due_at": "2026-11-24T10:00:00Z",
            "first_contact_at": "2026-11-24T09:04:00Z",
            "response_seconds": 240,
            "escalated_at": None,
            "answers": {"doel": "sterker worden"},
            "consents": [
                {
                    "purpose": "contact",
                    "channel": "email",
                    "wording": CONTACT,
                    "given": True,
                    "recorded_at": "2026-11-24T09:00:00Z",
                },
                {
                    "purpose": "marketing",
                    "channel": "",
                    "wording": MARKETING,
                    "given": False,
                    "recorded_at": "2026-11-24T09:00:00Z",
                },
            ],
        },
        {
            "id": zoe.pk,
            "created_at": "2026-11-24T09:30:00Z",
            "name": "Zoë Jansen",
            "email": "",
            "phone": "",
            "phone_as_given": "0612",
            "phone_invalid": True,
            "source": "meta",
            "campaign": "",
            "ad": "",
            "form": "",
            "utm": {},
            "stage": "lost",
            "lost_reason": "niet bereikbaar",
            "assigned_to": "youssef@kracht.nl",
            "due_at": "2026-11-24T10:30:00Z",
            "first_contact_at": None,
            "response_seconds": None,
            "escalated_at": "2026-11-24T10:31:00Z",
            "answers": {},
            "consents": [],
        },
    ]


def export(*args):
    out = StringIO()
    call_command("export_leads", *args, stdout=out)
    return out.getvalue()


def test_json_export_lists_every_lead_oldest_first_with_e164_phones_and_consent_wording(cast, two_leads):
    text = export("kracht-utrecht", "--format", "json")
    assert json.loads(text) == expected_rows(cast, *two_leads)
    assert text == json.dumps(expected_rows(cast, *two_leads), ensure_ascii=False, indent=2) + "\n"
    assert '"name": "Zoë Jansen"' in text  # UTF-8 as is, not \u00eb


def test_csv_export_has_one_row_per_lead_with_structured_fields_as_json_text(cast, two_leads):
    eva, zoe = two_leads
    header = (
        "id,created_at,name,email,phone,phone_as_given,phone_invalid,source,campaign,ad,form,utm,stage,"
        "lost_reason,assigned_to,due_at,first_contact_at,response_seconds,escalated_at,answers,consents"
    )
    eva_row = (
        f"{eva.pk},2026-11-24T09:00:00Z,Eva de Boer,eva@example.nl,+31612345678,06 1234 5678,false,website,"
        'najaar,ad-7,proefles,"{""utm_medium"": ""cpc"", ""utm_source"": ""google""}",contacted,,'
        "youssef@kracht.nl,2026-11-24T10:00:00Z,2026-11-24T09:04:00Z,240,,"
        '"{""doel"": ""sterker worden""}",'
        '"[{""purpose"": ""contact"", ""channel"": ""email"", ""wording"": '
        f'""{CONTACT}"", ""given"": true, ""recorded_at"": ""2026-11-24T09:00:00Z""}}, '
        '{""purpose"": ""marketing"", ""channel"": """", ""wording"": '
        f'""{MARKETING}"", ""given"": false, ""recorded_at"": ""2026-11-24T09:00:00Z""}}]"'
    )
    zoe_row = (
        f"{zoe.pk},2026-11-24T09:30:00Z,Zoë Jansen,,,0612,true,meta,,,,{{}},lost,niet bereikbaar,"
        "youssef@kracht.nl,2026-11-24T10:30:00Z,,,2026-11-24T10:31:00Z,{},[]"
    )
    assert export("kracht-utrecht", "--format", "csv") == f"{header}\r\n{eva_row}\r\n{zoe_row}\r\n"


def test_test_leads_are_left_out_unless_asked_for(cast, two_leads):
    emails = [row["email"] for row in json.loads(export("kracht-utrecht", "--format", "json"))]
    assert "test@example.nl" not in emails
    with_test = json.loads(export("kracht-utrecht", "--format", "json", "--include-test"))
    assert [row["email"] for row in with_test] == ["eva@example.nl", "", "test@example.nl"]


def test_an_export_never_contains_another_studios_leads(cast, two_leads):
    text = export("kracht-utrecht", "--format", "csv") + export("kracht-utrecht", "--format", "json")
    assert "ander@example.nl" not in text
    other = leads_export_rows(cast.other_studio)
    assert [row["email"] for row in other] == ["ander@example.nl"]
    assert other[0]["consents"] == []


def test_an_export_can_be_written_to_a_file_in_utf8(cast, two_leads, tmp_path):
    path = tmp_path / "leads.csv"
    err = StringIO()
    call_command("export_leads", "kracht-utrecht", "--format", "csv", "--output", str(path), stderr=err)
    assert path.read_bytes().decode("utf-8") == export("kracht-utrecht", "--format", "csv")
    assert "Zoë Jansen".encode() in path.read_bytes()
    assert err.getvalue() == f"2 leads written to {path}\n"


def test_export_refuses_an_unknown_studio_and_format(cast):
    with pytest.raises(CommandError, match=r"^no studio with slug nergens$"):
        export("nergens", "--format", "json")
    with pytest.raises(CommandError, match="invalid choice: 'xml'"):
        export("kracht-utrecht", "--format", "xml")


# The generic webhook's secret, for the agency setting up Zapier or Make


def post_signed(client, secret):
    body = json.dumps({"external_id": "zap-1", "email": "eva@example.nl"}).encode()
    return client.post(
        "/hooks/leads/kracht-utrecht/",
        body,
        content_type="application/json",
        headers={"X-Vollegym-Signature": sign_generic(body, secret)},
    )


def webhook_secret(*args):
    out = StringIO()
    call_command("webhook_secret", *args, stdout=out)
    return out.getvalue()


def test_webhook_secret_prints_the_secret_the_webhook_verifies_with(cast, client):
    printed = webhook_secret("kracht-utrecht")
    secret = printed.removesuffix("\n")
    assert printed == f"{secret}\n" and len(secret) >= 32
    assert secret == lead_settings_for(cast.studio).webhook_secret
    assert webhook_secret("kracht-utrecht") == printed  # reading does not change it
    assert post_signed(client, secret).status_code == 202


def test_a_rotated_webhook_secret_replaces_the_old_one(cast, client):
    old = webhook_secret("kracht-utrecht").strip()
    new = webhook_secret("kracht-utrecht", "--rotate").strip()
    assert new != old and new == lead_settings_for(cast.studio).webhook_secret
    assert post_signed(client, old).status_code == 403
    assert post_signed(client, new).status_code == 202
    assert lead_settings_for(cast.other_studio).webhook_secret not in {old, new}


def test_webhook_secret_refuses_an_unknown_studio(cast):
    with pytest.raises(CommandError, match=r"^no studio with slug nergens$"):
        webhook_secret("nergens")

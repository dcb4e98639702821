"""Phone numbers are shown as Dutch people write them (06 12345678, 030 234 5678); links keep tel:+31…."""

from __future__ import annotations

import pytest
from django.test import Client

from vollegym.core.phones import display_phone
from vollegym.core.testing import Cast, client_for
from vollegym.intake.services import questionnaire_install
from vollegym.leads.services import LeadInput, lead_capture
from vollegym.messaging.models import Message

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("+31612345678", "06 12345678"),
        ("+31302345678", "030 234 5678"),
        ("030-2345678", "030 234 5678"),  # a studio's number as someone typed it
        ("+4915112345678", "+49 1511 2345678"),
        ("0612", "0612"),  # no number: as it is
    ],
)
def test_a_number_reads_the_dutch_way(stored: str, shown: str) -> None:
    assert display_phone(stored) == shown


def test_the_leads_page_and_the_coachs_mail_show_the_dutch_form(cast: Cast) -> None:
    lead = lead_capture(
        studio=cast.studio, data=LeadInput(source="website", name="Eva de Boer", phone="+31 6 1234 5678")
    ).lead
    page = client_for(cast.owner).get(f"/app/kracht-utrecht/leads/{lead.pk}/").content.decode()
    assert "06 12345678" in page and 'href="tel:+31612345678"' in page
    assert ">+31612345678<" not in page

    mail = Message.objects.for_studio(cast.studio).get(purpose="lead_new", channel=Message.Channel.EMAIL)
    assert "06 12345678" in mail.body and "+31612345678" not in mail.body


def test_the_studios_own_number_reads_dutch_and_dials_international(cast: Cast) -> None:
    cast.studio.phone = "030-2345678"
    cast.studio.save(update_fields=["phone"])
    questionnaire_install(studio=cast.studio, kind="pt")
    page = Client().get("/s/kracht-utrecht/intake/").content.decode()
    assert '<a href="tel:+31302345678">030 234 5678</a>' in page
    statement = Client().get("/s/kracht-utrecht/privacy/").content.decode()
    assert '<a href="tel:+31302345678">030 234 5678</a>' in statement
    dashboard = client_for(cast.owner).get("/app/kracht-utrecht/").content.decode()
    assert "030 234 5678" in dashboard

"""The link someone arrived by: its UTM parameters stay with the lead (utm_campaign as its campaign), so the funnel
and the ad spend read per campaign; what is not readable text is ignored, never stored and never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from vollegym.core.testing import Cast
from vollegym.intake.services import questionnaire_install
from vollegym.leads.models import Lead

pytestmark = pytest.mark.django_db


def arrive_and_leave_details(cast: Cast, query: str, email: str = "fleur@example.nl") -> Lead:
    questionnaire_install(studio=cast.studio, kind="small_group")
    client = Client()
    landing = client.get(f"/s/{cast.studio.slug}/intake/?{query}")
    assert landing.status_code == 200
    sent = client.post(f"/s/{cast.studio.slug}/intake/", {"name": "Fleur", "email": email, "contact": "on"})
    assert sent.status_code == 302
    return Lead.objects.for_studio(cast.studio).get(person__email=email)


def test_the_ads_utm_parameters_stay_with_the_lead(cast: Cast) -> None:
    lead = arrive_and_leave_details(
        cast, "utm_source=facebook&utm_medium=paid&utm_campaign=Najaar%2040%2B&fbclid=abc&utm_term=kracht"
    )
    assert lead.campaign == "Najaar 40+"
    assert lead.utm == {"utm_source": "facebook", "utm_medium": "paid", "utm_campaign": "Najaar 40+",
                        "utm_term": "kracht"}  # fmt: skip


def test_no_utm_no_campaign(cast: Cast) -> None:
    lead = arrive_and_leave_details(cast, "")
    assert lead.campaign == "" and lead.utm == {}


@pytest.mark.parametrize(
    "query",
    [
        "utm_campaign=Na%00jaar",
        "utm_campaign=%ED%A0%80",
        "utm_campaign=Na%0D%0Ajaar",
        "utm_campaign=" + "x" * 5000,
    ],
    ids=["nul", "lone-surrogate", "newline", "huge"],
)
def test_unreadable_or_huge_utm_is_ignored_or_cut(cast: Cast, query: str) -> None:
    lead = arrive_and_leave_details(cast, query)
    assert "\x00" not in lead.campaign and "\n" not in lead.campaign and len(lead.campaign) <= 200
    if query.endswith("x" * 10):
        assert lead.campaign == "x" * 200
    else:
        assert lead.campaign == "" and lead.utm == {}

import pytest

from vollegym.api.tests.kit import ApiClient, make_token
from vollegym.leads.models import Lead
from vollegym.people.models import DomainEvent, Person

pytestmark = pytest.mark.django_db

BASE = "/api/v1/studios/kracht-utrecht"


@pytest.fixture
def api(cast):
    return ApiClient(make_token(cast.studio, cast.owner).secret)


def test_a_lead_made_through_the_api_goes_through_capture_and_merges_with_the_person(cast, api):
    first = api.post(
        f"{BASE}/leads",
        {
            "name": "Eva de Vries",
            "phone": "06 12345678",
            "source": "meta",
            "campaign": "voorjaar",
            "consent": [{"purpose": "contact", "text": "Ja, bel me", "given": True}],
        },
    )
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["phone"] == "+31612345678" and body["source"] == "meta" and body["stage"] == "new"
    assert body["due_at"] is not None  # capture set the clock
    again = api.post(f"{BASE}/leads", {"email": "eva@example.nl", "phone": "+31 6 12345678"})
    assert again.status_code == 201 and again.json()["id"] == body["id"]  # one open lead per person
    assert Person.objects.for_studio(cast.studio).count() == 1
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="lead.captured").count() == 1


def test_a_lead_without_contact_is_a_problem_naming_the_field(api):
    response = api.post(f"{BASE}/leads", {"name": "Niemand"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation_failed" and problem["errors"][0]["field"] == "contact"


def test_moving_a_lead_and_logging_a_call_use_the_pipeline_services(cast, api):
    lead_id = api.post(f"{BASE}/leads", {"email": "tom@example.nl"}).json()["id"]
    call = api.post(f"{BASE}/leads/{lead_id}/contacts", {"kind": "call", "outcome": "reached"})
    assert call.status_code == 201 and call.json()["outcome"] == "reached"
    lead = Lead.objects.for_studio(cast.studio).get(pk=lead_id)
    assert lead.stage == "contacted" and lead.first_contact_at is not None
    lost = api.post(f"{BASE}/leads/{lead_id}/stage", {"stage": "lost"})
    assert lost.status_code == 422 and lost.json()["errors"][0]["field"] == "lost_reason"
    moved = api.post(f"{BASE}/leads/{lead_id}/stage", {"stage": "lost", "lost_reason": "te duur"})
    assert moved.status_code == 200 and moved.json()["stage"] == "lost"
    assert (
        DomainEvent.objects.for_studio(cast.studio).filter(kind="lead.stage_changed", lead_id=lead_id).count()
        == 2
    )


def test_lists_walk_by_cursor_and_updated_since_narrows(cast, api):
    ids = [api.post(f"{BASE}/leads", {"email": f"l{n}@example.nl"}).json()["id"] for n in range(5)]
    seen, cursor = [], None
    while True:
        page = api.get(f"{BASE}/leads", limit=2, **({"cursor": cursor} if cursor else {})).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    last = Lead.objects.for_studio(cast.studio).get(pk=ids[-1]).updated_at
    recent = api.get(f"{BASE}/leads", updated_since=last.isoformat()).json()
    assert [item["id"] for item in recent["items"]] == [ids[-1]]


def test_a_forged_cursor_or_one_of_another_list_is_refused(cast, api):
    for n in range(3):
        api.post(f"{BASE}/leads", {"email": f"c{n}@example.nl"})
    cursor = api.get(f"{BASE}/leads", limit=1).json()["next_cursor"]
    assert api.get(f"{BASE}/leads", cursor=cursor).status_code == 200
    for bad in (cursor[:-2] + "xx", "eyJhIjoxfQ", "\x00", cursor.replace(":", ";")):
        response = api.get(f"{BASE}/leads", cursor=bad)
        assert response.status_code == 400 and response.json()["code"] == "invalid_cursor"
    assert api.get(f"{BASE}/people", cursor=cursor).json()["code"] == "invalid_cursor"


def test_a_write_needs_the_write_scope(cast):
    reader = ApiClient(make_token(cast.studio, cast.owner, scopes=["leads:read"]).secret)
    assert reader.get(f"{BASE}/leads").status_code == 200
    refused = reader.post(f"{BASE}/leads", {"email": "x@example.nl"})
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden_scope"
    assert reader.get(f"{BASE}/people").json()["code"] == "forbidden_scope"
    assert not Lead.objects.for_studio(cast.studio).exists()


def test_a_conversation_outcome_is_recorded_through_the_booking_service(cast, api):
    from datetime import timedelta

    from vollegym.core import clock
    from vollegym.intake.models import Booking, ConsultationType

    lead = Lead.objects.for_studio(cast.studio).get(
        pk=api.post(f"{BASE}/leads", {"email": "g@example.nl"}).json()["id"]
    )
    kind = ConsultationType.objects.create(studio=cast.studio, name="Kennismaking")
    starts = clock.now() - timedelta(hours=2)
    booking = Booking.objects.create(
        studio=cast.studio,
        lead=lead,
        person=lead.person,
        kind=kind,
        coach=cast.coach,
        starts_at=starts,
        ends_at=starts + timedelta(minutes=30),
    )
    won = api.post(f"{BASE}/conversations/{booking.pk}/outcome", {"outcome": "won"})
    assert won.status_code == 200 and won.json()["outcome"] == "won" and won.json()["status"] == "showed"
    lead.refresh_from_db()
    assert lead.stage == "won"
    nonsense = api.post(f"{BASE}/conversations/{booking.pk}/outcome", {"outcome": "lost"})
    assert nonsense.status_code == 422 and nonsense.json()["code"] == "refused"

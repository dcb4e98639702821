"""One record per human per studio: capture finds the person, a returning person keeps one record, staff merge two."""

from datetime import time, timedelta

import pytest
import time_machine

from vollegym.core import clock
from vollegym.core.testing import make_member
from vollegym.intake.models import Booking, ConsultationType, IntakeResponse
from vollegym.intake.selectors import current_version
from vollegym.intake.services import questionnaire_install
from vollegym.leads.models import Lead, Stage
from vollegym.leads.services import ConsentInput, LeadInput, lead_capture, lead_move
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.people.models import ConsentEntry, Person
from vollegym.people.selectors import consent_state
from vollegym.people.services import PersonError, _person_links, person_merge
from vollegym.programs.models import Member
from vollegym.schedule.models import ClassSession, ClassTemplate, SessionBooking

pytestmark = pytest.mark.django_db


def capture(studio, **fields):
    return lead_capture(studio=studio, data=LeadInput(source=fields.pop("source", "website"), **fields))


def test_capture_makes_a_person_and_the_lead_reads_its_details_there(cast):
    lead = capture(cast.studio, name="Eva de Boer", email="Eva@Example.nl", phone="06 1234 5678").lead
    person = Person.objects.for_studio(cast.studio).get()
    assert lead.person == person
    assert (person.name, person.email, person.phone, person.phone_as_given) == (
        "Eva de Boer", "eva@example.nl", "+31612345678", "06 1234 5678",
    )  # fmt: skip
    assert (lead.name, lead.email, lead.phone) == (person.name, person.email, person.phone)


def test_a_second_question_while_the_lead_is_open_adds_to_that_lead(cast):
    first = capture(cast.studio, email="eva@example.nl").lead
    again = lead_capture(
        studio=cast.studio, data=LeadInput(source="meta", phone="+31 6 12 34 56 78", email="EVA@example.nl")
    )
    assert not again.created and again.lead.pk == first.pk
    person = Person.objects.for_studio(cast.studio).get()
    assert person.phone == "+31612345678"  # the phone they gave the second time fills in the record


def test_a_person_who_comes_back_after_a_closed_lead_keeps_one_record_and_gets_a_new_lead(cast):
    with time_machine.travel(clock.now() - timedelta(days=380), tick=False):
        old = capture(cast.studio, name="Eva de Boer", phone="0612345678").lead
        lead_move(lead=old, stage=Stage.LOST, by=cast.owner, lost_reason="Wil eerst zelf proberen")
    new = capture(cast.studio, email="eva@example.nl", phone="06-12345678", source="meta").lead
    assert new.pk != old.pk
    assert Person.objects.for_studio(cast.studio).count() == 1
    assert list(Lead.objects.for_studio(cast.studio).filter(person=old.person).order_by("created_at")) == [
        old,
        new,
    ]
    assert new.person.email == "eva@example.nl" and new.person.name == "Eva de Boer"


def test_the_same_phone_in_another_studio_is_another_person(cast):
    here = capture(cast.studio, phone="0612345678").lead
    there = capture(cast.other_studio, phone="0612345678").lead
    assert here.person_id != there.person_id
    assert here.person.studio_id == cast.studio.pk and there.person.studio_id == cast.other_studio.pk


def test_a_refusal_given_earlier_is_seen_on_the_next_lead(cast):
    no_whatsapp = ConsentInput("whatsapp", "Ja, stuur mij berichten via WhatsApp.", False, "whatsapp")
    old = capture(cast.studio, phone="0612345678", consents=[no_whatsapp]).lead
    lead_move(lead=old, stage=Stage.LOST, by=cast.owner, lost_reason="Te ver weg")
    new = capture(cast.studio, phone="0612345678").lead
    assert consent_state(new.person, cast.studio.pk)["whatsapp"] is False


def test_the_same_consent_twice_in_the_same_words_is_kept_once(cast):
    yes = ConsentInput("contact", "Ja, jullie mogen mij bellen.", True, "intake")
    capture(cast.studio, phone="0612345678", consents=[yes])
    capture(cast.studio, phone="0612345678", consents=[yes])
    assert ConsentEntry.objects.for_studio(cast.studio).count() == 1


def _plant_everywhere(studio, person_lead: Lead, member: Member, coach) -> None:
    """Rows in every table that points at a person, for the merge to move."""
    questionnaire_install(studio=studio, kind="small_group")
    version = current_version(studio)
    assert version is not None
    response = IntakeResponse.objects.create(
        studio=studio, version=version, lead=person_lead, person_id=person_lead.person_id
    )
    kind = ConsultationType.objects.create(studio=studio, name="Kennismaking")
    starts = clock.now() + timedelta(days=3)
    Booking.objects.create(
        studio=studio, lead=person_lead, person_id=person_lead.person_id, response=response, kind=kind,
        coach=coach, starts_at=starts, ends_at=starts + timedelta(minutes=30),
    )  # fmt: skip
    template = ClassTemplate.objects.create(
        studio=studio, name="Kracht", weekday=1, starts=time(7), capacity=8
    )
    session = ClassSession.objects.create(
        studio=studio, template=template, starts_at=clock.now() + timedelta(days=7),
        ends_at=clock.now() + timedelta(days=7, minutes=45), capacity=8, booked=1,
    )  # fmt: skip
    SessionBooking.objects.create(studio=studio, session=session, member=member, person_id=member.person_id)
    message_queue(
        studio=studio, channel=Message.Channel.EMAIL, person=member.person, purpose="agenda",
        key=f"test:{member.pk}", subject="Je rooster", body="Hoi",
    )  # fmt: skip


def test_merging_moves_everything_to_the_person_kept_and_removes_the_other(cast):
    kept = capture(cast.studio, name="Eva de Boer", email="eva@example.nl").lead
    lead_move(lead=kept, stage=Stage.LOST, by=cast.owner, lost_reason="Te ver weg")
    other_lead = capture(
        cast.studio,
        phone="0612345678",
        consents=[ConsentInput("whatsapp", "Ja, via WhatsApp.", True, "whatsapp")],
    ).lead
    member = make_member(cast.studio, name="E. de Boer", phone="+31612345678")
    Member.objects.for_studio(cast.studio).filter(pk=member.pk).update(person=other_lead.person)
    member.refresh_from_db()
    _plant_everywhere(cast.studio, other_lead, member, cast.coach)
    stray = member.person_id
    other = other_lead.person
    # Every table that points at a person holds a row of the other person before the merge.
    links = _person_links()
    assert {model.__name__ for model, _field in links} >= {
        "Lead", "Member", "Message", "IntakeResponse", "Booking", "SessionBooking", "ConsentEntry",
    }  # fmt: skip

    merged = person_merge(keep=kept.person, other=other, by=cast.owner)

    assert not Person.objects.for_studio(cast.studio).filter(pk=other.pk).exists()
    assert stray == other.pk
    for model, field in links:
        rows = model.all_studios.filter(**{field: other.pk})  # type: ignore[attr-defined]
        assert not rows.exists(), f"{model.__name__}.{field} still points at the merged person"
    assert Lead.objects.for_studio(cast.studio).filter(person=merged).count() == 2
    assert Member.objects.for_studio(cast.studio).get().person == merged
    assert (
        merged.phone == "+31612345678" and merged.email == "eva@example.nl" and merged.name == "Eva de Boer"
    )
    assert consent_state(merged, cast.studio.pk)["whatsapp"] is True


def test_two_people_of_different_studios_are_never_merged(cast):
    here = capture(cast.studio, phone="0612345678").lead.person
    there = capture(cast.other_studio, phone="0612345678").lead.person
    with pytest.raises(PersonError):
        person_merge(keep=here, other=there)
    assert Person.all_studios.count() == 2


def test_staff_merge_two_records_from_the_persons_page(cast):
    from vollegym.core.testing import client_for

    kept = capture(cast.studio, name="Eva de Boer", email="eva@example.nl").lead
    other = capture(cast.studio, name="E. Boer", phone="0612345678").lead
    page = f"/app/kracht-utrecht/personen/{kept.person_id}/samenvoegen/"
    coach = client_for(cast.coach)
    found = coach.get(page, {"other": "06 12 34 56 78"})
    assert found.status_code == 200 and "E. Boer" in found.text and "Samenvoegen in" in found.text
    nobody = coach.get(page, {"other": "niemand@example.nl"})
    assert "Geen andere persoon" in nobody.text
    assert client_for(cast.outsider).post(page, {"other": "0612345678", "confirmed": "1"}).status_code == 404
    done = coach.post(page, {"other": "0612345678", "confirmed": "1"})
    assert done.status_code == 302 and done["Location"].endswith(f"/personen/{kept.person_id}/")
    assert Person.objects.for_studio(cast.studio).count() == 1
    other.refresh_from_db()
    assert other.person_id == kept.person_id
    from vollegym.people.models import AuditEntry

    assert (
        AuditEntry.objects.for_studio(cast.studio).filter(action="merged", person_id=kept.person_id).exists()
    )


def test_a_known_person_who_gives_another_number_keeps_the_record_and_the_timeline_says_so(cast):
    from vollegym.leads.models import Activity

    first = capture(cast.studio, name="Eva de Boer", email="eva@example.nl", phone="0612345678").lead
    again = capture(cast.studio, name="Eva de Boer", email="eva@example.nl", phone="0687654321").lead
    assert again.pk == first.pk and again.person.phone == "+31612345678"
    note = Activity.objects.for_studio(cast.studio).get(lead=first, kind="submission").body
    assert "gaf nu op" in note and "telefoon: 06 87654321" in note and "naam" not in note


def test_a_person_is_never_merged_into_an_erased_one(cast):
    from vollegym.people.rights import person_erase

    erased = capture(cast.studio, email="weg@example.nl").lead.person
    person_erase(person=erased, by=cast.owner)
    alive = capture(cast.studio, email="eva@example.nl").lead.person
    with pytest.raises(PersonError):
        person_merge(keep=erased, other=alive)
    assert Person.objects.for_studio(cast.studio).count() == 2


def test_an_impossible_date_in_an_answer_shows_as_text_on_the_persons_page(cast):
    from vollegym.core.testing import client_for
    from vollegym.people.templatetags.people_tags import readable

    assert readable("1990-02-31 is mijn verjaardag") == "1990-02-31 is mijn verjaardag"
    assert readable("2024-02-10T25:00") == "2024-02-10T25:00"
    lead = capture(
        cast.studio, email="eva@example.nl", answers={"verjaardag": "1990-02-31 is mijn verjaardag"}
    ).lead
    page = client_for(cast.owner).get(f"/app/kracht-utrecht/personen/{lead.person_id}/")
    assert page.status_code == 200 and "1990-02-31" in page.text


def test_staff_cannot_merge_a_person_into_themselves_by_their_own_number(cast):
    from vollegym.people.services import person_find_other

    person = capture(cast.studio, phone="0612345678").lead.person
    with pytest.raises(PersonError):
        person_find_other(person=person, typed="+31 6 1234 5678")
    theirs = capture(cast.other_studio, phone="0687654321").lead.person
    with pytest.raises(PersonError):
        person_find_other(person=person, typed="0687654321")  # another studio's person is never found
    assert theirs.pk != person.pk

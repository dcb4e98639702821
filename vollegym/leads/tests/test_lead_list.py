"""The leads list as staff work in it every day: search, filters, order, pages, a ticked selection, the CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
import time_machine

from vollegym.core.testing import client_for, make_lead, make_person, make_staff
from vollegym.leads.models import Activity, Lead, Stage
from vollegym.messaging.models import Message
from vollegym.people.models import AuditEntry, DomainEvent, How, Purpose
from vollegym.people.services import consent_record

pytestmark = pytest.mark.django_db

LIST = "/app/kracht-utrecht/leads/"
BULK = "/app/kracht-utrecht/leads/selectie/"
EXPORT = "/app/kracht-utrecht/leads/export.csv"
T0 = datetime.fromisoformat("2026-11-24T10:00:00+01:00")


def names_on(page: str, *candidates: str) -> set[str]:
    return {name for name in candidates if name in page}


@pytest.mark.parametrize(
    "typed",
    ["0612345678", "06-12345678", "06 12 34 56 78", "+31 6 12 34 56 78", "+31612345678", "0031612345678",
     "612345678", "12345678", "1234 5678", "06 1234", "+31 6 1234"],
)  # fmt: skip
def test_a_phone_number_is_found_however_it_is_typed(cast, typed):
    make_lead(cast.studio, name="Eva Jansen", phone="+31612345678")
    make_lead(cast.studio, name="Bram Smit", phone="+31687654321")
    make_lead(cast.studio, name="Wim Vast", phone="+31301234567")
    page = client_for(cast.coach).get(LIST, {"zoek": typed}).text
    assert names_on(page, "Eva Jansen", "Bram Smit", "Wim Vast") == {"Eva Jansen"}


def test_a_number_that_never_was_valid_is_found_as_it_was_typed(cast):
    person = make_person(cast.studio, name="Eva Jansen")
    person.phone_as_given = "06-123"
    person.save()
    Lead.objects.create(studio=cast.studio, person=person, source="website")
    make_lead(cast.studio, name="Bram Smit", phone="+31687654321")
    page = client_for(cast.coach).get(LIST, {"zoek": "06-123"}).text
    assert names_on(page, "Eva Jansen", "Bram Smit") == {"Eva Jansen"}


@pytest.mark.parametrize("typed", ["chloe", "CHLOË", "ozdemir chloe", "Özdemir", "  chloë   özdemir "])
def test_a_name_is_found_without_minding_capitals_accents_or_word_order(cast, typed):
    make_lead(cast.studio, name="Chloë Özdemir", email="c@example.nl")
    make_lead(cast.studio, name="Chris Olde", email="chris@example.nl")
    page = client_for(cast.coach).get(LIST, {"zoek": typed}).text
    assert names_on(page, "Chloë Özdemir", "Chris Olde") == {"Chloë Özdemir"}


def test_turkish_and_dutch_letters_fold_both_ways(cast):
    make_lead(cast.studio, name="Ayşe Yılmaz", email="a@example.nl")
    make_lead(cast.studio, name="Loïs Noël", email="l@example.nl")
    coach = client_for(cast.coach)
    assert "Ayşe Yılmaz" in coach.get(LIST, {"zoek": "ayse yilmaz"}).text
    assert "Loïs Noël" in coach.get(LIST, {"zoek": "LOIS noel"}).text
    assert "Loïs Noël" not in coach.get(LIST, {"zoek": "ayse"}).text


def test_an_email_or_part_of_one_is_found(cast):
    make_lead(cast.studio, name="Eva Jansen", email="eva.jansen@gmail.com")
    make_lead(cast.studio, name="Bram Smit", email="bram@hotmail.com")
    coach = client_for(cast.coach)
    assert names_on(coach.get(LIST, {"zoek": "EVA.JANSEN@gmail"}).text, "Eva Jansen", "Bram Smit") == {
        "Eva Jansen"
    }
    assert names_on(coach.get(LIST, {"zoek": "hotmail"}).text, "Eva Jansen", "Bram Smit") == {"Bram Smit"}


def test_a_search_among_open_leads_offers_the_closed_ones_too(cast):
    make_lead(cast.studio, name="Eva Gewonnen", email="eva@example.nl", stage=Stage.WON)
    coach = client_for(cast.coach)
    page = coach.get(LIST, {"zoek": "eva"}).text
    assert "Eva Gewonnen" not in page and "Geen leads gevonden" in page
    assert 'href="?zoek=eva&amp;status=alle">Ook in gesloten leads zoeken' in page
    assert "Eva Gewonnen" in coach.get(LIST, {"zoek": "eva", "status": "alle"}).text


def test_search_stays_within_the_studio(cast):
    make_lead(cast.other_studio, name="Eva Elders", phone="+31612345678")
    page = client_for(cast.owner).get(LIST, {"zoek": "0612345678", "status": "alle"}).text
    assert "Eva Elders" not in page and "Geen leads gevonden" in page


def test_filters_by_stage_source_coach_and_open_or_closed(cast):
    make_lead(cast.studio, name="Anna Nieuw", source="meta", assigned_to=cast.coach)
    make_lead(
        cast.studio, name="Bea Gesproken", source="website", stage=Stage.CONTACTED, assigned_to=cast.owner
    )
    make_lead(cast.studio, name="Cor Gewonnen", source="meta", stage=Stage.WON, assigned_to=cast.coach)
    make_lead(cast.studio, name="Dirk Verloren", source="google", stage=Stage.LOST)
    make_lead(cast.studio, name="Test Lead", source="meta", is_test=True)
    everyone = ("Anna Nieuw", "Bea Gesproken", "Cor Gewonnen", "Dirk Verloren", "Test Lead")
    owner = client_for(cast.owner)

    def shown(**query: str) -> set[str]:
        return names_on(owner.get(LIST, query).text, *everyone)

    assert shown() == {"Anna Nieuw", "Bea Gesproken"}  # open leads, as the inbox always was
    assert shown(status="gesloten") == {"Cor Gewonnen", "Dirk Verloren"}
    assert shown(status="alle") == {"Anna Nieuw", "Bea Gesproken", "Cor Gewonnen", "Dirk Verloren"}
    assert shown(fase="won") == {"Cor Gewonnen"}  # a closed stage shows its leads whatever the status says
    assert shown(fase="contacted") == {"Bea Gesproken"}
    assert shown(bron="meta", status="alle") == {"Anna Nieuw", "Cor Gewonnen"}
    assert shown(coach=str(cast.coach.pk), status="alle") == {"Anna Nieuw", "Cor Gewonnen"}
    assert shown(coach="geen", status="alle") == {"Dirk Verloren"}
    assert shown(bron="meta", coach=str(cast.coach.pk)) == {"Anna Nieuw"}
    # a value that is not one of the choices is left out, not an error
    assert owner.get(LIST, {"fase": "bestaat-niet", "coach": "999999"}).status_code == 200
    assert shown(coach=str(cast.outsider.pk)) == {"Anna Nieuw", "Bea Gesproken"}


def test_orders_by_urgency_newest_or_name(cast):
    with time_machine.travel(T0, tick=False):
        make_lead(cast.studio, name="Zoë Eerst", due_at=T0 + timedelta(minutes=10))
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        make_lead(cast.studio, name="Anton Later", due_at=T0 + timedelta(hours=2))
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        make_lead(cast.studio, name="bart Laatst", first_contact_at=T0 + timedelta(hours=2))
        owner = client_for(cast.owner)

        def order(**query: str) -> list[str]:
            page = owner.get(LIST, query).text
            return sorted(["Zoë Eerst", "Anton Later", "bart Laatst"], key=page.index)

        assert order() == ["Zoë Eerst", "Anton Later", "bart Laatst"]  # soonest deadline first, answered last
        assert order(volgorde="nieuwste") == ["bart Laatst", "Anton Later", "Zoë Eerst"]
        assert order(volgorde="naam") == ["Anton Later", "bart Laatst", "Zoë Eerst"]  # not minding capitals


def test_pages_of_fifty_and_page_links_keep_search_and_filters(cast):
    for n in range(55):
        make_lead(cast.studio, name=f"Meta Lead {n:02d}", source="meta")
    make_lead(cast.studio, name="Website Lead", source="website")
    owner = client_for(cast.owner)
    first = owner.get(LIST, {"bron": "meta", "volgorde": "naam"})
    assert first.text.count('name="ids"') == 50 and "Pagina 1 van 2" in first.text
    assert "Website Lead" not in first.text
    assert "?bron=meta&amp;volgorde=naam&amp;pagina=2" in first.text
    second = owner.get(LIST, {"bron": "meta", "volgorde": "naam", "pagina": "2"}).text
    assert second.count('name="ids"') == 5 and "Meta Lead 54" in second and "Meta Lead 00" not in second
    assert "?bron=meta&amp;volgorde=naam&amp;pagina=1" in second
    assert owner.get(LIST, {"pagina": "zomaar"}).status_code == 200  # a bad page number gives the first


def test_two_leads_with_the_same_name_read_differently(cast):
    make_lead(cast.studio, name="Sanne de Vries", email="sanne.devries@gmail.com")
    make_lead(cast.studio, name="Sanne de Vries", phone="+31612345678")
    page = client_for(cast.coach).get(LIST).text
    rows = page.split('class="lead-row lead-row--select')[1:]
    assert len(rows) == 2 and all("Sanne de Vries" in row for row in rows)
    seconds = [row.split('class="lead-row__contact">')[1].split("</span>")[0] for row in rows]
    assert sorted(seconds) == ["06 12345678", "sanne.devries@gmail.com"]


def test_a_ticked_selection_gets_a_coach_and_ids_of_another_studio_are_left_alone(cast):
    mine = [make_lead(cast.studio, name=f"Lead {n}") for n in range(3)]
    theirs = make_lead(cast.other_studio, name="Niet van ons")
    owner = client_for(cast.owner)
    response = owner.post(
        BULK,
        {"actie": "toewijzen", "coach": cast.coach.pk, "ids": [*(lead.pk for lead in mine), theirs.pk, "x"],
         "terug": "bron=website&zoek=lead"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"{LIST}?bron=website&zoek=lead"
    assert {lead.assigned_to_id for lead in Lead.objects.for_studio(cast.studio)} == {cast.coach.pk}
    theirs.refresh_from_db()
    assert theirs.assigned_to_id is None
    events = DomainEvent.objects.for_studio(cast.studio).filter(kind="lead.assigned")
    assert sorted(e.lead_id or 0 for e in events) == sorted(lead.pk for lead in mine)
    assert not DomainEvent.objects.for_studio(cast.other_studio).filter(kind="lead.assigned").exists()
    assert Activity.objects.for_studio(cast.studio).filter(data__assigned_to=cast.coach.pk).count() == 3
    page = owner.get(LIST).text
    assert "3 leads toegewezen." in page
    assert "2 aangevinkte regels horen niet bij deze studio en zijn overgeslagen." in page


def test_a_coach_of_another_studio_cannot_be_given_leads(cast):
    lead = make_lead(cast.studio, name="Eva")
    response = client_for(cast.owner).post(
        BULK, {"actie": "toewijzen", "coach": cast.outsider.pk, "ids": [lead.pk]}, follow=True
    )
    assert "Kies wat er met de aangevinkte leads moet gebeuren." in response.text
    lead.refresh_from_db()
    assert lead.assigned_to_id is None


def test_a_ticked_selection_moves_a_stage_in_one_go_but_never_to_lost(cast):
    leads = [make_lead(cast.studio, name=f"Lead {n}") for n in range(2)]
    already = make_lead(cast.studio, name="Al gepland", stage=Stage.INTAKE_BOOKED)
    theirs = make_lead(cast.other_studio, name="Niet van ons")
    owner = client_for(cast.owner)
    ids = [*(lead.pk for lead in leads), already.pk, theirs.pk]
    response = owner.post(BULK, {"actie": "fase", "fase": "intake_booked", "ids": ids}, follow=True)
    assert "2 leads verplaatst." in response.text
    assert {lead.stage for lead in Lead.objects.for_studio(cast.studio)} == {Stage.INTAKE_BOOKED}
    theirs.refresh_from_db()
    assert theirs.stage == Stage.NEW
    assert DomainEvent.objects.for_studio(cast.studio).filter(kind="lead.stage_changed").count() == 2
    owner.post(BULK, {"actie": "fase", "fase": "lost", "ids": ids})
    assert not Lead.objects.for_studio(cast.studio).filter(stage=Stage.LOST).exists()


def test_nothing_ticked_or_no_action_chosen_is_said_so(cast):
    lead = make_lead(cast.studio, name="Eva")
    owner = client_for(cast.owner)
    assert "Vink eerst een of meer leads aan." in owner.post(BULK, {"actie": "fase"}, follow=True).text
    assert (
        "Kies wat er met de aangevinkte leads moet gebeuren."
        in owner.post(BULK, {"ids": [lead.pk]}, follow=True).text
    )


def test_a_message_to_a_selection_goes_only_where_consent_allows_and_says_why_not(cast):
    welcome = make_lead(cast.studio, name="Eva Welkom", email="eva@example.nl")
    withdrawn = make_lead(cast.studio, name="Bram Nee", email="bram@example.nl")
    consent_record(person=withdrawn.person, purpose=Purpose.CONTACT, given=False, how=How.UNSUBSCRIBE)
    no_address = make_lead(cast.studio, name="Cor Telefoon", phone="+31612345678")
    theirs = make_lead(cast.other_studio, name="Niet van ons", email="elders@example.nl")
    response = client_for(cast.coach).post(
        BULK,
        {"actie": "bericht", "kanaal": "email", "onderwerp": "Nog vragen?", "bericht": "Hoi {voornaam}, hoe gaat het?",
         "ids": [welcome.pk, withdrawn.pk, no_address.pk, theirs.pk]},
        follow=True,
    )  # fmt: skip
    assert "1 bericht in de wachtrij gezet." in response.text
    assert (
        "2 berichten niet verstuurd (geen adres of nummer voor dit kanaal: 1; wil geen contact meer: 1)."
        in response.text
    )
    assert "1 aangevinkte regel hoort niet bij deze studio en is overgeslagen." in response.text
    queued = Message.objects.for_studio(cast.studio).get(status=Message.Status.QUEUED)
    assert queued.to == "eva@example.nl" and queued.subject == "Nog vragen?"
    assert queued.body.startswith("Hoi Eva, hoe gaat het?") and queued.reply_to == cast.coach.email
    # the refused ones are kept as not sent, with the reason
    refused = Message.objects.for_studio(cast.studio).filter(status=Message.Status.CANCELLED)
    assert {m.person_id for m in refused} == {withdrawn.person_id, no_address.person_id}
    assert not Message.objects.for_studio(cast.other_studio).exists()
    assert Activity.objects.for_studio(cast.studio).filter(kind=Activity.Kind.MESSAGE, lead=welcome).exists()


def test_news_and_offers_go_only_to_who_said_yes_to_them(cast):
    yes = make_lead(cast.studio, name="Eva Ja", email="eva@example.nl")
    consent_record(
        person=yes.person, purpose=Purpose.MARKETING, given=True, how=How.FORM, wording="Ja, nieuws"
    )
    never = make_lead(cast.studio, name="Bram Nooit", email="bram@example.nl")
    response = client_for(cast.owner).post(
        BULK,
        {"actie": "bericht", "kanaal": "email", "onderwerp": "Zomeractie", "bericht": "Twee weken gratis",
         "nieuws": "on", "ids": [yes.pk, never.pk]},
        follow=True,
    )  # fmt: skip
    assert "1 bericht in de wachtrij gezet." in response.text
    assert "1 bericht niet verstuurd (geen toestemming voor nieuws en aanbiedingen: 1)." in response.text
    assert Message.objects.for_studio(cast.studio).get(status=Message.Status.QUEUED).to == "eva@example.nl"


def test_whatsapp_to_a_selection_outside_the_window_is_refused_with_the_reason(cast, whatsapp):
    lead = make_lead(cast.studio, name="Eva", phone="+31612345678")
    consent_record(person=lead.person, purpose=Purpose.WHATSAPP, given=True, how=How.FORM, wording="Ja, app")
    response = client_for(cast.owner).post(
        BULK, {"actie": "bericht", "kanaal": "whatsapp", "bericht": "Hoi!", "ids": [lead.pk]}, follow=True
    )
    assert "0 berichten in de wachtrij gezet." in response.text
    assert "langer dan 24 uur geen bericht van deze persoon" in response.text


def test_the_csv_holds_every_page_of_what_is_shown_and_no_formulas(cast):
    with time_machine.travel(T0, tick=False):
        for n in range(55):
            make_lead(cast.studio, name=f"Meta Lead {n:02d}", source="meta", email=f"m{n}@example.nl")
        make_lead(cast.studio, name="=HYPERLINK(\"http://kwaad.example\",\"klik\")", source="meta",
                  phone="+31612345678", assigned_to=cast.coach)  # fmt: skip
        make_lead(cast.studio, name="Website Lead", source="website")
        make_lead(cast.studio, name="@Chloë", source="meta", email="chloe@example.nl", stage=Stage.WON)
    response = client_for(cast.owner).get(EXPORT, {"bron": "meta", "volgorde": "naam"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="leads-kracht-utrecht-')
    raw = response.content.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(raw.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Naam", "E-mail", "Telefoon", "Bron"]
    names = [row[0] for row in rows[1:]]
    assert len(names) == 56  # both pages, open leads only, and only Meta
    assert "Website Lead" not in names and "'@Chloë" not in names
    formula = next(row for row in rows[1:] if "HYPERLINK" in row[0])
    assert formula[0].startswith("'=HYPERLINK")
    assert formula[2] == "06 12345678" and formula[5] == cast.coach.get_short_name()
    assert formula[6] == "24-11-2026 10:00"  # Dutch date, on the studio's clock
    closed = client_for(cast.owner).get(EXPORT, {"status": "gesloten"}).content.decode()
    assert "'@Chloë" in closed
    entry = AuditEntry.objects.for_studio(cast.studio).get(
        action=AuditEntry.Action.EXPORTED, detail__contains="56"
    )
    assert entry.user == cast.owner and entry.detail == "leadlijst CSV: 56 rijen"


def test_only_owners_download_the_csv(cast):
    make_lead(cast.studio, name="Eva")
    assert client_for(cast.coach).get(EXPORT).status_code == 404
    assert "Download als CSV" not in client_for(cast.coach).get(LIST).text
    assert "Download als CSV" in client_for(cast.owner).get(LIST).text
    assert not AuditEntry.objects.for_studio(cast.studio).filter(action=AuditEntry.Action.EXPORTED).exists()


def test_someone_from_another_studio_gets_a_404_and_changes_nothing(cast):
    lead = make_lead(cast.studio, name="Eva", email="eva@example.nl")
    outsider = client_for(cast.outsider)
    assert outsider.get(LIST).status_code == 404
    assert outsider.get(EXPORT).status_code == 404
    for action in ({"actie": "toewijzen", "coach": cast.outsider.pk}, {"actie": "fase", "fase": "won"},
                   {"actie": "bericht", "bericht": "Hoi", "kanaal": "email"}):  # fmt: skip
        assert outsider.post(BULK, {**action, "ids": [lead.pk]}).status_code == 404
    lead.refresh_from_db()
    assert lead.stage == Stage.NEW and lead.assigned_to_id is None
    assert not Message.objects.for_studio(cast.studio).exists()


def test_a_new_coach_appears_in_the_coach_filter(cast):
    newcomer = make_staff(cast.studio)
    page = client_for(cast.owner).get(LIST).text
    assert f'<option value="{newcomer.pk}">{newcomer.get_short_name()}</option>' in page

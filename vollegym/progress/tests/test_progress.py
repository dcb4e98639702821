"""A member's measurements: only with their consent, typed the Dutch way, charted for coach and member, a target
congratulated once, and gone when the consent is withdrawn or the person erased."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from vollegym.core import clock
from vollegym.core.testing import assert_other_studio_gets_404, client_for, make_member
from vollegym.messaging.models import Message
from vollegym.messaging.services import preferences_url
from vollegym.people.models import ConsentEntry, DomainEvent, Purpose
from vollegym.people.rights import person_erase, person_export
from vollegym.progress.models import Measurement, MeasurementKind, ProgressTarget
from vollegym.progress.services import (
    ProgressError,
    Reading,
    consent_wording,
    kinds_install,
    measurement_consent_record,
    measurements_record,
    target_set,
)
from vollegym.schedule.services import member_link

pytestmark = pytest.mark.django_db

SITE = "https://app.kracht.example"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def kind(studio, name: str) -> MeasurementKind:
    kinds_install(studio=studio)
    return MeasurementKind.objects.for_studio(studio).get(name=name)


def member_with_consent(cast, name: str = "Eva"):
    member = make_member(cast.studio, name=f"{name} de Vries", email=f"{name.lower()}@example.nl")
    measurement_consent_record(person=member.person, by=cast.coach)
    return member


def page(cast, member) -> str:
    return f"/app/{cast.studio.slug}/leden/{member.pk}/metingen/"


def record(cast, member, values: dict[str, str], **extra):
    data = {"measured_on": clock.today().strftime("%d-%m-%Y"), "moment": "start", **extra}
    for name, value in values.items():
        data[f"kind_{kind(cast.studio, name).pk}"] = value
    return client_for(cast.coach).post(page(cast, member), data)


def test_without_consent_nothing_is_stored_and_the_page_offers_to_record_it_with_the_exact_words(cast):
    member = make_member(cast.studio, name="Eva de Vries", email="eva@example.nl")
    with pytest.raises(ProgressError, match="toestemming"):
        measurements_record(
            studio=cast.studio, person=member.person, readings=[Reading(kind(cast.studio, "Gewicht"), Decimal(80))],
            measured_on=clock.today(), moment="start", by=cast.coach,
        )  # fmt: skip
    response = record(cast, member, {"Gewicht": "80"})
    assert response.status_code == 400 and not Measurement.objects.for_studio(cast.studio).exists()
    shown = client_for(cast.coach).get(page(cast, member)).content.decode()
    assert "Eerst toestemming" in shown and consent_wording(cast.studio) in shown
    assert f'name="kind_{kind(cast.studio, "Gewicht").pk}"' not in shown  # no form to record yet
    consent_url = f"{page(cast, member)}toestemming/"
    assert client_for(cast.coach).post(consent_url, {}).status_code == 400  # not ticked: nothing recorded
    assert not ConsentEntry.objects.for_studio(cast.studio).exists()
    assert client_for(cast.coach).post(consent_url, {"agreed": "on"}).status_code == 302
    entry = ConsentEntry.objects.for_studio(cast.studio).get(person=member.person)
    assert (entry.purpose, entry.given, entry.wording, entry.by) == (
        Purpose.MEASUREMENTS,
        True,
        consent_wording(cast.studio),
        cast.coach,
    )
    assert record(cast, member, {"Gewicht": "80"}).status_code == 302
    assert Measurement.objects.for_studio(cast.studio).get().value == Decimal(80)


def test_withdrawing_consent_on_the_persons_own_page_removes_the_measurements(cast):
    member = member_with_consent(cast)
    record(cast, member, {"Gewicht": "80", "Taille": "92"})
    target_set(studio=cast.studio, person=member.person, kind=kind(cast.studio, "Taille"), value=Decimal(85),
               by=cast.coach)  # fmt: skip
    other = member_with_consent(cast, "Fleur")
    record(cast, other, {"Gewicht": "70"})
    url = preferences_url(member.person, cast.studio).removeprefix(SITE)
    assert Client().post(url, {"doel": Purpose.MEASUREMENTS}).status_code == 302
    assert not Measurement.objects.for_studio(cast.studio).filter(person=member.person).exists()
    assert not ProgressTarget.objects.for_studio(cast.studio).exists()
    assert Measurement.objects.for_studio(cast.studio).filter(person=other.person).count() == 1  # only theirs
    with pytest.raises(ProgressError, match="toestemming"):
        measurements_record(
            studio=cast.studio, person=member.person, readings=[Reading(kind(cast.studio, "Gewicht"), Decimal(79))],
            measured_on=clock.today(), moment="other", by=cast.coach,
        )  # fmt: skip


def test_several_kinds_at_once_with_a_dutch_decimal_comma_and_today_by_default(cast):
    member = member_with_consent(cast)
    form = client_for(cast.coach).get(page(cast, member)).content.decode()
    assert f'value="{clock.today().strftime("%d-%m-%Y")}"' in form and 'inputmode="decimal"' in form
    assert (
        record(cast, member, {"Gewicht": "84,5", "Taille": "92.25", "Vetpercentage": ""}).status_code == 302
    )
    values = {
        m.kind.name: m.value for m in Measurement.objects.for_studio(cast.studio).select_related("kind")
    }
    assert values == {"Gewicht": Decimal("84.50"), "Taille": Decimal("92.25")}
    response = record(cast, member, {"Gewicht": "vijfentachtig"})
    assert response.status_code == 400 and "Vul een getal in, bijvoorbeeld 84,5." in response.content.decode()
    response = record(cast, member, {"Gewicht": "84,555"})
    assert "Hoogstens twee cijfers achter de komma." in response.content.decode()
    assert "Vul minstens één meting in." in record(cast, member, {}).content.decode()


def test_a_value_outside_the_kinds_range_is_refused_in_dutch_and_nothing_of_that_day_is_stored(cast):
    member = member_with_consent(cast)
    response = record(cast, member, {"Gewicht": "845", "Taille": "92"})
    assert response.status_code == 400
    assert "Gewicht ligt tussen 25 en 350 kg; controleer de waarde." in response.content.decode()
    assert not Measurement.objects.for_studio(cast.studio).exists()
    assert (
        "Vetpercentage ligt tussen 2 en 75 %"
        in record(cast, member, {"Vetpercentage": "0,5"}).content.decode()
    )
    future = (clock.today() + timedelta(days=1)).strftime("%d-%m-%Y")
    assert "toekomst" in record(cast, member, {"Gewicht": "80"}, measured_on=future).content.decode()


def test_another_studios_member_and_pages_are_404(cast):
    stranger = make_member(cast.other_studio, name="Ander", email="ander@example.nl")
    measurement_consent_record(person=stranger.person, by=cast.outsider)
    own_url = f"/app/{cast.studio.slug}/leden/{stranger.pk}/metingen/"
    assert client_for(cast.coach).get(own_url).status_code == 404
    assert (
        client_for(cast.coach).post(own_url, {"measured_on": "1-1-2026", "moment": "start"}).status_code
        == 404
    )
    assert client_for(cast.coach).post(f"{own_url}toestemming/", {"agreed": "on"}).status_code == 404
    member = member_with_consent(cast)
    gewicht = kind(cast.studio, "Gewicht")
    for url in (page(cast, member), f"{page(cast, member)}doel/", f"/app/{cast.studio.slug}/metingen/",
                f"/app/{cast.studio.slug}/metingen/{gewicht.pk}/naam/"):  # fmt: skip
        assert_other_studio_gets_404(url, cast.outsider)
        assert_other_studio_gets_404(url, cast.outsider, method="post")
    # a kind of another studio is not one of ours, even in our own URL
    theirs = kind(cast.other_studio, "Gewicht")
    owner = client_for(cast.owner)
    assert (
        owner.post(f"/app/{cast.studio.slug}/metingen/{theirs.pk}/archief/", {"archived": "1"}).status_code
        == 404
    )
    data = {"measured_on": "1-1-2026", "moment": "start", f"kind_{theirs.pk}": "80"}
    client_for(cast.coach).post(page(cast, member), data)
    assert not Measurement.objects.for_studio(cast.studio).exists()


def test_the_owner_adds_renames_and_archives_kinds_and_archived_values_stay_visible(cast):
    member = member_with_consent(cast)
    kinds_url = f"/app/{cast.studio.slug}/metingen/"
    assert client_for(cast.coach).get(kinds_url).status_code == 404  # coaches record, owners keep the list
    owner = client_for(cast.owner)
    assert (
        owner.post(kinds_url, {"name": "Plank", "unit": "seconden", "direction": "higher"}).status_code == 302
    )
    assert (
        "al een meting met deze naam"
        in owner.post(
            kinds_url, {"name": "plank", "unit": "seconden", "direction": "higher"}
        ).content.decode()
    )
    plank = MeasurementKind.objects.for_studio(cast.studio).get(name="Plank")
    assert (plank.low, plank.high, plank.direction) == (Decimal(1), Decimal(36000), "higher")
    assert record(cast, member, {"Plank": "95"}).status_code == 302
    assert owner.post(f"{kinds_url}{plank.pk}/naam/", {"name": "Plank (onderarmen)"}).status_code == 302
    assert owner.post(f"{kinds_url}{plank.pk}/archief/", {"archived": "1"}).status_code == 302
    shown = client_for(cast.coach).get(page(cast, member)).content.decode()
    assert f'name="kind_{plank.pk}"' not in shown  # no longer offered
    assert "Plank (onderarmen)" in shown and "95 seconden" in shown  # its value stays, under the new name
    assert client_for(cast.coach).post(f"{kinds_url}{plank.pk}/archief/", {}).status_code == 404
    owner.post(f"{kinds_url}{plank.pk}/archief/", {})
    assert f'name="kind_{plank.pk}"' in client_for(cast.coach).get(page(cast, member)).content.decode()


def test_the_chart_shows_each_value_to_the_coach_and_to_the_member(cast):
    member = member_with_consent(cast)
    today = clock.today()
    for days, value, moment in ((60, "92", "start"), (30, "89,5", "halfway"), (0, "86", "end")):
        record(cast, member, {"Taille": value}, measured_on=(today - timedelta(days=days)).strftime("%d-%m-%Y"),
               moment=moment)  # fmt: skip
    for html in (
        client_for(cast.coach).get(page(cast, member)).content.decode(),
        client_for(cast.coach).get(f"/app/{cast.studio.slug}/leden/{member.pk}/").content.decode(),
    ):
        assert html.count('class="chart__dot"') == 3 and '<svg class="chart"' in html
        assert "92 cm" in html and "89,5 cm" in html and "86 cm" in html and "Van 92 naar 86 cm" in html
        assert "style=" not in html.split('<svg class="chart"')[1].split("</svg>")[0]  # CSP: no inline style
    client = Client()
    assert client.get(f"/s/{cast.studio.slug}/leden/voortgang/")["Location"].endswith("/leden/")
    home = client.get(member_link(member).removeprefix(SITE), follow=True).content.decode()
    assert f"/s/{cast.studio.slug}/leden/voortgang/" in home  # the member area links to it
    mine = client.get(f"/s/{cast.studio.slug}/leden/voortgang/").content.decode()
    assert mine.count('class="chart__dot"') == 3 and "89,5 cm" in mine and "Halverwege" in mine


def test_a_reached_target_congratulates_the_member_once_and_not_before(cast):
    member = member_with_consent(cast)
    taille = kind(cast.studio, "Taille")
    record(cast, member, {"Taille": "92"})
    target = target_set(
        studio=cast.studio, person=member.person, kind=taille, value=Decimal(85), by=cast.coach
    )
    record(cast, member, {"Taille": "86"})
    milestones = Message.objects.for_studio(cast.studio).filter(purpose="progress_milestone")
    assert not milestones.exists()
    record(cast, member, {"Taille": "85"})
    record(cast, member, {"Taille": "84,5"})
    message = milestones.get()
    assert message.to == "eva@example.nl" and "Gefeliciteerd" in message.body and "85 cm" in message.body
    assert message.status == Message.Status.QUEUED  # consent to contact is checked by the outbox
    target.refresh_from_db()
    assert target.reached_at is not None
    event = DomainEvent.objects.for_studio(cast.studio).get(kind="progress.target_reached")
    assert event.payload["target_id"] == target.pk and event.person_id == member.person_id
    with pytest.raises(ProgressError, match="al gehaald"):  # the latest value reached it already
        target_set(studio=cast.studio, person=member.person, kind=taille, value=Decimal(86), by=cast.coach)


def test_a_higher_is_better_target_and_the_coach_sets_it_on_the_page(cast):
    member = member_with_consent(cast)
    squat = kind(cast.studio, "5 herhalingen squat")
    record(cast, member, {"5 herhalingen squat": "60"})
    response = client_for(cast.coach).post(f"{page(cast, member)}doel/", {"kind": squat.pk, "value": "62,5"})
    assert response.status_code == 302
    record(cast, member, {"5 herhalingen squat": "62"})
    assert not Message.objects.for_studio(cast.studio).filter(purpose="progress_milestone").exists()
    record(cast, member, {"5 herhalingen squat": "65"})
    assert Message.objects.for_studio(cast.studio).filter(purpose="progress_milestone").count() == 1


def test_export_holds_the_measurements_and_erasure_removes_them(cast):
    member = member_with_consent(cast)
    record(cast, member, {"Gewicht": "80,5"})
    target_set(studio=cast.studio, person=member.person, kind=kind(cast.studio, "Gewicht"), value=Decimal(78),
               by=cast.owner)  # fmt: skip
    data = person_export(person=member.person, by=cast.owner)
    assert data["measurements"] == [
        {
            "kind": "Gewicht",
            "unit": "kg",
            "value": "80.5",
            "measured_on": clock.today().isoformat(),
            "moment": "start",
        }
    ]
    assert data["progress_targets"][0]["target"] == "78"
    person_erase(person=member.person, by=cast.owner)
    assert not Measurement.objects.for_studio(cast.studio).exists()
    assert not ProgressTarget.objects.for_studio(cast.studio).exists()
    assert person_export(person=member.person, by=cast.owner)["measurements"] == []


def test_the_demo_has_members_measured_at_start_halfway_and_end_with_consent():
    from vollegym.core.management.commands.demo import load_demo_data
    from vollegym.people.selectors import consent_state
    from vollegym.studios.models import Studio

    load_demo_data()
    studio = Studio.objects.get(slug="demo")
    rows = Measurement.objects.for_studio(studio)
    people = set(rows.values_list("person_id", flat=True))
    assert len(people) >= 4
    assert {"start", "halfway", "end"} <= set(rows.values_list("moment", flat=True))
    assert all(consent_state(p, studio.pk)[Purpose.MEASUREMENTS] is True for p in people)
    assert all(m.measured_on <= date.today() + timedelta(days=1) for m in rows)
    before = rows.count()
    load_demo_data()
    assert Measurement.objects.for_studio(studio).count() == before

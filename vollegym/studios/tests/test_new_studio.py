"""The agency sets up a new studio from a template studio: the way of working is copied (questionnaire with its offers
pointing at the new programs, programs at today's price, classes without the template's coach, playbooks, lead
sequences, settings), nothing personal or secret is; the owner is invited by mail; the intake takes a lead at once;
a checklist says what is still missing. Only the agency can; a bad address is refused in Dutch, all or nothing."""

from __future__ import annotations

from datetime import time

import pytest
from django.test import Client

from vollegym.core.testing import Cast, client_for, make_lead, make_member
from vollegym.intake.models import ConsultationType, QuestionnaireVersion
from vollegym.intake.selectors import current_version
from vollegym.intake.services import questionnaire_install
from vollegym.leads.models import Lead, LeadSettings
from vollegym.messaging.models import Message
from vollegym.payments.models import PaymentPlan
from vollegym.people.models import Person
from vollegym.programs.models import Program
from vollegym.programs.selectors import price_in_force
from vollegym.programs.tests.test_prices_and_enrolment import make_program
from vollegym.referrals.models import ReferralSettings
from vollegym.retention.models import Playbook, Sequence, Touchpoint
from vollegym.retention.playbooks import playbook_for, playbook_for_sequence
from vollegym.retention.selectors import touchpoints_of, versions_current
from vollegym.schedule.models import ClassTemplate
from vollegym.studios.creation import studio_checklist
from vollegym.studios.models import StaffMembership, Studio

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Kracht Amersfoort", "slug": "kracht-amersfoort", "kind": "both", "city": "Amersfoort",
    "owner_name": "Lotte Visser", "owner_email": "lotte@example.nl",
}  # fmt: skip


@pytest.fixture
def template(cast: Cast) -> Studio:
    """Kracht Utrecht as the agency's template: a way of working, and people and leads that must stay its own."""
    studio = cast.studio
    program = make_program(studio, name="Sterk in 8 weken", weeks=8, price_cents=89500, format="small_group")
    make_program(studio, name="Oud programma", is_active=False)
    questionnaire_install(studio=studio, kind="small_group")
    version = current_version(studio)
    assert version is not None
    definition = dict(version.definition)
    definition["offers"] = [{**definition["offers"][0], "program": program.pk}, *definition["offers"][1:]]
    QuestionnaireVersion.objects.for_studio(studio).filter(pk=version.pk).update(definition=definition)
    ClassTemplate.objects.create(studio=studio, name="Vroege vogels", program=program, weekday=1, starts=time(6, 30),
                                 capacity=8, coach=cast.coach)  # fmt: skip
    playbook_for(program)
    playbook_for_sequence(studio, Sequence.NOT_BOOKED)
    LeadSettings.objects.update_or_create(studio=studio, defaults={"sla_minutes": 30})
    ReferralSettings.objects.create(studio=studio, reward="other", reward_text="een shaker", weeks_required=6)
    ConsultationType.objects.create(studio=studio, name="Kennismaking in de studio")
    PaymentPlan.objects.create(studio=studio, program=program, kind="terms", terms=3, every_weeks=4)
    make_lead(studio, name="Eva Lead", email="eva@example.nl")
    make_member(studio, name="Tom Lid", email="tom@example.nl")
    return studio


def create(client: Client, template: Studio, **changes: str):
    return client.post("/app/bureau/studios/nieuw/", {**NEW, "template": template.pk, **changes})


def test_the_way_of_working_is_copied_and_nothing_personal(cast: Cast, template: Studio) -> None:
    response = create(client_for(cast.agency), template)
    assert response.status_code == 302 and response["Location"] == "/app/bureau/studios/kracht-amersfoort/"
    new = Studio.objects.get(slug="kracht-amersfoort")
    programs = list(Program.objects.for_studio(new))
    assert [p.name for p in programs] == ["Sterk in 8 weken"]  # only what is on sale
    price = price_in_force(programs[0])
    assert price is not None and price.amount_cents == 89500
    offers = current_version(new).definition["offers"]  # type: ignore[union-attr]
    assert offers[0]["program"] == programs[0].pk
    (template_class,) = ClassTemplate.objects.for_studio(new)
    assert template_class.program == programs[0] and template_class.coach is None
    source = versions_current(playbook_for(Program.objects.for_studio(template).get(name="Sterk in 8 weken")))
    copied = versions_current(Playbook.objects.for_studio(new).get(program=programs[0]))
    assert copied.number == 1
    assert [(t.day, t.title) for t in touchpoints_of(copied)] == [
        (t.day, t.title) for t in touchpoints_of(source)
    ]
    assert Playbook.objects.for_studio(new).filter(sequence=Sequence.NOT_BOOKED).exists()
    assert LeadSettings.objects.for_studio(new).get().sla_minutes == 30
    assert (
        LeadSettings.objects.for_studio(new).get().webhook_secret
        != LeadSettings.objects.for_studio(template).get().webhook_secret
    )
    assert ReferralSettings.objects.for_studio(new).get().reward_text == "een shaker"
    assert ConsultationType.objects.for_studio(new).filter(name="Kennismaking in de studio").exists()
    plan = PaymentPlan.objects.for_studio(new).get()
    assert (plan.program, plan.kind, plan.terms) == (programs[0], "terms", 3)
    assert not Lead.objects.for_studio(new).exists() and not Person.objects.for_studio(new).exists()
    assert Touchpoint.objects.for_studio(new).count() > 0
    owner = StaffMembership.objects.for_studio(new).get()
    assert owner.role == "owner" and owner.user.email == "lotte@example.nl"
    assert not owner.user.has_usable_password()  # she chooses it through the invitation
    assert Message.objects.for_studio(new).filter(to="lotte@example.nl").exists()


def test_the_new_studios_intake_takes_a_lead_at_once(cast: Cast, template: Studio) -> None:
    create(client_for(cast.agency), template)
    visitor = Client()
    assert visitor.get("/s/kracht-amersfoort/intake/").status_code == 200
    sent = visitor.post(
        "/s/kracht-amersfoort/intake/", {"name": "Fleur", "email": "fleur@example.nl", "contact": "on"}
    )
    assert sent.status_code == 302
    new = Studio.objects.get(slug="kracht-amersfoort")
    assert Lead.objects.for_studio(new).get().person.email == "fleur@example.nl"
    assert not Lead.objects.for_studio(template).filter(person__email="fleur@example.nl").exists()


def test_the_checklist_says_what_is_missing_and_shrinks(cast: Cast, template: Studio) -> None:
    create(client_for(cast.agency), template)
    new = Studio.objects.get(slug="kracht-amersfoort")
    labels = [str(item.label) for item in studio_checklist(new).missing]
    assert "Adres van de studio" in labels and "Facebook-pagina koppelen voor Meta Lead Ads" in labels
    assert "Een coach bij elke les" in labels
    assert "Een intake-vragenlijst" not in labels and "Minstens één programma met een prijs" not in labels
    assert "Mollie koppelen (de API-sleutel van de studio) om betalingen te ontvangen" in labels
    Studio.objects.filter(pk=new.pk).update(street="Langestraat 1", postal_code="3811 AA")
    new.refresh_from_db()
    assert "Adres van de studio" not in [str(item.label) for item in studio_checklist(new).missing]
    page = client_for(cast.agency).get("/app/bureau/studios/kracht-amersfoort/").content.decode()
    assert "Facebook-pagina koppelen" in page and "/s/kracht-amersfoort/intake/" in page


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("bureau", "gereserveerd"),
        ("login", "gereserveerd"),
        ("kracht-utrecht", "Er is al een studio met dit webadres"),
        ("Kracht Amersfoort!", "Gebruik alleen kleine letters"),
        ("kracht\x00", "Gebruik alleen kleine letters"),
    ],
)
def test_a_bad_address_is_refused_in_dutch_and_nothing_is_made(
    cast: Cast, template: Studio, slug, message
) -> None:
    studios = Studio.objects.count()
    response = create(client_for(cast.agency), template, slug=slug)
    assert response.status_code == 200 and message in response.content.decode()
    assert Studio.objects.count() == studios
    assert not StaffMembership.all_studios.filter(user__email="lotte@example.nl").exists()


def test_only_the_agency_sets_up_studios(cast: Cast, template: Studio, client: Client) -> None:
    for user in (cast.owner, cast.coach, cast.outsider):
        assert create(client_for(user), template).status_code == 404
        assert client_for(user).get("/app/bureau/studios/kracht-utrecht/").status_code == 404
    assert create(client, template).status_code == 302  # to the sign-in
    assert not Studio.objects.filter(slug="kracht-amersfoort").exists()


def test_the_agencys_pages_ask_for_the_second_factor_when_the_platform_does(cast: Cast, settings) -> None:
    settings.REQUIRE_TWO_FACTOR = True
    for address in ("/app/bureau/", "/app/bureau/studios/nieuw/"):
        response = client_for(cast.agency).get(address)
        assert response.status_code == 302 and "/app/account/tweestaps/" in response["Location"], address

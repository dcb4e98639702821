"""An owner invites a coach by e-mail; the coach chooses their own password through a link that works once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from vollegym.core.testing import PASSWORD, client_for, run_tasks
from vollegym.messaging.models import Message
from vollegym.studios import services
from vollegym.studios.models import StaffInvite, StaffMembership, User
from vollegym.studios.tests.signin_kit import SITE, link_in, text_of

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
INVITE_LINK = r"/app/login/uitnodiging/[\w-]+/"
NEW_PASSWORD = "mijn-eigen-wachtwoord-9"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def invite(cast, email: str = "nina@kracht.nl", role: str = "coach", *, follow: bool = False):
    return client_for(cast.owner).post(
        "/app/kracht-utrecht/team/",
        {"full_name": "Nina de Vries", "email": email, "role": role},
        follow=follow,
    )


def set_password(client: Client, link: str, password: str = NEW_PASSWORD):
    return client.post(link, {"new_password1": password, "new_password2": password})


def test_the_invitee_gets_a_mail_sets_a_password_through_its_link_and_lands_signed_in(cast, smtp):
    cast.studio.email = "info@kracht.nl"
    cast.studio.save(update_fields=["email"])
    with time_machine.travel(NOW, tick=False):
        page = invite(cast, follow=True).text
        assert "Nina de Vries is uitgenodigd: in de mail staat een link" in page
        row = page.split("nina@kracht.nl", 1)[1].split("</tr>", 1)[0]
        assert "uitgenodigd" in row and "Opnieuw uitnodigen" in row
        nina = User.objects.get(email="nina@kracht.nl")
        assert not nina.has_usable_password()  # nobody but Nina chooses it
        assert StaffMembership.objects.for_studio(cast.studio).get(user=nina).role == "coach"
        run_tasks()

    (mail,) = smtp.to("nina@kracht.nl")
    assert str(mail["Subject"]) == "Je uitnodiging voor het team van Kracht Utrecht"
    assert "Kracht Utrecht" in str(mail["From"]) and str(mail["Reply-To"]) == "sanne@kracht.nl"
    text = text_of(mail)
    assert (
        text.startswith("Hoi Nina,")
        and "heeft je uitgenodigd voor het team van Kracht Utrecht, als coach" in text
    )
    assert "tot maandag 9 maart om 10:00." in text  # a week, on the studio's clock
    link = link_in(mail, INVITE_LINK)
    assert Message.objects.for_studio(cast.studio).get(purpose="staff_invite").status == "sent"

    nina_browser = Client()
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        form = nina_browser.get(link)
        assert form.status_code == 200 and "Welkom in het team" in form.text and "nina@kracht.nl" in form.text
        done = set_password(nina_browser, link)
        assert done.status_code == 302 and done["Location"] == "/app/kracht-utrecht/"
        dashboard = nina_browser.get("/app/kracht-utrecht/")
        assert dashboard.status_code == 200 and "Welkom bij Kracht Utrecht" in dashboard.text
        assert "Ingelogd als Nina" in dashboard.text

        # The link has done its work: a second time it is refused, for a stranger and for Nina alike.
        again = Client().get(link)
        assert again.status_code == 410 and "Deze uitnodiging werkt niet meer" in again.text
        assert set_password(Client(), link, "iets-anders-123456").status_code == 410
    fresh = Client()
    assert (
        fresh.post("/app/login/", {"username": "nina@kracht.nl", "password": NEW_PASSWORD}).status_code == 302
    )


def test_an_invitation_link_expires_after_a_week(cast, smtp):
    with time_machine.travel(NOW, tick=False):
        invite(cast)
        run_tasks()
    link = link_in(smtp.to("nina@kracht.nl")[0], INVITE_LINK)
    with time_machine.travel(NOW + timedelta(days=7, minutes=1), tick=False):
        assert Client().get(link).status_code == 410
        assert set_password(Client(), link).status_code == 410
    assert not User.objects.get(email="nina@kracht.nl").has_usable_password()


def test_a_new_invitation_ends_the_old_link(cast, smtp):
    with time_machine.travel(NOW, tick=False) as traveller:
        invite(cast)
        run_tasks()
        traveller.shift(timedelta(days=8))
        membership = StaffMembership.objects.for_studio(cast.studio).get(user__email="nina@kracht.nl")
        resent = client_for(cast.owner).post(
            f"/app/kracht-utrecht/team/{membership.pk}/uitnodigen/", follow=True
        )
        assert "Nina de Vries heeft een nieuwe uitnodiging gekregen" in resent.text
        run_tasks()
        first, second = (link_in(m, INVITE_LINK) for m in smtp.to("nina@kracht.nl"))
        assert first != second
        assert Client().get(first).status_code == 410
        assert set_password(Client(), second).status_code == 302


def test_an_existing_account_gets_the_role_and_a_notice_but_no_password_link(cast, smtp):
    # The owner of Andere Studio also coaches at Kracht Utrecht.
    invite(cast, email="Eigenaar@Andere.nl")
    run_tasks()
    membership = StaffMembership.objects.for_studio(cast.studio).get(user=cast.outsider)
    assert membership.role == "coach"
    (mail,) = smtp.to("eigenaar@andere.nl")
    assert str(mail["Subject"]) == "Je bent toegevoegd aan het team van Kracht Utrecht"
    text = text_of(mail)
    assert "uitnodiging" not in text and f"{SITE}/app/kracht-utrecht/" in text
    assert StaffInvite.objects.for_studio(cast.studio).count() == 0
    cast.outsider.refresh_from_db()
    assert cast.outsider.check_password(PASSWORD)  # their own password, untouched
    assert cast.outsider.full_name != "Nina de Vries"  # and their own name


def test_the_owner_never_types_a_password_for_someone_else(cast):
    page = client_for(cast.owner).get("/app/kracht-utrecht/team/").text
    form = page.split("Teamlid uitnodigen", 1)[1].split("</form>", 1)[0]
    assert 'type="password"' not in form
    assert "Hier komt de uitnodiging. Het nieuwe teamlid kiest zelf een wachtwoord." in form


def test_the_invite_form_asks_for_a_name_and_an_address_in_dutch(cast):
    response = client_for(cast.owner).post(
        "/app/kracht-utrecht/team/", {"email": "geen-adres", "role": "coach"}
    )
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.text and "Voer een geldig e-mailadres in." in response.text
    assert not User.objects.filter(email="geen-adres").exists()


def test_removing_an_invited_member_ends_their_link(cast, smtp):
    invite(cast)
    run_tasks()
    link = link_in(smtp.to("nina@kracht.nl")[0], INVITE_LINK)
    membership = StaffMembership.objects.for_studio(cast.studio).get(user__email="nina@kracht.nl")
    client_for(cast.owner).post(f"/app/kracht-utrecht/team/{membership.pk}/remove/")
    assert Client().get(link).status_code == 410


def test_a_link_accepted_twice_at_once_sets_one_password(cast, smtp):
    invite(cast)
    run_tasks()
    token = link_in(smtp.to("nina@kracht.nl")[0], INVITE_LINK).rstrip("/").rsplit("/", 1)[1]
    services.invite_accept(token=token, password=NEW_PASSWORD)
    with pytest.raises(services.InviteInvalidError):
        services.invite_accept(token=token, password="van-een-ander-123456")
    assert User.objects.get(email="nina@kracht.nl").check_password(NEW_PASSWORD)


def test_a_reinvite_of_someone_with_a_password_is_refused_and_another_studios_member_is_404(cast):
    coach = StaffMembership.objects.for_studio(cast.studio).get(user=cast.coach)
    refused = client_for(cast.owner).post(f"/app/kracht-utrecht/team/{coach.pk}/uitnodigen/", follow=True)
    assert "heeft al een wachtwoord" in refused.text
    theirs = StaffMembership.objects.for_studio(cast.other_studio).get()
    assert client_for(cast.owner).post(f"/app/kracht-utrecht/team/{theirs.pk}/uitnodigen/").status_code == 404
    assert client_for(cast.coach).post(f"/app/kracht-utrecht/team/{coach.pk}/uitnodigen/").status_code == 404


def test_an_unknown_token_is_refused(client):
    assert client.get("/app/login/uitnodiging/verzonnen-token/").status_code == 410

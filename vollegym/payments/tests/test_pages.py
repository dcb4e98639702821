"""The owner's payment pages and the member's: who may open them, and what they do."""

import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from vollegym.core.testing import assert_other_studio_gets_404, client_for
from vollegym.payments.charging import checkout_start
from vollegym.payments.models import MollieConnection, MolliePayment, PaymentPlan
from vollegym.payments.services import mollie_for, pay_token, pay_url, terms_create
from vollegym.payments.tests.kit import KEY, connect, deliver, enrol, make_program
from vollegym.programs.models import Program
from vollegym.programs.services import program_create
from vollegym.schedule.member_views import _session_key

pytestmark = pytest.mark.django_db
SETTINGS = "/app/kracht-utrecht/betalingen/instellingen/"


def test_the_owner_connects_mollie_and_the_key_is_stored_encrypted_only(cast, mollie):
    response = client_for(cast.owner).post(SETTINGS, {"api_key": f"  {KEY} "})
    assert response.status_code == 302
    stored = MollieConnection.objects.for_studio(cast.studio).get()
    assert stored.mode == "test" and stored.key_hint == KEY[-4:]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM payments_mollieconnection")
        row = " ".join(str(value) for value in cursor.fetchone())
    assert KEY not in row and KEY[5:] not in row
    assert mollie_for(cast.studio) is not None and ("GET", "/v2/methods") in mollie.calls
    page = client_for(cast.owner).get(SETTINGS)
    assert KEY not in page.text and "…" + KEY[-4:] in page.text


@pytest.mark.parametrize(
    ("key", "says"),
    [("test_kort", "begint met test_"), ("sk_live_51abcdefghijklmnopqrstuvwxyz", "begint met test_"),
     ("test_abc\x00defghijklmnopqrstuvwxyz", ""), ("live_" + "9" * 5000, "")],
)  # fmt: skip
def test_a_key_mollie_would_not_take_is_refused_with_the_reason(cast, mollie, key, says):
    response = client_for(cast.owner).post(SETTINGS, {"api_key": key})
    assert response.status_code == 400
    assert says in response.text
    assert not MollieConnection.objects.for_studio(cast.studio).exists()


def test_mollie_answering_5xx_when_the_key_is_pasted_says_try_again(cast, mollie):
    mollie.fail_next(1)
    response = client_for(cast.owner).post(SETTINGS, {"api_key": KEY})
    assert response.status_code == 400 and "Probeer het over een paar minuten" in response.text
    assert not MollieConnection.objects.for_studio(cast.studio).exists()


def test_disconnecting_forgets_the_key(cast, mollie):
    connect(cast)
    client_for(cast.owner).post(SETTINGS, {"action": "ontkoppelen"})
    assert not MollieConnection.objects.for_studio(cast.studio).exists()


def test_only_the_owner_opens_the_payment_pages(cast, mollie):
    program = make_program(cast)
    urls = [reverse("payments:overview", kwargs={"studio": cast.studio.slug}), SETTINGS,
            reverse("payments:plan", kwargs={"studio": cast.studio.slug, "program_id": program.pk})]  # fmt: skip
    for url in urls:
        assert client_for(cast.coach).get(url).status_code == 404
        assert client_for(cast.coach).post(url, {"api_key": KEY}).status_code == 404
        assert_other_studio_gets_404(url, cast.outsider)
        assert_other_studio_gets_404(url, cast.outsider, method="post")
    assert not MollieConnection.all_studios.exists()
    assert client_for(cast.owner).get(urls[0]).status_code == 200


def test_the_owner_sets_a_plan_and_another_studios_program_is_404(cast):
    program = make_program(cast)
    url = reverse("payments:plan", kwargs={"studio": cast.studio.slug, "program_id": program.pk})
    prefix = f"p{program.pk}"
    client_for(cast.owner).post(
        url, {f"{prefix}-kind": "terms", f"{prefix}-terms": "3", f"{prefix}-every_weeks": "4"}
    )
    plan = PaymentPlan.objects.for_studio(cast.studio).get(program=program)
    assert (plan.kind, plan.terms, plan.every_weeks) == ("terms", 3, 4)
    other = program_create(studio=cast.other_studio, program=Program(name="Elders", weeks=8), price_cents=100)
    other_url = reverse("payments:plan", kwargs={"studio": cast.studio.slug, "program_id": other.pk})
    assert client_for(cast.owner).post(other_url, {f"p{other.pk}-kind": "in_full"}).status_code == 404
    assert not PaymentPlan.objects.for_studio(cast.other_studio).exists()
    page = client_for(cast.owner).get(reverse("payments:overview", kwargs={"studio": cast.studio.slug}))
    assert program.name in page.text and "Elders" not in page.text


def _signed_in(member) -> Client:
    client = Client()
    session = client.session
    session[_session_key(member.studio)] = f"{member.pk}.{member.login_key}"
    session.save()
    return client


def test_a_member_pays_their_first_term_from_their_payments_page(cast, mollie):
    connect(cast)
    enrolment = enrol(cast, make_program(cast, cents=59700, terms=3))
    first = terms_create(enrolment=enrolment)[0]
    client = _signed_in(enrolment.member)
    page = client.get("/s/kracht-utrecht/leden/betalingen/")
    assert page.status_code == 200 and "Betaal met iDEAL | Wero" in page.text and "€ 199,00" in page.text
    answer = client.post(f"/s/kracht-utrecht/leden/betalingen/{first.pk}/betalen/")
    payment = MolliePayment.objects.for_studio(cast.studio).get()
    assert answer.status_code == 302 and answer["Location"] == payment.checkout_url
    back = mollie.payment(payment.mollie_id)["redirectUrl"]
    assert back == "http://testserver/s/kracht-utrecht/leden/betalingen/?terug=1"
    mollie.set_status(payment.mollie_id, "paid", notify=False)  # Mollie's webhook is late
    returned = client.get(back.removeprefix("http://testserver"))
    assert "Terug van het betalen" in returned.text
    deliver()  # the return itself put the payment in line to be fetched
    first.refresh_from_db()
    assert first.status == "paid"
    # a term that is not theirs to pay now (paid, or the second one, debited on the mandate), or another member's
    assert client.post(f"/s/kracht-utrecht/leden/betalingen/{first.pk}/betalen/").status_code == 404
    assert client.post(f"/s/kracht-utrecht/leden/betalingen/{first.pk + 1}/betalen/").status_code == 404
    other = enrol(cast, make_program(cast, cents=1000), email="fleur@example.nl")
    other_term = terms_create(enrolment=other)[0]
    assert client.post(f"/s/kracht-utrecht/leden/betalingen/{other_term.pk}/betalen/").status_code == 404
    assert Client().get("/s/kracht-utrecht/leden/betalingen/")["Location"] == "/s/kracht-utrecht/leden/"


def test_the_pay_link_in_the_mail_pays_one_term_of_one_studio(cast, mollie):
    connect(cast)
    term = terms_create(enrolment=enrol(cast, make_program(cast, cents=12345)))[0]
    url = pay_url(term, cast.studio).removeprefix("http://testserver")
    page = Client().get(url)
    assert page.status_code == 200 and "€ 123,45" in page.text and "Eva de Boer" not in page.text
    answer = Client().post(url)
    assert answer.status_code == 302 and answer["Location"].startswith(mollie.base_url + "/checkout/")
    assert Client().post(url)["Location"] == answer["Location"]  # a second click: the same checkout
    token = pay_token(term)
    assert Client().get(f"/s/andere-studio/betalen/{token}/").status_code == 404
    assert Client().get(f"/s/kracht-utrecht/betalen/{token[:-2]}xx/").status_code == 404
    assert Client().get("/s/kracht-utrecht/betalen/1.2:forged/").status_code == 404


def test_a_studio_without_mollie_says_so_instead_of_a_checkout(cast):
    term = terms_create(enrolment=enrol(cast, make_program(cast, cents=5000)))[0]
    response = Client().post(pay_url(term, cast.studio))
    assert response.status_code == 409 and "neemt nog geen betalingen aan" in response.text
    with pytest.raises(Exception, match="neemt nog geen"):
        checkout_start(term=term, redirect_url="/")


def test_check_deploy_refuses_production_without_a_payments_key():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "VOLLEGYM_TESTING", "PAYMENTS_KEY"}
    }
    env = {k: v for k, v in env.items() if not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    env.update({"DEBUG": "0", "SECRET_KEY": "k8#Qw2!vX9pL3mZr7TnB5yHc1JdF6gS4aE0uWq_oRiVbN2xMtYk",
                "ALLOWED_HOSTS": "vollegym.example.nl", "DATABASE_URL": "postgres://vollegym@db.example.nl:5432/vollegym",
                "SITE_URL": "https://vollegym.example.nl"})  # fmt: skip
    run = lambda extra: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "vollegym", "check", "--deploy", "--fail-level", "WARNING"],
        env={**env, **extra},
        capture_output=True,
        text=True,
        timeout=120,
    )
    missing = run({})
    assert missing.returncode != 0 and "vollegym.E010" in missing.stderr
    assert "vollegym.E011" in run({"PAYMENTS_KEY": "niet-goed"}).stderr
    fine = run({"PAYMENTS_KEY": "x" * 43 + "="})
    assert fine.returncode == 0, fine.stdout + fine.stderr


def test_the_members_page_links_their_payments_for_the_owner_only(cast, mollie):
    connect(cast)
    member = enrol(cast, make_program(cast)).member
    payments_url = f"/app/kracht-utrecht/betalingen/lid/{member.pk}/"
    page = client_for(cast.owner).get(f"/app/kracht-utrecht/leden/{member.pk}/")
    assert page.status_code == 200 and f'href="{payments_url}"' in page.text
    assert "betalingen en facturen" in page.text
    assert client_for(cast.owner).get(payments_url).status_code == 200
    coach_page = client_for(cast.coach).get(f"/app/kracht-utrecht/leden/{member.pk}/")
    assert coach_page.status_code == 200 and payments_url not in coach_page.text

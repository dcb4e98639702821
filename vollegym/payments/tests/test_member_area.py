"""The member's payments page: what they paid, the debits to come at their locked price, what is open with its pay
button, and another IBAN through their next term paid now as a first payment."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from vollegym.core import clock
from vollegym.payments.charging import term_charge
from vollegym.payments.models import MandateSwitch, MissedPayment, MollieCustomer, MolliePayment, Term
from vollegym.payments.tests.kit import deliver
from vollegym.payments.tests.test_missed import debit, fresh, recurring, with_mandate
from vollegym.payments.tests.test_pages import _signed_in
from vollegym.people.models import DomainEvent
from vollegym.programs.models import ProgramPrice

pytestmark = pytest.mark.django_db

PAGE = "/s/kracht-utrecht/leden/betalingen/"
SWITCH = "/s/kracht-utrecht/leden/betalingen/andere-rekening/"


def test_the_page_shows_payments_made_and_debits_to_come_at_the_locked_price(cast, mollie):
    first, *_later = with_mandate(cast, mollie)
    ProgramPrice.objects.for_studio(cast.studio).update(amount_cents=99900)  # the price went up since
    page = _signed_in(first.member).get(PAGE).content.decode()
    paid = page[page.index('id="betaald"') :]
    coming = page[page.index('id="komt-nog"') : page.index('id="betaald"')]
    assert "€ 199,00" in paid and "betaald op" in paid
    assert coming.count("terms__item") == 2 and "€ 398,00" in coming and "€ 999,00" not in page
    assert "Van een andere rekening betalen" in page
    assert 'id="open"' not in page and "Betaal met iDEAL | Wero" not in page


def test_a_failed_debit_shows_as_open_with_its_pay_button(cast, mollie):
    _first, second, _third = with_mandate(cast, mollie)
    mollie.set_status(debit(second).mollie_id, "failed")
    deliver()
    page = _signed_in(second.member).get(PAGE).content.decode()
    assert "Deze betaling is niet gelukt" in page and 'id="open"' in page
    assert f"/leden/betalingen/{second.pk}/betalen/" in page
    assert "je machtiging blijft gewoon staan" in page


def test_another_iban_pays_the_next_term_as_a_first_payment_and_later_debits_use_the_new_mandate(
    cast, mollie
):
    first, second, third = with_mandate(cast, mollie)
    old = MollieCustomer.objects.for_studio(cast.studio).get().mandate_id
    client = _signed_in(first.member)
    answer = client.post(SWITCH)
    assert answer.status_code == 302 and answer["Location"].startswith(mollie.base_url)
    checkout = MolliePayment.objects.for_studio(cast.studio).filter(term=second).get()
    assert checkout.sequence_type == "first" and mollie.payment(checkout.mollie_id)["sequenceType"] == "first"
    assert MandateSwitch.objects.for_studio(cast.studio).get().payment_id == checkout.mollie_id
    mollie.set_status(checkout.mollie_id, "paid")
    deliver()
    assert fresh(second).status == "paid"
    new = MollieCustomer.objects.for_studio(cast.studio).get().mandate_id
    assert new and new != old
    debit(third)
    (taken,) = recurring(mollie)
    assert taken["mandateId"] == new


def test_a_move_to_another_iban_let_go_leaves_the_debit_as_announced(cast, mollie):
    first, second, _third = with_mandate(cast, mollie)
    Term.objects.for_studio(cast.studio).filter(pk=second.pk).update(
        announced_at=clock.now(), charge_on=clock.today() + timedelta(days=4)
    )
    _signed_in(first.member).post(SWITCH)
    checkout = MolliePayment.objects.for_studio(cast.studio).filter(term=second).get()
    assert term_charge(term_id=second.pk) == "not due or taken"  # its checkout is open: no debit besides
    mollie.set_status(checkout.mollie_id, "expired")
    deliver()
    assert fresh(second).status == "scheduled"
    assert not MissedPayment.objects.for_studio(cast.studio).exists()
    assert not DomainEvent.objects.for_studio(cast.studio).filter(kind="payment.term_failed").exists()
    with time_machine.travel(clock.now() + timedelta(days=5)):
        assert term_charge(term_id=second.pk) == "charged"
    assert len(recurring(mollie)) == 1


def test_without_a_debit_to_come_there_is_no_other_iban(cast, mollie):
    first, *_rest = with_mandate(cast, mollie, terms=1)
    client = _signed_in(first.member)
    assert "Van een andere rekening betalen" not in client.get(PAGE).content.decode()
    answer = client.post(SWITCH, follow=True)
    assert "Er staat geen afschrijving meer gepland" in answer.content.decode()
    assert MolliePayment.objects.for_studio(cast.studio).count() == 1


def test_another_iban_is_only_for_the_studio_the_member_signed_in_at(cast, mollie):
    first, second, _third = with_mandate(cast, mollie)
    client = _signed_in(first.member)
    payments = MolliePayment.objects.for_studio(cast.studio).count()
    # Signed in here, not there: another studio's switch asks them to sign in there, and moves nothing anywhere.
    elsewhere = client.post("/s/andere-studio/leden/betalingen/andere-rekening/")
    assert elsewhere.status_code == 302 and elsewhere["Location"] == "/s/andere-studio/leden/"
    assert client.post("/s/bestaat-niet/leden/betalingen/andere-rekening/").status_code == 404
    cast.other_studio.is_active = False
    cast.other_studio.save(update_fields=["is_active"])
    assert client.post("/s/andere-studio/leden/betalingen/andere-rekening/").status_code == 404
    assert client.get(SWITCH).status_code == 405  # a change of IBAN is a POST only
    assert MolliePayment.objects.for_studio(cast.studio).count() == payments
    assert not MandateSwitch.objects.for_studio(cast.studio).exists() and fresh(second).status == "scheduled"

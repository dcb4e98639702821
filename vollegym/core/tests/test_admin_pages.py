"""Every page of the Django admin opens for the agency, and an unchanged form saves: no 500 anywhere."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import Model
from django.http import HttpRequest
from django.test import RequestFactory

from vollegym.core import clock
from vollegym.core.testing import Cast, client_for, make_lead
from vollegym.leads.inbound import inbound_keep_refused
from vollegym.leads.models import GoogleLeadForm, InboundEvent, Lead, MetaPage
from vollegym.leads.services import LeadInput, lead_capture, lead_settings_for, meta_page_connect
from vollegym.leads.tasks import check_deadline
from vollegym.messaging.models import WhatsAppSettings
from vollegym.outbound.models import Delivery, Subscription
from vollegym.payments.crypto import secret_seal
from vollegym.payments.invoicing import credit_note_issue, invoice_issue
from vollegym.payments.models import (
    Chargeback,
    MandateSwitch,
    MissedPayment,
    MollieConnection,
    MollieCustomer,
    MolliePayment,
    Refund,
)
from vollegym.payments.services import plan_set, terms_create
from vollegym.payments.webhooks import webhook_store
from vollegym.people.models import AuditEntry, DomainEvent, PrivacyRequest
from vollegym.people.rights import audit_record, privacy_request_open
from vollegym.programs.models import Program
from vollegym.programs.services import enrolment_create, program_create
from vollegym.referrals.services import referral_attach, referral_link_for, referral_settings_for
from vollegym.retention.activation import activation_check
from vollegym.retention.outreach import outreach_log
from vollegym.retention.ratings import rating_answer, rating_ask
from vollegym.retention.services import run_start
from vollegym.studios.models import User

pytestmark = pytest.mark.django_db


class _FormFields(HTMLParser):
    """The values a browser sends for one form of a page, as it stands (the form saved unchanged)."""

    def __init__(self, form_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.data: dict[str, list[str]] = defaultdict(list)
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._in_form = a.get("id") == self.form_id
        if not self._in_form or "disabled" in a:
            return
        name = a.get("name", "")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in {"submit", "button", "image", "file", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self.data[name].append(a.get("value", "on" if kind in {"checkbox", "radio"} else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select is not None and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            self.data[self._textarea].append(self._text.removeprefix("\n"))
            self._textarea = None


def form_as_sent(html: str, form_id: str) -> dict[str, list[str]]:
    parser = _FormFields(form_id)
    parser.feed(html)
    return {name: values for name, values in parser.data.items() if values}


def a_row_of_everything(cast: Cast) -> None:
    """At least one row of every model the admin shows, the studio-owned ones pointing at each other."""
    captured = lead_capture(
        studio=cast.studio, data=LeadInput(source="website", name="Eva de Boer", email="eva@example.nl")
    )
    make_lead(cast.other_studio, name="Bram Bos", phone="+31612345678")
    InboundEvent.objects.create(
        studio=cast.studio, provider="generic", dedupe_key="1:zap-1", payload={"external_id": "zap-1"},
        status="processed", lead=captured.lead,
    )  # fmt: skip
    InboundEvent.objects.create(
        studio=None, provider="meta", dedupe_key="L9", payload={}, status="unroutable"
    )
    inbound_keep_refused(studio=cast.studio, provider="generic", body=b'{"a": NaN}', reason="NaN")
    meta_page_connect(studio=cast.studio, page_id="1001", page_token="tok", name="Kracht Utrecht")
    GoogleLeadForm.objects.create(studio=cast.studio, form_id="", key="google-key")
    lead_settings_for(cast.other_studio)
    WhatsAppSettings.objects.create(studio=cast.studio, phone_number_id="123", token="t")
    check_deadline.enqueue(lead_id=captured.lead.pk)
    Group.objects.create(name="Bureau")
    person = captured.lead.person
    privacy_request_open(person=person, kind=PrivacyRequest.Kind.ERASURE, by=cast.owner)
    audit_record(action=AuditEntry.Action.VIEWED, user=cast.owner, studio=cast.studio, person=person)
    # A member who brought a friend (referrals), with a playbook run and an activation check (retention).
    program = program_create(
        studio=cast.studio,
        program=Program(name="Small group", weeks=12, format="small_group"),
        price_cents=44900,
    )
    enrolment = enrolment_create(lead=captured.lead, program=program, starts_on=clock.today(), by=cast.owner)
    link = referral_link_for(studio=cast.studio, person=person)
    friend = make_lead(cast.studio, name="Fleur", email="fleur@example.nl", source="referral")
    referral_attach(lead=friend, code=link.code)
    referral_settings_for(cast.studio)
    run_start(enrolment=enrolment)
    activation_check(enrolment=enrolment, day=10, now=clock.now() + timedelta(days=10))
    rating = rating_ask(enrolment=enrolment, moment="day_30")
    assert rating is not None
    rating_answer(rating=rating, score=5, comment="De kleedkamer is koud")
    outreach_log(member=enrolment.member, by=cast.coach, way="reached", outcome="stays", note="Komt weer")
    # Payments: a connection, a plan, a term with a payment at Mollie, the customer and a webhook call.
    MollieConnection.objects.create(
        studio=cast.studio, api_key_encrypted=secret_seal("test_" + "x" * 30), mode="test", key_hint="xxxx"
    )
    plan_set(program=program, kind="terms", terms=2, every_weeks=4)
    term = terms_create(enrolment=enrolment)[0]
    paid = MolliePayment.objects.create(
        studio=cast.studio, term=term, mollie_id="tr_Admin1", idempotency_key="k-admin", sequence_type="first",
        amount_cents=term.amount_cents, status="paid", paid_at=clock.now(),
    )  # fmt: skip
    # The books: its invoice, a refund and the refund's credit note.
    invoice_issue(payment=paid)
    refund = Refund.objects.create(studio=cast.studio, payment=paid, mollie_id="re_Admin1", amount_cents=100)
    credit_note_issue(refund=refund)
    Chargeback.objects.create(studio=cast.studio, payment=paid, amount_cents=500, total_cents=500)
    MollieCustomer.objects.create(studio=cast.studio, member=enrolment.member, customer_id="cst_Admin1")
    webhook_store(studio=cast.studio, payment_id="tr_Admin1")
    MissedPayment.objects.create(
        studio=cast.studio,
        term=term,
        member=enrolment.member,
        reason="failed",
        amount_cents=term.amount_cents,
    )
    MandateSwitch.objects.create(
        studio=cast.studio, member=enrolment.member, term=term, payment_id="tr_Admin1"
    )
    # Outbound webhooks: a subscription and one delivery of the studio's first event.
    subscription = Subscription.objects.create(
        studio=cast.studio, url="https://hooks.example.org/in", kinds=["lead.captured"], secret="s" * 40
    )
    Delivery.objects.create(
        studio=cast.studio,
        subscription=subscription,
        event=DomainEvent.objects.for_studio(cast.studio).earliest("id"),
    )


def _registered(superuser: User) -> list[tuple[type[Model], Any, Model | None, HttpRequest]]:
    """Every registered model, its admin and a row; each of our own models must have one, so its pages are walked."""
    request = RequestFactory().get("/admin/")
    request.user = superuser
    found: list[tuple[type[Model], Any, Model | None, HttpRequest]] = []
    for model, model_admin in admin.site._registry.items():
        row: Model | None = model_admin.get_queryset(request).first()
        if model.__module__.startswith("vollegym."):
            assert row is not None, (
                f"{model.__name__}: add a row to a_row_of_everything() so its pages are walked"
            )
        found.append((model, model_admin, row, request))
    return found


def _pages(superuser: User) -> list[tuple[str, int]]:
    """Every admin page of every registered model, and the status it must answer."""
    seen = []
    for model, model_admin, row, request in _registered(superuser):
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}"
        seen += [(f"{base}/", 200), (f"{base}/add/", 200 if model_admin.has_add_permission(request) else 403)]
        if model_admin.search_fields:
            seen.append((f"{base}/?q=eva", 200))
        if row is not None:
            seen += [
                (f"{base}/{row.pk}/change/", 200),
                (f"{base}/{row.pk}/history/", 200),
                (f"{base}/{row.pk}/delete/", 200 if model_admin.has_delete_permission(request, row) else 403),
            ]
    return seen


def test_every_admin_page_opens_for_the_agency(cast: Cast, admin_user: User) -> None:
    a_row_of_everything(cast)
    client = client_for(admin_user)
    pages = _pages(admin_user)
    assert len(pages) >= 5 * len([m for m in admin.site._registry if m.__module__.startswith("vollegym.")])
    for url, status in pages:
        assert client.get(url).status_code == status, url


def test_every_admin_form_saves_unchanged_and_an_empty_new_one_only_shows_errors(
    cast: Cast, admin_user: User
) -> None:
    a_row_of_everything(cast)
    client = client_for(admin_user)
    for model, model_admin, row, request in _registered(admin_user):
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}"
        if model_admin.has_add_permission(request):
            assert client.post(f"{base}/add/", {"_save": "Opslaan"}).status_code == 200, base
        if row is None:
            continue
        url = f"{base}/{row.pk}/change/"
        if not model_admin.has_change_permission(request, row):
            assert client.post(url, {}).status_code == 403, url
            continue
        data = form_as_sent(client.get(url).text, f"{model._meta.model_name}_form")
        response = client.post(url, {**data, "_save": "Opslaan"})
        errors = response.context["adminform"].form.errors if response.status_code == 200 else None
        assert response.status_code == 302, f"{url}: {errors}"


def test_the_agency_opens_a_delivery_with_its_lead_and_routes_it_again(cast: Cast, admin_user: User) -> None:
    lead = make_lead(cast.studio, name="Eva de Boer", email="eva@example.nl")
    event = InboundEvent.objects.create(
        studio=cast.studio, provider="generic", dedupe_key="1:zap-1", payload={"external_id": "zap-1"},
        status="failed", error="boom", lead=lead,
    )  # fmt: skip
    client = client_for(admin_user)
    url = f"/admin/leads/inboundevent/{event.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and "Eva de Boer" in page.text  # the lead's label beside its number
    data = form_as_sent(page.text, "inboundevent_form")
    assert client.post(url, {**data, "status": "pending", "_save": "Opslaan"}).status_code == 302
    event.refresh_from_db()
    assert event.status == "pending"
    # A lead of another studio is refused on the form, not with a 500.
    theirs = make_lead(cast.other_studio, name="Bram Bos", email="bram@example.nl")
    refused = client.post(url, {**data, "lead": str(theirs.pk), "_save": "Opslaan"})
    assert refused.status_code == 200 and "belongs to another studio" in refused.text
    assert InboundEvent.all_studios.get(pk=event.pk).lead == lead


def test_a_page_id_another_studio_has_is_a_form_error_in_the_admin(cast: Cast, admin_user: User) -> None:
    meta_page_connect(studio=cast.other_studio, page_id="2002", page_token="tok")
    ours = meta_page_connect(studio=cast.studio, page_id="1001", page_token="tok")
    client = client_for(admin_user)
    url = f"/admin/leads/metapage/{ours.pk}/change/"
    data = form_as_sent(client.get(url).text, "metapage_form")
    response = client.post(url, {**data, "page_id": "2002", "_save": "Opslaan"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["page_id"]
    assert MetaPage.all_studios.get(pk=ours.pk).page_id == "1001"


def test_the_lead_list_is_searched_on_the_person(cast: Cast, admin_user: User) -> None:
    make_lead(cast.studio, name="Eva de Boer", email="eva@example.nl")
    make_lead(cast.other_studio, name="Bram Bos", email="bram@example.nl")
    page = client_for(admin_user).get("/admin/leads/lead/?q=eva")
    assert page.status_code == 200
    assert [str(lead) for lead in page.context["cl"].result_list] == ["Eva de Boer"]
    assert Lead.all_studios.count() == 2


def test_the_admin_lists_a_delivery_refused_on_arrival_with_its_reason(cast: Cast, admin_user: User) -> None:
    kept = inbound_keep_refused(studio=None, provider="meta", body=b"[" * 50, reason="nested too deep")
    page = client_for(admin_user).get("/admin/leads/inboundevent/?status__exact=failed")
    assert page.status_code == 200 and "nested too deep" in page.text
    assert client_for(admin_user).get(f"/admin/leads/inboundevent/{kept.pk}/change/").status_code == 200


def test_a_delivery_is_not_added_by_hand(admin_user: User) -> None:
    assert client_for(admin_user).get("/admin/leads/inboundevent/add/").status_code == 403

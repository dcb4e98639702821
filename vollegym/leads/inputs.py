"""What a lead is made from, checked before anything is written: one shape for every door."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from vollegym.core.phones import normalise_phone
from vollegym.leads.models import Source
from vollegym.people.models import Purpose
from vollegym.people.services import Contact


class CaptureError(ValueError):
    """Input that cannot become a lead; `field` names what is wrong."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field, self.reason = field, reason


@dataclass(frozen=True)
class ConsentInput:
    purpose: str
    wording: str
    given: bool
    channel: str = ""
    version: str = ""


@dataclass
class LeadInput:
    source: str
    name: str = ""
    email: str = ""
    phone: str = ""
    campaign: str = ""
    ad: str = ""
    form: str = ""
    utm: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)
    consents: list[ConsentInput] = field(default_factory=list)
    is_test: bool = False


@dataclass(frozen=True)
class CheckedLead:
    """Input that passed `lead_check`, with the contact read from it; only this goes into `leads_capture`."""

    data: LeadInput
    contact: Contact


def check_lead_input(data: LeadInput) -> tuple[str, str, str]:
    """Validates the input; returns the e-mail (lower case), E.164 phone and phone as given."""
    if data.source not in Source.values:
        raise CaptureError("source", f"unknown source {data.source!r}; one of {', '.join(Source.values)}")
    email = data.email.strip().lower()
    if len(email) > 254:
        raise CaptureError("email", "an e-mail address has at most 254 characters")
    if len(data.phone.strip()) > 64:
        raise CaptureError("phone", "a phone number has at most 64 characters")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise CaptureError("email", f"{data.email!r} is not an e-mail address") from None
    phone = normalise_phone(data.phone)
    if not email and not phone.as_given:
        raise CaptureError("contact", "a lead needs an e-mail address or a phone number")
    for consent in data.consents:
        if consent.purpose not in Purpose.values:
            raise CaptureError(
                "consent", f"unknown purpose {consent.purpose!r}; one of {', '.join(Purpose.values)}"
            )
        if not consent.wording.strip():
            raise CaptureError("consent", "each consent keeps the exact wording the person saw")
    return email, phone.e164, phone.as_given


def lead_check(data: LeadInput) -> CheckedLead:
    """Checks one input before anything is written (raises CaptureError naming the field)."""
    return CheckedLead(data, Contact(data.name.strip(), *check_lead_input(data)))

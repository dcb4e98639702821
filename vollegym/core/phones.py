"""Phone numbers as people type them, to E.164 (Dutch numbers without a country code are read as Dutch)."""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers


@dataclass(frozen=True)
class Phone:
    e164: str  # empty when the number is not valid
    as_given: str

    @property
    def invalid(self) -> bool:
        return bool(self.as_given) and not self.e164


def normalise_phone(raw: str, region: str = "NL") -> Phone:
    given = (raw or "").strip()
    if not given:
        return Phone("", "")
    try:
        parsed = phonenumbers.parse(given, region)
    except phonenumbers.NumberParseException:
        return Phone("", given)
    if not phonenumbers.is_valid_number(parsed):
        return Phone("", given)
    return Phone(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), given)


def display_phone(number: str) -> str:
    """+31612345678 → 06 12345678, +31302345678 → 030 234 5678; other countries' numbers in international form.

    A number kept as someone typed it (a studio's own "030-2345678") is read as Dutch; what is not a valid
    number is shown as it is.
    """
    try:
        parsed = phonenumbers.parse(number, "NL")
    except phonenumbers.NumberParseException:
        return number
    if not phonenumbers.is_valid_number(parsed):
        return number
    if parsed.country_code == 31:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

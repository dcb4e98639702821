"""How a person's page reads the data each app keeps: titles in words, values without JSON noise."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import formats
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

register = template.Library()

SECTIONS = {
    "leads": _("Aanvragen (leads)"), "lead_timeline": _("Tijdlijn van de aanvragen"),
    "deliveries": _("Ruwe berichten van advertenties en koppelingen"), "intakes": _("Intakes"),
    "conversations": _("Kennismakingsgesprekken"), "memberships": _("Lidmaatschap"),
    "enrolments": _("Inschrijvingen"), "sessions": _("Lessen"), "waitlist": _("Wachtlijst"),
    "fixed_places": _("Vaste plekken"), "referrals": _("Vrienden meenemen"), "messages": _("Berichten"),
    "consents": _("Toestemmingen (het hele logboek)"), "events": _("Gebeurtenissen"),
}  # fmt: skip
FIELDS = {
    "id": "#", "created_at": _("binnen"), "source": _("bron"), "campaign": _("campagne"), "ad": _("advertentie"),
    "form": _("formulier"), "utm": "UTM", "answers": _("antwoorden"), "stage": _("fase"),
    "lost_reason": _("reden"), "first_contact_at": _("eerste contact"), "lead": _("lead"), "kind": _("soort"),
    "outcome": _("uitkomst"), "body": _("tekst"), "data": _("gegevens"), "at": _("wanneer"),
    "provider": _("van"), "received_at": _("ontvangen"), "payload": _("inhoud"), "started": _("begonnen"),
    "completed": _("afgerond"), "score": _("score"), "temperature": _("temperatuur"), "reasons": _("redenen"),
    "coach": _("coach"), "starts_at": _("begint"), "status": _("status"), "since": _("sinds"),
    "member": _("lid"), "program": _("programma"), "price_cents": _("prijs"), "starts_on": _("start"),
    "ends_on": _("einde"), "sessions_used": _("trainingen"), "first_payment_paid_at": _("betaald"),
    "class": _("les"), "via": _("via"), "booked_at": _("geboekt"), "channel": _("kanaal"), "to": _("aan"),
    "subject": _("onderwerp"), "sent_at": _("verstuurd"), "purpose": _("doel"), "given": _("gegeven"),
    "how": _("hoe"), "wording": _("tekst die de persoon zag"), "wording_version": _("versie"),
    "promoted_at": _("doorgeschoven"), "weekday": _("dag"), "starts": _("tijd"), "from": _("vanaf"),
    "until": _("tot en met"),
}  # fmt: skip


@register.filter
def section_title(name: str) -> str:
    return str(SECTIONS.get(name, name))


@register.filter
def field_title(name: str) -> str:
    return str(FIELDS.get(name, name.replace("_", " ")))


@register.filter
def readable(value: Any) -> str:
    """Dates as dates, lists and dicts as short lines, nothing as a dash."""
    if value in (None, "", [], {}):
        return "—"
    if value is True:
        return str(_("ja"))
    if value is False:
        return str(_("nee"))
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-":
        try:  # a well-formed but impossible date ("1990-02-31 …") raises: then it is just text
            moment = parse_datetime(value) if "T" in value else None
            day = parse_date(value[:10]) if moment is None else None
        except ValueError:
            moment = day = None
        if isinstance(moment, datetime):
            return formats.date_format(moment, "j b Y H:i")
        if isinstance(day, date) and len(value) == 10:
            return formats.date_format(day, "j b Y")
    if isinstance(value, dict):
        return "; ".join(f"{k}: {readable(v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(readable(v) for v in value)
    return str(value)


# A value longer than this folds away behind its first words, so one long answer does not stretch the table.
FOLD_AT = 90


@register.filter
def folded(value: Any) -> str:
    text = readable(value)
    if len(text) <= FOLD_AT:
        return format_html("{}", text)
    return format_html("<details><summary>{}…</summary>{}</details>", text[:60].rstrip(), text)

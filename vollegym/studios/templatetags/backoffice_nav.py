"""The back office's navigation: every place in a row on a wide screen; on a phone the places used most, the
notification count, and the rest behind "Meer"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

register = template.Library()


@dataclass(frozen=True)
class NavItem:
    key: str  # the view's "nav" value that marks this place as the current one
    label: str | Promise
    url_name: str
    on_phone: bool  # shown in the phone's bar; the others sit behind "Meer"


ITEMS = [
    NavItem("vandaag", _("Vandaag"), "today:today", on_phone=True),
    NavItem("dashboard", _("Overzicht"), "analytics:overview", on_phone=False),
    NavItem("leads", _("Leads"), "leads:inbox", on_phone=True),
    NavItem("berichten", _("Berichten"), "inbox:list", on_phone=False),
    NavItem("intake", _("Intake"), "intake_staff:overview", on_phone=False),
    NavItem("gesprekken", _("Gesprekken"), "intake_staff:consultations", on_phone=False),
    NavItem("rooster", _("Rooster"), "agenda:week", on_phone=False),
    NavItem("leden", _("Leden"), "programs:members", on_phone=False),
    NavItem("programmas", _("Programma's"), "programs:programs", on_phone=False),
    NavItem("speed", _("Cijfers"), "analytics:funnel", on_phone=False),
    NavItem("meldingen", _("Meldingen"), "messaging:notifications", on_phone=True),
]


@dataclass(frozen=True)
class NavLink:
    key: str
    label: str | Promise
    url: str
    current: bool
    count: int  # unread notifications, shown as a badge


@register.inclusion_tag("studios/_nav.html", takes_context=True)
def app_nav(context: template.Context) -> dict[str, Any]:
    studio = context["studio"]
    current = context.get("nav", "")
    # What waits for someone, shown beside the link: unread notifications and unread WhatsApp messages.
    counts = {
        "meldingen": int(context.get("unread_count") or 0),
        "berichten": int(context.get("whatsapp_unread") or 0),
    }
    links = [
        (
            item,
            NavLink(
                key=item.key,
                label=item.label,
                url=reverse(item.url_name, kwargs={"studio": studio.slug}),
                current=item.key == current,
                count=counts.get(item.key, 0),
            ),
        )
        for item in ITEMS
    ]
    rest = [link for item, link in links if not item.on_phone]
    return {
        "all_links": [link for _item, link in links],
        "phone_links": [link for item, link in links if item.on_phone],
        "rest_links": rest,
        "rest_current": any(link.current for link in rest),
        "rest_count": sum(link.count for link in rest),
    }

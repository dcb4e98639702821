"""The weekly summary: on Monday morning (the studio's clock) each owner gets last week's figures against the four
weeks before, and one suggestion drawn from the step of their loop that falls furthest short.

Which step is weakest is measured against reference rates written down here, not against other studios, so a studio
on its own gets the same mail as one of forty. The rates are our design, from the seeds: an answer within the hour,
a conversation for about a third of the leads, most who book also come, half of those who come join, and most
members still there on day 90.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from vollegym.analytics.funnel import funnel
from vollegym.analytics.overview import figures_of, weeks_back
from vollegym.core import clock
from vollegym.leads.models import Lead
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.studios.models import StaffMembership, Studio

SEND_FROM = time(7, 0)  # Monday, on the studio's clock
SEND_UNTIL = time(12, 0)  # a worker that was down all morning sends nothing stale in the afternoon
LOOK_BACK = timedelta(days=90)
WITHIN_HOUR = 3600


@dataclass(frozen=True)
class Step:
    key: str
    label: str | Promise
    target: float
    advice: str | Promise


STEPS = [
    Step("answered", _("Leads binnen het uur persoonlijk gesproken"), 0.9, _(
        "Beantwoord elke lead binnen het uur, persoonlijk. Leads die langer wachten, komen veel minder vaak naar "
        "een gesprek. Zet de meldingen van nieuwe leads aan op je telefoon en spreek af wie welke uren oppakt."
    )),
    Step("booked", _("Leads met een gesprek gepland"), 0.35, _(
        "Plan het kennismakingsgesprek al tijdens het eerste telefoontje, met twee momenten om uit te kiezen, in "
        "plaats van 'ik stuur je een link'."
    )),
    Step("showed", _("Geplande gesprekken die doorgingen"), 0.8, _(
        "Stuur de dag voor het gesprek een persoonlijk appje met je naam en waar ze je vinden; wie weet wie er "
        "wacht, komt vaker."
    )),
    Step("won", _("Gehouden gesprekken waarna de lead lid werd"), 0.5, _(
        "Begin het gesprek bij het doel en het waarom, en noem de prijs pas als laatste, als het plan staat. Wie "
        "eerst de transformatie ziet, vergelijkt je niet met de sportschool om de hoek."
    )),
    Step("stayed", _("Nieuwe leden die er na 90 dagen nog zijn"), 0.8, _(
        "De eerste dertig dagen beslissen of iemand blijft: een persoonlijke check-in in week 1, 2 en 4, een "
        "meting aan het begin en een telefoontje aan wie een week niet kwam."
    )),
]  # fmt: skip


@dataclass(frozen=True)
class Weakest:
    step: Step
    rate: float
    count: int  # how many the rate is a share of


def weakest_step(studio: Studio, *, now: datetime) -> Weakest | None:
    """The step furthest below its reference rate over the last 90 days (at least ten people to judge by)."""
    today = clock.local(now, studio.zone).date()
    found = funnel(studio, first_day=today - LOOK_BACK, last_day=today)
    cells = {cell.key: cell for cell in found.total.cells}
    leads = list(
        Lead.objects.for_studio(studio)
        .real()
        .filter(created_at__gte=now - LOOK_BACK, created_at__lt=now)
        .values_list("created_at", "first_contact_at")
    )
    answered = sum(
        1
        for created, first in leads
        if first is not None and (first - created).total_seconds() <= WITHIN_HOUR
    )
    stayed, known = found.total.stayed.get(90, (0, 0))
    rates: dict[str, tuple[float, int]] = {
        "answered": (answered / len(leads), len(leads)) if leads else (0.0, 0)
    }
    for key, before in (("booked", "lead"), ("showed", "booked"), ("won", "showed")):
        base = cells[before].count
        rates[key] = ((cells[key].from_before or 0) / 100 if base else 0.0, base)
    rates["stayed"] = (stayed / known if known else 0.0, known)
    judged = [
        Weakest(step, rates[step.key][0], rates[step.key][1])
        for step in STEPS
        if rates[step.key][1] >= 10 and rates[step.key][0] < step.target
    ]
    if not judged:
        return None
    return max(judged, key=lambda w: 1 - w.rate / w.step.target)


@transaction.atomic
def weekly_summary_queue(*, studio: Studio, now: datetime) -> int:
    """Queues this week's summary for each owner of the studio; one per owner and week, ever (the outbox's key)."""
    monday = clock.local(now, studio.zone).date()
    weeks = weeks_back(studio)
    figures = figures_of(studio, weeks)
    weakest = weakest_step(studio, now=now)
    url = f"{settings.SITE_URL}{reverse('analytics:overview', kwargs={'studio': studio.slug})}"
    owners = (
        StaffMembership.objects.for_studio(studio)
        .filter(role=StaffMembership.Role.OWNER)
        .select_related("user")
    )
    queued = 0
    for membership in owners:
        owner = membership.user
        key = f"weekly:{monday:%G-W%V}:{owner.pk}"
        if Message.objects.for_studio(studio).filter(key=key).exists():
            continue
        # Mails go out in Dutch, the studio's language (as every mail of the back office does).
        with translation.override("nl"):
            body = render_to_string(
                "analytics/mail/weekly.txt",
                {"studio": studio, "owner": owner, "week": weeks[-1], "figures": figures, "weakest": weakest,
                 "url": url},
            ).strip()  # fmt: skip
            subject = str(_("Je week bij %(studio)s: de cijfers en één tip") % {"studio": studio.name})
        message_queue(
            studio=studio, channel=Message.Channel.EMAIL, to=owner.email, to_user=owner, purpose="weekly_summary",
            key=key, subject=subject, body=body,
        )  # fmt: skip
        queued += 1
    return queued


def weekly_summaries(*, now: datetime | None = None) -> int:
    """Every active studio where it is Monday morning now: its owners' summaries, once a week."""
    now = now or clock.now()
    queued = 0
    for studio in Studio.objects.filter(is_active=True):
        local = clock.local(now, studio.zone)
        if local.weekday() != 0 or not SEND_FROM <= local.time() < SEND_UNTIL:
            continue
        key_prefix = f"weekly:{local.date():%G-W%V}:"
        if Message.objects.for_studio(studio).filter(key__startswith=key_prefix).exists():
            continue
        queued += weekly_summary_queue(studio=studio, now=now)
    return queued

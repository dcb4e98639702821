"""Demo data of the numbers: the demo history is written in bulk, so its domain events are derived afterwards; and
the ad spend of the demo's campaigns over the leads' history.

Runs last (analytics is the last app), when every other app's demo rows exist.

The spend follows the leads each campaign brought that month at the campaign's own cost per lead (Google's search
leads cost more than Meta's), with some noise from a fixed seed; Meta's months as imported from an export, Google's
typed in by the owner. One spring campaign ran two months of the last year and brought no lead, so the page has a
name to check.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date

from django.apps import apps

from vollegym.analytics.models import AdSpend, campaign_key
from vollegym.core import clock
from vollegym.leads.models import Lead
from vollegym.people.backfill import events_backfill
from vollegym.people.models import DomainEvent
from vollegym.studios.models import StaffMembership, Studio

SEED = 1212
# Cost per lead in cents, by campaign, around which each month's spend is drawn.
PER_LEAD = {
    "Najaar 40+": 2400, "Sterk na je bevalling": 3100, "Small group januari": 1900,
    "Personal trainer Utrecht": 5200, "Small group training Utrecht": 4100,
}  # fmt: skip
NOTHING_CAME = "Voorjaarsactie 2 weken"


def load(*, years: int = 1) -> None:
    """The events of the history the other apps wrote (its `years` are theirs) and the ad spend that goes with it."""
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None:
        return
    leads = Lead.objects.for_studio(studio).real().count()
    derived = DomainEvent.objects.for_studio(studio).filter(kind="lead.captured").count()
    if derived < leads:  # a fresh demo history; a demo loaded before (and used since) keeps its events
        events_backfill(apps, [studio.pk], replace=True)
    if not AdSpend.objects.for_studio(studio).exists():
        _ad_spend(studio)


def _ad_spend(studio: Studio) -> None:
    """A month of spend for every campaign that brought leads that month, at its own cost per lead."""
    rng = random.Random(SEED)
    zone = studio.zone
    owner = (
        StaffMembership.objects.for_studio(studio)
        .filter(role=StaffMembership.Role.OWNER)
        .select_related("user")
    ).first()
    counts: Counter[tuple[str, str, date]] = Counter()
    for source, campaign, created_at in (
        Lead.objects.for_studio(studio)
        .real()
        .exclude(campaign="")
        .values_list("source", "campaign", "created_at")
    ):
        counts[(source, campaign, clock.local(created_at, zone).date().replace(day=1))] += 1
    rows = []
    for (source, campaign, month), leads in sorted(counts.items()):
        cents = round(leads * PER_LEAD.get(campaign, 3000) * rng.uniform(0.75, 1.3) / 100) * 100
        meta = source == "meta"
        rows.append(AdSpend(
            studio=studio, platform=AdSpend.Platform.META if meta else AdSpend.Platform.GOOGLE, campaign=campaign,
            campaign_key=campaign_key(campaign), month=month, amount_cents=cents,
            source=AdSpend.Source.IMPORTED if meta else AdSpend.Source.TYPED,
            file_name=f"Meta-campagnes-{month:%Y-%m}.csv" if meta else "", updated_by=owner.user if owner else None,
        ))  # fmt: skip
    months = sorted({month for _s, _c, month in counts})[-13:]  # of the last year
    for month in months[2:4]:
        rows.append(AdSpend(
            studio=studio, platform=AdSpend.Platform.META, campaign=NOTHING_CAME, campaign_key=campaign_key(NOTHING_CAME),
            month=month, amount_cents=rng.randint(30, 45) * 1000, source=AdSpend.Source.TYPED,
            updated_by=owner.user if owner else None,
        ))  # fmt: skip
    AdSpend.objects.bulk_create(rows)

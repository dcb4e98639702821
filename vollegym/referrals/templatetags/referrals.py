from __future__ import annotations

from django import template

from vollegym.leads.models import Lead
from vollegym.people.models import Person
from vollegym.referrals.selectors import referrer_of

register = template.Library()


@register.simple_tag
def referred_by(lead: Lead) -> Person | None:
    """{% referred_by lead as referrer %}: the member whose link brought this lead, for the lead's page."""
    return referrer_of(lead) if lead.source == "referral" else None

"""Demo data of the referrals app: members' links, and the demo's referral leads credited to them.

Every lead of the demo that came in as a referral gets a member who brought them (a member on the day the lead came
in); friends who became members earn their referrer's reward after four weeks, some of which the owner
already gave. Drawn from a fixed seed; loading again adds nothing.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from vollegym.core import clock
from vollegym.leads.models import Lead, Source
from vollegym.programs.models import Enrolment, Member
from vollegym.referrals.models import Referral, ReferralLink
from vollegym.referrals.services import referral_link_for, referral_settings_for, rewards_check
from vollegym.studios.models import StaffMembership, Studio

SEED = 2024


@transaction.atomic
def load(*, years: int = 1) -> None:
    """The links and referrals over the leads' history, however many `years` it holds."""
    studio = Studio.objects.filter(slug="demo").first()
    if studio is None or ReferralLink.objects.for_studio(studio).exists():
        return  # no demo studio, or its referrals are already there
    rng = random.Random(SEED)
    members = list(Member.objects.for_studio(studio).select_related("person").order_by("created_at", "id"))
    leads = list(
        Lead.objects.for_studio(studio)
        .filter(source=Source.REFERRAL, is_test=False)
        .order_by("created_at", "id")
    )
    if not members or not leads:
        return
    referral_settings_for(studio)  # the default: a free week after four weeks
    # A handful of ambassadors bring most friends, as in a real studio; only while they are members themselves.
    ambassadors = members[: max(3, len(members) // 6)]
    last_day: dict[int, date] = {}
    for member_id, ends_on in (
        Enrolment.objects.for_studio(studio)
        .exclude(status=Enrolment.Status.STOPPED)
        .values_list("member_id", "ends_on")
    ):
        last_day[member_id] = max(last_day.get(member_id, ends_on), ends_on)
    for lead in leads:
        day = clock.local(lead.created_at, studio.zone).date()
        earlier = [
            m for m in ambassadors
            if m.created_at < lead.created_at and last_day.get(m.pk, date.min) >= day and m.person_id != lead.person_id
        ]  # fmt: skip
        if not earlier:
            continue
        member = rng.choice(earlier)
        link = referral_link_for(studio=studio, person=member.person)
        ReferralLink.objects.for_studio(studio).filter(pk=link.pk).update(
            visits=link.visits + rng.randint(1, 4)
        )
        Referral.objects.create(
            studio=studio, link=link, lead=lead, person_id=lead.person_id, created_at=lead.created_at
        )
    rewards_check(studio=studio)
    owner = StaffMembership.objects.for_studio(studio).filter(role=StaffMembership.Role.OWNER).first()
    earned = (
        Referral.objects.for_studio(studio)
        .filter(reward_earned_at__isnull=False)
        .order_by("reward_earned_at")
    )
    # The older rewards were given long ago; the latest few wait for the owner.
    for referral in list(earned)[:-2]:
        assert referral.reward_earned_at is not None
        referral.reward_given_at = referral.reward_earned_at + timedelta(days=rng.randint(1, 10))
        referral.reward_given_by = owner.user if owner else None
        referral.save(update_fields=["reward_given_at", "reward_given_by"])
    # Visits of members who shared their link without bringing anyone yet.
    for member in members[len(ambassadors) : len(ambassadors) + 4]:
        link = referral_link_for(studio=studio, person=member.person)
        ReferralLink.objects.for_studio(studio).filter(pk=link.pk).update(visits=rng.randint(0, 3))

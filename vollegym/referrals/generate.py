"""Benchmark data of the referrals app (`vollegym generate`): the links of members who brought a friend, every
friend who came through one, and the rewards earned (after four weeks as a member) and given."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from vollegym.core.generator.run import Generation
from vollegym.people.events import ReferralAttributed, ReferralRewardEarned, ReferralRewardGiven
from vollegym.people.generate import event_row
from vollegym.people.models import DomainEvent
from vollegym.referrals.models import Referral, ReferralLink
from vollegym.referrals.services import referral_settings_for


def write(gen: Generation) -> None:
    plan, studio = gen.plan, gen.studio
    referral_settings_for(studio)
    if not plan.referrals:
        return
    people = gen.ids["person"]
    first: dict[int, datetime] = {}  # referrer: when their first friend came
    for referral in plan.referrals:
        first.setdefault(referral.referrer, referral.created_at)
    friends = Counter(referral.referrer for referral in plan.referrals)
    links = gen.create(
        ReferralLink,
        (
            ReferralLink(
                studio=studio, person_id=people[plan.members[m].person], visits=3 * friends[m],
                created_at=max(plan.members[m].created_at, came - timedelta(days=3)),
            )
            for m, came in first.items()
        ),
    )  # fmt: skip
    link_of = {link.person_id: link for link in links}
    owner = gen.team[0]
    rows = gen.create(
        Referral,
        (
            Referral(
                studio=studio, link=link_of[people[plan.members[r.referrer].person]], lead_id=gen.ids["lead"][r.lead],
                person_id=people[plan.leads[r.lead].person], created_at=r.created_at, member_since=r.member_since,
                reward_earned_at=r.earned_at, reward_given_at=r.given_at,
                reward_given_by=owner if r.given_at else None,
            )
            for r in plan.referrals
        ),
    )  # fmt: skip
    events: list[DomainEvent] = []
    for r, row in zip(plan.referrals, rows, strict=True):
        referrer = people[plan.members[r.referrer].person]
        person = plan.leads[r.lead].person
        ids = {"referral_id": row.pk, "referrer_person_id": referrer}
        events.append(
            event_row(gen, ReferralAttributed(**ids, lead_id=row.lead_id), at=r.created_at, person=person)
        )
        if r.earned_at is not None:
            events.append(event_row(gen, ReferralRewardEarned(**ids), at=r.earned_at, person=person))
        if r.given_at is not None:
            events.append(event_row(gen, ReferralRewardGiven(**ids), at=r.given_at, person=person))
    gen.create(DomainEvent, events)

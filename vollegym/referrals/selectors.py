"""Reads about referrals: the studio's report, a member's own friends, and who brought a lead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet, Sum

from vollegym.leads.models import Lead
from vollegym.people.models import Person
from vollegym.referrals.models import Referral, ReferralLink
from vollegym.studios.models import Studio


@dataclass(frozen=True)
class ReferralRow:
    referral: Referral
    referrer: Person
    friend: Person
    lead: Lead
    member_since: date | None
    earned_at: datetime | None
    given_at: datetime | None

    @property
    def state(self) -> str:
        """lead → member → earned → given, in the words the pages use (see the templates)."""
        if self.given_at:
            return "given"
        if self.earned_at:
            return "earned"
        if self.member_since:
            return "member"
        return "lead"


@dataclass(frozen=True)
class ReferralReport:
    links: int  # members with a link
    visits: int
    leads: int
    members: int
    earned: int
    given: int
    rows: list[ReferralRow]

    @property
    def to_give(self) -> list[ReferralRow]:
        return [r for r in self.rows if r.state == "earned"]


def _rows(referrals: list[Referral]) -> list[ReferralRow]:
    return [
        ReferralRow(
            referral=r, referrer=r.link.person, friend=r.person, lead=r.lead, member_since=r.member_since,
            earned_at=r.reward_earned_at, given_at=r.reward_given_at,
        )
        for r in referrals
    ]  # fmt: skip


def referral_report(studio: Studio) -> ReferralReport:
    """Links, visits, friends who became leads and members, rewards earned and given: the studio's referral funnel."""
    links = ReferralLink.objects.for_studio(studio).aggregate(n=Count("id"), visits=Sum("visits"))
    referrals = list(
        Referral.objects.for_studio(studio)
        .select_related("link__person", "person", "lead")
        .order_by("-created_at", "-id")
    )
    counts = Referral.objects.for_studio(studio).aggregate(
        members=Count("id", filter=Q(member_since__isnull=False)),
        earned=Count("id", filter=Q(reward_earned_at__isnull=False)),
        given=Count("id", filter=Q(reward_given_at__isnull=False)),
    )
    return ReferralReport(
        links=links["n"] or 0, visits=links["visits"] or 0, leads=len(referrals), members=counts["members"],
        earned=counts["earned"], given=counts["given"], rows=_rows(referrals),
    )  # fmt: skip


def referrals_of(studio: Studio, person: Person) -> list[ReferralRow]:
    """The friends a member brought, newest first (for the member's own page)."""
    return _rows(
        list(
            Referral.objects.for_studio(studio)
            .filter(link__person=person)
            .select_related("link__person", "person", "lead")
            .order_by("-created_at", "-id")
        )
    )


def rewards_to_give(studio: Studio) -> list[ReferralRow]:
    """Rewards earned and not yet given, longest waiting first (the owner hands them out)."""
    return _rows(
        list(
            _rewards_open(studio)
            .select_related("link__person", "person", "lead")
            .order_by("reward_earned_at", "id")[:100]
        )
    )


def _rewards_open(studio: Studio) -> QuerySet[Referral]:
    return Referral.objects.for_studio(studio).filter(
        reward_earned_at__isnull=False, reward_given_at__isnull=True
    )


def rewards_to_give_count(studio: Studio) -> int:
    """How many rewards wait to be given (uncapped), in one COUNT."""
    return _rewards_open(studio).count()


def referrer_of(lead: Lead) -> Person | None:
    """The member whose link brought this lead, if one did."""
    referral = (
        Referral.objects.for_studio(lead.studio_id).filter(lead=lead).select_related("link__person").first()
    )
    return referral.link.person if referral else None

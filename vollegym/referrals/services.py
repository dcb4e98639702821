"""Writes about referrals: a member's link, a friend attributed to it, and the reward once the friend stayed."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.leads.models import Lead
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.people.events import (
    ReferralAttributed,
    ReferralRewardEarned,
    ReferralRewardGiven,
    event_record,
)
from vollegym.people.models import Person
from vollegym.programs.models import Enrolment
from vollegym.referrals.models import Referral, ReferralLink, ReferralSettings
from vollegym.studios.models import StaffMembership, Studio, User


class ReferralError(ValueError):
    """A referral change that cannot be made; the message says why."""


def referral_settings_for(studio: Studio) -> ReferralSettings:
    found = ReferralSettings.objects.for_studio(studio).first()
    if found is None:
        found, _created = ReferralSettings.objects.for_studio(studio).get_or_create(studio=studio)
    return found


@transaction.atomic
def referral_settings_update(
    *, studio: Studio, reward: str, reward_text: str, amount_cents: int, weeks_required: int
) -> ReferralSettings:
    """The studio chooses its reward and how long a friend must stay before it is earned (1 to 26 weeks)."""
    config = referral_settings_for(studio)
    if reward not in ReferralSettings.Reward.values:
        raise ReferralError(_("Kies een beloning uit de lijst."))
    if not reward_text.strip():
        raise ReferralError(_("Zeg in een paar woorden wat het lid krijgt."))
    if not 1 <= weeks_required <= 26:
        raise ReferralError(_("Kies tussen 1 en 26 weken."))
    if reward == ReferralSettings.Reward.AMOUNT and not 0 < amount_cents <= 100_000:
        raise ReferralError(_("Een bedrag ligt tussen € 0,01 en € 1.000."))
    config.reward, config.reward_text, config.weeks_required = reward, reward_text.strip(), weeks_required
    config.amount_cents = amount_cents if reward == ReferralSettings.Reward.AMOUNT else 0
    config.full_clean()
    config.save()
    return config


def referral_link_for(*, studio: Studio, person: Person) -> ReferralLink:
    """The person's own link (made the first time it is asked for); one per person per studio, ever."""
    found = ReferralLink.objects.for_studio(studio).filter(person=person).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ReferralLink.objects.for_studio(studio).create(studio=studio, person=person)
    except IntegrityError:  # the same link asked for twice at once
        return ReferralLink.objects.for_studio(studio).get(person=person)


def referral_url(link: ReferralLink, studio: Studio) -> str:
    from django.conf import settings

    path = reverse("referrals_public:visit", kwargs={"studio": studio.slug, "code": link.code})
    return f"{settings.SITE_URL}{path}"


_CODE = re.compile(r"[a-z0-9]{4,16}")


def _link_of(studio_id: int, code: str) -> ReferralLink | None:
    """The link with this code; anything that cannot be a code (NUL bytes, a path, 5,000 characters) finds none."""
    code = code.lower()
    if not _CODE.fullmatch(code):
        return None
    return ReferralLink.objects.for_studio(studio_id).filter(code=code).first()


def referral_visit(*, studio: Studio, code: str) -> ReferralLink | None:
    """A friend opened a link: counted, and the link returned so the intake can credit it (None if unknown)."""
    link = _link_of(studio.pk, code)
    if link is not None:  # F(): two friends opening the link at once both count
        ReferralLink.objects.for_studio(studio).filter(pk=link.pk).update(visits=F("visits") + 1)
    return link


@transaction.atomic
def referral_attach(*, lead: Lead, code: str) -> Referral | None:
    """Credits a new lead to the member whose link brought them; never to themselves, and once per lead."""
    link = _link_of(lead.studio_id, code)
    if link is None or link.person_id == lead.person_id:
        return None
    existing = Referral.objects.for_studio(lead.studio_id).filter(lead=lead).first()
    if existing is not None:
        return existing
    referral = Referral.objects.create(
        studio_id=lead.studio_id, link=link, lead=lead, person_id=lead.person_id
    )
    event_record(
        studio=lead.studio_id, person=lead.person_id, lead_id=lead.pk,
        event=ReferralAttributed(referral_id=referral.pk, lead_id=lead.pk, referrer_person_id=link.person_id),
    )  # fmt: skip
    return referral


def rewards_check(*, studio: Studio | None = None, now: datetime | None = None) -> int:
    """Marks rewards earned: the friend has been a member for the studio's weeks and has not stopped since.

    Run by the hourly sweep; the owner hears of each earned reward once (the key names the referral).
    """
    now = now or clock.now()
    today = clock.local(now).date()
    waiting = Referral.all_studios.filter(reward_earned_at__isnull=True).select_related("studio", "link")
    if studio is not None:
        waiting = waiting.filter(studio=studio)
    earned = 0
    weeks_of: dict[int, int] = {}  # per studio, read once per sweep
    for referral in waiting:
        first = (
            Enrolment.objects.for_studio(referral.studio_id)
            .filter(member__person_id=referral.person_id)
            .order_by("starts_on")
            .first()
        )
        if first is None:
            continue
        if referral.member_since is None:
            Referral.objects.for_studio(referral.studio_id).filter(pk=referral.pk).update(
                member_since=first.starts_on
            )
        if referral.studio_id not in weeks_of:
            weeks_of[referral.studio_id] = referral_settings_for(referral.studio).weeks_required
        weeks = weeks_of[referral.studio_id]
        if today < first.starts_on + timedelta(weeks=weeks):
            continue
        if not _stayed(referral, first.starts_on + timedelta(weeks=weeks)):
            continue
        earned += _earn(referral, now)
    return earned


def _stayed(referral: Referral, until: object) -> bool:
    """Still a member on the day the weeks were complete: an enrolment runs that day and was not stopped."""
    return (
        Enrolment.objects.for_studio(referral.studio_id)
        .filter(member__person_id=referral.person_id, starts_on__lte=until, ends_on__gte=until)
        .exclude(status=Enrolment.Status.STOPPED)
        .exists()
    )


@transaction.atomic
def _earn(referral: Referral, now: datetime) -> int:
    if (
        not Referral.objects.for_studio(referral.studio_id)
        .filter(pk=referral.pk, reward_earned_at__isnull=True)
        .update(reward_earned_at=now)
    ):
        return 0
    studio = referral.studio
    event_record(
        studio=studio, person=referral.link.person_id, at=now,
        event=ReferralRewardEarned(referral_id=referral.pk, referrer_person_id=referral.link.person_id),
    )  # fmt: skip
    referrer = Person.objects.for_studio(studio).get(pk=referral.link.person_id)
    friend = Person.objects.for_studio(studio).get(pk=referral.person_id)
    url = reverse("referrals:report", kwargs={"studio": studio.slug})
    for membership in (
        StaffMembership.objects.for_studio(studio)
        .filter(role=StaffMembership.Role.OWNER)
        .select_related("user")
    ):
        message_queue(
            studio=studio, channel=Message.Channel.APP, to=membership.user.email, to_user=membership.user,
            purpose="referral_reward", key=f"referral:{referral.pk}:earned:{membership.user_id}",
            ref=f"referral:{referral.pk}", url=url,
            body=render_to_string("referrals/reward_earned.txt", {
                "referrer": referrer, "friend": friend, "reward": referral_settings_for(studio).reward_text,
            }).strip(),
        )  # fmt: skip
    return 1


@transaction.atomic
def referral_reward_give(*, referral: Referral, by: User) -> Referral:
    """The owner marks an earned reward as given; a reward not yet earned cannot be given."""
    locked = Referral.objects.for_studio(referral.studio_id).select_for_update().get(pk=referral.pk)
    if locked.reward_earned_at is None:
        raise ReferralError(
            _("Deze beloning is nog niet verdiend: de vriend(in) is nog niet lang genoeg lid.")
        )
    if locked.reward_given_at is not None:
        return locked
    locked.reward_given_at, locked.reward_given_by = clock.now(), by
    locked.save(update_fields=["reward_given_at", "reward_given_by"])
    event_record(
        studio=locked.studio_id, person=locked.link.person_id, by=by,
        event=ReferralRewardGiven(referral_id=locked.pk, referrer_person_id=locked.link.person_id),
    )  # fmt: skip
    return locked

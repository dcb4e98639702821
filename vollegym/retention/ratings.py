"""Ratings: on day 30 of an enrolment and in its last week, one question to the member (0 to 10 and a comment).

Everyone who answers sees the same thank-you with the studio's review link, whatever the score: Google's policy
forbids "review gating" (asking only the happy ones for a review). Scores stay private; 0 to 6 makes a call for the
coach, and the scores make the studio's NPS (promoters 9-10 minus detractors 0-6, in percent of those who answered).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from vollegym.core import clock
from vollegym.core.names import first_name
from vollegym.messaging.models import Message
from vollegym.messaging.services import message_queue
from vollegym.people.events import RatingAnswered, RatingAsked, event_record
from vollegym.programs.models import Enrolment, Member
from vollegym.retention.models import COMMENT_MAX, LOW_SCORE, Rating
from vollegym.studios.models import Studio, User

_SALT = "vollegym.retention.rating"
# Day 30 is asked from its morning until two days later (a worker that was down does not ask a week late); the
# end in the last week before `ends_on`. Not before nine in the morning on the studio's clock.
DAY = 30
DAY_GRACE = 2
END_WEEK = 7
ASK_FROM = time(9, 0)
# A short enrolment whose day-30 question went out lately is not asked again at its end.
NOT_AGAIN_WITHIN = timedelta(days=14)


class RatingError(ValueError):
    """An answer that cannot be taken; the message says why (in Dutch)."""


def rating_token(rating: Rating) -> str:
    return signing.Signer(salt=_SALT).sign_object({"s": rating.studio_id, "r": rating.pk})


def rating_from_token(token: str, studio_id: int) -> Rating | None:
    """The rating a link names, when the link is genuine and for this studio; else None."""
    try:
        data = signing.Signer(salt=_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or data.get("s") != studio_id or not isinstance(data.get("r"), int):
        return None
    rating = (
        Rating.objects.for_studio(studio_id).filter(pk=data["r"]).select_related("person", "studio").first()
    )
    return rating if rating is not None and rating.person.erased_at is None else None


def rating_url(rating: Rating, studio: Studio) -> str:
    path = reverse("retention_public:rating", kwargs={"studio": studio.slug, "token": rating_token(rating)})
    return f"{settings.SITE_URL}{path}"


@transaction.atomic
def rating_ask(*, enrolment: Enrolment, moment: str, now: datetime | None = None) -> Rating | None:
    """Asks once per enrolment and moment: a rating row and one e-mail through the outbox (consent is checked there).

    None when it was asked already (by another worker a moment ago, say).
    """
    now = now or clock.now()
    member = (
        Member.objects.for_studio(enrolment.studio_id)
        .select_related("person", "studio")
        .get(pk=enrolment.member_id)
    )
    try:
        with transaction.atomic():
            rating = Rating.objects.create(
                studio_id=enrolment.studio_id, member=member, person_id=member.person_id, enrolment=enrolment,
                moment=moment, coach_id=member.coach_id, asked_at=now,
            )  # fmt: skip
    except IntegrityError:
        return None
    studio = member.studio
    body = render_to_string(
        "retention/rating_message.txt",
        {"first_name": first_name(member.person.name), "studio": studio, "url": rating_url(rating, studio)},
    ).strip()
    rating.message = message_queue(
        studio=studio, key=f"rating:{rating.pk}", channel=Message.Channel.EMAIL, person=member.person, body=body,
        subject=_("Hoe bevalt %(studio)s? Eén vraag") % {"studio": studio.name}, purpose="rating",
        ref=f"enrolment:{enrolment.pk}",
    )  # fmt: skip
    rating.save(update_fields=["message"])
    refused = rating.message.last_error if rating.message.status == Message.Status.CANCELLED else ""
    event_record(
        studio=studio, person=member.person_id, at=now,
        event=RatingAsked(rating_id=rating.pk, enrolment_id=enrolment.pk, moment=moment,
                          message_id=rating.message_id, refused=refused),
    )  # fmt: skip
    return rating


def ratings_sweep(*, now: datetime | None = None) -> int:
    """Asks every active enrolment that reached day 30 (a first enrolment, not a renewal) or its last week."""
    now = now or clock.now()
    local = clock.local(now)
    if local.time() < ASK_FROM:
        return 0
    today = local.date()
    active = Enrolment.all_studios.filter(status=Enrolment.Status.ACTIVE)
    day_30 = active.filter(
        renewal_of__isnull=True, ends_on__gte=today,
        starts_on__lte=today - timedelta(days=DAY), starts_on__gte=today - timedelta(days=DAY + DAY_GRACE),
    ).exclude(pk__in=Rating.all_studios.filter(moment=Rating.Moment.DAY_30).values("enrolment_id"))  # fmt: skip
    ending = (
        active.filter(ends_on__gte=today, ends_on__lte=today + timedelta(days=END_WEEK))
        .exclude(pk__in=Rating.all_studios.filter(moment=Rating.Moment.PROGRAM_END).values("enrolment_id"))
        .exclude(
            pk__in=Rating.all_studios.filter(
                Q(moment=Rating.Moment.DAY_30), asked_at__gte=now - NOT_AGAIN_WITHIN
            ).values("enrolment_id")
        )
    )
    made = 0
    for moment, enrolments in ((Rating.Moment.DAY_30, day_30), (Rating.Moment.PROGRAM_END, ending)):
        for enrolment in list(enrolments[:500]):
            made += rating_ask(enrolment=enrolment, moment=moment, now=now) is not None
    return made


def _clean_comment(comment: str) -> str:
    """The comment as kept: refused in Dutch when it is too long or holds what no one typed (NUL, lone halves)."""
    unreadable = _(
        "Je opmerking bevat een teken dat we niet kunnen bewaren. Haal het weg en probeer het opnieuw."
    )
    # A NUL, a lone half of a surrogate pair, or what the web server made of one (U+FFFD): nobody typed those.
    if "\x00" in comment or "\ufffd" in comment:
        raise RatingError(unreadable)
    try:
        comment.encode("utf-8")
    except UnicodeEncodeError:
        raise RatingError(unreadable) from None
    comment = comment.strip()
    if len(comment) > COMMENT_MAX:
        raise RatingError(
            _("Je opmerking is %(length)s tekens; er passen er %(max)s. Maak hem wat korter.")
            % {"length": len(comment), "max": COMMENT_MAX}
        )
    return comment


@transaction.atomic
def rating_answer(*, rating: Rating, score: int, comment: str = "", now: datetime | None = None) -> Rating:
    """Stores the member's answer; a second answer to the same question replaces the first, never adds one."""
    now = now or clock.now()
    if not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 10:
        raise RatingError(_("Kies een cijfer van 0 tot en met 10."))
    comment = _clean_comment(comment)
    rating = Rating.objects.for_studio(rating.studio_id).select_for_update().get(pk=rating.pk)
    again = rating.answered_at is not None
    rating.score, rating.comment, rating.answered_at = score, comment, now
    if not rating.is_low:
        rating.called_at, rating.called_by = None, None
    try:
        rating.full_clean()
    except ValidationError as exc:
        raise RatingError(" ".join(exc.messages)) from None
    rating.save(update_fields=["score", "comment", "answered_at", "called_at", "called_by"])
    event_record(
        studio=rating.studio_id, person=rating.person_id, at=now,
        event=RatingAnswered(rating_id=rating.pk, enrolment_id=rating.enrolment_id, moment=rating.moment,
                             score=score, again=again),
    )  # fmt: skip
    return rating


@transaction.atomic
def rating_called(*, rating: Rating, by: User) -> Rating:
    """A coach called the member about a low score: it leaves the task list, and stays on the NPS page's counts."""
    if not (
        Rating.objects.for_studio(rating.studio_id)
        .filter(pk=rating.pk, score__lte=LOW_SCORE, called_at__isnull=True)
        .update(called_at=clock.now(), called_by=by)
    ):
        raise RatingError(_("Deze melding is al opgepakt."))
    rating.refresh_from_db()
    return rating


def ratings_forget_comments(*, person_id: int, studio_id: int) -> int:
    """Erasure: the comments go (free text may name anyone); the scores stay, anonymous, for the counts."""
    return (
        Rating.objects.for_studio(studio_id)
        .filter(person_id=person_id)
        .exclude(comment="")
        .update(comment="")
    )
